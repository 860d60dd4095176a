"""Keeping what lives as long as the process out of the cyclic garbage collector's scans.

A full collection walks every tracked object. The libraries loaded at start (and matplotlib,
loaded by the first chart) are half a million objects that are never garbage; a reply that
builds a table of thousands of units triggers full collections, and at the nation tier a
third of `/top`'s time went into walking them. ``gc.freeze`` moves what is alive into a
generation the collector no longer scans; objects made later are collected as before.
"""

from __future__ import annotations

import gc
import threading

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
