// A grid of photo cards loaded page by page from GET /photos (or another list of photos), with
// "Load more".

import { request } from "../api.js";
import { h, stars, time, userLink } from "../dom.js";
import { photoPicture } from "../picture.js";
import { moreButton } from "../ui.js";

const PAGE_SIZE = 24;

export function photoCard(photo) {
  const href = `#/photo/${encodeURIComponent(photo.id)}`;
  const alt = photo.description
    ? photo.description.slice(0, 140)
    : `Photo by ${photo.owner.username}`;
  const comments = photo.comments_count;
  return h(
    "li",
    { class: "card photo-card" },
    h(
      "a",
      // The text link below is the one announced and tabbed to; this one is for the mouse.
      { href, class: "photo-card__image", tabindex: "-1", "aria-hidden": "true" },
      photoPicture(photo, { size: "thumb", alt, lazy: true }).picture,
    ),
    h(
      "div",
      { class: "photo-card__body" },
      photo.description
        ? h("p", { class: "photo-card__description" }, h("a", { href }, photo.description))
        : h("p", { class: "photo-card__description muted" }, h("a", { href }, "Untitled photo")),
      h(
        "p",
        { class: "photo-card__meta" },
        h("span", {}, "by ", userLink(photo.owner.username)),
        time(photo.created_at, { withTime: false }),
      ),
      h(
        "p",
        { class: "photo-card__meta" },
        stars(photo.rating),
        h(
          "span",
          { class: "muted" },
          `${comments} ${comments === 1 ? "comment" : "comments"}`,
        ),
      ),
    ),
  );
}

/**
 * Render a photo grid for the given search filters into `root`; resolves with the first page.
 * `emptyText` is shown when nothing matches; `path` is the API list to page through.
 */
export async function photoGrid(
  root,
  filters,
  { emptyText = "No photos yet.", label = "Photos", path = "photos" } = {},
) {
  const summary = h("p", { class: "muted grid-summary", "aria-live": "polite" });
  const list = h("ul", { class: "photo-grid", "aria-label": label });
  let offset = 0;
  let total = 0;
  const loadPage = async () => {
    const page = await request(path, {
      query: { ...filters, limit: PAGE_SIZE, offset },
    });
    total = page.total;
    offset += page.items.length;
    list.append(...page.items.map(photoCard));
    summary.textContent = total
      ? `Showing ${offset} of ${total} ${total === 1 ? "photo" : "photos"}`
      : emptyText;
    more.hidden = offset >= total || page.items.length === 0;
    return page;
  };
  const more = moreButton("Load more", loadPage, summary);
  root.append(summary, list, h("div", { class: "load-more-row" }, more));
  return loadPage();
}
