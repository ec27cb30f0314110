"""``GET /api/v1/sla/policies``: the SLA policies, calendar and escalation rules in force."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from dashboard.api.deps import queries
from dashboard.queries import Queries
from gridwall.access.roles import PEOPLE
from gridwall.web.deps import require_roles

#: The policies hold no personal data: every person may read them.
router = APIRouter(prefix="/api/v1", tags=["sla"], dependencies=[Depends(require_roles(*PEOPLE))])


@router.get("/sla/policies")
async def policies(q: Queries = Depends(queries)) -> dict[str, Any]:
    """Limits per policy and stage (seconds of working or calendar time), thresholds,
    escalation rules, the working calendar and the years it has no official data for."""
    return q.rt.policies.describe(q.rt.now())
