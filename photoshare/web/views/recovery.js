// Getting back into an account: "Forgot password?" (#/forgot), the reset page the mailed link
// opens (#/reset?token=…), and sending the confirmation email again.
//
// The answers never tell whether an address has an account: the server answers 202 either way,
// and so the album says the same sentence whatever it knows.

import { logout, request } from "../api.js";
import { errorSlot, field, h, handleSubmit, statusSlot, titledCard } from "../dom.js";
import { isLoggedIn, setMe } from "../state.js";
import { go } from "../ui.js";

const SENT_RESET = "If an account uses this address, we sent a link to choose a new password. It works once, within an hour.";
const SENT_CONFIRMATION = "If an account with this address is waiting for confirmation, we sent it a new link.";

function emailInput(value) {
  return h("input", { type: "email", required: true, autocomplete: "email", autocapitalize: "none", value });
}

/** #/forgot: ask for a reset link by email. */
export async function forgotView(root, { query }) {
  const email = emailInput(query.get("email") ?? "");
  const error = errorSlot();
  const submit = h("button", { type: "submit" }, "Send me a link");
  const form = titledCard(
    "form",
    { id: "forgot-title", title: "Forgot your password?" },
    h("p", { class: "muted" }, "Tell us your account's email address and we will send a link to choose a new password."),
    field("Email", email),
    error,
    h("div", { class: "actions" }, submit),
    h("p", { class: "muted" }, "Remembered it? ", h("a", { href: "#/login" }, "Log in"), "."),
  );
  const again = h("button", { type: "button", class: "link-button inline" }, "ask again");
  const answer = h("p", { role: "status" });
  const sent = titledCard(
    "section",
    { id: "sent-title", title: "Check your inbox", hidden: true },
    answer,
    h("p", { class: "muted" }, "Nothing came? Look in the spam folder, or ", again, "."),
  );
  const showForm = (shown) => {
    form.hidden = !shown;
    sent.hidden = shown;
    // Written as it is shown, so screen readers announce it each time.
    answer.textContent = shown ? "" : SENT_RESET;
    (shown ? email : sent.querySelector("h1")).focus();
  };
  again.addEventListener("click", () => showForm(true));
  handleSubmit(form, submit, error, async () => {
    await request("auth/password-reset", { method: "POST", json: { email: email.value.trim() }, auth: false });
    showForm(false);
  });
  root.append(form, sent);
}

/** What a used, expired or missing reset link shows: why, and the way to a new one. */
function deadLink(detail) {
  return titledCard(
    "section",
    { id: "reset-title", title: "This link no longer works" },
    h("p", { role: "alert" }, detail),
    h("p", {}, "A reset link works once, within an hour of being sent. ", h("a", { href: "#/forgot" }, "Ask for a new link"), "."),
  );
}

/** #/reset?token=…: choose a new password with the mailed token, then log in with it. */
export async function resetView(root, { query }) {
  const token = query.get("token") ?? "";
  if (!token) {
    root.append(deadLink("This page opens from the link in a password reset email, and this address has no token."));
    return;
  }
  const rules = { type: "password", required: true, minlength: 8, maxlength: 128, autocomplete: "new-password" };
  const password = h("input", rules);
  const again = h("input", rules);
  const error = errorSlot();
  const submit = h("button", { type: "submit" }, "Set new password");
  const form = titledCard(
    "form",
    { id: "reset-title", title: "Choose a new password" },
    field("New password", password, { hint: "8 to 128 characters" }),
    field("New password again", again),
    error,
    h("div", { class: "actions" }, submit),
  );
  root.append(form);
  handleSubmit(form, submit, error, async () => {
    if (password.value !== again.value) {
      again.select();
      throw new Error("The two passwords differ; type the same one twice.");
    }
    try {
      await request("auth/password-reset/confirm", { method: "POST", json: { token, password: password.value }, auth: false });
    } catch (err) {
      if (err.status !== 400) throw err;
      const dead = deadLink(err.message);
      form.replaceWith(dead);
      dead.querySelector("h1").focus();
      return;
    }
    // The reset ended every login of that account; whoever this tab was, the next step is
    // logging in with the new password.
    if (isLoggedIn()) {
      await logout();
      setMe(null);
    }
    go("#/login", { notice: "Your password was changed. Log in with your new password." });
  });
}

/**
 * Under a login refused for an unconfirmed email: send the confirmation link again, to the
 * address typed at login or one asked for here.
 */
export function resendConfirmation(typedLogin) {
  const email = emailInput(typedLogin.includes("@") ? typedLogin : "");
  const error = errorSlot();
  const status = statusSlot();
  const submit = h("button", { type: "submit", class: "secondary" }, "Resend confirmation email");
  const form = h(
    "form",
    { class: "stack", "aria-label": "Resend the confirmation email" },
    h("p", {}, "Lost the confirmation email? We can send its link again."),
    field("Email", email),
    error,
    status,
    h("div", { class: "actions" }, submit),
  );
  handleSubmit(form, submit, error, async () => {
    status.textContent = "";
    await request("auth/confirm/resend", { method: "POST", json: { email: email.value.trim() }, auth: false });
    status.textContent = SENT_CONFIRMATION;
  });
  return form;
}
