// The page-wide message regions and navigation helpers shared by the views.

import { request } from "./api.js";
import { confirmButton, h, showError } from "./dom.js";
import { isLoggedIn } from "./state.js";

let carriedNotice = null;

function region(id) {
  return document.getElementById(id);
}

/** Show a polite message ("Saved"); with carry, it survives the next navigation. */
export function notify(message, { carry = false } = {}) {
  if (carry) carriedNotice = message;
  const notice = region("notice");
  notice.textContent = message;
  notice.hidden = false;
}

/** Show an error from the API (its detail) or any Error in the alert region. */
export function showAlert(error) {
  const alert = region("alert");
  alert.textContent = error instanceof Error ? error.message : String(error);
  alert.hidden = false;
}

/** Called on every navigation: old messages go, a carried notice is shown once. */
export function resetMessages() {
  for (const id of ["notice", "alert"]) {
    const element = region(id);
    element.textContent = "";
    element.hidden = true;
  }
  if (carriedNotice) {
    const message = carriedNotice;
    carriedNotice = null;
    notify(message);
  }
}

/** Go to a hash route; re-render when it is the current one. */
export function go(hash, { notice } = {}) {
  if (notice) carriedNotice = notice;
  if (location.hash === hash) window.dispatchEvent(new HashChangeEvent("hashchange"));
  else location.hash = hash;
}

/** The current route as a hash, to come back to after logging in. */
export function currentHash() {
  return location.hash || "#/";
}

export function loginHash(next = currentHash()) {
  return next && next !== "#/" && !next.startsWith("#/login") && !next.startsWith("#/signup")
    ? `#/login?${new URLSearchParams({ next })}`
    : "#/login";
}

/** On pages that need an account: explain and link to log in; false when logged out. */
export function requireLogin(root, what) {
  if (isLoggedIn()) return true;
  root.append(
    h("h1", {}, "Log in first"),
    h("p", {}, h("a", { href: loginHash() }, "Log in"), ` or `, h("a", { href: "#/signup" }, "sign up"), ` to ${what}.`),
  );
  return false;
}

/**
 * A "Load more" button (hidden until shown) that runs `loadPage`, disabled while it loads; a
 * failure is told in `summary`.
 */
export function moreButton(label, loadPage, summary) {
  const more = h("button", { type: "button", class: "secondary load-more", hidden: true }, label);
  more.addEventListener("click", async () => {
    more.disabled = true;
    more.textContent = "Loading…";
    try {
      await loadPage();
    } catch (error) {
      summary.textContent = error.message;
    } finally {
      more.disabled = false;
      more.textContent = label;
    }
  });
  return more;
}

/**
 * A button that asks first, then sends DELETE to the API path and runs onDone; a failure is
 * shown in `error`. Options as confirmButton's: question, confirmLabel, className.
 */
export function confirmedDelete(label, path, { error, onDone, ...asking }) {
  return confirmButton(label, {
    ...asking,
    onConfirm: async () => {
      try {
        await request(path, { method: "DELETE" });
        await onDone();
      } catch (err) {
        showError(error, err);
      }
    },
  });
}

/** A small Delete button that asks first, sends DELETE to the API path, then runs onDeleted. */
export function deleteButton(noun, path, { error, onDeleted }) {
  return confirmedDelete("Delete", path, {
    question: `Delete this ${noun}?`,
    confirmLabel: `Yes, delete the ${noun}`,
    className: "danger small",
    error,
    onDone: onDeleted,
  });
}
