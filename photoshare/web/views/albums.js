// Albums: the cards that list them, the create form, and "Your albums" (#/albums).

import { request } from "../api.js";
import { clearError, errorSlot, field, h, select, showError } from "../dom.js";
import { photoPicture } from "../picture.js";
import { state } from "../state.js";
import { go, moreButton, requireLogin } from "../ui.js";

const PAGE_SIZE = 24;

const VISIBILITIES = [
  ["public", "Public: listed on your profile"],
  ["unlisted", "Unlisted: anyone with its address"],
  ["private", "Private: only you"],
];

export const albumHref = (album) => `#/album/${encodeURIComponent(album.id)}`;

export const photosCount = (count) => `${count} ${count === 1 ? "photo" : "photos"}`;

/** A small badge for albums that are not public; null for public ones. */
export function visibilityBadge(album) {
  if (album.visibility === "public") return null;
  return h("span", { class: "badge" }, album.visibility);
}

function albumCard(album) {
  const href = albumHref(album);
  const cover = album.cover
    ? photoPicture(album.cover, { size: "thumb", alt: "", lazy: true }).picture
    : h("span", { class: "album-card__empty" }, "No photos yet");
  return h(
    "li",
    { class: "card photo-card album-card" },
    h("a", { href, class: "photo-card__image", tabindex: "-1", "aria-hidden": "true" }, cover),
    h(
      "div",
      { class: "photo-card__body" },
      h("p", { class: "photo-card__description" }, h("a", { href }, album.title), visibilityBadge(album)),
      h("p", { class: "photo-card__meta" }, h("span", {}, photosCount(album.photos_count))),
    ),
  );
}

/** The albums of `owner` the caller may see, page by page; resolves with the first page. */
export async function albumGrid(root, owner, { emptyText, label }) {
  const summary = h("p", { class: "muted grid-summary", "aria-live": "polite" });
  const list = h("ul", { class: "photo-grid album-grid", "aria-label": label });
  let offset = 0;
  const loadPage = async () => {
    const page = await request("albums", { query: { owner, limit: PAGE_SIZE, offset } });
    offset += page.items.length;
    list.append(...page.items.map(albumCard));
    summary.textContent = page.total
      ? `${page.total} ${page.total === 1 ? "album" : "albums"}`
      : emptyText;
    more.hidden = offset >= page.total || page.items.length === 0;
    return page;
  };
  const more = moreButton("More albums", loadPage, summary);
  root.append(summary, list, h("div", { class: "load-more-row" }, more));
  return loadPage();
}

/** Create an album; resolves with it. */
export function createAlbum({ title, description = "", visibility = "public" }) {
  return request("albums", { method: "POST", json: { title, description, visibility } });
}

/** The title, description and visibility controls of an album form, filled from `album`. */
export function albumFields(album = { title: "", description: "", visibility: "public" }) {
  const title = h("input", { type: "text", required: true, maxlength: 100, autocomplete: "off" });
  title.value = album.title;
  const description = h("textarea", { rows: 3, maxlength: 2000 });
  description.value = album.description ?? "";
  const visibility = select(VISIBILITIES, { value: album.visibility });
  return {
    fields: [
      field("Title", title, { hint: "1 to 100 characters" }),
      field("Description", description),
      field("Visibility", visibility),
    ],
    values: () => ({ title: title.value.trim(), description: description.value, visibility: visibility.value }),
    focus: () => title.focus(),
  };
}

function createForm() {
  const details = albumFields();
  const error = errorSlot();
  const form = h(
    "form",
    { class: "card stack", "aria-labelledby": "new-album-title" },
    h("h2", { id: "new-album-title" }, "New album"),
    details.fields,
    error,
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Create album")),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearError(error);
    try {
      const album = await createAlbum(details.values());
      go(albumHref(album), { notice: `The album “${album.title}” was created.` });
    } catch (err) {
      showError(error, err);
    }
  });
  return form;
}

export async function albumsView(root) {
  if (!requireLogin(root, "make albums")) return;
  root.append(h("h1", {}, "Your albums"), createForm(), h("h2", { class: "section-title" }, "Albums"));
  await albumGrid(root, state.me.username, {
    emptyText: "You have no albums yet: create one above, or from a photo's page.",
    label: "Your albums",
  });
}
