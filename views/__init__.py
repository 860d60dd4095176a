"""Formatting only: typed values in, text, charts and documents out.

Nothing here reads the database or knows Telegram (import-linter checks both): a view is
a pure function of the data an answer gathered.
"""
