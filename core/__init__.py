"""Pure helpers that import nothing of the project: typed config, the clock, text folding,
parsing of cells, Vietnamese formatting, working days and the ``Reply`` value.

The bottom layer: ``storage``, ``handlers``, ``jobs`` and ``bot`` import from here, never the
other way round (``make lint`` checks it).
"""
