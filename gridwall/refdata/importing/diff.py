"""What an import changes: records added, changed (with the fields) and removed, per kind."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from gridwall.refdata.model import Record


@dataclass
class Diff:
    kind: str
    added: list[str] = field(default_factory=list)
    #: key → names of the fields that differ (field names only: values may be personal).
    changed: dict[str, list[str]] = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.removed)

    def counts(self) -> dict[str, int]:
        return {
            "added": len(self.added),
            "changed": len(self.changed),
            "removed": len(self.removed),
            "unchanged": self.unchanged,
        }

    def lines(self, limit: int = 20) -> list[str]:
        """Human-readable lines: a summary, then up to ``limit`` keys of each change."""
        c = self.counts()
        out = [
            f"{self.kind}: {c['added']} added, {c['changed']} changed, "
            f"{c['removed']} removed, {c['unchanged']} unchanged"
        ]
        parts: list[tuple[str, list[str]]] = [
            ("+", self.added),
            ("~", [f"{k} ({', '.join(v)})" for k, v in self.changed.items()]),
            ("-", self.removed),
        ]
        for mark, keys in parts:
            out += [f"  {mark} {k}" for k in keys[:limit]]
            if len(keys) > limit:
                out.append(f"  {mark} … and {len(keys) - limit} more")
        return out


def diff_records(kind: str, old: Mapping[str, Record], new: Mapping[str, Record]) -> Diff:
    diff = Diff(kind)
    for key in sorted(new):
        if key not in old:
            diff.added.append(key)
            continue
        if old[key] == new[key]:
            diff.unchanged += 1
            continue
        before, after = old[key].model_dump(), new[key].model_dump()
        fields = [name for name in after if before.get(name) != after[name]]
        if fields:
            diff.changed[key] = fields
        else:
            diff.unchanged += 1
    diff.removed = sorted(set(old) - set(new))
    return diff
