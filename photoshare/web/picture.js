// A photo as the album shows it: the display size that fits the place, its BlurHash painted
// underneath until the image arrives, and a box of the right shape from the start.

import { paintBlurhash } from "./blurhash.js";
import { h, safeUrl } from "./dom.js";

// The placeholder's longer side in canvas pixels; CSS stretches it, the blur hides the scale.
const PLACEHOLDER_SIDE = 32;

function usable(size) {
  return Boolean(size && safeUrl(size.url) && size.width > 0 && size.height > 0);
}

/**
 * What to load for a photo shown at `size` ("thumb" in grids, "preview" on the photo page):
 * `{src, srcset, width, height}`. The full image (`url`) stands in until the photo has sizes.
 */
export function imageSource(photo, size) {
  const sizes = photo.sizes ?? {};
  const chosen = sizes[size];
  if (!usable(chosen)) {
    return { src: safeUrl(photo.url), srcset: null, width: photo.width, height: photo.height };
  }
  const source = { src: safeUrl(chosen.url), srcset: null, width: chosen.width, height: chosen.height };
  const sharper = sizes.preview;
  // On a high-density screen a thumb slot takes the preview, when the preview has more to give.
  if (size === "thumb" && usable(sharper) && sharper.width > chosen.width) {
    source.srcset = `${source.src} 1x, ${safeUrl(sharper.url)} 2x`;
  }
  return source;
}

function placeholderCanvas(photo, width, height) {
  const canvas = h("canvas", { class: "picture__placeholder", "aria-hidden": "true" });
  const scale = PLACEHOLDER_SIDE / Math.max(width, height, 1);
  const painted = paintBlurhash(canvas, photo.placeholder, {
    width: Math.max(1, Math.round(width * scale)),
    height: Math.max(1, Math.round(height * scale)),
  });
  return painted ? canvas : null;
}

/**
 * The photo's picture: an <img> of the display size over its painted placeholder.
 * `lazy` images load when they come near the viewport.
 */
export function photoPicture(photo, { size, alt, lazy = false }) {
  const source = imageSource(photo, size);
  const image = h("img", {
    class: "picture__image",
    src: source.src,
    srcset: source.srcset,
    alt,
    width: source.width,
    height: source.height,
    loading: lazy ? "lazy" : null,
    decoding: "async",
    fetchpriority: lazy ? null : "high",
  });
  const placeholder = placeholderCanvas(photo, source.width, source.height);
  const picture = h("span", { class: "picture" }, placeholder, image);
  const loaded = () => picture.classList.add("picture--loaded");
  if (image.complete && image.naturalWidth > 0) loaded();
  else image.addEventListener("load", loaded, { once: true });
  return { picture, image };
}
