// Sharing an album: a link with optional limits (expiry, password, views) and its QR code.

import { request } from "../api.js";
import { clearError, errorSlot, h, safeUrl, showError } from "../dom.js";
import { copyButton, qrImage } from "./link_parts.js";
import { linkFacts, policyFields } from "./policy.js";

function createdLink(link) {
  const status = h("p", { class: "form-status", role: "status" });
  return [
    h("h3", {}, "Your album link"),
    h(
      "div",
      { class: "link-result__grid" },
      h(
        "div",
        { class: "stack" },
        h("a", { href: safeUrl(link.url), class: "url", target: "_blank", rel: "noopener" }, link.url),
        linkFacts(link),
        h("div", { class: "actions" }, copyButton(link.url, status)),
        status,
      ),
      h(
        "figure",
        { class: "qr-figure" },
        qrImage(link),
        h("figcaption", { class: "muted small" }, "Scan to open the album"),
      ),
    ),
  ];
}

/** The "Share this album" card: the policy fields, then the new link with its QR code. */
export function albumShareSection(album) {
  const policy = policyFields();
  const error = errorSlot();
  const result = h("div", { class: "link-result", "aria-live": "polite" });
  const submit = h("button", { type: "submit" }, "Create share link");
  const form = h(
    "form",
    { class: "stack", "aria-label": "Share this album" },
    h(
      "p",
      { class: "muted" },
      "Anyone with the link sees the album's photos, whatever its visibility, within the limits you set.",
    ),
    policy.element,
    error,
    h("div", { class: "actions" }, submit),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearError(error);
    submit.disabled = true;
    try {
      const json = policy.read();
      const link = await request(`albums/${encodeURIComponent(album.id)}/links`, { method: "POST", json });
      policy.reset();
      result.replaceChildren(...createdLink(link));
    } catch (err) {
      showError(error, err);
    } finally {
      submit.disabled = false;
    }
  });
  return h(
    "section",
    { class: "card album-share", "aria-labelledby": "album-share-title" },
    h("h2", { id: "album-share-title" }, "Share this album"),
    form,
    result,
    h("p", { class: "small" }, h("a", { href: "#/links" }, "All your links"), ": views, limits and revoking."),
  );
}
