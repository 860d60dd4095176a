"""Long-lived objects kept out of the cyclic garbage collector's scans (core.settle)."""

from __future__ import annotations

import platform

import pytest


def test_freezing_long_lived_objects_collects_garbage_first_and_happens_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import gc
    import weakref

    from core.settle import freeze_long_lived

    class Node:
        other: object = None

    # Counted here rather than by gc.get_freeze_count(), which any thread of the test
    # process (a chart drawn for the first time elsewhere) may change meanwhile.
    frozen: list[bool] = []
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(gone() is None))
    garbage = Node()
    garbage.other = Node()
    garbage.other.other = garbage  # a cycle only the collector frees
    gone = weakref.ref(garbage)
    del garbage
    freeze_long_lived("test: once")
    assert frozen == [True]  # frozen once, after the cycle was collected
    freeze_long_lived("test: once")
    assert frozen == [True]  # once per moment
    freeze_long_lived("test: another moment")
    assert frozen == [True, True]


def _resident_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * 4096 / 1024 / 1024


@pytest.mark.skipif(
    platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
    reason="malloc_trim is glibc's (the bot's servers run Linux with glibc)",
)
def test_free_memory_in_the_middle_of_the_heap_goes_back_to_the_system() -> None:
    from core.settle import return_free_memory

    # 160 MB in 64 KB blocks, three of every four freed: the holes stay resident until
    # trimmed (the last block kept pins the heap's top).
    blocks = [bytearray(64 * 1024) for _ in range(2560)]
    for block in blocks:
        block[::4096] = b"x" * len(block[::4096])  # touch every page
    kept = blocks[::4]
    del blocks
    before = _resident_mb()
    return_free_memory()
    after = _resident_mb()
    assert before - after > 60, (before, after)
    assert len(kept) == 640
