"""A :class:`~app.answers.notice.Notice` as a Word document in the layout of the office's
notices (seed 001): Times New Roman 14 pt (13 pt in tables), A4 with the margins Vietnamese
administrative documents use (Nghị định 30/2020: top and bottom 2 cm, left 3 cm, right 2 cm),
the two-column header, real tables with repeated header rows, blanks for what people fill in.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

from core.vnformat import fmt_change, fmt_date, fmt_number, fmt_rank, fmt_rank_move
from views.notice import NO_DATA, IndicatorRow, Notice, UnitTable

FONT = "Times New Roman"
BODY_PT = 14
TABLE_PT = 13
#: The header block's lines (the name of the office, the national motto).
HEADER_PT = 12
#: What the office writes itself, marked so that it is not sent as it is.
TO_WRITE = "[Văn phòng bổ sung nội dung]"


def render_notice(notice: Notice) -> bytes:
    """The .docx file's bytes."""
    document = Document()
    _page_and_font(document)
    _header(document, notice)
    _title(document, notice)
    _para(
        document,
        "Căn cứ Quyết định số 766/QĐ-TTg ngày 23/6/2022 của Thủ tướng Chính phủ phê duyệt "
        "Bộ chỉ số chỉ đạo, điều hành và đánh giá chất lượng phục vụ người dân, doanh nghiệp "
        "trong thực hiện TTHC, cung cấp Dịch vụ công.",
        indent=True,
    )
    _para(
        document,
        "Qua tổng hợp, thống kê các dữ liệu của Bộ chỉ số trên Cổng dịch vụ công quốc gia "
        "(https://quantri.dichvucong.gov.vn) và Hệ thống thông tin giải quyết TTHC tỉnh, "
        "Văn phòng UBND tỉnh thông báo như sau:",
        indent=True,
    )
    _para(document, "I. Kết quả triển khai", bold=True, indent=True)
    _para(document, f"1. Về chỉ số 766 của tỉnh {notice.province}", bold=True, indent=True)
    _rank_and_indicators(document, notice)
    _overdue(document, notice)
    for number, table in enumerate(notice.tables, start=2):
        _para(
            document,
            f"{number}. Kết quả thực hiện Bộ chỉ số 766 tại {table.title}",
            bold=True,
            indent=True,
        )
        _unit_table(document, table)
    _tasks(document, notice, len(notice.tables) + 2)
    _para(document, "II. Tồn tại, hạn chế:", bold=True, indent=True)
    _para(document, TO_WRITE, italic=True, indent=True)
    _para(document, "III. Kiến nghị:", bold=True, indent=True)
    _para(document, TO_WRITE, italic=True, indent=True)
    _para(
        document,
        "Văn phòng UBND tỉnh thông báo về kết quả thực hiện nhiệm vụ kiểm soát TTHC, Bộ chỉ số "
        f"766 {notice.period_title} trên địa bàn tỉnh để các đơn vị, địa phương được biết và "
        "thực hiện./.",
        indent=True,
    )
    _signature(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _page_and_font(document: object) -> None:
    doc = document  # python-docx's Document type is a function's return, not importable
    for section in doc.sections:  # type: ignore[attr-defined]
        section.page_height, section.page_width = Cm(29.7), Cm(21)
        section.top_margin = section.bottom_margin = Cm(2)
        section.left_margin, section.right_margin = Cm(3), Cm(2)
    style = doc.styles["Normal"]  # type: ignore[attr-defined]
    style.font.name = FONT
    style.font.size = Pt(BODY_PT)
    # East Asian and complex scripts too, or Word falls back to another font for "ư", "ơ"
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), FONT)
    style.paragraph_format.space_after = Pt(6)
    style.paragraph_format.line_spacing = 1.15


def _para(
    document: object,
    text: str = "",
    *,
    bold: bool = False,
    italic: bool = False,
    indent: bool = False,
    center: bool = False,
    size: int | None = None,
) -> Paragraph:
    paragraph: Paragraph = document.add_paragraph()  # type: ignore[attr-defined]
    if text:
        run = paragraph.add_run(text)
        run.bold, run.italic = bold or None, italic or None
        if size is not None:
            run.font.size = Pt(size)
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    else:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        if indent:
            paragraph.paragraph_format.first_line_indent = Cm(1)
    return paragraph


def _cell_text(
    cell: object,
    text: str,
    *,
    bold: bool = False,
    center: bool = False,
    italic: bool = False,
    size: int = TABLE_PT,
) -> None:
    paragraph = cell.paragraphs[0]  # type: ignore[attr-defined]
    paragraph.paragraph_format.space_after = Pt(0)
    for number, line in enumerate(text.split("\n")):
        if number:
            paragraph = cell.add_paragraph()  # type: ignore[attr-defined]
            paragraph.paragraph_format.space_after = Pt(0)
        run = paragraph.add_run(line)
        run.bold, run.italic = bold or None, italic or None
        run.font.size = Pt(size)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER if center else WD_ALIGN_PARAGRAPH.LEFT


def _header(document: object, notice: Notice) -> None:
    """UBND TỈNH … / VĂN PHÒNG / Số: /TB-VPUBND beside the national motto, place and date."""
    table = document.add_table(rows=3, cols=2)  # type: ignore[attr-defined]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    left = (f"UBND TỈNH {notice.province.upper()}", "VĂN PHÒNG", "Số:        /TB-VPUBND")
    right = (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        f"{notice.province}, ngày      tháng      năm {notice.as_of.year}",
    )
    for row, (one, two) in enumerate(zip(left, right, strict=True)):
        _cell_text(table.cell(row, 0), one, bold=row < 2, center=True, size=BODY_PT - 1)
        _cell_text(
            table.cell(row, 1), two, bold=row < 2, center=True, italic=row == 2, size=BODY_PT - 1
        )
    _widths(table, [6.2, 9.8])


def _title(document: object, notice: Notice) -> None:
    _para(document)
    _para(document, "THÔNG BÁO", bold=True, center=True)
    _para(
        document,
        "Về chỉ số chỉ đạo, điều hành và đánh giá chất lượng phục vụ người dân, doanh nghiệp "
        f"trong thực hiện TTHC cung cấp Dịch vụ công {notice.period_title}",
        bold=True,
        center=True,
    )


def _table(
    document: object,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths: Sequence[float],
    centered: Sequence[bool],
) -> Table:
    """A real Word table: a bold header row repeated on each page, borders, widths in cm."""
    table: Table = document.add_table(  # type: ignore[attr-defined]
        rows=len(rows) + 1, cols=len(headers)
    )
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for index, header in enumerate(headers):
        _cell_text(table.rows[0].cells[index], header, bold=True, center=True)
    _repeat_header(table)
    for row, values in zip(table.rows[1:], rows, strict=True):
        for index, value in enumerate(values):
            _cell_text(row.cells[index], value, center=centered[index])
    _widths(table, widths)
    return table


def _widths(table: Table, widths: Sequence[float]) -> None:
    """Column widths in cm, in the grid (LibreOffice reads it) and in every cell (Word)."""
    table.autofit = False
    for index, width in enumerate(widths):
        table.columns[index].width = Cm(width)
        for cell in table.columns[index].cells:
            cell.width = Cm(width)


def _repeat_header(table: Table) -> None:
    properties = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _value(value: float | None) -> str:
    return fmt_number(value) if value is not None else NO_DATA


def _dated(value: float | None, day: date | None, column_day: date | None) -> str:
    """A value of another date than its column's says which ("61,02\n(09/04/2025)")."""
    if value is None or day is None or day == column_day:
        return _value(value)
    return f"{_value(value)}\n({fmt_date(day)})"


def _change(value: float | None) -> str:
    return fmt_change(value) if value is not None else "-"


def _rank_and_indicators(document: object, notice: Notice) -> None:
    if notice.rank is not None and notice.rank_as_of is not None:
        text = (
            f"Tính đến hết ngày {fmt_date(notice.rank_as_of)}, kết quả đánh giá Bộ chỉ số "
            f"766, {notice.province} đang xếp hạng {fmt_rank(*notice.rank)} tỉnh, thành phố"
        )
        if notice.rank_before is not None and notice.rank_compared_as_of is not None:
            move = fmt_rank_move(
                notice.rank_before[0], notice.rank[0], notice.rank_before[1], notice.rank[1]
            )
            text += (
                f", {move} so với kết quả đánh giá vào ngày "
                f"{fmt_date(notice.rank_compared_as_of)} "
                f"(xếp hạng {fmt_rank(*notice.rank_before)})"
            )
        _para(document, text + ".", indent=True)
    else:
        _para(document, "Chưa có số liệu xếp hạng của tỉnh đến ngày này.", indent=True)
    if not notice.indicators:
        return
    _para(document, "Cụ thể các chỉ số thể hiện như sau:", indent=True)
    reference = f"Năm {notice.reference_year}" if notice.reference_year else "Năm trước"
    before = f"Ngày\n{fmt_date(notice.compared_as_of)}" if notice.compared_as_of else "Kỳ trước"
    latest = f"Tính đến ngày\n{fmt_date(notice.scores_as_of)}"
    _table(
        document,
        ["TT", "Chỉ số", reference, before, latest, "Điểm tăng; giảm"],
        [
            [
                str(r.number),
                r.name,
                _value(r.reference),
                _dated(r.before, r.before_as_of, notice.compared_as_of),
                _dated(r.latest, r.latest_as_of, notice.scores_as_of),
                _change(r.change),
            ]
            for r in notice.indicators
        ],
        [1.1, 5.0, 1.9, 2.7, 2.7, 2.6],
        [True, False, True, True, True, True],
    )
    compared = fmt_date(notice.compared_as_of) if notice.compared_as_of else "kỳ trước"
    _para(document)
    _para(
        document,
        f"Qua phân tích dữ liệu, so sánh với kết quả ngày {compared}, nhận thấy:",
        indent=True,
    )
    for line in indicator_sentences(notice):
        _para(document, line, indent=True)


def _names(rows: list[IndicatorRow], with_change: bool) -> str:
    if not with_change:
        return "; ".join(r.name for r in rows)
    parts = []
    for r in rows:
        word = "giảm" if (r.change or 0) < 0 else "tăng"
        parts.append(f"{r.name} ({word} {fmt_number(abs(r.change or 0))} điểm)")
    return "; ".join(parts)


def indicator_sentences(notice: Notice) -> list[str]:
    """The counts of falling, rising, unchanged and full indicators, computed from the table."""
    lines = []
    province = notice.province
    if notice.falling:
        lines.append(
            f"- Có {len(notice.falling):02d} chỉ số, {province} đang có điểm giảm gồm: "
            f"{_names(notice.falling, True)}."
        )
    if notice.rising:
        lines.append(
            f"- Có {len(notice.rising):02d} chỉ số có điểm tăng gồm: {_names(notice.rising, True)}."
        )
    if notice.unchanged:
        lines.append(
            f"- Có {len(notice.unchanged):02d} chỉ số không thay đổi gồm: "
            f"{_names(notice.unchanged, False)}."
        )
    if notice.full:
        lines.append(
            f"- Có {len(notice.full):02d} chỉ số đang giữ tỷ lệ đạt 100% gồm: "
            f"{_names(notice.full, False)}."
        )
    return lines


def _overdue(document: object, notice: Notice) -> None:
    if notice.overdue_as_of is None:
        _para(
            document,
            "- Về tình hình giải quyết hồ sơ TTHC: chưa có số liệu hồ sơ quá hạn.",
            indent=True,
        )
        return
    _para(
        document,
        f"- Về tình hình giải quyết hồ sơ TTHC: Theo số liệu thống kê trên "
        f"{notice.overdue_source} đến ngày {fmt_date(notice.overdue_as_of)}, các sở, ban, "
        "ngành, địa phương có hồ sơ quá hạn giải quyết bao gồm:",
        indent=True,
    )
    for level, units in notice.overdue:
        listed = "; ".join(f"{name}: {count:02d} hồ sơ" for name, count in units)
        _para(document, f"+ {level}: {listed}.", indent=True)
    _para(
        document,
        "Văn phòng UBND tỉnh đề nghị các đơn vị kiểm tra, rà soát và giải quyết hồ sơ quá hạn "
        "cho tổ chức và công dân theo đúng quy định.",
        indent=True,
    )


def _unit_table(document: object, table: UnitTable) -> None:
    before = (
        f"ĐIỂM ĐÁNH GIÁ\n({fmt_date(table.before_as_of)})"
        if table.before_as_of
        else ("ĐIỂM ĐÁNH GIÁ\n(kỳ trước)")
    )
    _table(
        document,
        [
            "STT",
            table.name_header,
            before,
            f"ĐIỂM ĐÁNH GIÁ\n({fmt_date(table.as_of)})",
            "TĂNG, GIẢM ĐIỂM",
        ],
        [
            [f"{r.number}.", r.name, _value(r.before), _value(r.latest), _change(r.change)]
            for r in table.rows
        ],
        [1.4, 5.4, 3.2, 3.2, 2.8],
        [True, False, True, True, True],
    )
    _para(document)


def _tasks(document: object, notice: Notice, number: int) -> None:
    _para(
        document,
        f"{number}. Tình hình tham mưu công bố, công khai thủ tục hành chính",
        bold=True,
        indent=True,
    )
    if not notice.tasks:
        _para(
            document,
            f"Đến ngày {fmt_date(notice.as_of)}, không có nhiệm vụ công bố TTHC nào quá hạn "
            "hoặc sắp đến hạn.",
            indent=True,
        )
        return
    _table(
        document,
        [
            "STT",
            "Tên cơ quan, đơn vị",
            "Nội dung công bố",
            "Văn bản triển khai của Văn phòng UBND tỉnh",
            "Văn bản đơn vị tham mưu",
            "Ghi chú",
        ],
        [
            [str(t.number), t.unit, t.content, t.office_letter, t.unit_submission, t.state]
            for t in notice.tasks
        ],
        [1.4, 2.5, 4.8, 2.6, 2.3, 2.4],
        [True, False, False, False, False, False],
    )
    _para(document)


def _signature(document: object) -> None:
    _para(document)
    table = document.add_table(rows=1, cols=2)  # type: ignore[attr-defined]
    recipients = table.cell(0, 0)
    _cell_text(recipients, "Nơi nhận:", bold=True, italic=True, size=12)
    for line in (
        "- CT, các PCT UBND tỉnh;",
        "- Các sở, ban, ngành;",
        "- UBND các huyện, thị xã, thành phố;",
        "- LĐVP; các phòng, ban, trung tâm;",
        "- Lưu: VT.",
    ):
        paragraph = recipients.add_paragraph()
        paragraph.paragraph_format.space_after = Pt(0)
        paragraph.add_run(line).font.size = Pt(11)
    _cell_text(
        table.cell(0, 1),
        "KT. CHÁNH VĂN PHÒNG\nPHÓ CHÁNH VĂN PHÒNG\n\n\n\n[Họ và tên]",
        bold=True,
        center=True,
    )
    _widths(table, [8, 8])
