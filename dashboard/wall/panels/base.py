"""What every panel shares: its context and the shape of a panel module."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dash.development.base_component import Component

from dashboard.wall.hub import Change, Snapshot
from dashboard.wall.i18n import Texts
from dashboard.wall.layouts import PanelSpec, WallLayout
from feeds.refdata.registry import Registry
from feeds.settings import Settings

#: component id → {property: value}; values may be ``dash.Patch`` objects.
Props = dict[str, dict[str, Any]]


@dataclass(frozen=True)
class PanelContext:
    pid: str
    spec: PanelSpec
    layout: WallLayout
    t: Texts
    registry: Registry
    settings: Settings

    def cid(self, part: str) -> str:
        """Id of a component inside this panel."""
        return f"{self.pid}-{part}"

    def option(self, name: str, default: Any) -> Any:
        return self.spec.options.get(name, default)


@dataclass(frozen=True)
class Panel:
    render: Callable[[PanelContext, Snapshot], Component]
    update: Callable[[PanelContext, Snapshot, Snapshot, list[Change]], Props]


def no_update(ctx: PanelContext, old: Snapshot, new: Snapshot, changes: list[Change]) -> Props:
    return {}


def panel_title(ctx: PanelContext, key: str) -> str:
    return ctx.spec.title or ctx.t(key)
