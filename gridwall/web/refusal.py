"""How the write routes answer a refusal: the reason, the field errors, and the id of the
dead-letter entry that keeps the raw body (``Refusal``), with the HTTP status of the
``Refused`` raised while reading the request."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel

from gridwall.contract.refusal import FieldError, Refused


class Refusal(BaseModel):
    detail: str
    errors: list[dict[str, Any]]
    deadletter: str


def documented(*codes: int, **described: str) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI ``responses`` rows of a route's refusals (``described``: ``_409="why"``)."""
    rows: dict[int | str, dict[str, Any]] = {code: {"model": Refusal} for code in codes}
    for key, text in described.items():
        rows[int(key.lstrip("_"))] = {"model": Refusal, "description": text}
    return rows


def refusal_response(refused: Refused, errors: list[FieldError], entry: str) -> JSONResponse:
    """The answer to a refused request whose body is kept as dead letter ``entry``."""
    content = Refusal(detail=refused.detail, errors=[e.as_dict() for e in errors], deadletter=entry)
    return JSONResponse(content.model_dump(), status_code=refused.status, headers=refused.headers)
