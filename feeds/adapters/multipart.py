"""Multipart bodies and streams from devices, split leniently and with caps.

``PartStream`` is incremental (a Dahua event stream never ends): feed it chunks, it yields each
part as soon as it is complete (by its ``Content-Length`` when given, else at the next
boundary). ``split`` does the same for a whole body (a Hikvision multipart POST). Header lines
may lack the space after the colon; header names are folded to lower case.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from gridwall.contract.refusal import PayloadError

_BOUNDARY = re.compile(r'boundary\s*=\s*(?:"([^"]+)"|([^;,\s]+))', re.I)
_PARAM = re.compile(r'(\w+)\s*=\s*(?:"([^"]*)"|([^;\s]+))')
#: Most header bytes of one part.
HEADER_MAX = 8192


@dataclass(frozen=True)
class Part:
    headers: dict[str, str]
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    @property
    def disposition(self) -> dict[str, str]:
        """Parameters of Content-Disposition (``name``, ``filename``)."""
        raw = self.headers.get("content-disposition", "")
        return {m.group(1).lower(): m.group(2) or m.group(3) or "" for m in _PARAM.finditer(raw)}

    @property
    def name(self) -> str:
        return self.disposition.get("name", "")

    @property
    def filename(self) -> str:
        return self.disposition.get("filename", "")


def boundary_of(content_type: str) -> bytes | None:
    match = _BOUNDARY.search(content_type)
    if not match:
        return None
    value = (match.group(1) or match.group(2)).strip()
    return value.encode("latin-1", "replace") if 0 < len(value) <= 200 else None


def parse_headers(block: bytes) -> dict[str, str]:
    headers: dict[str, str] = {}
    for line in block.replace(b"\r\n", b"\n").split(b"\n"):
        name, sep, value = line.partition(b":")
        if sep and name.strip():
            key = name.strip().decode("latin-1").lower()
            headers[key] = value.strip().decode("utf-8", "replace")
    return headers


@dataclass
class PartStream:
    """Incremental multipart splitter with a cap on each part's size."""

    boundary: bytes
    max_part: int
    _buffer: bytearray = field(default_factory=bytearray)
    _started: bool = False

    def __post_init__(self) -> None:
        self._delimiter = b"--" + self.boundary.removeprefix(b"--")

    def feed(self, chunk: bytes) -> Iterator[Part]:
        """Add bytes; yield every part now complete. Raises PayloadError past the caps."""
        self._buffer += chunk
        while True:
            part = self._next()
            if part is None:
                if len(self._buffer) > self.max_part + HEADER_MAX + len(self._delimiter) + 8:
                    raise PayloadError(f"a part is larger than {self.max_part} bytes")
                return
            yield part

    def close(self) -> Iterator[Part]:
        """The body ended: a last part without a closing boundary is still delivered."""
        rest = bytes(self._buffer).strip()
        self._buffer.clear()
        if self._started and rest and rest not in (b"--", b""):
            part = _split_part(rest.removesuffix(b"--").rstrip())
            if part is not None:
                yield part

    def _next(self) -> Part | None:
        buffer = self._buffer
        if not self._started:
            start = buffer.find(self._delimiter)
            if start < 0:
                return None
            end = buffer.find(b"\n", start)
            if end < 0:
                return None
            del buffer[: end + 1]
            self._started = True
        header_end, gap = _header_end(buffer)
        if header_end < 0:
            if len(buffer) > HEADER_MAX and buffer.find(self._delimiter) < 0:
                raise PayloadError("part headers too long")
            return self._by_boundary()
        headers = parse_headers(bytes(buffer[:header_end]))
        length = headers.get("content-length", "")
        if length.isdigit():
            size = int(length)
            if size > self.max_part:
                raise PayloadError(f"a part declares {size} bytes, more than {self.max_part}")
            body_start = header_end + gap
            if len(buffer) < body_start + size:
                return None
            body = bytes(buffer[body_start : body_start + size])
            del buffer[: body_start + size]
            self._skip_to_delimiter()
            return Part(headers, body)
        return self._by_boundary()

    def _by_boundary(self) -> Part | None:
        buffer = self._buffer
        end = buffer.find(self._delimiter)
        if end < 0:
            return None
        raw = bytes(buffer[:end])
        line_end = buffer.find(b"\n", end)
        if line_end < 0:
            if buffer[end + len(self._delimiter) : end + len(self._delimiter) + 2] == b"--":
                del buffer[:]
                return _split_part(raw)
            return None
        del buffer[: line_end + 1]
        return _split_part(raw)

    def _skip_to_delimiter(self) -> None:
        """After a part read by length: drop the line break and the next delimiter line."""
        buffer = self._buffer
        stripped = bytes(buffer).lstrip(b"\r\n")
        if stripped.startswith(self._delimiter):
            cut = len(buffer) - len(stripped)
            line_end = buffer.find(b"\n", cut)
            if line_end >= 0:
                del buffer[: line_end + 1]
            else:
                self._started = False
                del buffer[:cut]


def _header_end(buffer: bytearray) -> tuple[int, int]:
    for marker in (b"\r\n\r\n", b"\n\n"):
        index = buffer.find(marker)
        if index >= 0:
            return index, len(marker)
    if buffer.startswith((b"\r\n", b"\n")):  # a part without headers
        return 0, 2 if buffer.startswith(b"\r\n") else 1
    return -1, 0


def _split_part(raw: bytes) -> Part | None:
    raw = raw.removesuffix(b"\r\n").removesuffix(b"\n")
    index, gap = _header_end(bytearray(raw))
    if index < 0:
        return Part({}, raw.strip()) if raw.strip() else None
    return Part(parse_headers(raw[:index]), raw[index + gap :])


def split(body: bytes, content_type: str, *, max_part: int, max_parts: int = 16) -> list[Part]:
    """Every part of a whole multipart body; raises PayloadError with the reason."""
    boundary = boundary_of(content_type)
    if boundary is None:
        raise PayloadError("multipart body without a boundary")
    stream = PartStream(boundary, max_part)
    parts = [*stream.feed(body), *stream.close()]
    if not parts:
        raise PayloadError("multipart body without parts")
    if len(parts) > max_parts:
        raise PayloadError(f"more than {max_parts} parts")
    return parts
