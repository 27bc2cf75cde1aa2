// "Add to album" on a photo's page: choose one of your albums, or name a new one inline.

import { request } from "../api.js";
import { clearError, errorSlot, field, h, select, showError, statusSlot } from "../dom.js";
import { state } from "../state.js";
import { albumHref, createAlbum } from "./albums.js";

// The picker lists your most recent albums; more than this is a job for the albums page.
const PICKER_LIMIT = 100;

async function addTo(album, photo) {
  await request(`albums/${encodeURIComponent(album.id)}/photos`, { method: "POST", json: { photo_id: photo.id } });
}

function added(status, album) {
  status.replaceChildren("Added to ", h("a", { href: albumHref(album) }, album.title), ".");
}

function pickForm(albums, photo, { status, error }) {
  const choice = select(albums.map((album) => [album.id, album.title]));
  const form = h(
    "form",
    { class: "picker__row", "aria-label": "Add to one of your albums" },
    field("Album", choice),
    h("button", { type: "submit" }, "Add to album"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearError(error);
    status.textContent = "";
    const album = albums.find((each) => each.id === choice.value);
    try {
      await addTo(album, photo);
      added(status, album);
    } catch (err) {
      showError(error, err);
    }
  });
  return form;
}

function newAlbumForm(photo, { status, error, onCreated }) {
  const title = h("input", { type: "text", required: true, maxlength: 100, autocomplete: "off" });
  const form = h(
    "form",
    { class: "picker__row", "aria-label": "Add to a new album" },
    field("New album title", title),
    h("button", { type: "submit", class: "secondary" }, "Create and add"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearError(error);
    status.textContent = "";
    try {
      const album = await createAlbum({ title: title.value.trim() });
      await addTo(album, photo);
      title.value = "";
      added(status, album);
      onCreated();
    } catch (err) {
      showError(error, err);
    }
  });
  return form;
}

/**
 * The "Add to album" card, for those the server says may change the photo (photo.can_edit:
 * its owner, or an admin), who are also the ones an album takes photos from.
 */
export function albumPicker(photo) {
  const status = statusSlot();
  const error = errorSlot();
  const choose = h("div");
  const section = h(
    "section",
    { class: "card stack picker", "aria-labelledby": "picker-title" },
    h("h2", { id: "picker-title" }, "Add to album"),
    choose,
    newAlbumForm(photo, { status, error, onCreated: () => load() }),
    status,
    error,
  );
  const load = async () => {
    try {
      const page = await request("albums", { query: { owner: state.me.username, limit: PICKER_LIMIT } });
      choose.replaceChildren(
        page.items.length
          ? pickForm(page.items, photo, { status, error })
          : h("p", { class: "muted" }, "You have no albums yet: name one below."),
      );
    } catch (err) {
      showError(error, err);
    }
  };
  load();
  return section;
}
