"""Reconnect delays of client adapters: exponential backoff with full jitter.

``delay(attempt)`` is drawn uniformly from ``[0, min(cap, base * 2**attempt)]`` (the "full
jitter" of AWS's backoff study): many clients that lost the same upstream do not come back in
lock step. Pure given its random source, so it is tested without sleeping.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass
class Backoff:
    base_s: float = 1.0
    cap_s: float = 60.0
    rng: random.Random = field(default_factory=random.Random)
    attempt: int = 0

    def ceiling(self, attempt: int) -> float:
        return float(min(self.cap_s, self.base_s * 2.0 ** min(attempt, 30)))

    def next_delay(self) -> float:
        """The delay before the next try (and count the try)."""
        delay = self.rng.uniform(0, self.ceiling(self.attempt))
        self.attempt += 1
        return delay

    def reset(self) -> None:
        """A connection worked: start again from the base delay."""
        self.attempt = 0
