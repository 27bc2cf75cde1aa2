"""Named transformations and the catalogue clients build transformations from."""

from __future__ import annotations

from typing import Any, get_args

from photoshare.links.transformations import (
    EFFECT_STRENGTH,
    MAX_OPERATIONS,
    MAX_PIXELS,
    MAX_SIDE,
    CropMode,
    EffectName,
    Gravity,
    OutputFormat,
    Transformation,
    canonical,
    parse,
)

PRESETS: dict[str, tuple[str, str]] = {
    "circle_avatar": (
        "A 256 px circle around the most interesting part",
        "c_thumb,w_256,h_256,g_auto/r_max/f_png,q_auto",
    ),
    "square_thumbnail": ("A 300 px square thumbnail", "c_fill,w_300,h_300,g_auto"),
    "grayscale": ("Black and white", "e_grayscale"),
    "sepia_poster": (
        "A sepia poster with a white frame",
        "c_fill,w_800,h_1200,g_auto/e_sepia:80/bo_20px_solid_rgb:ffffff",
    ),
}


def preset(name: str) -> Transformation | None:
    entry = PRESETS.get(name)
    return parse(entry[1]) if entry else None


def catalogue() -> dict[str, Any]:
    """Every operation with its fields and bounds, and the named presets."""
    effects = {
        name: (
            {
                "strength": {
                    "min": EFFECT_STRENGTH[name][0],
                    "max": EFFECT_STRENGTH[name][1],
                    "default": EFFECT_STRENGTH[name][2],
                }
            }
            if name in EFFECT_STRENGTH
            else {}
        )
        for name in get_args(EffectName)
    }
    return {
        "max_operations": MAX_OPERATIONS,
        # Every image a transformation makes, along the way and at the end, stays within these.
        "max_side": MAX_SIDE,
        "max_pixels": MAX_PIXELS,
        "operations": {
            "resize": {
                "fields": {
                    "width": {"min": 1, "max": MAX_SIDE},
                    "height": {"min": 1, "max": MAX_SIDE},
                    "crop": {"values": list(get_args(CropMode)), "default": "scale"},
                    "gravity": {"values": list(get_args(Gravity)), "default": "center"},
                },
                "cloudinary": "c_<crop>,w_<width>,h_<height>,g_<gravity>",
            },
            "rotate": {"fields": {"angle": {"min": -360, "max": 360}}, "cloudinary": "a_<angle>"},
            "flip": {
                "fields": {"direction": {"values": ["horizontal", "vertical"]}},
                "cloudinary": "a_hflip, a_vflip",
            },
            "effect": {
                "fields": {"name": {"values": list(get_args(EffectName))}},
                "effects": effects,
                "cloudinary": "e_<name>[:<strength>]",
            },
            "radius": {
                "fields": {"value": {"min": 1, "max": 2000, "or": "max"}},
                "cloudinary": "r_<value>, r_max",
            },
            "border": {
                "fields": {
                    "width": {"min": 1, "max": 100},
                    "color": {"format": "#rrggbb, rgb:rrggbb, rgb:rgb or a CSS colour name"},
                },
                "cloudinary": "bo_<width>px_solid_<color>",
            },
            "format": {
                "fields": {
                    # Without a format (q_ alone) the photo's own format is kept.
                    "format": {"values": list(get_args(OutputFormat)), "default": None},
                    "quality": {"min": 1, "max": 100, "or": "auto", "default": "auto"},
                },
                "cloudinary": "f_<format>,q_<quality>, q_<quality>",
            },
        },
        "presets": {
            name: {"description": description, "transformation": canonical(parse(text))}
            for name, (description, text) in PRESETS.items()
        },
    }
