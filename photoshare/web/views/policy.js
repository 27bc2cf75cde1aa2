// Share-link policies: the optional fields a new link may carry (expiry, password, view limit),
// and how a link's policy and use read on the page.

import { field, h, time } from "../dom.js";

const MAX_VIEWS = 1_000_000;

/**
 * The policy fields of a link form. `read()` gives the JSON fields to send (only those filled
 * in; none means the link is for anyone, forever); `reset()` empties them.
 */
export function policyFields() {
  const expiresAt = h("input", { type: "datetime-local", name: "expires_at" });
  const password = h("input", {
    type: "password",
    name: "link_password",
    minlength: 8,
    maxlength: 128,
    autocomplete: "new-password",
  });
  const maxViews = h("input", {
    type: "number",
    name: "max_views",
    inputmode: "numeric",
    min: 1,
    max: MAX_VIEWS,
    step: 1,
  });
  const element = h(
    "fieldset",
    { class: "op policy" },
    h("legend", {}, "Limits (optional)"),
    h(
      "div",
      { class: "policy__fields" },
      field("Expires at", expiresAt, { hint: "Your local time; empty means never" }),
      field("Link password", password, { hint: "8 to 128 characters; empty means none" }),
      field("Max views", maxViews, { hint: `1 to ${MAX_VIEWS.toLocaleString("en")}; empty means no limit` }),
    ),
  );
  const read = () => {
    const policy = {};
    if (expiresAt.value) {
      const when = new Date(expiresAt.value);
      if (Number.isNaN(when.getTime())) throw new Error("Expires at: enter a date and time.");
      policy.expires_at = when.toISOString();
    }
    if (password.value) policy.password = password.value;
    if (maxViews.value) policy.max_views = Number(maxViews.value);
    return policy;
  };
  const reset = () => {
    for (const control of [expiresAt, password, maxViews]) control.value = "";
  };
  return { element, read, reset };
}

/** Whether the link no longer opens: "expired", "used up", or null while it works. */
export function linkState(link, now = new Date()) {
  if (link.expires_at && new Date(link.expires_at) <= now) return "expired";
  if (link.max_views != null && (link.views ?? 0) >= link.max_views) return "used up";
  return null;
}

/** One line on a link's use and limits: views, last viewed, expiry, password, its state. */
export function linkFacts(link) {
  const views = link.views ?? 0;
  const state = linkState(link);
  const parts = [
    h(
      "span",
      { class: "link-facts__views" },
      link.max_views != null ? `${views} of ${link.max_views} views` : `${views} ${views === 1 ? "view" : "views"}`,
    ),
  ];
  if (link.last_viewed_at) parts.push(h("span", {}, "last viewed ", time(link.last_viewed_at)));
  if (link.expires_at) {
    parts.push(h("span", {}, state === "expired" ? "expired " : "expires ", time(link.expires_at)));
  }
  if (link.has_password) parts.push(h("span", { class: "badge" }, "password"));
  if (state) parts.push(h("span", { class: "badge badge--danger" }, state));
  return h("p", { class: "link-facts muted small" }, parts);
}
