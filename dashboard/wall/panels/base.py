"""What every panel shares: its context and the shape of a panel module."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from dash import html
from dash.development.base_component import Component

from dashboard.wall.hub import Change, Snapshot
from dashboard.wall.i18n import Texts
from dashboard.wall.layouts import PanelSpec, WallLayout, local
from dashboard.wall.mapdata import Geometry
from gridwall.platform.settings import Settings
from gridwall.refdata.registry import Registry

#: component id (pattern ids as ``sid`` makes them) → {property: value}; values may be
#: ``dash.Patch`` objects.
Props = dict[str, dict[str, Any]]


def data(name: str, value: str) -> Any:
    """A ``data-<name>`` attribute for a component's keyword arguments (``**data(...)``)."""
    return {f"data-{name}": value}


def sid(component_id: dict[str, str]) -> str:
    """A pattern-matching id as the string Dash keys it by: its keys sorted, JSON without
    spaces (``tests/test_library_contracts.py`` holds this to Dash's own spelling)."""
    return (
        "{"
        + ",".join(f"{json.dumps(k)}:{json.dumps(component_id[k])}" for k in sorted(component_id))
        + "}"
    )


@dataclass(frozen=True)
class PanelContext:
    """One panel on one connected screen."""

    pid: str
    spec: PanelSpec
    layout: WallLayout
    t: Texts
    registry: Registry
    settings: Settings
    #: The viewer may acknowledge alarms (an operator or an admin, not a kiosk).
    can_ack: bool = False
    #: What this screen's browser holds, for panels that patch lists by position.
    state: dict[str, Any] = field(default_factory=dict)
    #: The panel's validated options (``dashboard.wall.layouts.PANEL_OPTIONS``).
    opts: Any = None
    #: The map's geometry, built once per process.
    geometry: Geometry | None = None

    def cid(self, part: str) -> str:
        """Id of a component inside this panel."""
        return f"{self.pid}-{part}"

    def option(self, name: str, default: Any) -> Any:
        return self.spec.options.get(name, default)

    def area_name(self, code: str | None) -> str:
        area = self.registry.area(code) if code else None
        return area.name if area else ""

    def street_name(self, code: str | None) -> str:
        """The street (or town) an area code lies in."""
        if not code:
            return ""
        area = self.registry.area(code)
        while area is not None and area.level.value not in ("street", "county"):
            area = self.registry.parent(area.code)
        return area.name if area is not None and area.level.value == "street" else ""


@dataclass(frozen=True)
class Panel:
    render: Callable[[PanelContext, Snapshot], Component]
    update: Callable[[PanelContext, Snapshot, Snapshot, list[Change]], Props]


def no_update(ctx: PanelContext, old: Snapshot, new: Snapshot, changes: list[Change]) -> Props:
    return {}


def panel_title(ctx: PanelContext, key: str) -> str:
    """The layout's title for the panel in the wall's language, else the panel's own."""
    return local(ctx.spec.title, ctx.t.language) or ctx.t(key)


def frame(ctx: PanelContext, key: str, kind: str, *body: Component, extra: Any = None) -> Component:
    """A panel's box: its title (and something beside it), then its body."""
    title = [html.Span(panel_title(ctx, key), className="gw-panel-name")]
    if extra is not None:
        title.append(extra)
    return html.Div(
        className=f"gw-panel gw-{kind}",
        children=[html.Div(title, className="gw-panel-title"), *body],
    )


def hhmm(epoch: float, ctx: PanelContext) -> str:
    return datetime.fromtimestamp(epoch, ZoneInfo(ctx.settings.timezone)).strftime("%H:%M")
