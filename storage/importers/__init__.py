"""Importers for every kind of file the office has (see README, "Nhập dữ liệu")."""

from storage.importers.base import ImportSettings, Progress
from storage.importers.service import IMPORTERS, KINDS, ImportOutcome, run_import

__all__ = ["IMPORTERS", "KINDS", "ImportOutcome", "ImportSettings", "Progress", "run_import"]
