// Building the page safely: every piece of user text goes in through textContent or an
// attribute, never through HTML parsing.

// Properties set on the element itself rather than as attributes.
const PROPERTIES = new Set(["value", "checked", "disabled", "hidden", "selected", "multiple"]);

/**
 * Create an element: h("a", { href: "#/", class: "chip" }, "text", otherNode).
 * Props named on<event> with a function become listeners; null/undefined/false are skipped;
 * string children become text nodes.
 */
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") element.className = value;
    else if (key === "text") element.textContent = String(value);
    else if (key === "dataset") Object.assign(element.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") {
      element.addEventListener(key.slice(2), value);
    } else if (PROPERTIES.has(key)) element[key] = value;
    else element.setAttribute(key, value === true ? "" : String(value));
  }
  append(element, children);
  return element;
}

/** Append children like h() does: nulls skipped, strings as text. */
export function appendTo(element, ...children) {
  append(element, children);
  return element;
}

/** Replace an element's children like h() builds them: nulls skipped, strings as text. */
export function fill(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(element, child);
    else element.append(child instanceof Node ? child : String(child));
  }
}

/** A URL from the API as an href/src: only http(s) and same-site paths, never javascript:. */
export function safeUrl(url) {
  if (!url) return "";
  try {
    const parsed = new URL(url, document.baseURI);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : "";
  } catch {
    return "";
  }
}

let idCounter = 0;
/** A unique id for pairing a <label for> with its control. */
export function uid(prefix = "f") {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

/** A labelled control: returns a wrapper holding <label for> and the control. */
export function field(labelText, control, { hint, className = "field" } = {}) {
  if (!control.id) control.id = uid();
  const parts = [h("label", { for: control.id }, labelText), control];
  if (hint) {
    const hintId = `${control.id}-hint`;
    control.setAttribute("aria-describedby", hintId);
    parts.push(h("small", { id: hintId, class: "hint" }, hint));
  }
  return h("div", { class: className }, ...parts);
}

/**
 * A narrow card (a form, a section) named by its h1; the heading takes focus when a view
 * moves the reader to it.
 */
export function titledCard(tag, { id, title, hidden = false }, ...children) {
  const heading = h("h1", { id, tabindex: "-1" }, title);
  return h(tag, { class: "card stack narrow", "aria-labelledby": id, hidden }, heading, ...children);
}

/** A <select> with [value, label] options (or plain strings). */
export function select(options, props = {}) {
  const control = h("select", props);
  for (const option of options) {
    const [value, label] = Array.isArray(option) ? option : [option, option];
    control.append(h("option", { value }, label));
  }
  if (props.value !== undefined) control.value = props.value;
  return control;
}

/** A paragraph that shows form errors to everyone, screen readers included. */
export function errorSlot() {
  return h("p", { class: "form-error", role: "alert", hidden: true });
}

export function showError(slot, error) {
  slot.textContent = error instanceof Error ? error.message : String(error);
  slot.hidden = false;
}

export function clearError(slot) {
  slot.textContent = "";
  slot.hidden = true;
}

/**
 * Run `action` when the form is submitted: its submit button disabled meanwhile, what it throws
 * shown in the error slot.
 */
export function handleSubmit(form, submit, error, action) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearError(error);
    submit.disabled = true;
    try {
      await action();
    } catch (err) {
      showError(error, err);
    } finally {
      submit.disabled = false;
    }
  });
}

/** A short-lived polite message next to a control ("Saved", "Copied"). */
export function statusSlot() {
  return h("p", { class: "form-status", role: "status", "aria-live": "polite" });
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });

export function time(iso, { withTime = true } = {}) {
  const date = new Date(iso);
  const label = Number.isNaN(date.getTime())
    ? String(iso)
    : (withTime ? dateTime : dateOnly).format(date);
  return h("time", { datetime: iso }, label);
}

/** Average rating as stars, with a full spoken description. */
export function stars({ average, count }) {
  if (!count) return h("span", { class: "stars stars--none" }, "No ratings yet");
  const rounded = Math.round(average);
  const label = `Rated ${average.toFixed(1)} out of 5 by ${count} ${count === 1 ? "person" : "people"}`;
  return h(
    "span",
    { class: "stars", role: "img", "aria-label": label, title: label },
    h("span", { class: "stars__on", "aria-hidden": "true" }, "★".repeat(rounded)),
    h("span", { class: "stars__off", "aria-hidden": "true" }, "★".repeat(5 - rounded)),
    h("span", { class: "stars__text", "aria-hidden": "true" }, ` ${average.toFixed(1)} (${count})`),
  );
}

/** A round avatar: the picture, or the first letter of the name. */
export function avatar(url, name, size = "md") {
  const src = safeUrl(url);
  if (src) return h("img", { class: `avatar avatar--${size}`, src, alt: "" });
  return h(
    "span",
    { class: `avatar avatar--${size} avatar--empty`, "aria-hidden": "true" },
    (name || "?").charAt(0).toUpperCase(),
  );
}

export function userLink(username) {
  return h("a", { href: `#/user/${encodeURIComponent(username)}`, class: "user-link" }, username);
}

export function tagHref(tag) {
  return `#/?${new URLSearchParams({ tag })}`;
}

export function tagChips(tags) {
  return h(
    "ul",
    { class: "chips", "aria-label": "Tags" },
    tags.map((tag) => h("li", {}, h("a", { class: "chip", href: tagHref(tag) }, `#${tag}`))),
  );
}

/**
 * A button that asks before it acts: the first click shows "<question> [confirm] [Cancel]".
 * No window.confirm, so it works the same everywhere and is easy to drive.
 */
export function confirmButton(label, { question, confirmLabel, onConfirm, className = "danger" }) {
  const wrapper = h("span", { class: "confirm" });
  const start = h("button", { type: "button", class: className }, label);
  const reset = () => wrapper.replaceChildren(start);
  start.addEventListener("click", () => {
    const yes = h("button", { type: "button", class: "danger" }, confirmLabel ?? `Yes, ${label.toLowerCase()}`);
    const no = h("button", { type: "button", class: "secondary", onclick: reset }, "Cancel");
    yes.addEventListener("click", async () => {
      yes.disabled = true;
      try {
        await onConfirm();
      } finally {
        if (wrapper.isConnected) reset();
      }
    });
    wrapper.replaceChildren(h("span", { class: "confirm__question" }, question), " ", yes, " ", no);
    yes.focus();
  });
  wrapper.append(start);
  return wrapper;
}

/** Copy text: the Clipboard API where allowed, else a hidden textarea and execCommand. */
export async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // Permission refused: try the old way below.
    }
  }
  const area = h("textarea", { readonly: true, class: "offscreen", "aria-hidden": "true" });
  area.value = text;
  document.body.append(area);
  area.select();
  let copied = false;
  try {
    copied = document.execCommand("copy");
  } catch {
    copied = false;
  }
  area.remove();
  return copied;
}
