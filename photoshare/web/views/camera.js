// When and with what a photo was taken, from the camera's EXIF as the API returns it
// (`taken_at`, `camera`); only the parts that are known are shown.

import { h } from "../dom.js";

const WALL_CLOCK = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/;
const takenFormat = new Intl.DateTimeFormat(undefined, {
  dateStyle: "medium",
  timeStyle: "short",
  timeZone: "UTC",
});

function decimal(value, digits = 1) {
  return Number(value.toFixed(digits)).toString();
}

function known(value) {
  return value !== null && value !== undefined && value !== "";
}

/**
 * The time as the camera's clock showed it, with its offset when the camera wrote one
 * (a time without one is the camera's local time, so it is not moved into the viewer's zone).
 */
export function takenLabel(iso) {
  const parts = WALL_CLOCK.exec(iso);
  if (!parts) return String(iso);
  const [, year, month, day, hour, minute, second = "0", zone] = parts;
  const clock = new Date(Date.UTC(+year, +month - 1, +day, +hour, +minute, +second));
  const label = takenFormat.format(clock);
  if (!zone) return label;
  return `${label} (UTC${zone === "Z" ? "" : zone})`;
}

/** "Canon EOS R5" from make "Canon" and model "Canon EOS R5" or "EOS R5". */
export function cameraName(camera) {
  const make = known(camera.make) ? String(camera.make).trim() : "";
  const model = known(camera.model) ? String(camera.model).trim() : "";
  const brand = make.split(/\s+/)[0]?.toLowerCase() ?? "";
  if (model && brand && model.toLowerCase().startsWith(brand)) return model;
  return [make, model].filter(Boolean).join(" ");
}

/** 1/250 s, 0.8 s, 30 s; a string the API already formatted is kept. */
export function exposureLabel(exposure) {
  if (typeof exposure !== "number") return /s$/.test(String(exposure)) ? String(exposure) : `${exposure} s`;
  if (exposure > 0 && exposure < 0.5) return `1/${Math.round(1 / exposure)} s`;
  return `${decimal(exposure)} s`;
}

/** "35 mm · f/1.8 · 1/250 s · ISO 200": the exposure settings that are known. */
export function settingsLabel(camera) {
  const parts = [];
  if (known(camera.focal_length_mm)) parts.push(`${decimal(Number(camera.focal_length_mm))} mm`);
  if (known(camera.f_number)) parts.push(`f/${decimal(Number(camera.f_number))}`);
  if (known(camera.exposure_time)) parts.push(exposureLabel(camera.exposure_time));
  if (known(camera.iso)) parts.push(`ISO ${camera.iso}`);
  return parts.join(" · ");
}

/** A description list of the taken date, camera, lens and settings, or null when none is known. */
export function takenAndCamera(photo) {
  const camera = photo.camera ?? {};
  const rows = [
    ["Taken", photo.taken_at ? h("time", { datetime: photo.taken_at }, takenLabel(photo.taken_at)) : null],
    ["Camera", cameraName(camera) || null],
    ["Lens", known(camera.lens) ? String(camera.lens) : null],
    ["Settings", settingsLabel(camera) || null],
  ].filter(([, value]) => value !== null);
  if (!rows.length) return null;
  return h(
    "dl",
    { class: "photo-exif", "aria-label": "How it was taken" },
    rows.map(([term, value]) => h("div", {}, h("dt", {}, term), h("dd", {}, value))),
  );
}
