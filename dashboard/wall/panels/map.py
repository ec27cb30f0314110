"""Map of the grid hierarchy (dash-leaflet): grids coloured by open incidents.

Geometry is sent once, at first paint, as one GeoJSON layer of grids per street; pushes patch
only ``hideout.counts`` of the streets whose grids changed, so the browser restyles a street's
grids, not the county's. The style function in ``assets/wall.js`` does the colouring. No tiles by
default (vector layers only, no network); ``wall.tile_url`` adds an intranet tile layer.
"""

from __future__ import annotations

from typing import Any

import dash_leaflet as dl
from dash import Patch, html
from dash.development.base_component import Component
from shapely.geometry import shape

from dashboard.wall.hub import Change, Snapshot
from dashboard.wall.panels.base import Panel, PanelContext, Props, panel_title
from dashboard.wall.theme import MAP_SCALE
from feeds.refdata.model import Area, Level


def _round(coords: Any) -> Any:
    if isinstance(coords, (int, float)):
        return round(float(coords), 5)
    return [_round(c) for c in coords]


def _collection(areas: list[Area]) -> dict[str, Any]:
    features = [
        {
            "type": "Feature",
            "id": a.code,
            "properties": {"code": a.code, "name": a.name},
            "geometry": {
                "type": a.geometry["type"],
                "coordinates": _round(a.geometry["coordinates"]),
            },
        }
        for a in areas
        if a.geometry
    ]
    return {"type": "FeatureCollection", "features": features}


def _bounds(ctx: PanelContext) -> list[list[float]]:
    county = ctx.registry.area(ctx.registry.county)
    if county is None or county.geometry is None:
        return [[31.8, 118.7], [32.1, 119.1]]
    west, south, east, north = shape(county.geometry).bounds
    return [[south, west], [north, east]]


def _hideout(snap: Snapshot, grids: list[str]) -> dict[str, Any]:
    counts = {code: snap.by_area[code] for code in grids if code in snap.by_area}
    return {"counts": counts, "scale": list(MAP_SCALE)}


def render(ctx: PanelContext, snap: Snapshot) -> Component:
    layers: list[Component] = []
    if ctx.settings.wall.tile_url:
        layers.append(
            dl.TileLayer(
                url=ctx.settings.wall.tile_url, attribution=ctx.settings.wall.tile_attribution
            )
        )
    layers += [
        dl.GeoJSON(
            id=ctx.cid(f"grids-{street.code}"),
            data=_collection(
                [
                    a
                    for c in ctx.registry.children(street.code)
                    for a in ctx.registry.children(c.code)
                ]
            ),
            style={"variable": "gridwall.map.areaStyle"},
            hideout=_hideout(snap, ctx.registry.grids_in(street.code)),
        )
        for street in ctx.registry.by_level(Level.STREET)
    ]
    layers += [
        dl.GeoJSON(
            id=ctx.cid("streets"),
            data=_collection(ctx.registry.by_level(Level.STREET)),
            style={"variable": "gridwall.map.outlineStyle"},
            interactive=False,
        ),
    ]
    bounds = _bounds(ctx)
    return html.Div(
        className="gw-panel gw-map",
        children=[
            html.Div(panel_title(ctx, "map"), className="gw-panel-title"),
            dl.Map(
                layers,
                id=ctx.cid("map"),
                bounds=bounds,
                center=[(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2],
                trackViewport=False,
                zoomSnap=0.1,
                boundsOptions={"padding": [8, 8]},
                zoomControl=False,
                attributionControl=bool(ctx.settings.wall.tile_url),
                className="gw-leaflet",
                style={"background": "transparent"},
            ),
        ],
    )


def update(ctx: PanelContext, old: Snapshot, new: Snapshot, changes: list[Change]) -> Props:
    props: Props = {}
    for street in ctx.registry.by_level(Level.STREET):
        changed = {
            code: new.by_area.get(code, 0)
            for code in ctx.registry.grids_in(street.code)
            if old.by_area.get(code, 0) != new.by_area.get(code, 0)
        }
        if changed:
            patch = Patch()
            for code, count in changed.items():
                patch["counts"][code] = count
            props[ctx.cid(f"grids-{street.code}")] = {"hideout": patch}
    return props


PANEL = Panel(render=render, update=update)
