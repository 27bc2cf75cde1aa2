// A share link as the pages show it: its QR code, a copy button, and an item of a list of links.

import { copyText, h, safeUrl, time, userLink } from "../dom.js";
import { linkFacts } from "./policy.js";

export function qrImage(link, className = "qr") {
  return h("img", {
    class: className,
    src: safeUrl(link.qr_url),
    alt: `QR code for ${link.url}`,
    width: 160,
    height: 160,
  });
}

export function copyButton(url, status) {
  return h(
    "button",
    {
      type: "button",
      class: "secondary small",
      "aria-label": `Copy link ${url}`,
      onclick: async () => {
        status.textContent = (await copyText(url))
          ? "Link copied to the clipboard."
          : "Copying is not allowed here; select the link and copy it yourself.";
      },
    },
    "Copy",
  );
}

/**
 * A link in a list: its QR code, `about` (what it shows), its URL, who made it when, its views
 * and limits, then the `actions` made for the item (a function of it) and `slots` below them.
 */
export function linkListItem(link, { about, actions, slots = [] }) {
  const item = h("li", { class: "link-item", dataset: { linkId: link.id } });
  item.append(
    h("a", { href: safeUrl(link.url), class: "link-item__qr" }, qrImage(link, "qr qr--small")),
    h(
      "div",
      { class: "link-item__body" },
      about,
      h("a", { href: safeUrl(link.url), class: "url" }, link.url),
      h("p", { class: "muted small" }, "by ", userLink(link.created_by), " ", time(link.created_at)),
      linkFacts(link),
      h("div", { class: "actions" }, actions(item)),
      slots,
    ),
  );
  return item;
}
