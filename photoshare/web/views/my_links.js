// "My links" (#/links): every share link you made, what it shows, how much it was used, its
// limits, and revoking it.

import { request } from "../api.js";
import { errorSlot, h } from "../dom.js";
import { confirmedDelete, moreButton, requireLogin } from "../ui.js";
import { linkListItem } from "./link_parts.js";

const PAGE_SIZE = 50;

function whatItShows(link) {
  if (link.album_id) {
    return h("p", {}, h("a", { href: `#/album/${encodeURIComponent(link.album_id)}` }, "An album"));
  }
  return h(
    "p",
    {},
    h("a", { href: `#/photo/${encodeURIComponent(link.photo_id)}` }, "A photo"),
    " ",
    h("code", { class: "transformation" }, link.transformation || "as uploaded"),
  );
}

function revokeButton(link, item, { error, onRevoked }) {
  return confirmedDelete("Revoke", `links/${encodeURIComponent(link.id)}`, {
    question: "Revoke this link? It stops working for everyone.",
    confirmLabel: "Yes, revoke the link",
    className: "danger small",
    error,
    onDone: () => {
      item.remove();
      onRevoked(link);
    },
  });
}

function linkRow(link, onRevoked) {
  const error = errorSlot();
  return linkListItem(link, {
    about: whatItShows(link),
    actions: (item) => (link.can_delete === false ? null : revokeButton(link, item, { error, onRevoked })),
    slots: [error],
  });
}

export async function myLinksView(root) {
  if (!requireLogin(root, "see your share links")) return;
  const summary = h("p", { class: "muted", "aria-live": "polite" });
  const list = h("ul", { class: "link-list", "aria-label": "Your links" });
  let offset = 0;
  let total = 0;
  const describe = () => {
    summary.textContent = total
      ? `${total} ${total === 1 ? "link" : "links"}, newest first`
      : "You have no share links yet. Make one from a photo's or an album's page.";
  };
  const onRevoked = () => {
    total -= 1;
    offset -= 1;
    describe();
  };
  const loadPage = async () => {
    const page = await request("users/me/links", { query: { limit: PAGE_SIZE, offset } });
    total = page.total;
    offset += page.items.length;
    list.append(...page.items.map((link) => linkRow(link, onRevoked)));
    more.hidden = offset >= total || page.items.length === 0;
    describe();
  };
  const more = moreButton("More links", loadPage, summary);
  root.append(
    h("h1", {}, "My links"),
    h("section", { class: "card" }, summary, list, h("div", { class: "load-more-row" }, more)),
  );
  await loadPage();
}
