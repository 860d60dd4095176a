"""What every importer shares: problems with their position, header detection, context."""

from __future__ import annotations

import logging
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy.orm import Session

from core.clock import Clock
from core.parsing import ValueProblem, checked_text, is_blank, parse_date, shown
from core.spreadsheets import column_letter
from core.textnorm import clean_cell_text, header_key
from core.vnformat import fmt_date
from core.workdays import WorkCalendar
from storage.catalogue import Catalogue
from storage.importers.reader import DEFAULT_LIMITS, ReadLimits, Sheet
from storage.models import ImportFile, Unit, UnitAlias
from storage.units import (
    UnitLookup,
    describe_match_failure,
    guess_kind,
    unit_keys,
)

Progress = Callable[[str, int, int | None], None]

#: The error for a row whose unit cell is blank.
MISSING_UNIT = "thiếu tên đơn vị"


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a warning) in a file, with where it is."""

    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None

    def describe(self) -> str:
        where = []
        if self.sheet is not None:
            where.append(f"sheet «{self.sheet}»")
        if self.row is not None:
            where.append(f"dòng {self.row}")
        if self.column is not None:
            where.append(f"cột {self.column}")
        return (", ".join(where) + ": " if where else "") + self.message


@dataclass
class ProblemLog:
    """Errors (nothing is stored) and warnings (stored, but worth reading)."""

    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def error(
        self,
        message: str,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.errors.append(Problem(message, sheet, row, column))

    def warn(
        self,
        message: str,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.warnings.append(Problem(message, sheet, row, column))


@dataclass(frozen=True)
class Column:
    """A field an importer reads, with the header spellings it accepts (as header keys)."""

    name: str
    keys: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = ()
    contains: tuple[str, ...] = ()

    def matches(self, key: str) -> bool:
        return (
            key in self.keys
            or any(key.startswith(p) for p in self.prefixes)
            or any(c in key for c in self.contains)
        )


_DIGIT = re.compile(r"[0-9]")


@dataclass
class Header:
    """Where a sheet's header is and which column holds which field."""

    sheet: Sheet
    last_row: int  # 0-based index of the (last) header row
    labels: list[str]
    keys: list[str]
    fields: dict[str, int]
    #: Rows under the table that are a note, not data (row number -> text), skipped.
    footnotes: dict[int, str] = field(default_factory=dict)
    _data_rows: list[tuple[int, list[object]]] | None = field(default=None, repr=False)
    _positions: dict[str, str] = field(default_factory=dict, repr=False)

    def _is_footnote(self, row: Sequence[object], filled: list[object]) -> bool:
        if len(filled) != 1 or not isinstance(filled[0], str):
            return False
        if not any(ch.isalpha() for ch in filled[0]):
            return False
        return "unit" in self.fields and self.get(row, "unit") is None

    def label(self, index: int) -> str:
        text = self.labels[index] if index < len(self.labels) else ""
        return f"{column_letter(index)} «{text}»" if text else column_letter(index)

    def position(self, name: str) -> str:
        """Where a field's column is, as problems name it; asked for each row, made once."""
        found = self._positions.get(name)
        if found is None:
            found = self._positions[name] = self.label(self.fields[name])
        return found

    def get(self, row: Sequence[object], name: str) -> object:
        index = self.fields.get(name)
        if index is None or index >= len(row):
            return None
        return row[index]

    def data_rows(self) -> list[tuple[int, list[object]]]:
        """(spreadsheet row number, cells) of every non-empty row under the header (found
        once; the importer and the row count read them).

        A repeat of the header (a table pasted across a page break) is skipped, and so is a
        footnote under a pasted table (one cell of text, no unit), noted in ``footnotes``.
        """
        if self._data_rows is None:
            self._data_rows = list(self._find_data_rows())
        return self._data_rows

    def _find_data_rows(self) -> Iterator[tuple[int, list[object]]]:
        mapped = sorted(self.fields.values())
        expected = [self.keys[i] for i in mapped]
        # A header's key keeps the digits of its text: a cell with a digit cannot repeat a
        # header label without one (a code, a date), whatever its other characters.
        digits = [bool(_DIGIT.search(key)) for key in expected]
        for index in range(self.last_row + 1, len(self.sheet.rows)):
            row = self.sheet.rows[index]
            filled = [c for c in row if c is not None]  # a sheet's empty cell is None
            if not filled:
                continue
            if self._is_footnote(row, filled):
                self.footnotes[index + 1] = clean_cell_text(filled[0])
                continue
            # A repeated header holds the header's text in every mapped column; a number or
            # a date in any of them is data (checked before folding any text).
            if all(
                isinstance(row[i], str) and (has_digit or not _DIGIT.search(str(row[i])))
                for i, has_digit in zip(mapped, digits, strict=True)
                if i < len(row)
            ):
                keys = [
                    header_key(row[i]) if i < len(row) and not is_blank(row[i]) else ""
                    for i in mapped
                ]
                if keys == expected:
                    continue
            yield index + 1, row


def _map_fields(keys: list[str], columns: Sequence[Column]) -> dict[str, int]:
    mapped: dict[str, int] = {}
    for column in columns:
        for index, key in enumerate(keys):
            if key and index not in mapped.values() and column.matches(key):
                mapped[column.name] = index
                break
    return mapped


def _header_variants(rows: list[list[object]], index: int) -> Iterator[tuple[int, list[str]]]:
    row = rows[index]
    labels = [clean_cell_text(c) if not is_blank(c) else "" for c in row]
    yield index, labels
    if index + 1 < len(rows):
        below = rows[index + 1]
        width = max(len(row), len(below))
        merged = []
        for col in range(width):
            top = labels[col] if col < len(labels) else ""
            sub = below[col] if col < len(below) else None
            sub_text = clean_cell_text(sub) if not is_blank(sub) else ""
            merged.append(sub_text or top)
        yield index + 1, merged


def find_header(
    sheet: Sheet,
    columns: Sequence[Column],
    required: set[str],
    accept: Callable[[list[str], list[str], dict[str, int]], int | None] | None = None,
    scan_rows: int = 20,
) -> tuple[int, Header] | None:
    """The best header row (single or two merged rows) holding the required fields.

    ``accept`` may add to the score or veto (None) a candidate.
    """
    best: tuple[int, Header] | None = None
    for index in range(min(scan_rows, len(sheet.rows))):
        for last_row, labels in _header_variants(sheet.rows, index):
            keys = [header_key(label) for label in labels]
            fields = _map_fields(keys, columns)
            if not required <= fields.keys():
                continue
            score = len(fields) * 10
            if accept is not None:
                extra = accept(labels, keys, fields)
                if extra is None:
                    continue
                score += extra
            if best is None or score > best[0]:
                best = (score, Header(sheet, last_row, labels, keys, fields))
    return best


@dataclass
class PendingUnit:
    """A unit named in the file that does not exist yet (only with --create-units)."""

    name: str
    unit_id: int | None = None


UnitRef = int | PendingUnit


@dataclass(frozen=True)
class ImportSettings:
    """What importers take from the configuration (and nothing else of it)."""

    #: Source of scores and of per-unit overdue counts when a file names none.
    score_source: str = "DVCQG"
    count_source: str = "DVC_TINH"
    progress_every: int = 5000
    #: The office's province: seed 001's province table is about this unit.
    province: str = "UBND tỉnh Bình Phước"
    #: The province's decision is due N working days before the ministry's act takes effect.
    working_days_before_effect: int = 5
    #: A snapshot date this many days from today and from every other date of its source is
    #: refused unless --as-of confirms it.
    far_days: int = 366
    #: Sources whose dossier files are complete lists of open dossiers unless said otherwise.
    complete_sources: tuple[str, ...] = ()
    #: How much reading one file may take.
    read_limits: ReadLimits = DEFAULT_LIMITS


@dataclass(frozen=True)
class ImportOptions:
    """What the person importing a file says about it (``tthc-bot import`` options)."""

    #: The kind of data; detected from the headers when None.
    kind: str | None = None
    #: The date of the data when the file has no date column; confirms a far date.
    as_of: date | None = None
    #: Where the data comes from when the file has no source column.
    source: str | None = None
    #: Check everything, store nothing.
    dry_run: bool = False
    #: Create the units the file names that the registry does not know.
    create_units: bool = False
    #: Every snapshot date of the file is known to be right (the shipped demo data).
    dates_confirmed: bool = False
    #: A complete list (open dossiers, overdue counts); None: per ``complete_sources``.
    complete: bool | None = None


#: No option given: detect everything from the file.
DEFAULT_OPTIONS = ImportOptions()


@dataclass
class ImportContext:
    """Everything an importer needs while it reads one file."""

    session: Session
    settings: ImportSettings
    clock: Clock
    calendar: WorkCalendar
    file_name: str
    as_of: date | None = None
    source: str | None = None
    create_units: bool = False
    #: Every snapshot date of the file is known to be right (the shipped demo data).
    dates_confirmed: bool = False
    #: A dossier file is the complete list of open dossiers at its date (``--complete``).
    complete: bool = False
    problems: ProblemLog = field(default_factory=ProblemLog)
    progress: Progress | None = None
    _catalogue: Catalogue | None = None
    #: Names looked up, on any date: (the unit or why there is none, whether the name fits
    #: several units and the date chooses) ...
    _units: dict[tuple[str, frozenset[str] | None], tuple[UnitRef | str, bool]] = field(
        default_factory=dict
    )
    #: ... and, for those, per date.
    _units_on: dict[tuple[str, date, frozenset[str] | None], UnitRef | str] = field(
        default_factory=dict
    )
    _pending: dict[str, PendingUnit] = field(default_factory=dict)
    #: Units found, with their validity, and those already warned about being out of it.
    _validity: dict[int, tuple[str, date | None, date | None, str | None]] = field(
        default_factory=dict
    )
    _out_of_validity_warned: set[int] = field(default_factory=set)
    _unit_lookup: UnitLookup | None = None

    @property
    def catalogue(self) -> Catalogue:
        if self._catalogue is None:
            self._catalogue = Catalogue.load(self.session)
        return self._catalogue

    @property
    def unit_lookup(self) -> UnitLookup:
        """Unit matching for this import only: a name (folded) is matched, and a name not
        found compared with the registry, once, however many rows write it. Ask it while
        reading the file, before anything is stored."""
        if self._unit_lookup is None:
            self._unit_lookup = UnitLookup(self.session)
        return self._unit_lookup

    def now(self) -> datetime:
        return self.clock.now()

    def resolve_unit(
        self,
        text: object,
        *,
        sheet: str,
        row: int,
        column: str,
        on: date | None = None,
        kinds: frozenset[str] | None = None,
    ) -> UnitRef | None:
        """The unit a cell names, or None after logging why. Looked up once per distinct
        name; per date only for a name that fits several units (the date picks the one that
        existed then)."""
        if is_blank(text):
            self.problems.error(MISSING_UNIT, sheet, row, column)
            return None
        name = clean_cell_text(text)
        if (name, kinds) not in self._units:
            self._units[(name, kinds)] = self._lookup_unit(name, None, kinds)
        found, dated = self._units[(name, kinds)]
        if dated and on is not None:
            if (name, on, kinds) not in self._units_on:
                self._units_on[(name, on, kinds)] = self._lookup_unit(name, on, kinds)[0]
            found = self._units_on[(name, on, kinds)]
        if isinstance(found, str):
            self.problems.error(found, sheet, row, column)
            return None
        if isinstance(found, int) and on is not None:
            self._check_validity(found, on, sheet, row, column)
        return found

    def _check_validity(self, unit_id: int, on: date, sheet: str, row: int, column: str) -> None:
        """Data for a unit after its end (a merger, the 2025 reorganisation) or before it
        began is kept, with one warning per unit naming the date."""
        name, valid_from, valid_to, successor = self._validity[unit_id]
        if unit_id in self._out_of_validity_warned:
            return
        if valid_to is not None and on > valid_to:
            why = f"đơn vị «{name}» đã hết hiệu lực từ sau ngày {fmt_date(valid_to)}"
            if successor is not None:
                why += f" (đã sáp nhập vào «{successor}»)"
        elif valid_from is not None and on < valid_from:
            why = f"đơn vị «{name}» chỉ có hiệu lực từ ngày {fmt_date(valid_from)}"
        else:
            return
        self._out_of_validity_warned.add(unit_id)
        self.problems.warn(
            f"{why} nhưng có số liệu ngày {fmt_date(on)}; số liệu vẫn được lưu, hãy kiểm tra "
            "lại (sáp nhập, sắp xếp đơn vị hành chính)",
            sheet,
            row,
            column,
        )

    def row_unit(
        self,
        header: Header,
        row: Sequence[object],
        row_no: int,
        field_name: str = "unit",
        on: date | None = None,
        kinds: frozenset[str] | None = None,
    ) -> UnitRef | None:
        """The unit named in a row's unit column (see :meth:`resolve_unit`)."""
        return self.resolve_unit(
            header.get(row, field_name),
            sheet=header.sheet.name,
            row=row_no,
            column=header.position(field_name),
            on=on,
            kinds=kinds,
        )

    def unit_of(
        self,
        row: Row,
        name: str = "unit",
        on: date | None = None,
        kinds: frozenset[str] | None = None,
    ) -> UnitRef | None:
        """The unit a declared row's field names (a blank one was reported already)."""
        if row[name] is None:
            return None
        return self.resolve_unit(
            row[name],
            sheet=row.sheet,
            row=row.number,
            column=row.position(name),
            on=on,
            kinds=kinds,
        )

    def _lookup_unit(
        self, name: str, on: date | None, kinds: frozenset[str] | None
    ) -> tuple[UnitRef | str, bool]:
        """The unit, or the Vietnamese reason there is none; and whether the name fits
        several units (so that a date may choose among them)."""
        facts = self.unit_lookup.exact.only(name, kinds)
        if facts is not None:
            self._validity[facts.id] = (
                facts.name,
                facts.valid_from,
                facts.valid_to,
                facts.successor,
            )
            return facts.id, False
        match = self.unit_lookup.find(name, on=on, kinds=kinds)
        if match.unit is not None:
            unit = match.unit
            self._validity[unit.id] = (
                unit.name,
                unit.valid_from,
                unit.valid_to,
                unit.successor.name if unit.successor is not None else None,
            )
            return unit.id, False
        if self.create_units and not match.ambiguous:
            key = unit_keys(name)[0]
            return self._pending.setdefault(key, PendingUnit(name)), False
        return describe_match_failure(match), match.ambiguous

    def unit_id(self, ref: UnitRef) -> int:
        """The id of a resolved unit, creating a pending one (store phase only)."""
        if isinstance(ref, int):
            return ref
        if ref.unit_id is None:
            name_key, core = unit_keys(ref.name)
            unit = Unit(
                name=ref.name,
                name_key=name_key,
                core_key=core,
                kind=guess_kind(ref.name).value,
                created_at=self.now(),
            )
            self.session.add(unit)
            self.session.flush()
            ref.unit_id = unit.id
        return ref.unit_id

    @property
    def created_unit_names(self) -> list[str]:
        return [p.name for p in self._pending.values() if p.unit_id is not None]

    def has_dates(self, header: Header) -> bool:
        """A sheet needs an "as of" column or --as-of; log an error when it has neither."""
        if "as_of" in header.fields or self.as_of is not None:
            return True
        self.problems.error(
            "không có cột ngày số liệu; hãy thêm cột «Ngày» hoặc dùng --as-of DD/MM/YYYY",
            header.sheet.name,
        )
        return False

    def date_of(self, row: Row) -> date | None:
        """A declared row's date (its "as of" cell, else --as-of); None after reporting it."""
        as_of: date | None = row["as_of"] or self.as_of
        if as_of is None and row.has("as_of") and row.ok:
            row.error(self, "thiếu ngày số liệu", "as_of")
        return as_of

    def row_as_of(self, header: Header, row: Sequence[object], row_no: int) -> date | None:
        """The row's date (its "as of" cell, else --as-of); None after logging why not."""
        if "as_of" not in header.fields:
            return self.as_of
        ok, parsed = self.row_cell(parse_date, header, row, row_no, "as_of")
        if not ok:
            return None
        as_of: date | None = parsed or self.as_of
        if as_of is None:
            self.problems.error(
                "thiếu ngày số liệu", header.sheet.name, row_no, header.position("as_of")
            )
        return as_of

    def row_cell(
        self,
        parse: Callable[[object], Any],
        header: Header,
        row: Sequence[object],
        row_no: int,
        name: str,
    ) -> tuple[bool, Any]:
        """Parse a row's cell of field ``name`` (see :meth:`cell_value`); an absent column
        reads as an empty cell."""
        column = header.position(name) if name in header.fields else name
        return self.cell_value(
            parse, header.get(row, name), sheet=header.sheet.name, row=row_no, column=column
        )

    def cell_value(
        self,
        parse: Callable[[object], Any],
        cell: object,
        *,
        sheet: str,
        row: int,
        column: str,
    ) -> tuple[bool, Any]:
        """Parse one cell; on failure log the error and return (False, None)."""
        try:
            return True, parse(cell)
        except ValueProblem as exc:
            self.problems.error(str(exc), sheet, row, column)
            return False, None


@dataclass
class Detected:
    """A sheet an importer recognised, with what it needs to read it."""

    importer: Importer[Any]
    header: Header
    score: int
    layout: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")


def optional_text(cell: object) -> str | None:
    """A text cell as one clean line; blank is None."""
    return None if is_blank(cell) else checked_text(cell)


def required_text(cell: object) -> str:
    """A text cell that must hold something (declare the field ``required``)."""
    return checked_text(cell)


#: Distinct texts whose parsed value a field keeps while a sheet is read (a column of
#: unique codes stops growing there).
PARSED_TEXTS = 10_000
_UNPARSED = object()


@dataclass(frozen=True)
class Field(Generic[T]):
    """A column an importer reads: the header spellings it accepts and how its cells parse.

    ``parse`` raises :class:`~core.parsing.ValueProblem` with a Vietnamese message; a
    ``required`` field's blank cell is an error with that message. It is a pure function of
    the cell and its value is immutable (a text's value is reused for the same text)."""

    column: Column
    parse: Callable[[object], T]
    required: str | None = None

    @property
    def name(self) -> str:
        return self.column.name


@dataclass
class Row:
    """One data row under the header with its declared fields parsed (blank optional cells
    and absent columns read as None)."""

    header: Header
    number: int
    cells: list[object]
    values: dict[str, Any]
    #: False once anything on the row was reported as an error (its record is not kept).
    ok: bool = True

    @property
    def sheet(self) -> str:
        return self.header.sheet.name

    def __getitem__(self, name: str) -> Any:
        return self.values.get(name)

    def has(self, name: str) -> bool:
        """Whether the sheet has this column at all."""
        return name in self.header.fields

    def position(self, name: str) -> str:
        return self.header.position(name)

    def error(self, ctx: ImportContext, message: str, name: str | None = None) -> None:
        """An error on this row (at the named field's column): the row is not stored."""
        column = self.position(name) if name is not None and self.has(name) else None
        ctx.problems.error(message, self.sheet, self.number, column)
        self.ok = False

    def warn(self, ctx: ImportContext, message: str, name: str | None = None) -> None:
        column = self.position(name) if name is not None and self.has(name) else None
        ctx.problems.warn(message, self.sheet, self.number, column)


class Importer(ABC, Generic[R]):
    """One kind of import file, read into records of type ``R``.

    Column-per-field layouts declare ``fields`` (with ``required`` naming those a header
    must have) and implement :meth:`record`; the one loop of :meth:`rows` reads every row,
    parses each declared cell and reports every problem with sheet, row and column.
    Layouts whose columns are not fields (dates as columns) override :meth:`parse`."""

    kind: ClassVar[str]
    label: ClassVar[str]
    fields: ClassVar[tuple[Field[Any], ...]] = ()
    required: ClassVar[frozenset[str]] = frozenset()

    def detect(self, sheet: Sheet, ctx: ImportContext) -> Detected | None:
        """Recognise the sheet's header (the declared fields, the required ones present)."""
        found = find_header(sheet, [f.column for f in self.fields], set(self.required))
        return Detected(self, found[1], found[0]) if found else None

    def rows(self, detected: Detected, ctx: ImportContext) -> Iterator[Row]:
        """Every data row with its declared cells parsed; a cell that does not parse is
        reported with its column, reads as None and marks the row not ``ok``."""
        header = detected.header
        # A text repeats down a column (a unit, a date, a status): each field's parser reads
        # each distinct text once. Parsers are pure and their values immutable; a failure is
        # not kept, so that every row with it is reported.
        present: list[tuple[str, int, Callable[[object], Any], str | None, dict[str, Any]]] = [
            (f.name, header.fields[f.name], f.parse, f.required, {})
            for f in self.fields
            if f.name in header.fields
        ]
        for number, cells in header.data_rows():
            width = len(cells)
            values: dict[str, Any] = {}
            row = Row(header, number, cells, values)
            for name, index, parse, required, parsed in present:
                cell = cells[index] if index < width else None
                values[name] = None
                if cell is None:  # a sheet's empty cell (see Sheet)
                    if required is not None:
                        row.error(ctx, required, name)
                    continue
                if type(cell) is str:
                    value = parsed.get(cell, _UNPARSED)
                    if value is not _UNPARSED:
                        values[name] = value
                        continue
                try:
                    values[name] = value = parse(cell)
                    if type(cell) is str and len(parsed) < PARSED_TEXTS:
                        parsed[cell] = value
                except ValueProblem as exc:
                    row.error(ctx, str(exc), name)
                except (ValueError, ArithmeticError):  # a parser's own fault on a strange cell
                    log.exception("parsing a %s cell failed", name)
                    row.error(ctx, f"«{shown(cell)}» không đọc được", name)
            yield row

    def parse(self, detected: Detected, ctx: ImportContext) -> list[R]:
        """Read and validate every row; problems go to ``ctx.problems``."""
        return self.read(detected, ctx)

    def read(
        self,
        detected: Detected,
        ctx: ImportContext,
        check: Callable[[Row, R], None] | None = None,
    ) -> list[R]:
        """Every row's record in row order: duplicates of :meth:`key` refused, ``check``
        (checks across rows, in order) applied; only records of rows still ``ok`` kept."""
        records: list[R] = []
        seen: dict[Hashable, int] = {}
        for row in self.rows(detected, ctx):
            key = self.key(row)
            if key is not None:
                if key in seen:
                    row.error(ctx, self.duplicate(row, seen[key]), self.key_field)
                    continue
                seen[key] = row.number
            record = self.record(row, ctx)  # may report more of the row's problems
            if record is not None and check is not None:
                check(row, record)
            if record is None or not row.ok:
                continue
            records.append(record)
            if ctx.progress and len(records) % ctx.settings.progress_every == 0:
                ctx.progress("kiểm tra", len(records), None)
        return records

    def record(self, row: Row, ctx: ImportContext) -> R | None:
        """One row's record, or None after reporting why not (checks across its cells).

        Called for rows with bad cells too (those read as None), so that every problem of a
        row is reported at once; only records of rows still ``ok`` are kept."""
        raise NotImplementedError(f"{type(self).__name__} reads rows in its own parse()")

    #: The field a duplicate is reported at.
    key_field: ClassVar[str | None] = None

    def key(self, row: Row) -> Hashable | None:
        """What must be unique within a file (None: anything goes)."""
        return None

    def duplicate(self, row: Row, first_row: int) -> str:
        """How a second row with the same key is reported."""
        return f"trùng với dòng {first_row}"

    @abstractmethod
    def store(self, records: list[R], ctx: ImportContext, import_file: ImportFile) -> list[str]:
        """Write the records (inside the caller's transaction); return summary lines."""


def add_unit_alias(session: Session, unit: Unit, alias: str) -> bool:
    """Attach an alias unless it already names this unit; False when it names another one."""
    alias_key, core = unit_keys(alias)
    if alias_key == unit.name_key:
        return True
    existing = session.query(UnitAlias).filter_by(alias_key=alias_key).one_or_none()
    if existing is not None:
        return existing.unit_id == unit.id
    clash = session.query(Unit).filter_by(name_key=alias_key).one_or_none()
    if clash is not None and clash.id != unit.id:
        return False
    unit.aliases.append(UnitAlias(alias=alias, alias_key=alias_key, core_key=core))
    return True
