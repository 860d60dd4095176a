"""The office's notice (`tthc-bot report`, `/report`) rebuilt from the demo data and checked
number by number against seed 001 (week 15, April 2025), opened with python-docx as Word
would open it."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn

from bot.app import Services
from handlers.access import Asker
from handlers.router import answer
from storage.models import Role
from tests.conftest import DEMO, Templates, run_cli

ADMIN = Asker(telegram_id=1, chat_id=1)

# What seed 001 prints, transcribed. Its indicator table heads the latest column "04/8/2025"
# for 08/4/2025, and it says "03 chỉ số đạt 100%" where one of the three is 93,37: the
# draft's column is dated from the data and its counts are computed (two at 100%).
SEED_INDICATORS = [  # (Năm 2024, 27/3/2025, 08/4/2025, change)
    (61.68, 13.82, 13.76, -0.06),
    (69.31, 93.37, 93.37, 0),
    (57.7, 58.54, 61.02, 2.48),
    (75.72, 80.09, 82.67, 2.58),
    (77.81, 80.31, 82.91, 2.6),
    (100, 100, 100, 0),
    (76.89, 89.10, 86.99, -2.11),
    (50.5, 33.47, 28.12, -5.35),
    (100, 77.23, 52.96, -24.27),
    (100, 100, 100, 0),
    (97.89, 98.62, 98.35, -0.27),
    (96, 97.15, 98.35, 1.2),
]
SEED_DEPARTMENTS = [  # in the seed's order (by the latest score), units without data last
    ("Sở Nội vụ", 90.41, 95.59, 5.18),
    ("Sở Xây dựng", 90, 92.72, 2.72),
    ("Ban Quản lý Khu Kinh tế", 91.53, 88.22, -3.31),
    ("Sở Y tế", 88.6, 87.17, -1.43),
    ("Sở Khoa học và Công nghệ", 87.58, 86.73, -0.85),
    ("Sở Văn hóa, Thể thao và Du lịch", 89.96, 86.57, -3.39),
    ("Sở Công thương", 88.6, 85.09, -3.51),
    ("Sở Tư pháp", 88.27, 82.3, -5.97),
    ("Sở Nông nghiệp và Môi trường", 84.61, 79.94, -4.67),
    ("Sở Giáo dục và Đào tạo", 80.31, 76.09, -4.22),
    ("Sở Tài chính", 65.21, 62.29, -2.92),
    ("Sở Dân tộc và Tôn giáo", None, None, None),  # the seed lists these two in the
    ("Sở Ngoại vụ", None, None, None),  # other order; both have no data
]
SEED_DISTRICTS = [
    ("Bù Đốp", 89.59, 90.39, 0.8),
    ("Phước Long", 90.19, 86.98, -3.21),
    ("Đồng Xoài", 89.84, 86.29, -3.55),
    ("Hớn Quản", 90.05, 86.03, -4.02),
    ("Chơn Thành", 87.34, 86.03, -1.31),
    ("Lộc Ninh", 88.71, 84.67, -4.04),
    ("Phú Riềng", 90.62, 84.28, -6.34),
    ("Bù Đăng", 88.61, 82.15, -6.46),
    ("Bình Long", 86.36, 82.01, -4.35),
    ("Đồng Phú", 87.45, 81.8, -5.65),
    ("Bù Gia Mập", 86.61, 80.43, -6.18),
]
SEED_OVERDUE = {  # level: {unit: count}, "đến 09h ngày 10/04/2025"
    "UBND cấp huyện": {"Bình Long": 204, "Đồng Phú": 2, "Chơn Thành": 2, "Phú Riềng": 1},
    "UBND cấp xã": {"Đức Hạnh": 1, "Long Hà": 1},
    "Các Chi nhánh VPĐK Đất đai": {"Hớn Quản": 1, "Phước Long": 1, "Đồng Phú": 1},
}
SEED_FALLING = [-24.27, -5.35, -2.11, -0.27, -0.06]  # in the seed's order: the biggest first


def number(text: str) -> float | None:
    """ "61,68" -> 61.68, "+2,48" -> 2.48, "0" -> 0; None for "Hệ thống không thông báo…"."""
    cleaned = text.strip().replace("%", "")
    if not re.fullmatch(r"[+-]?\d+(,\d+)?", cleaned):
        return None
    return float(cleaned.replace(",", "."))


def _document(data: bytes) -> tuple[list[str], list[list[list[str]]]]:
    document = Document(io.BytesIO(data))
    paragraphs = [p.text for p in document.paragraphs if p.text.strip()]
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]
    return paragraphs, tables


@pytest.fixture
def week_15(demo: Services) -> bytes:
    reply = answer(demo, "/report tuần 10/04/2025", ADMIN)
    assert reply.document is not None, reply.text
    assert reply.document_name == "thong-bao-tuan-15-2025.docx"
    assert "tuần thứ 15, tháng 4/2025" in reply.text
    return reply.document


def test_the_draft_rebuilds_seed_001s_numbers_from_the_demo_data(week_15: bytes) -> None:
    paragraphs, tables = _document(week_15)
    text = "\n".join(paragraphs)
    header, indicators, departments, districts, tasks, signature = tables
    # the header block and the title, with blanks for the number and the day
    assert header[0] == ["UBND TỈNH BÌNH PHƯỚC", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"]
    assert header[2][0].startswith("Số:") and header[2][0].endswith("/TB-VPUBND")
    assert re.fullmatch(r"Bình Phước, ngày\s+tháng\s+năm 2025", header[2][1])
    assert "Dịch vụ công tuần thứ 15, tháng 4/2025" in text
    # I.1: the rank and its move
    assert (
        "Tính đến hết ngày 08/04/2025, kết quả đánh giá Bộ chỉ số 766, Bình Phước đang xếp "
        "hạng 20/63 tỉnh, thành phố, giảm 12 bậc so với kết quả đánh giá vào ngày 27/03/2025 "
        "(xếp hạng 8/63)." in text
    )
    # the indicator table: every value and change of the seed
    assert indicators[0] == [
        "TT",
        "Chỉ số",
        "Năm 2024",
        "Ngày\n27/03/2025",
        "Tính đến ngày\n08/04/2025",
        "Điểm tăng; giảm",
    ]
    assert len(indicators) == 1 + len(SEED_INDICATORS)
    for row, expected in zip(indicators[1:], SEED_INDICATORS, strict=True):
        assert tuple(number(cell) for cell in row[2:]) == pytest.approx(expected), row
    # the sentences count what the table shows
    falling = next(p for p in paragraphs if "đang có điểm giảm" in p)
    assert falling.startswith("- Có 05 chỉ số, Bình Phước đang có điểm giảm gồm:")
    said = [-float(n.replace(",", ".")) for n in re.findall(r"giảm ([\d,]+) điểm", falling)]
    assert said == SEED_FALLING
    assert next(p for p in paragraphs if "có điểm tăng" in p).startswith("- Có 04 chỉ số")
    full = next(p for p in paragraphs if "đạt 100%" in p)
    assert full.startswith("- Có 02 chỉ số") and "thanh toán" not in full  # the seed's "03"
    assert "- Có 01 chỉ số không thay đổi gồm: Tỷ lệ thanh toán trực tuyến" in text
    # overdue dossiers per level, at the newest counts (10/04, while scores are of 08/04)
    assert "Hệ thống DVC tỉnh đến ngày 10/04/2025" in text
    for level, counts in SEED_OVERDUE.items():
        line = next(p for p in paragraphs if p.startswith(f"+ {level}:"))
        found = {name: int(count) for name, count in re.findall(r"([^:;]+): (\d+) hồ sơ", line[2:])}
        assert len(found) == len(counts), line
        for unit, count in counts.items():
            assert [n for name, n in found.items() if name.endswith(unit)] == [count], (unit, line)
    # I.2 and I.3: both dates, the change, sorted by the latest score, no data last
    assert departments[0][2:4] == ["ĐIỂM ĐÁNH GIÁ\n(27/03/2025)", "ĐIỂM ĐÁNH GIÁ\n(08/04/2025)"]
    for table, seed in ((departments, SEED_DEPARTMENTS), (districts, SEED_DISTRICTS)):
        assert len(table) == 1 + len(seed)
        for place, (row, (name, before, latest, change)) in enumerate(
            zip(table[1:], seed, strict=True), start=1
        ):
            assert row[0] == f"{place}." and row[1].endswith(name), row
            values = (number(row[2]), number(row[3]), number(row[4]))
            assert values == pytest.approx((before, latest, change)), row
            if latest is None:
                assert row[2] == row[3] == "Hệ thống không thông báo dữ liệu" and row[4] == "-"
    # the late publication task (seed 002's table), the parts people write, the signature
    assert tasks[0][:3] == ["STT", "Tên cơ quan, đơn vị", "Nội dung công bố"]
    assert tasks[1][1] == "Sở Giao thông vận tải" and "545/QĐ" in tasks[1][2]
    assert "trễ 3 ngày làm việc" in tasks[1][5]
    assert text.count("[Văn phòng bổ sung nội dung]") == 2
    assert "II. Tồn tại, hạn chế:" in text and "III. Kiến nghị:" in text
    assert "KT. CHÁNH VĂN PHÒNG" in signature[0][1] and "Nơi nhận:" in signature[0][0]


def test_the_draft_is_a_clean_word_document_in_times_new_roman(week_15: bytes) -> None:
    document = Document(io.BytesIO(week_15))
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman" and normal.font.size.pt == 14
    fonts = normal.element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == fonts.get(qn("w:cs")) == "Times New Roman"
    section = document.sections[0]
    assert round(section.page_width.cm, 1) == 21 and round(section.left_margin.cm, 1) == 3
    data_tables = document.tables[1:-1]
    for table in data_tables:  # real tables: borders, a header row repeated on each page
        assert table.style.name == "Table Grid"
        assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    sizes = {
        run.font.size.pt
        for table in data_tables
        for row in table.rows
        for cell in row.cells
        for paragraph in cell.paragraphs
        for run in paragraph.runs
    }
    assert sizes == {13}


def test_a_monthly_notice_compares_with_the_month_before(demo: Services) -> None:
    reply = answer(demo, "/report tháng 10/04/2025", ADMIN)
    assert reply.document is not None and reply.document_name == "thong-bao-thang-4-2025.docx"
    paragraphs, tables = _document(reply.document)
    assert any(p.endswith("Dịch vụ công tháng 4/2025") for p in paragraphs)
    assert tables[1][0][3] == "Ngày\n27/03/2025"  # the newest reading up to 31/03


def test_an_earlier_day_reads_the_data_of_that_day(demo: Services) -> None:
    reply = answer(demo, "/report tuần 31/03/2025", ADMIN)
    assert reply.document is not None
    paragraphs, _ = _document(reply.document)
    text = "\n".join(paragraphs)
    assert "Tính đến hết ngày 27/03/2025" in text and "xếp hạng 8/63" in text
    assert "10/04/2025" not in text  # the counts of 10/04 did not exist yet
    assert "tuần thứ 14, tháng 3/2025" in text


def test_who_may_have_the_draft_and_what_a_wrong_request_gets(demo: Services) -> None:
    leader = Asker(Role.LEADER.value, telegram_id=2, chat_id=2)
    assert answer(demo, "/report", leader).document is not None  # today: the newest data
    focal = Asker(Role.FOCAL.value, 1, 3, 3)
    refused = answer(demo, "/report", focal)
    assert refused.document is None and "chỉ dành cho quản trị và lãnh đạo" in refused.text
    assert "Cú pháp: /report" in answer(demo, "/report 31/02/2025", ADMIN).text
    assert (
        "Chưa có số liệu nào đến ngày 01/01/2020" in answer(demo, "/report 01/01/2020", ADMIN).text
    )


def test_the_command_line_writes_the_draft(
    templates: Templates, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    shutil.copy(templates.sqlite(DEMO), tmp_path / "tthc.db")
    (tmp_path / "config.toml").write_text(
        '[database]\nurl = "sqlite:///tthc.db"\n', encoding="utf-8"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "TTHC_"))}
    env["TTHC_CONFIG"] = str(tmp_path / "config.toml")
    args = ["report", "weekly", "--as-of", "10/04/2025", "--compare-to", "27/03/2025"]
    out = run_cli([*args, "--out", "thong-bao/tuan-15.docx"], env, tmp_path)
    assert "Đã viết bản thảo thông báo tuần thứ 15, tháng 4/2025" in out
    _, tables = _document((tmp_path / "thong-bao" / "tuan-15.docx").read_bytes())
    assert number(tables[1][9][5]) == -24.27
    run_cli(["report", "weekly", "--as-of", "01/01/2020", "--out", "x.docx"], env, tmp_path, 1)
    assert "Chưa có số liệu nào" in capsys.readouterr().err
    run_cli(
        [
            "report",
            "monthly",
            "--as-of",
            "10/04/2025",
            "--compare-to",
            "10/04/2025",
            "--out",
            "y.docx",
        ],
        env,
        tmp_path,
        1,
    )
    assert "Ngày so sánh phải trước" in capsys.readouterr().err


def test_pdf_without_libreoffice_is_refused_in_words(monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    from views import notice_pdf as pdf

    monkeypatch.setattr(shutil, "which", lambda _name: None)
    with pytest.raises(pdf.PdfUnavailable, match="cần LibreOffice"):
        pdf.to_pdf(b"PK")


def test_an_indicator_read_on_another_day_says_so_in_its_cell(
    demo: Services, tmp_path: Path
) -> None:
    from tests.conftest import do_import

    newer = tmp_path / "mot_chi_so.csv"
    newer.write_text(
        "Ngày,Đơn vị,Chỉ số,Giá trị,Nguồn\n"
        '09/04/2025,UBND tỉnh Bình Phước,Tỷ lệ hồ sơ nộp trực tuyến,"62,5",DVCQG\n',
        encoding="utf-8",
    )
    assert do_import(demo, newer).ok
    reply = answer(demo, "/report tuần 10/04/2025", ADMIN)
    assert reply.document is not None
    _, tables = _document(reply.document)
    indicators = tables[1]
    assert indicators[0][4] == "Tính đến ngày\n08/04/2025"  # what most indicators have
    assert indicators[3][4] == "62,5\n(09/04/2025)" and indicators[3][5] == "+1,48"
    assert indicators[2][4] == "93,37"


def test_without_counts_the_overdue_dossiers_come_from_the_dossier_lists(
    demo: Services, tmp_path: Path
) -> None:
    from tests.conftest import do_import

    dossiers = tmp_path / "ho_so.csv"
    dossiers.write_text(
        "Mã hồ sơ,Đơn vị,Ngày tiếp nhận,Ngày hẹn trả\n"
        "H1,Sở Nội vụ,01/04/2024,15/04/2024\n"
        "H2,Sở Nội vụ,01/04/2024,20/04/2024\n"
        "H3,UBND huyện Phú Riềng,01/04/2024,30/05/2024\n",
        encoding="utf-8",
    )
    assert do_import(demo, dossiers).ok
    reply = answer(demo, "/report tuần 01/05/2024", ADMIN)  # before any per-unit counts
    assert reply.document is not None
    paragraphs, _ = _document(reply.document)
    assert any("danh sách hồ sơ đã nhập đến ngày 01/05/2024" in p for p in paragraphs)
    assert "+ Các sở, ban, ngành: Sở Nội vụ: 02 hồ sơ." in paragraphs
    assert not any("Phú Riềng: 01 hồ sơ" in p for p in paragraphs)  # due 30/05: not yet late
