"""A transformation as the Cloudinary SDK's list (the storage backend signs the URL)."""

from __future__ import annotations

from typing import Any

from photoshare.links.transformations import (
    Border,
    Effect,
    Flip,
    Format,
    Operation,
    Radius,
    Resize,
    Rotate,
    Transformation,
)
from photoshare.media.storage import CloudinaryStorage, SdkTransformation


def sdk_operation(op: Operation) -> dict[str, Any]:
    """One operation as the Cloudinary SDK's transformation options."""
    match op:
        case Resize():
            options: dict[str, Any] = {"crop": op.crop}
            if op.width is not None:
                options["width"] = op.width
            if op.height is not None:
                options["height"] = op.height
            if op.gravity != "center":
                options["gravity"] = op.gravity
            return options
        case Rotate():
            return {"angle": op.angle}
        case Flip():
            return {"angle": "hflip" if op.direction == "horizontal" else "vflip"}
        case Effect():
            return {"effect": op.name if op.strength is None else f"{op.name}:{op.strength}"}
        case Radius():
            return {"radius": op.value}
        case Border():
            return {"border": f"{op.width}px_solid_rgb:{op.color.lstrip('#')}"}
        case Format():
            output: dict[str, Any] = {"quality": op.quality}
            if op.format is not None:
                output["fetch_format"] = op.format
            return output
    raise AssertionError(f"unknown operation {op!r}")


def sdk_transformation(transformation: Transformation) -> SdkTransformation:
    """The whole transformation as the SDK's list of options, one entry per operation."""
    return [sdk_operation(op) for op in transformation.root]


def delivery_url(storage: CloudinaryStorage, key: str, transformation: Transformation) -> str:
    """The signed URL where Cloudinary serves ``key`` transformed."""
    return storage.transformed_url(key, sdk_transformation(transformation))
