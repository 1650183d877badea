"""A per-client token bucket for the local server.

One bucket per client key (the remote address). Keys live only in this
process's memory, are never logged, and are dropped once their bucket has
refilled, so memory stays bounded however many clients come and go. On AWS
Lambda each container would only see a slice of the traffic; there the API
Gateway's throttling does this job (see docs/hardening.md).
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

UNITS = {
    "s": 1.0,
    "sec": 1.0,
    "second": 1.0,
    "m": 60.0,
    "min": 60.0,
    "minute": 60.0,
    "h": 3600.0,
    "hour": 3600.0,
    "d": 86400.0,
    "day": 86400.0,
}
OFF = ("", "0", "off", "none", "no", "false", "unlimited")
_SPEC = re.compile(r"^\s*(\d+)\s*(?:/|per)\s*(\d*)\s*([a-z]+?)s?\s*$", re.I)


@dataclass(frozen=True)
class Rate:
    """`count` requests per `seconds`, allowing bursts of up to `count`."""

    count: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.count / self.seconds

    def __str__(self) -> str:
        return f"{self.count}/{self.seconds:g}s"


def parse_rate(spec: str | None) -> Rate | None:
    """Read "60/minute", "10/s", "1000 per hour" or "5/10s"; None for "off" or an empty value."""
    if spec is None or str(spec).strip().lower() in OFF:
        return None
    match = _SPEC.match(str(spec))
    unit = match and UNITS.get(match.group(3).lower())
    if not match or not unit or int(match.group(1)) <= 0:
        raise ValueError(f"rate limit {spec!r}: expected e.g. '60/minute', '10/second' or 'off'")
    return Rate(int(match.group(1)), unit * int(match.group(2) or 1))


class RateLimiter:
    """Token buckets keyed by client; thread-safe and bounded to `max_clients` entries."""

    def __init__(self, rate: Rate, max_clients: int = 10_000, clock=time.monotonic) -> None:
        self.rate = rate
        self.max_clients = max_clients
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key -> (tokens, updated)
        self._lock = threading.Lock()
        self._last_sweep = clock()

    def __len__(self) -> int:
        return len(self._buckets)

    def acquire(self, key: str) -> float:
        """Take one token for `key`; return 0 when allowed, else the seconds until the next token."""
        now = self._clock()
        capacity, refill = float(self.rate.count), self.rate.per_second
        with self._lock:
            tokens, updated = self._buckets.pop(key, (capacity, now))
            tokens = min(capacity, tokens + (now - updated) * refill)
            if tokens >= 1.0:
                tokens -= 1.0
                wait = 0.0
            else:
                wait = (1.0 - tokens) / refill
            self._buckets[key] = (tokens, now)  # most recently seen last
            if now - self._last_sweep >= self.rate.seconds or len(self._buckets) > self.max_clients:
                self._sweep(now)
            return wait

    def retry_after(self, wait: float) -> int:
        """Whole seconds for a Retry-After header (at least 1)."""
        return max(1, math.ceil(wait))

    def _sweep(self, now: float) -> None:
        """Forget clients whose bucket is full again: they are idle, and a new bucket is the same."""
        full_after = self.rate.seconds
        for key, (_, updated) in list(self._buckets.items()):
            if now - updated < full_after:
                break  # ordered by last use: the rest are more recent
            del self._buckets[key]
        while len(self._buckets) > self.max_clients:  # a flood of distinct clients: drop the oldest
            self._buckets.popitem(last=False)
        self._last_sweep = now
