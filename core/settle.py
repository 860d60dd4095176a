"""Keeping a long-running bot's memory small and its collections short.

``freeze_long_lived``: what lives as long as the process, out of the cyclic garbage
collector's scans.

A full collection walks every tracked object. The libraries loaded at start (and matplotlib,
loaded by the first chart) are half a million objects that are never garbage; a reply that
builds a table of thousands of units triggers full collections, and at the nation tier a
third of `/top`'s time went into walking them. ``gc.freeze`` moves what is alive into a
generation the collector no longer scans; objects made later are collected as before.

``return_free_memory``: the C heap's free pages given back to the system after work that
made and freed large buffers (a chart).
"""

from __future__ import annotations

import functools
import gc
import threading
from collections.abc import Callable

_lock = threading.Lock()
_settled: set[str] = set()


def freeze_long_lived(moment: str) -> None:
    """Collect what is garbage now, then freeze what is alive; once per ``moment`` (after
    start-up, after the first chart loaded matplotlib). Cyclic garbage is collected first,
    so only objects that are alive are frozen."""
    with _lock:
        if moment in _settled:
            return
        _settled.add(moment)
        gc.collect()
        gc.freeze()


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``; None where the C library is another (macOS, musl)."""
    import ctypes

    try:
        trim: Callable[[int], int] = ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None
    return trim


def return_free_memory() -> None:
    """Give the free pages in the middle of the C heap back to the system. glibc returns
    only the top of a heap by itself; the buffers a chart is drawn in (megabytes, made and
    freed for each chart) left the bot about 10 MB larger for good after an hour of
    replies. Takes well under a millisecond."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
