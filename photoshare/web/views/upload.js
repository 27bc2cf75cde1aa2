// Uploading a photo: file, description, tags, with a progress bar (XMLHttpRequest upload events).

import { upload } from "../api.js";
import { clearError, errorSlot, field, h, showError } from "../dom.js";
import { go, requireLogin } from "../ui.js";
import { parseTags } from "./photo.js";

export async function uploadView(root) {
  if (!requireLogin(root, "upload photos")) return;
  const file = h("input", { type: "file", name: "file", accept: "image/*", required: true });
  const description = h("textarea", { name: "description", rows: 4, maxlength: 2000 });
  const tags = h("input", { type: "text", name: "tags", autocomplete: "off", placeholder: "sea, summer, friends" });
  const preview = h("img", { class: "upload-preview", alt: "The chosen photo", hidden: true });
  const progress = h("progress", { max: 100, value: 0 });
  const progressText = h("span", { class: "muted", "aria-live": "polite" });
  const progressRow = h(
    "div",
    { class: "progress-row", hidden: true },
    field("Upload progress", progress),
    progressText,
  );
  const error = errorSlot();
  const submit = h("button", { type: "submit" }, "Upload");

  file.addEventListener("change", () => {
    if (preview.src) URL.revokeObjectURL(preview.src);
    const chosen = file.files?.[0];
    preview.hidden = !chosen;
    if (chosen) preview.src = URL.createObjectURL(chosen);
  });

  const form = h(
    "form",
    { class: "card stack narrow", "aria-labelledby": "upload-title" },
    field("Photo", file, { hint: "JPEG, PNG, WebP, GIF, HEIC or AVIF" }),
    preview,
    field("Description", description),
    field("Tags", tags, { hint: "Up to 5, separated by commas" }),
    progressRow,
    error,
    h("div", { class: "actions" }, submit),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearError(error);
    const chosen = file.files?.[0];
    if (!chosen) {
      showError(error, "Choose a photo to upload.");
      return;
    }
    const data = new FormData();
    data.append("file", chosen);
    data.append("description", description.value);
    for (const tag of parseTags(tags.value)) data.append("tags", tag);
    await send(data, { submit, progress, progressText, progressRow, error });
  });
  root.append(h("h1", { id: "upload-title" }, "Upload a photo"), form);
}

/** Send the form with a moving progress bar; on success, open the new photo's page. */
async function send(data, { submit, progress, progressText, progressRow, error }) {
  submit.disabled = true;
  progress.value = 0;
  progressText.textContent = "0%";
  progressRow.hidden = false;
  try {
    const photo = await upload("photos", data, {
      onProgress: (fraction) => {
        progress.value = Math.round(fraction * 100);
        progressText.textContent = fraction >= 1 ? "Processing…" : `${Math.round(fraction * 100)}%`;
      },
    });
    go(`#/photo/${encodeURIComponent(photo.id)}`, { notice: "Your photo was uploaded." });
  } catch (err) {
    progressRow.hidden = true;
    showError(error, err);
  } finally {
    submit.disabled = false;
  }
}
