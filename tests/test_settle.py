"""Long-lived objects kept out of the cyclic garbage collector's scans (core.settle)."""

from __future__ import annotations


def test_freezing_long_lived_objects_collects_garbage_first_and_happens_once() -> None:
    import gc
    import weakref

    from core.settle import freeze_long_lived

    class Node:
        other: object = None

    garbage = Node()
    garbage.other = Node()
    garbage.other.other = garbage  # a cycle only the collector frees
    gone = weakref.ref(garbage)
    kept = Node()
    del garbage
    frozen = gc.get_freeze_count()
    freeze_long_lived("test: first")
    assert gone() is None  # collected, not frozen forever
    assert gc.get_freeze_count() > frozen  # what is alive (``kept``) is frozen
    assert kept is not None
    again = gc.get_freeze_count()
    freeze_long_lived("test: first")
    assert gc.get_freeze_count() == again  # once per moment
