"""A concurrency limit that adapts to the provider: halved on 429, grown back on success.

All requests share one `AdaptiveLimiter`, so a rate limit slows the whole run down together
instead of every request hammering the API and backing off on its own (AIMD, as in TCP). As in
TCP, a burst of 429s counts once: requests sent before the last halving cannot halve it again.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class AdaptiveLimiter:
    def __init__(self, maximum: int, recover_after: int = 4) -> None:
        self.maximum = max(1, maximum)
        self.limit = self.maximum
        self.recover_after = recover_after
        self.lowest = self.maximum
        self._active = 0
        self._streak = 0
        self._epoch = 0  # halvings so far
        self._cond = threading.Condition()

    @contextmanager
    def slot(self) -> Iterator[int]:
        """Wait for a free slot; gives the epoch to pass to `throttled` on a 429."""
        with self._cond:
            while self._active >= self.limit:
                self._cond.wait()
            self._active += 1
            epoch = self._epoch
        try:
            yield epoch
        finally:
            with self._cond:
                self._active -= 1
                self._cond.notify_all()

    def throttled(self, since: int | None = None) -> None:
        """A 429: halve the limit (never below 1), unless it was halved after `since`."""
        with self._cond:
            if since is not None and since != self._epoch:
                return
            self._epoch += 1
            self.limit = max(1, self.limit // 2)
            self.lowest = min(self.lowest, self.limit)
            self._streak = 0

    def succeeded(self) -> None:
        """A success: after `recover_after` in a row, allow one more request at a time."""
        with self._cond:
            self._streak += 1
            if self._streak >= self.recover_after and self.limit < self.maximum:
                self.limit += 1
                self._streak = 0
                self._cond.notify_all()
