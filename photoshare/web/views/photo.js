// One photo: the image, its details, rating, comments, editing, albums and share links.

import { request } from "../api.js";
import {
  clearError,
  confirmButton,
  errorSlot,
  field,
  fill,
  h,
  safeUrl,
  showError,
  stars,
  tagChips,
  time,
  userLink,
} from "../dom.js";
import { photoPicture } from "../picture.js";
import { isLoggedIn, state } from "../state.js";
import { go, loginHash } from "../ui.js";
import { albumPicker } from "./album_picker.js";
import { takenAndCamera } from "./camera.js";
import { commentsSection } from "./comments.js";
import { linksSection } from "./links.js";

export function parseTags(text) {
  return text
    .split(",")
    .map((tag) => tag.trim())
    .filter(Boolean);
}

function detailsSection(photo, refresh) {
  const body = h("div", { class: "stack" });
  const section = h(
    "section",
    { class: "card photo-details", "aria-labelledby": "photo-title" },
    h("h1", { id: "photo-title" }, `Photo by ${photo.owner.username}`),
    body,
  );
  const render = () => {
    const edit = () => body.replaceChildren(photoEditForm(photo, { onSaved: saved, onCancel: render }));
    const saved = () => {
      refresh(photo);
      render();
    };
    fill(body, ...photoDetails(photo), photo.can_edit || photo.can_delete ? photoActions(photo, edit) : null);
  };
  render();
  return section;
}

function photoDetails(photo) {
  return [
    photo.description
      ? h("p", { class: "photo-description" }, photo.description)
      : h("p", { class: "muted" }, "No description."),
    photo.tags.length ? tagChips(photo.tags) : null,
    h(
      "p",
      { class: "muted photo-meta" },
      "Uploaded by ",
      userLink(photo.owner.username),
      " on ",
      time(photo.created_at),
      photo.updated_at !== photo.created_at ? h("span", {}, " · edited ", time(photo.updated_at)) : null,
    ),
    takenAndCamera(photo),
    h(
      "p",
      { class: "muted photo-meta" },
      h("a", { href: safeUrl(photo.url) }, "Full image"),
      `: ${photo.width} × ${photo.height} px · ${photo.format.toUpperCase()} · ${formatBytes(photo.bytes)}`,
    ),
  ];
}

/** The controls the server says the caller may use (photo.can_edit, photo.can_delete). */
function photoActions(photo, onEdit) {
  const error = errorSlot();
  const edit = h("button", { type: "button", class: "secondary", onclick: onEdit }, "Edit photo");
  const remove = confirmButton("Delete photo", {
    question: "Delete this photo, its comments and links?",
    confirmLabel: "Yes, delete the photo",
    onConfirm: async () => {
      try {
        await request(`photos/${encodeURIComponent(photo.id)}`, { method: "DELETE" });
        go("#/", { notice: "The photo was deleted." });
      } catch (err) {
        showError(error, err);
      }
    },
  });
  return h("div", { class: "actions" }, photo.can_edit ? edit : null, photo.can_delete ? remove : null, error);
}

function photoEditForm(photo, { onSaved, onCancel }) {
  const description = h("textarea", { rows: 4, maxlength: 2000 });
  description.value = photo.description;
  const tags = h("input", { type: "text", value: photo.tags.join(", "), autocomplete: "off" });
  const error = errorSlot();
  const form = h(
    "form",
    { class: "stack", "aria-label": "Edit photo" },
    h("h2", {}, "Edit photo"),
    field("Description", description),
    field("Tags", tags, { hint: "Up to 5, separated by commas" }),
    error,
    h(
      "div",
      { class: "actions" },
      h("button", { type: "submit" }, "Save changes"),
      h("button", { type: "button", class: "secondary", onclick: onCancel }, "Cancel"),
    ),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearError(error);
    try {
      const json = { description: description.value, tags: parseTags(tags.value) };
      Object.assign(photo, await request(`photos/${encodeURIComponent(photo.id)}`, { method: "PUT", json }));
      onSaved();
    } catch (err) {
      showError(error, err);
    }
  });
  queueMicrotask(() => description.focus());
  return form;
}

function formatBytes(bytes) {
  if (bytes >= 1_048_576) return `${(bytes / 1_048_576).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}

function ratingSection(photo) {
  const summary = h("p", { class: "rating-summary" }, stars(photo.rating));
  const section = h(
    "section",
    { class: "card", "aria-labelledby": "rating-title" },
    h("h2", { id: "rating-title" }, "Rating"),
    summary,
  );
  if (!isLoggedIn()) {
    section.append(h("p", { class: "muted" }, h("a", { href: loginHash() }, "Log in"), " to rate this photo."));
    return section;
  }
  if (state.me.username === photo.owner.username) {
    section.append(h("p", { class: "muted" }, "This is your photo, so you cannot rate it."));
    return section;
  }
  section.append(...starButtons(photo, summary));
  return section;
}

/** The five rating buttons, the thanks and any error; `summary` shows the new average. */
function starButtons(photo, summary) {
  const error = errorSlot();
  const message = h("p", { class: "form-status", role: "status" });
  const buttons = [1, 2, 3, 4, 5].map((value) =>
    h(
      "button",
      {
        type: "button",
        class: "star-button",
        "aria-label": `Rate ${value} ${value === 1 ? "star" : "stars"}`,
        title: `${value} ${value === 1 ? "star" : "stars"}`,
      },
      `${value}★`,
    ),
  );
  buttons.forEach((button, index) => {
    button.addEventListener("click", async () => {
      clearError(error);
      buttons.forEach((b) => (b.disabled = true));
      try {
        const rating = await request(`photos/${encodeURIComponent(photo.id)}/ratings`, {
          method: "POST",
          json: { stars: index + 1 },
        });
        photo.rating = rating;
        summary.replaceChildren(stars(rating));
        message.textContent = `Thanks, you rated this photo ${index + 1} of 5.`;
      } catch (err) {
        showError(error, err);
        buttons.forEach((b) => (b.disabled = false));
      }
    });
  });
  return [h("div", { class: "star-buttons", role: "group", "aria-label": "Your rating" }, buttons), message, error];
}

export async function photoView(root, { params: [photoId] }) {
  const photo = await request(`photos/${encodeURIComponent(photoId)}`);
  const { picture, image } = photoPicture(photo, {
    size: "preview",
    alt: photo.description ? photo.description.slice(0, 140) : `Photo by ${photo.owner.username}`,
  });
  const details = detailsSection(photo, () => {
    image.alt = photo.description ? photo.description.slice(0, 140) : `Photo by ${photo.owner.username}`;
  });
  const comments = commentsSection(photo);
  root.append(
    h("p", { class: "back" }, h("a", { href: "#/" }, "← All photos")),
    h(
      "article",
      { class: "photo-page" },
      h("figure", { class: "photo-figure" }, h("a", { href: safeUrl(photo.url), title: "Open the full image" }, picture)),
      h(
        "div",
        { class: "photo-side" },
        details,
        ratingSection(photo),
        photo.can_edit && isLoggedIn() ? albumPicker(photo) : null,
      ),
      h("div", { class: "photo-main" }, comments.section),
      h("div", { class: "photo-links" }, linksSection(photo)),
    ),
  );
  await comments.ready;
}
