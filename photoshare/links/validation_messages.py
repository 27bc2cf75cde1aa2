"""What a client is told when a transformation does not validate: the field and the
parameter at fault, in the words of the request rather than pydantic's internal names."""

from __future__ import annotations

import re

from pydantic import ValidationError

from photoshare.links.actions import OUTPUT_KEYS, RESIZE_KEYS, Action


def failing_field(error: ValidationError) -> str:
    """The field of the first error, past pydantic's branch names (``constrained-int``)."""
    fields = [part for part in error.errors()[0]["loc"] if re.fullmatch(r"[a-z_]+", str(part))]
    return str(fields[-1]) if fields else ""


def blamed_params(action: Action, error: ValidationError) -> str:
    """The parameter at fault: the one behind the failing field, else the one deciding it."""
    params = action.params
    fields = {**RESIZE_KEYS, **OUTPUT_KEYS}
    keys = [key for key in params if fields.get(key) == failing_field(error)]
    if not keys and len(params) > 1:
        message = str(error.errors()[0]["msg"])
        # Resize's own checks: gravity that the crop mode ignores, or a crop mode missing a side.
        keys = ["g"] if "gravity applies" in message else [key for key in ("c",) if key in params]
    return ",".join(f"{key}_{params[key]}" for key in keys or params)


def describe(error: ValidationError) -> str:
    """The first error of a list of JSON operations, as "<op>.<field>: <message>"."""
    first = error.errors()[0]
    message = str(first["msg"]).removeprefix("Value error, ")
    if first["type"] in ("tuple_type", "list_type"):
        return "a transformation is a list of operations or a Cloudinary-style string"
    # The location names the operation and field, minus pydantic's internal branch names.
    where = ".".join(
        str(part)
        for part in first["loc"]
        if not isinstance(part, int) and not re.search(r"[-\[]", str(part))
    )
    return f"{where}: {message}" if where else message
