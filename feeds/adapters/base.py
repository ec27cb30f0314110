"""The one small adapter interface, and how an adapter declares itself.

Every adapter is a package ``feeds/adapters/<name>/`` with ``parse.py`` (pure: bytes in,
normalized items out, ``PayloadError`` with a reason for bad input), ``adapter.py`` (the thin
I/O loop implementing ``Adapter``), ``config.py`` (its strict source model) and, in its
``__init__.py``, its ``KIND``: the config model (whose ``type`` literal names the adapter), the
factory of its loop and whether it connects out. ``feeds.adapters.registry.KINDS`` lists the
kinds; the feeds file's union, the type list and the supervisor derive from it. Push adapters
(HTTP intake, camera hooks) have no loop of their own: their routes in ``feeds/http/`` call the
parser and the sink.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Literal, Protocol, TypeVar, get_args

from feeds.sources.common import SourceBase
from feeds.sources.sink import FeedSink

C = TypeVar("C", bound=SourceBase)


@dataclass(frozen=True)
class AdapterStatus:
    """An adapter's own view of itself (the Redis health adds counters)."""

    state: Literal["starting", "running", "connecting", "stopped", "failed"]
    connected: bool | None = None
    detail: str = ""


class Adapter(Protocol):
    """A running feed: a listener or a client of one source."""

    source_id: str

    async def start(self) -> None:
        """Begin listening or connecting; return once started (errors go to health)."""

    async def stop(self) -> None:
        """Stop and release everything; idempotent."""

    def health(self) -> AdapterStatus:
        """The adapter's current state."""


@dataclass(frozen=True)
class AdapterKind(Generic[C]):
    """One adapter type: its source model and, when it runs a loop of its own, how to start
    it (``start`` may answer ``None`` for a source that needs no loop, e.g. GB/T 28181 without
    a SIP listener)."""

    config: type[C]
    start: Callable[[C, FeedSink], Adapter | None] | None = None
    #: It connects out (a client): its connection state is part of its health.
    client: bool = False

    @property
    def type(self) -> str:
        """The ``type`` of the feeds file's entries of this kind (the model's literal)."""
        annotation: Any = self.config.model_fields["type"].annotation
        return str(get_args(annotation)[0])

    def adapter(self, source: SourceBase, sink: FeedSink) -> Adapter | None:
        if self.start is None or not isinstance(source, self.config):
            return None
        return self.start(source, sink)
