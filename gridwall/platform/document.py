"""Stored documents as msgspec structs, with the pydantic-style methods their readers use.

The incident document is decoded, changed and encoded for every event the processor applies,
so its model is a ``msgspec.Struct`` (``Document``): decoding a full case (~5 KB, ~45 times)
takes about a quarter of pydantic's time, encoding a tenth, and copying a stage with one
field changed ``msgspec.structs.replace``, not a model copy. Documents are immutable (frozen):
the lifecycle builds new ones, so a stage or history entry can be shared between versions.

Readers keep the calls they know: ``model_validate_json``, ``model_validate``, ``model_dump``
(every field, as pydantic does: ``mode="json"``, ``exclude``, ``exclude_defaults``),
``model_dump_json`` and ``model_copy(update=...)``. Documents are stored without default values
(``to_json``, msgspec's ``omit_defaults``), as the pydantic model was with
``exclude_defaults=True``. Decoding
validates like the pydantic model did: types, unknown fields refused, times with an offset
(``Aware``). Pydantic models of the event contract inside a document (``AreaPath``, ``Point``,
``Reporter``) are encoded and decoded through them (``enc_hook``/``dec_hook``).
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated, Any, ClassVar, Literal, Self

import msgspec
from pydantic import BaseModel

#: A time with its UTC offset (pydantic's ``AwareDatetime``).
Aware = Annotated[dt.datetime, msgspec.Meta(tz=True)]


def _enc_hook(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_defaults=True)
    raise NotImplementedError(f"cannot encode {type(value).__name__}")


def _dec_hook(kind: Any, value: Any) -> Any:
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        return kind.model_validate(value)
    raise NotImplementedError(f"cannot decode {kind!r}")


ENCODER = msgspec.json.Encoder(enc_hook=_enc_hook)


def _plain(value: Any, json_mode: bool) -> Any:
    """A value as ``model_dump`` returns it (every field of nested documents)."""
    if isinstance(value, Document):
        return value.model_dump(mode="json" if json_mode else "python")
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json" if json_mode else "python")
    if isinstance(value, dict):
        return {(str(k) if json_mode else k): _plain(v, json_mode) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v, json_mode) for v in value]
    if json_mode and isinstance(value, enum.Enum):
        return value.value
    if json_mode and isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


class Document(
    msgspec.Struct, kw_only=True, frozen=True, omit_defaults=True, forbid_unknown_fields=True
):
    """Base of the stored documents (see the module's docstring)."""

    _decoders: ClassVar[dict[type, msgspec.json.Decoder[Any]]] = {}

    @classmethod
    def decoder(cls) -> msgspec.json.Decoder[Self]:
        found = Document._decoders.get(cls)
        if found is None:
            found = Document._decoders[cls] = msgspec.json.Decoder(cls, dec_hook=_dec_hook)
        return found

    @classmethod
    def model_validate_json(cls, data: bytes | bytearray | memoryview | str) -> Self:
        """Decode and validate JSON; raises ``msgspec.ValidationError`` (a ValueError)."""
        return cls.decoder().decode(data)

    @classmethod
    def model_validate(cls, data: Any) -> Self:
        """Validate plain data (e.g. ``model_dump(mode="json")`` output)."""
        if isinstance(data, cls):
            return data
        return msgspec.convert(data, cls, strict=False, dec_hook=_dec_hook)

    def model_dump_json(self, *, exclude_defaults: bool = False) -> str:
        """JSON text, every field as pydantic writes it (``exclude_defaults`` as there)."""
        return self.to_json(exclude_defaults=exclude_defaults).decode()

    def to_json(self, *, exclude_defaults: bool = True) -> bytes:
        """The stored form: UTF-8 JSON without the fields that have their default value."""
        if exclude_defaults:
            return ENCODER.encode(self)
        return ENCODER.encode(self.model_dump(mode="json"))

    def model_dump(
        self,
        *,
        mode: Literal["python", "json"] = "python",
        exclude: set[str] | frozenset[str] | None = None,
        exclude_defaults: bool = False,
    ) -> dict[str, Any]:
        """Every field (defaults too, unless ``exclude_defaults``), nested documents as dicts."""
        json_mode = mode == "json"
        found: dict[str, Any] = {}
        for name, default in _defaults(type(self)):
            if exclude and name in exclude:
                continue
            value = getattr(self, name)
            if exclude_defaults and default is not _REQUIRED and value == default:
                continue
            found[name] = _plain(value, json_mode)
        return found

    def model_copy(self, *, update: dict[str, Any] | None = None) -> Self:
        """A copy with some fields replaced (not validated, like pydantic's)."""
        return msgspec.structs.replace(self, **update) if update else self


_REQUIRED = object()
_DEFAULTS: dict[type, list[tuple[str, Any]]] = {}


def _defaults(cls: type[Document]) -> list[tuple[str, Any]]:
    """Each field's name and default value (factories called; ``_REQUIRED`` when none)."""
    found = _DEFAULTS.get(cls)
    if found is None:
        found = []
        for info in msgspec.structs.fields(cls):
            if info.default is not msgspec.NODEFAULT:
                default = info.default
            elif info.default_factory is not msgspec.NODEFAULT:
                default = info.default_factory()
            else:
                default = _REQUIRED
            found.append((info.name, default))
        _DEFAULTS[cls] = found
    return found
