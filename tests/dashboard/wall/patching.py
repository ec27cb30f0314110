"""Apply a ``dash.Patch`` to a Python value as Dash's renderer does (for checking patches)."""

from __future__ import annotations

import copy
from typing import Any

from dash import Patch


def apply_patch(value: Any, patch: Patch) -> Any:
    holder = {"v": copy.deepcopy(value)}  # so that operations on the value itself have a parent
    for op in patch.to_plotly_json()["operations"]:
        *path, last = ["v", *op["location"]]
        target: Any = holder
        for step in path:
            target = target[step]
        name, params = op["operation"], op["params"]
        if name == "Assign":
            target[last] = params["value"]
        elif name == "Delete":
            del target[last]
        elif name == "Append":
            target[last].append(params["value"])
        elif name == "Prepend":
            target[last].insert(0, params["value"])
        elif name == "Merge":
            target[last] = {**target[last], **params["value"]}
        else:  # pragma: no cover - the wall uses only these
            raise AssertionError(f"unexpected patch operation {name}")
    return holder["v"]
