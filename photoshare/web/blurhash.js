// BlurHash decoding: a photo's `placeholder` string turned into pixels the album paints
// before the image itself arrives.
//
// The algorithm and its string format are BlurHash by Wolt (https://blurha.sh); this decoder
// follows their reference TypeScript decoder, under its licence:
//
//   Copyright (c) 2018 Wolt Enterprises
//
//   Permission is hereby granted, free of charge, to any person obtaining a copy
//   of this software and associated documentation files (the "Software"), to deal
//   in the Software without restriction, including without limitation the rights
//   to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
//   copies of the Software, and to permit persons to whom the Software is
//   furnished to do so, subject to the following conditions:
//
//   The above copyright notice and this permission notice shall be included in all
//   copies or substantial portions of the Software.
//
//   THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
//   IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
//   FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
//   AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
//   LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
//   OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
//   SOFTWARE.

const BASE83 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~";

function decode83(text) {
  let value = 0;
  for (const character of text) {
    const digit = BASE83.indexOf(character);
    if (digit === -1) throw new RangeError(`not a BlurHash character: ${character}`);
    value = value * 83 + digit;
  }
  return value;
}

function toLinear(channel) {
  const value = channel / 255;
  return value <= 0.04045 ? value / 12.92 : Math.pow((value + 0.055) / 1.055, 2.4);
}

function toSrgb(linear) {
  const value = Math.max(0, Math.min(1, linear));
  const encoded = value <= 0.0031308 ? value * 12.92 : 1.055 * Math.pow(value, 1 / 2.4) - 0.055;
  return Math.trunc(encoded * 255 + 0.5);
}

function signedSquare(value) {
  return Math.sign(value) * value * value;
}

/** The number of components across and down a BlurHash asks for, or null when it is malformed. */
export function blurhashComponents(hash) {
  if (typeof hash !== "string" || hash.length < 6) return null;
  const size = BASE83.indexOf(hash[0]);
  if (size === -1) return null;
  const across = (size % 9) + 1;
  const down = Math.floor(size / 9) + 1;
  if (hash.length !== 4 + 2 * across * down) return null;
  if ([...hash].some((character) => !BASE83.includes(character))) return null;
  return { across, down };
}

function colours(hash, across, down) {
  const maximum = (decode83(hash[1]) + 1) / 166;
  const average = decode83(hash.slice(2, 6));
  const result = [[toLinear(average >> 16), toLinear((average >> 8) & 255), toLinear(average & 255)]];
  for (let index = 1; index < across * down; index++) {
    const value = decode83(hash.slice(4 + index * 2, 6 + index * 2));
    const quantised = [Math.floor(value / 361), Math.floor(value / 19) % 19, value % 19];
    result.push(quantised.map((q) => signedSquare((q - 9) / 9) * maximum));
  }
  return result;
}

/**
 * RGBA pixels (width x height, row by row) of a BlurHash; throws RangeError when the string is
 * not one.
 */
export function decodeBlurhash(hash, width, height) {
  const components = blurhashComponents(hash);
  if (!components) throw new RangeError("not a BlurHash");
  const { across, down } = components;
  const palette = colours(hash, across, down);
  const pixels = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const sum = [0, 0, 0];
      for (let j = 0; j < down; j++) {
        const vertical = Math.cos((Math.PI * y * j) / height);
        for (let i = 0; i < across; i++) {
          const basis = Math.cos((Math.PI * x * i) / width) * vertical;
          const colour = palette[i + j * across];
          sum[0] += colour[0] * basis;
          sum[1] += colour[1] * basis;
          sum[2] += colour[2] * basis;
        }
      }
      const offset = (y * width + x) * 4;
      pixels[offset] = toSrgb(sum[0]);
      pixels[offset + 1] = toSrgb(sum[1]);
      pixels[offset + 2] = toSrgb(sum[2]);
      pixels[offset + 3] = 255;
    }
  }
  return pixels;
}

/**
 * Paint a BlurHash into a canvas at a small size (CSS stretches it; the blur hides the scale).
 * Returns false, leaving the canvas blank, when the string is not a BlurHash.
 */
export function paintBlurhash(canvas, hash, { width = 32, height = 32 } = {}) {
  if (!blurhashComponents(hash)) return false;
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext("2d");
  if (!context) return false;
  context.putImageData(new ImageData(decodeBlurhash(hash, width, height), width, height), 0, 0);
  return true;
}
