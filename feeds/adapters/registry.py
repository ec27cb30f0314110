"""The adapters' one list (``KINDS``) and the feeds file built from it.

The feeds file has one entry per source, validated strictly: TOML (``[[sources]]`` tables) or
YAML (``sources:`` list). Each entry's ``type`` picks its model from the adapters' kinds (a
discriminated union); unknown keys, unknown types and duplicate ids are errors that name the
entry. Secrets are references to environment variables or files, never values in the file.
"""

from __future__ import annotations

import tomllib
from functools import reduce
from operator import or_
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeAlias, TypeVar

import yaml
from pydantic import Field, ValidationError, model_validator

from feeds.adapters import dahua, file, frigate, gb28181, hikvision, http, open311, websocket
from feeds.adapters.base import Adapter, AdapterKind
from feeds.sources.common import SourceBase
from feeds.sources.sink import FeedSink
from gridwall.contract.health import SourceInfo
from gridwall.platform.settings.base import Strict

#: Every adapter, each declared once in its package (``KIND``); all the rest derives from here.
KINDS: tuple[AdapterKind[Any], ...] = tuple(
    package.KIND for package in (http, open311, websocket, file, hikvision, dahua, gb28181, frigate)
)
#: Every adapter type and its model (the docs test walks this).
SOURCE_TYPES: dict[str, type[Strict]] = {kind.type: kind.config for kind in KINDS}
#: Types that connect out (their connection state is part of their health).
CLIENT_TYPES = frozenset(kind.type for kind in KINDS if kind.client)
if TYPE_CHECKING:
    SourceConfig: TypeAlias = SourceBase
else:  # the feeds file's entries: one model per type, picked by ``type``
    SourceConfig = Annotated[reduce(or_, (k.config for k in KINDS)), Field(discriminator="type")]
_BY_TYPE = {kind.type: kind for kind in KINDS}
T = TypeVar("T")
SHIPPED_DEMO = Path(__file__).resolve().parent.parent / "data" / "demo-feeds.toml"


def build_adapters(feeds: FeedsFile, sink: FeedSink) -> list[Adapter]:
    """The loops of the enabled sources whose kind runs one."""
    found = (_BY_TYPE[s.type].adapter(s, sink) for s in feeds.sources if s.enabled)
    return [a for a in found if a is not None]


class FeedsError(ValueError):
    """The feeds file cannot be used; the message names the entry and key."""


class FeedsFile(Strict):
    sources: list[SourceConfig] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_ids(self) -> FeedsFile:
        seen: set[str] = set()
        for source in self.sources:
            if source.id in seen:
                raise ValueError(f"duplicate source id {source.id!r}")
            seen.add(source.id)
        return self

    def get(self, source_id: str) -> SourceConfig | None:
        return next((s for s in self.sources if s.id == source_id), None)

    def of_type(self, model: type[T]) -> list[T]:
        return [s for s in self.sources if isinstance(s, model) and s.enabled]

    def infos(self) -> list[SourceInfo]:
        return [
            SourceInfo(s.id, s.type, s.name, s.enabled, client=s.type in CLIENT_TYPES)
            for s in self.sources
        ]


def _describe(error: ValidationError, data: dict[str, Any]) -> str:
    lines = []
    found = data.get("sources")
    entries: list[Any] = found if isinstance(found, list) else []
    for item in error.errors(include_url=False):
        loc = list(item["loc"])
        where = ".".join(str(p) for p in loc)
        if len(loc) >= 2 and loc[0] == "sources" and isinstance(loc[1], int):
            index = loc[1]
            entry = entries[index] if index < len(entries) else {}
            ident = entry.get("id", "?") if isinstance(entry, dict) else "?"
            rest = (
                [str(p) for p in loc[3:]]
                if len(loc) > 2 and loc[2] in SOURCE_TYPES
                else [str(p) for p in loc[2:]]
            )
            where = f"source {ident!r} (entry {index + 1})" + (
                f": {'.'.join(rest)}" if rest else ""
            )
        message = str(item["msg"]).removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "unknown key"
        lines.append(f"{where}: {message}" if where else message)
    return "; ".join(lines)


def parse_feeds(data: Any, origin: str = "feeds file") -> FeedsFile:
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise FeedsError(f"{origin}: the top level must be a table with 'sources'")
    try:
        return FeedsFile.model_validate(data)
    except ValidationError as exc:
        raise FeedsError(f"{origin}: {_describe(exc, data)}") from None


def load_feeds(path: Path | None) -> FeedsFile:
    """Read a feeds file (TOML or YAML); None gives no sources."""
    if path is None:
        return FeedsFile()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FeedsError(f"cannot read feeds file {path}: {exc.strerror}") from None
    try:
        if path.suffix.lower() in (".yaml", ".yml"):
            data = yaml.safe_load(text)
        else:
            data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        raise FeedsError(f"feeds file {path} cannot be read: {exc}") from None
    return parse_feeds(data, f"feeds file {path}")
