"""Importers for every kind of file the office has (see README, "Nhập dữ liệu")."""

from storage.importers.base import DEFAULT_OPTIONS, ImportOptions, ImportSettings, Progress
from storage.importers.service import IMPORTERS, KINDS, ImportOutcome, run_import

__all__ = [
    "DEFAULT_OPTIONS",
    "IMPORTERS",
    "KINDS",
    "ImportOptions",
    "ImportOutcome",
    "ImportSettings",
    "Progress",
    "run_import",
]
