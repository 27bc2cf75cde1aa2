// One album (#/album/<id>): its photos in order; for those the server says may edit it
// (album.can_edit), reordering by drag or by Up/Down buttons, removing, choosing the cover,
// editing the details, sharing, and deleting (album.can_delete).

import { request } from "../api.js";
import {
  appendTo,
  clearError,
  confirmButton,
  errorSlot,
  fill,
  h,
  showError,
  time,
  userLink,
} from "../dom.js";
import { photoPicture } from "../picture.js";
import { state } from "../state.js";
import { go } from "../ui.js";
import { albumShareSection } from "./album_share.js";
import { albumFields, photosCount, visibilityBadge } from "./albums.js";

// The API pages lists by at most 100; an album holds at most 1,000 photos.
const PHOTO_PAGE = 100;

const albumPath = (album) => `albums/${encodeURIComponent(album.id)}`;
const photoName = (photo) => (photo.description ? photo.description.slice(0, 60) : "untitled photo");

async function loadAllPhotos(album) {
  const photos = [];
  let total = Infinity;
  while (photos.length < total) {
    const query = { limit: PHOTO_PAGE, offset: photos.length };
    const page = await request(`${albumPath(album)}/photos`, { query });
    total = page.total;
    photos.push(...page.items);
    if (!page.items.length) break;
  }
  return photos;
}

function albumHeader(album) {
  return [
    h("h1", {}, album.title),
    album.description ? h("p", { class: "bio" }, album.description) : null,
    h(
      "p",
      { class: "muted" },
      "By ",
      userLink(album.owner.username),
      ` · ${photosCount(album.photos_count)} · updated `,
      time(album.updated_at, { withTime: false }),
      visibilityBadge(album),
    ),
  ];
}

function editForm(page) {
  const details = albumFields(page.album);
  const error = errorSlot();
  const form = h(
    "form",
    { class: "stack", "aria-label": "Edit album" },
    details.fields,
    error,
    h(
      "div",
      { class: "actions" },
      h("button", { type: "submit" }, "Save album"),
      h("button", { type: "button", class: "secondary", onclick: () => page.renderHead() }, "Cancel"),
    ),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearError(error);
    try {
      page.album = await request(albumPath(page.album), { method: "PATCH", json: details.values() });
      page.renderHead();
      page.say("The album was saved.");
    } catch (err) {
      showError(error, err);
    }
  });
  queueMicrotask(details.focus);
  return form;
}

function headActions(page) {
  const { album } = page;
  const error = errorSlot();
  const edit = h(
    "button",
    { type: "button", class: "secondary", onclick: () => fill(page.head, ...albumHeader(album), editForm(page)) },
    "Edit album",
  );
  const remove = confirmButton("Delete album", {
    question: "Delete this album? Its photos stay.",
    confirmLabel: "Yes, delete the album",
    onConfirm: async () => {
      try {
        await request(albumPath(album), { method: "DELETE" });
        go("#/albums", { notice: `The album “${album.title}” was deleted; its photos stay.` });
      } catch (err) {
        showError(error, err);
      }
    },
  });
  return h("div", { class: "actions" }, album.can_edit ? edit : null, album.can_delete ? remove : null, error);
}

/** The buttons of one photo in an editable album: move, cover, remove. */
function photoControls(page, photo, index) {
  const name = photoName(photo);
  const last = page.photos.length - 1;
  const button = (text, label, action, props = {}) =>
    h("button", { type: "button", class: "secondary small", "aria-label": label, dataset: { action }, ...props }, text);
  const isCover = page.album.cover?.id === photo.id;
  return h(
    "div",
    { class: "actions album-photo__actions" },
    button("↑ Up", `Move ${name} up`, "up", { disabled: index === 0 }),
    button("↓ Down", `Move ${name} down`, "down", { disabled: index === last }),
    isCover ? null : button("Set as cover", `Set ${name} as the cover`, "cover"),
    button("Remove", `Remove ${name} from the album`, "remove"),
  );
}

function photoItem(page, photo, index) {
  const href = `#/photo/${encodeURIComponent(photo.id)}`;
  const isCover = page.album.cover?.id === photo.id;
  const item = h(
    "li",
    { class: "card album-photo", dataset: { photoId: photo.id }, draggable: page.album.can_edit ? "true" : null },
    h(
      "a",
      { href, class: "photo-card__image", tabindex: "-1", "aria-hidden": "true", draggable: "false" },
      photoPicture(photo, { size: "thumb", alt: "", lazy: true }).picture,
    ),
    h(
      "div",
      { class: "photo-card__body" },
      h(
        "p",
        { class: "photo-card__description" },
        h("span", { class: "album-photo__position" }, `${index + 1}. `),
        h("a", { href }, photo.description || "Untitled photo"),
      ),
      isCover ? h("p", { class: "album-photo__cover" }, h("span", { class: "badge" }, "cover")) : null,
      page.album.can_edit ? photoControls(page, photo, index) : null,
    ),
  );
  return item;
}

function renderPhotos(page, focus) {
  page.list.replaceChildren(...page.photos.map((photo, index) => photoItem(page, photo, index)));
  page.summary.textContent = page.photos.length
    ? photosCount(page.photos.length)
    : "No photos in this album yet. Add some with “Add to album” on a photo's page.";
  if (focus) {
    const item = page.list.querySelector(`[data-photo-id="${CSS.escape(focus.photoId)}"]`);
    const target =
      item?.querySelector(`[data-action="${focus.action}"]:not(:disabled)`) ??
      item?.querySelector("button:not(:disabled)");
    target?.focus();
  }
}

/** Which photo's control has the focus, to give it back after the list is drawn again. */
function focusedControl(page) {
  const active = document.activeElement;
  if (!active || !page.list.contains(active)) return null;
  return { photoId: active.closest("li")?.dataset.photoId, action: active.dataset.action };
}

/** Move a photo and save the new order; saves run one after another, in the order made. */
function move(page, from, to, focusAction) {
  if (to < 0 || to >= page.photos.length || from === to) return;
  const [photo] = page.photos.splice(from, 1);
  page.photos.splice(to, 0, photo);
  renderPhotos(page, focusAction ? { photoId: photo.id, action: focusAction } : null);
  page.say(`Moved ${photoName(photo)} to position ${to + 1} of ${page.photos.length}.`);
  const photo_ids = page.photos.map((each) => each.id);
  page.saving = page.saving.then(async () => {
    try {
      const before = page.album.cover?.id;
      page.album = await request(`${albumPath(page.album)}/photos`, { method: "PUT", json: { photo_ids } });
      // With no cover chosen, the first photo is the cover: its badge may have moved.
      if (page.album.cover?.id !== before) renderPhotos(page, focusedControl(page));
    } catch (err) {
      showError(page.error, err);
      await page.reload();
    }
  });
}

async function act(page, action, index) {
  const photo = page.photos[index];
  const path = albumPath(page.album);
  if (action === "cover") {
    page.album = await request(path, { method: "PATCH", json: { cover_photo_id: photo.id } });
    page.say(`${photoName(photo)} is now the cover.`);
  } else if (action === "remove") {
    await request(`${path}/photos/${encodeURIComponent(photo.id)}`, { method: "DELETE" });
    page.photos = page.photos.filter((each) => each.id !== photo.id);
    page.album = await request(path);
    page.say(`${photoName(photo)} was removed from the album; the photo stays.`);
  }
  page.renderHead();
  // The keyboard stays where it was: on the photo's controls, or on the next photo's.
  const next = page.photos.find((each) => each.id === photo.id) ?? page.photos[index] ?? page.photos.at(-1);
  renderPhotos(page, next ? { photoId: next.id, action } : null);
}

function wireControls(page) {
  page.list.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-action]");
    if (!button) return;
    const item = button.closest("li");
    const index = page.photos.findIndex((photo) => photo.id === item.dataset.photoId);
    const { action } = button.dataset;
    if (action === "up" || action === "down") {
      move(page, index, action === "up" ? index - 1 : index + 1, action);
      return;
    }
    clearError(page.error);
    button.disabled = true;
    try {
      await page.saving;
      await act(page, action, index);
    } catch (err) {
      showError(page.error, err);
      button.disabled = false;
    }
  });
  wireDragging(page);
}

/** Drag a photo onto another to take its place. */
function wireDragging(page) {
  let dragged = null;
  const itemOf = (event) => event.target.closest?.("li[data-photo-id]");
  page.list.addEventListener("dragstart", (event) => {
    dragged = itemOf(event);
    if (!dragged) return;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dragged.dataset.photoId);
    dragged.classList.add("album-photo--dragging");
  });
  page.list.addEventListener("dragover", (event) => {
    if (dragged && itemOf(event)) event.preventDefault();
  });
  page.list.addEventListener("drop", (event) => {
    const target = itemOf(event);
    if (!dragged || !target) return;
    event.preventDefault();
    const index = (element) => page.photos.findIndex((photo) => photo.id === element.dataset.photoId);
    move(page, index(dragged), index(target));
  });
  page.list.addEventListener("dragend", () => {
    dragged?.classList.remove("album-photo--dragging");
    dragged = null;
  });
}

export async function albumView(root, { params: [albumId] }) {
  const album = await request(`albums/${encodeURIComponent(albumId)}`);
  const page = {
    album,
    photos: await loadAllPhotos(album),
    head: h("section", { class: "card stack album-head" }),
    summary: h("p", { class: "muted grid-summary" }),
    status: h("p", { class: "form-status", role: "status", "aria-live": "polite" }),
    error: errorSlot(),
    list: h("ol", { class: "photo-grid album-photos", "aria-label": "Photos in this album" }),
    saving: Promise.resolve(),
  };
  page.say = (message) => {
    page.status.textContent = message;
  };
  page.renderHead = () => fill(page.head, ...albumHeader(page.album), headActions(page));
  page.reload = async () => {
    page.album = await request(albumPath(page.album));
    page.photos = await loadAllPhotos(page.album);
    page.renderHead();
    renderPhotos(page);
  };
  page.renderHead();
  renderPhotos(page);
  if (album.can_edit) wireControls(page);
  const mine = state.me?.username === album.owner.username;
  const back = mine
    ? h("a", { href: "#/albums" }, "← Your albums")
    : h("a", { href: `#/user/${encodeURIComponent(album.owner.username)}` }, `← ${album.owner.username}`);
  appendTo(
    root,
    h("p", { class: "back" }, back),
    page.head,
    h("h2", { class: "section-title" }, "Photos"),
    album.can_edit && page.photos.length > 1
      ? h("p", { class: "muted small" }, "Drag a photo onto another to move it there, or use its Up and Down buttons.")
      : null,
    page.summary,
    page.status,
    page.error,
    page.list,
    album.can_edit ? albumShareSection(album) : null,
  );
}
