"""Damaged and hostile spreadsheets, built byte for byte: each, read in the bot's own process,
took it down (an abort, gigabytes of memory, a loop) before files were read in a child."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from xml.sax.saxutils import escape

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
    'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)
_SHEET = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    "<sheetData>{}</sheetData></worksheet>"
)
_SHARED = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
    'uniqueCount="1"><si><t>{}</t></si></sst>'
)
_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:'
    'tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" '
    'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)


def xlsx(rows_xml: str, shared: str = "") -> bytes:
    """A minimal .xlsx whose one sheet ("S") holds ``rows_xml`` (``<row>`` elements)."""
    return _workbook(
        {
            "xl/worksheets/sheet1.xml": _SHEET.format(rows_xml),
            "xl/sharedStrings.xml": _SHARED.format(shared),
        }
    )


def _workbook(sheets: dict[str, str]) -> bytes:
    """The parts every .xlsx has, and ``sheets`` (member name: XML)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        for name, xml in sheets.items():
            archive.writestr(name, xml)
    return out.getvalue()


def ods(table_xml: str) -> bytes:
    """A minimal .ods whose one table ("S") holds ``table_xml`` (``<table:table-row>``s)."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="S">{table_xml}'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet"
        )
        archive.writestr("content.xml", content)
        archive.writestr("META-INF/manifest.xml", _MANIFEST)
    return out.getvalue()


def far_cell_xlsx() -> bytes:
    """A1 and XFD1048576: the reader's dense range is 2^50 cells (512 GB); 1.5 KB."""
    return xlsx(
        '<row r="1"><c r="A1"><v>1</v></c></row>'
        '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    )


def sparse_ods() -> bytes:
    """999,999 repeated rows of 100 cells: just under the reader's own cap of 10^8 cells, so
    it allocates gigabytes; under 1 KB."""
    return ods(
        '<table:table-row table:number-rows-repeated="999999">'
        '<table:table-cell table:number-columns-repeated="100" office:value-type="string">'
        "<text:p>x</text:p></table:table-cell></table:table-row>"
    )


def wide_ods() -> bytes:
    """One row of 16,384 columns."""
    return ods(
        '<table:table-row><table:table-cell table:number-columns-repeated="16384" '
        'office:value-type="float" office:value="1"/></table:table-row>'
    )


def shared_string_xlsx(megabytes: int = 30, cells: int = 200) -> bytes:
    """One shared string of ``megabytes`` MB used by ``cells`` cells: each cell a copy."""
    rows = "".join(
        f'<row r="{n}"><c r="A{n}" t="s"><v>0</v></c></row>' for n in range(1, cells + 1)
    )
    return xlsx(rows, shared="x" * (megabytes * 1024 * 1024))


def long_cell_xlsx(characters: int = 100_000) -> bytes:
    """A code of ``characters`` characters in B2 (Excel itself holds at most 32,767)."""
    return xlsx(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Mã</t></is></c></row>'
        f'<row r="2"><c r="B2" t="inlineStr"><is><t>{"9" * characters}</t></is></c></row>'
    )


def whitespace_xlsx(megabytes: int = 1536) -> bytes:
    """An .xlsx whose sheet is ``megabytes`` MB of whitespace after its opening tags, in about
    5 KB of zip per MB. Written by hand: a megabyte of spaces deflated once, that block
    repeated (each ends with a full flush, so none refers to another)."""
    head = _SHEET.split("{}")[0].encode()
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    spaces = b" " * (1 << 20)
    block = compressor.compress(spaces) + compressor.flush(zlib.Z_FULL_FLUSH)
    first = compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)
    body = first + block * megabytes + compressor.flush()
    crc = zlib.crc32(head)
    for _ in range(megabytes):
        crc = zlib.crc32(spaces, crc)
    size = len(head) + megabytes * len(spaces)
    return _append_member(_workbook({}), "xl/worksheets/sheet1.xml", body, crc, size)


def _append_member(archive: bytes, name: str, deflated: bytes, crc: int, size: int) -> bytes:
    """``archive`` with one more member, already deflated (zipfile compresses everything it
    writes itself, which for a gigabyte takes seconds)."""
    end = archive.rindex(b"PK\x05\x06")
    (_, _, _, count, _, _, directory_offset, _) = struct.unpack("<4s4H2LH", archive[end : end + 22])
    entries, directory = archive[:directory_offset], archive[directory_offset:end]
    encoded = name.encode()
    local = struct.pack(
        "<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(deflated), size, len(encoded), 0
    )
    central = struct.pack(
        "<4s6H3L5H2L",
        b"PK\x01\x02",
        20,
        20,
        0,
        8,
        0,
        0,
        crc,
        len(deflated),
        size,
        len(encoded),
        0,
        0,
        0,
        0,
        0,
        len(entries),
    )
    entries += local + encoded + deflated
    directory += central + encoded
    tail = struct.pack(
        "<4s4H2LH", b"PK\x05\x06", 0, 0, count + 1, count + 1, len(directory), len(entries), 0
    )
    return entries + directory + tail


def _text(value: str) -> str:
    return escape(value, {'"': "&quot;"})


def xlsx_from_rows(rows: list[list[str]]) -> bytes:
    """An .xlsx holding ``rows`` as written: numbers as numbers, the rest as text."""
    xml = []
    for r, row in enumerate(rows, 1):
        cells = []
        for value in row:
            try:
                cells.append(f"<c><v>{float(value)!r}</v></c>" if value.strip() else "<c/>")
            except ValueError:
                cells.append(f'<c t="inlineStr"><is><t>{_text(value)}</t></is></c>')
        xml.append(f'<row r="{r}">{"".join(cells)}</row>')
    return xlsx("".join(xml))


def ods_from_rows(rows: list[list[str]]) -> bytes:
    """An .ods holding ``rows``, every cell as text (as LibreOffice keeps typed-in codes)."""
    return ods(
        "".join(
            "<table:table-row>"
            + "".join(
                '<table:table-cell office:value-type="string">'
                f"<text:p>{_text(value)}</text:p></table:table-cell>"
                for value in row
            )
            + "</table:table-row>"
            for row in rows
        )
    )
