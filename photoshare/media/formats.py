"""The image formats PhotoShare stores and serves: name, file extension, content type.

A stored photo's ``format`` is the name ("jpeg"); storage keys, render files and
transformations (``f_jpg``) use the extension.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ImageFormat:
    name: str
    extension: str
    content_type: str


JPEG = ImageFormat("jpeg", "jpg", "image/jpeg")
PNG = ImageFormat("png", "png", "image/png")
WEBP = ImageFormat("webp", "webp", "image/webp")
AVIF = ImageFormat("avif", "avif", "image/avif")
# QR codes only: never stored, never a photo's format.
SVG = ImageFormat("svg", "svg", "image/svg+xml")

# The formats photos, avatars and renders are kept in.
IMAGE_FORMATS = (JPEG, PNG, WEBP, AVIF)
BY_EXTENSION = {f.extension: f for f in IMAGE_FORMATS}
BY_NAME = {f.name: f for f in IMAGE_FORMATS}

UNKNOWN_CONTENT_TYPE = "application/octet-stream"


def content_type_of(extension: str) -> str:
    """The content type of a stored file with this extension ("jpg", not ".jpg")."""
    found = BY_EXTENSION.get(extension)
    return found.content_type if found else UNKNOWN_CONTENT_TYPE
