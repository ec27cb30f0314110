"""The map (dash-leaflet): areas coloured by backlog or overdue count, drill-down by click
(county → street → community → grid) with breadcrumbs, incident markers by SLA state
(clustered), recent video alarms (new ones flash), cameras online and offline.

Vector layers only (no network) unless ``wall.tile_url`` names a tile server. The geometry of
the current level is sent once per drill (a server callback, role-checked like every one);
pushes patch only what changed: the counts in ``hideout`` (for every area of every level, so a
push need not know where a screen is drilled to) and the markers, video alarms and cameras by
position in their lists. Drawing is done by the functions in ``assets/wall.js``.
"""

from __future__ import annotations

from typing import Any

import dash_leaflet as dl
from dash import ALL, MATCH, Dash, Input, Output, State, callback_context, dcc, html
from dash.development.base_component import Component
from dash.exceptions import PreventUpdate

from dashboard.auth.dash import callback_roles
from dashboard.wall.hub import Change, Snapshot
from dashboard.wall.mapdata import (
    Geometry,
    collection,
    crumbs,
    hideout,
    hideout_patch,
    keyed_patch,
)
from dashboard.wall.panels.base import Panel, PanelContext, Props, frame, sid
from dashboard.wall.theme import MAP_SCALE, OVERDUE_SCALE
from gridwall.access.roles import Role
from gridwall.runtime import Runtime


def _id(kind: str, ctx: PanelContext) -> dict[str, str]:
    return {"type": f"gw-{kind}", "panel": ctx.pid}


def _overdue(snap: Snapshot) -> dict[str, int]:
    return {code: over for code, (_near, over) in snap.area_sla.items() if over}


def _hideout(ctx: PanelContext, snap: Snapshot) -> dict[str, Any]:
    scale = MAP_SCALE if ctx.opts.color_by == "backlog" else OVERDUE_SCALE
    codes = ctx.geometry.codes(ctx.registry) if ctx.geometry else {}
    return hideout(snap.by_area, _overdue(snap), codes, ctx.opts.color_by, list(scale))


def _marker(key: str, m: tuple[float, float, str, int]) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [m[0], m[1]]},
        "properties": {"id": key, "s": m[2], "u": m[3]},
    }


def _video(key: str, v: tuple[float, float, int, float]) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [v[0], v[1]]},
        "properties": {"id": key, "p": v[2], "f": v[3]},
    }


def _camera_features(ctx: PanelContext, online: dict[str, bool]) -> dict[str, dict[str, Any]]:
    found = {}
    for camera_id, on in online.items():
        camera = ctx.registry.camera(camera_id)
        if camera is not None and camera.location is not None:
            lon, lat = camera.location
            found[camera_id] = {
                "type": "Feature",
                "properties": {"id": camera_id, "on": int(on)},
                "geometry": {"type": "Point", "coordinates": [round(lon, 5), round(lat, 5)]},
            }
    return found


def crumb_buttons(ctx_pid: str, chain: list[tuple[str, str]]) -> list[Component]:
    found: list[Component] = []
    for index, (code, name) in enumerate(chain):
        last = index == len(chain) - 1
        if index:
            found.append(html.Span("›", className="gw-crumb-sep"))
        found.append(
            html.Button(
                name,
                id={"type": "gw-crumb", "panel": ctx_pid, "code": code},
                n_clicks=0,
                disabled=last,
                className="gw-crumb" + (" current" if last else ""),
            )
        )
    return found


def _legend(ctx: PanelContext) -> Component:
    t = ctx.t
    ramp = MAP_SCALE if ctx.opts.color_by == "backlog" else OVERDUE_SCALE
    items: list[Component] = [
        html.Span(
            [html.I(className="gw-sw", style={"background": c}) for c in ramp[1:]]
            + [html.Span(t(f"map.by.{ctx.opts.color_by}"))],
            className="gw-leg-ramp",
        ),
    ]
    if ctx.opts.markers:
        items += [
            html.Span([html.I("●", className="gw-leg-n"), t("sla.normal")]),
            html.Span([html.I("▲", className="gw-leg-w"), t("sla.warning")]),
            html.Span([html.I("■", className="gw-leg-o"), t("sla.overdue")]),
        ]
    if ctx.opts.video:
        items.append(html.Span([html.I("◆", className="gw-leg-v"), t("map.video")]))
    if ctx.opts.cameras:
        items += [
            html.Span([html.I("•", className="gw-leg-cam"), t("camera.online")]),
            html.Span([html.I("○", className="gw-leg-cam off"), t("camera.offline")]),
        ]
    return html.Div(items, className="gw-legend")


def render(ctx: PanelContext, snap: Snapshot) -> Component:
    assert ctx.geometry is not None
    opts, registry = ctx.opts, ctx.registry
    view = ctx.geometry.view(registry, registry.county)
    hide = ctx.state["hideout"] = _hideout(ctx, snap)
    layers: list[Component] = []
    if ctx.settings.wall.tile_url:
        layers.append(
            dl.TileLayer(
                url=ctx.settings.wall.tile_url, attribution=ctx.settings.wall.tile_attribution
            )
        )
    layers.append(
        dl.GeoJSON(
            id=_id("areas", ctx),
            data=view.data,
            hideout=hide,
            style={"variable": "gridwall.map.areaStyle"},
            pointToLayer={"variable": "gridwall.map.areaLabel"},
        )
    )
    if opts.cameras:
        cams = ctx.state["cameras-data"] = _camera_features(ctx, dict(snap.cameras))
        ctx.state["cameras"] = list(cams)
        layers.append(
            dl.GeoJSON(
                id=ctx.cid("cameras"),
                interactive=False,
                data=collection(cams, lambda _k, feature: feature),
                pointToLayer={"variable": "gridwall.map.camera"},
            )
        )
    if opts.markers:
        ctx.state["markers"] = list(snap.markers)
        layers.append(
            dl.GeoJSON(
                id=ctx.cid("markers"),
                cluster=True,
                zoomToBoundsOnClick=True,
                data=collection(snap.markers, _marker),
                pointToLayer={"variable": "gridwall.map.incident"},
                clusterToLayer={"variable": "gridwall.map.cluster"},
                superClusterOptions={"radius": 100, "maxZoom": 17},
            )
        )
    if opts.video:
        ctx.state["video"] = list(snap.video)
        layers.append(
            dl.GeoJSON(
                id=ctx.cid("video"),
                interactive=False,
                data=collection(snap.video, _video),
                pointToLayer={"variable": "gridwall.map.video"},
            )
        )
    chain = crumbs(registry, registry.county)
    return frame(
        ctx,
        "map",
        "map",
        dcc.Store(id=_id("drill", ctx), data=registry.county),
        dl.Map(
            layers,
            id=_id("map", ctx),
            bounds=view.bounds,
            trackViewport=False,
            zoomSnap=0.1,
            boundsOptions={"padding": [12, 12]},
            zoomControl=False,
            maxZoom=18,
            attributionControl=bool(ctx.settings.wall.tile_url),
            className="gw-leaflet",
            style={"background": "transparent"},
        ),
        _legend(ctx),
        extra=html.Div(crumb_buttons(ctx.pid, chain), id=_id("crumbs", ctx), className="gw-crumbs"),
    )


def update(ctx: PanelContext, old: Snapshot, new: Snapshot, changes: list[Change]) -> Props:
    props: Props = {}
    hide = _hideout(ctx, new)
    patch = hideout_patch(ctx.state["hideout"], hide)
    ctx.state["hideout"] = hide
    if patch is not None:
        props[sid(_id("areas", ctx))] = {"hideout": patch}
    if ctx.opts.markers:
        data, ctx.state["markers"] = keyed_patch(
            ctx.state["markers"], old.markers, new.markers, _marker
        )
        if data is not None:
            props[ctx.cid("markers")] = {"data": data}
    if ctx.opts.video:
        data, ctx.state["video"] = keyed_patch(ctx.state["video"], old.video, new.video, _video)
        if data is not None:
            props[ctx.cid("video")] = {"data": data}
    if ctx.opts.cameras and new.cameras is not old.cameras:
        cams = _camera_features(ctx, dict(new.cameras))
        data, ctx.state["cameras"] = keyed_patch(
            ctx.state["cameras"], ctx.state["cameras-data"], cams, lambda _k, f: f
        )
        ctx.state["cameras-data"] = cams
        if data is not None:
            props[ctx.cid("cameras")] = {"data": data}
    return props


PANEL = Panel(render=render, update=update)

VIEWERS = (Role.WALL, Role.OPERATOR, Role.LEADER, Role.ADMIN)


def register(app: Dash, rt: Runtime, geometry: Geometry) -> None:
    """The drill-down: a click on an area shows its children; a breadcrumb goes back up."""

    @app.callback(
        Output({"type": "gw-areas", "panel": MATCH}, "data"),
        Output({"type": "gw-map", "panel": MATCH}, "viewport"),
        Output({"type": "gw-crumbs", "panel": MATCH}, "children"),
        Output({"type": "gw-drill", "panel": MATCH}, "data"),
        Input({"type": "gw-areas", "panel": MATCH}, "clickData"),
        Input({"type": "gw-crumb", "panel": MATCH, "code": ALL}, "n_clicks"),
        State({"type": "gw-drill", "panel": MATCH}, "data"),
        prevent_initial_call=True,
    )
    @callback_roles(*VIEWERS)
    async def drill(click: Any, _clicks: Any, current: str | None) -> tuple[Any, ...]:
        trigger = callback_context.triggered_id
        target = _target(trigger, callback_context.triggered, click)
        registry = rt.registry.get()
        if target is None or target == current or registry.area(target) is None:
            raise PreventUpdate
        view = geometry.view(registry, target)
        pid = trigger["panel"]
        viewport = {
            "bounds": view.bounds,
            "transition": "flyToBounds",
            "options": {"padding": [12, 12], "duration": 0.6},
        }
        return view.data, viewport, crumb_buttons(pid, crumbs(registry, target)), target


def _target(trigger: Any, triggered: list[dict[str, Any]], click: Any) -> str | None:
    """The area to show: the clicked one, or the breadcrumb's."""
    if not isinstance(trigger, dict):
        return None
    if trigger.get("type") == "gw-crumb":
        clicked = any(t.get("value") for t in triggered)
        return str(trigger["code"]) if clicked else None
    props = (click or {}).get("properties") or {}
    if not props.get("click") or props.get("label"):
        return None
    return str(props.get("code")) if props.get("code") else None
