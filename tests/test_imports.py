"""Every import kind: good files, bad input (all problems, nothing stored), re-imports."""

import unicodedata
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.services import Services
from handlers.access import Asker
from handlers.router import answer
from storage.models import (
    Dossier,
    ImportFile,
    Indicator,
    Observation,
    ObservationRevision,
    PublicationTask,
    Snapshot,
    Target,
    Unit,
)
from tests.conftest import DEMO_FILES, EXAMPLES, do_import, write_csv, write_xlsx

DEPARTMENTS = DEMO_FILES / "05_so_nganh_2025.csv"


def count(services: Services, model: type) -> int:
    with services.session_factory() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_the_seed_unit_table_imports_one_snapshot_per_dated_column(units: Services) -> None:
    outcome = do_import(units, DEPARTMENTS)
    assert outcome.ok, outcome.report()
    assert outcome.kinds == ["scores"]
    with units.session_factory() as session:
        days = session.scalars(select(Snapshot.as_of).order_by(Snapshot.as_of)).all()
        assert days == [date(2025, 3, 27), date(2025, 4, 8)]
        nulls = session.scalar(select(func.count()).where(Observation.value.is_(None)))
        assert nulls == 4  # Sở Ngoại vụ and Sở Dân tộc và Tôn giáo, both dates: null, not 0
    assert count(units, Observation) == 26


def test_a_wrong_change_column_is_a_warning_and_never_stored(
    units: Services, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path,
        "t.csv",
        [
            [
                "STT",
                "ĐƠN VỊ",
                "ĐIỂM ĐÁNH GIÁ (27/3/2025)",
                "ĐIỂM ĐÁNH GIÁ (08/4/2025)",
                "TĂNG, GIẢM",
            ],
            ["1", "Sở Nội vụ", "90,41", "95,59", "5,18"],
            ["2", "Sở Tư pháp", "88,27", "82,3", "-6,97"],
        ],
    )
    outcome = do_import(units, path)
    assert outcome.ok
    assert len(outcome.warnings) == 1
    warning = outcome.warnings[0]
    assert warning.row == 3 and warning.column is not None and warning.column.startswith("E")
    assert "ghi mức tăng, giảm -6,97 nhưng tính được -5,97" in warning.message
    assert count(units, Observation) == 4


def test_bad_cells_are_all_reported_with_row_and_column_and_nothing_is_stored(
    units: Services, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path,
        "bad.csv",
        [
            ["Ngày", "Đơn vị", "Chỉ số", "Giá trị", "Xếp hạng"],
            ["08/04/2025", "Sở Nội vụ", "Tổng điểm", "95,59", ""],
            ["08/04/2025", "Phu Rieng X", "Tổng điểm", "80", ""],
            ["31/02/2025", "Sở Tư pháp", "Tổng điểm", "82,3", ""],
            ["08/04/2025", "Sở Y tế", "Chỉ số lạ", "8x,2", ""],
            ["08/04/2025", "Sở Y tế", "R01", "120%", ""],
            ["08/04/2025", "UBND tỉnh Bình Phước", "Tổng điểm", "", "70/63"],
        ],
    )
    outcome = do_import(units, path)
    assert not outcome.ok
    described = [p.describe() for p in outcome.errors]
    assert any(
        "dòng 3, cột B «Đơn vị»: không tìm thấy đơn vị «Phu Rieng X». Gần nhất: "
        "UBND huyện Phú Riềng" in d
        for d in described
    ), described
    assert any("dòng 4, cột A «Ngày»" in d and "không phải là ngày hợp lệ" in d for d in described)
    assert any("dòng 5, cột C «Chỉ số»: không tìm thấy chỉ số «Chỉ số lạ»" in d for d in described)
    assert any("dòng 6, cột D «Giá trị»: tỷ lệ 120% vượt quá 100%" in d for d in described)
    assert any("dòng 7, cột E «Xếp hạng»" in d for d in described)
    assert "chưa lưu gì" in outcome.report()
    assert count(units, Observation) == 0
    assert count(units, ImportFile) == 1  # only the unit registry


def test_the_same_file_twice_changes_nothing(units: Services) -> None:
    assert do_import(units, DEPARTMENTS).ok
    again = do_import(units, DEPARTMENTS)
    assert again.ok and again.duplicate_of is not None
    assert "đã được nhập" in again.report()
    assert count(units, Observation) == 26


def test_a_corrected_file_replaces_values_and_keeps_the_old_ones(
    units: Services, tmp_path: Path
) -> None:
    first = write_csv(
        tmp_path,
        "a.csv",
        [
            ["STT", "ĐƠN VỊ", "ĐIỂM ĐÁNH GIÁ (08/4/2025)"],
            ["1", "Sở Nội vụ", "95,59"],
            ["2", "Sở Tư pháp", "82,3"],
            ["3", "Sở Xây dựng", "-"],
            ["4", "Sở Y tế", "70"],
        ],
    )
    fixed = write_csv(
        tmp_path,
        "b.csv",
        [
            ["STT", "ĐƠN VỊ", "ĐIỂM ĐÁNH GIÁ (08/4/2025)"],
            ["1", "Sở Nội vụ", "95,59"],
            ["2", "Sở Tư pháp", "83,3"],
            ["3", "Sở Xây dựng", "-"],  # no data twice: unchanged (null is not a change)
            ["4", "Sở Y tế", "Hệ thống không thông báo dữ liệu"],  # a value, then none
            ["5", "Sở Khoa học và Công nghệ", "61,68"],  # new
        ],
    )
    before = do_import(units, first)
    assert before.ok
    outcome = do_import(units, fixed)
    assert outcome.ok
    summary = outcome.summary
    assert summary[0].endswith(": 1 giá trị mới trong 1 kỳ số liệu"), summary
    assert any(line.startswith("2 giá trị đã có được thay") for line in summary), summary
    assert any(line.startswith("2 giá trị trùng với số liệu đã có") for line in summary), summary
    with units.session_factory() as session:
        stored = {
            name: (value, import_id)
            for name, value, import_id in session.execute(
                select(Unit.name, Observation.value, Observation.import_id).join(
                    Unit, Unit.id == Observation.unit_id
                )
            )
        }
        assert stored == {
            "Sở Nội vụ": (95.59, before.import_id),  # unchanged keeps its import
            "Sở Tư pháp": (83.3, outcome.import_id),
            "Sở Xây dựng": (None, before.import_id),
            "Sở Y tế": (None, outcome.import_id),
            "Sở Khoa học và Công nghệ": (61.68, outcome.import_id),
        }
        revisions = {
            (r.value, r.import_id, r.replaced_by_import_id)
            for r in session.scalars(select(ObservationRevision))
        }
        assert revisions == {
            (82.3, before.import_id, outcome.import_id),
            (70.0, before.import_id, outcome.import_id),
        }


def test_excel_files_and_the_wide_layout_need_a_date(units: Services, tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["Đơn vị", "Tỷ lệ thanh toán trực tuyến", "R04", "Tổng điểm"],
        ["Sở Tư pháp", 55.5, "61,2%", "17,6/20"],
        ["UBND huyện Bù Đốp", None, "-", 80],
    ]
    path = write_xlsx(tmp_path, "wide.xlsx", {"Bảng": rows})
    without_date = do_import(units, path)
    assert not without_date.ok
    assert "--as-of" in without_date.errors[0].message
    outcome = do_import(units, path, as_of=date(2025, 4, 8), dry_run=True)
    assert outcome.ok and outcome.dry_run and count(units, Observation) == 0
    outcome = do_import(units, path, as_of=date(2025, 4, 8))
    assert outcome.ok, outcome.report()
    with units.session_factory() as session:
        stored = session.execute(select(Observation.value, Observation.max_score)).all()
    assert sorted((v is None, v) for v, _ in stored)[0] == (False, 17.6)
    assert (17.6, 20.0) in stored and (None, None) in stored and len(stored) == 6


def test_csv_with_bom_and_semicolons_is_read(units: Services, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        "s.csv",
        [
            ["Ngày", "Đơn vị", "Số hồ sơ quá hạn"],
            ["10/04/2025", "Thị xã Bình Long", "204 hồ sơ"],
            ["10/04/2025", "Chi nhánh VPĐK Đất đai Phước Long", "01"],
        ],
        delimiter=";",
        bom=True,
    )
    outcome = do_import(units, path)
    assert outcome.ok, outcome.report()
    assert outcome.kinds == ["overdue"]
    with units.session_factory() as session:
        rows = session.execute(
            select(Unit.kind, Observation.value).join(Unit, Unit.id == Observation.unit_id)
        ).all()
    assert sorted(rows) == [("district", 204.0), ("land_office", 1.0)]


def test_dossiers_import_and_update_by_code(units: Services, tmp_path: Path) -> None:
    header = [
        "MaHoSo",
        "TenTTHC",
        "DonVi",
        "NgayTiepNhan",
        "NgayHenTra",
        "NgayKetThucXuLy",
        "TrangThai",
    ]
    path = write_csv(
        tmp_path,
        "hs.csv",
        [
            header,
            [
                "H01.1",
                "Chứng thực bản sao",
                "Xã Long Hà",
                "01/04/2025 08:00",
                "03/04/2025 17:00",
                "",
                "Đang xử lý",
            ],
            [
                "H01.2",
                "Cấp phép xây dựng",
                "UBND huyện Phú Riềng",
                "01/04/2025",
                "15/04/2025",
                "",
                "Đang xử lý",
            ],
        ],
    )
    outcome = do_import(units, path)
    assert outcome.ok, outcome.report()
    assert any("1 hồ sơ quá hạn" in s for s in outcome.summary)
    updated = write_csv(
        tmp_path,
        "hs2.csv",
        [
            header,
            [
                "H01.1",
                "Chứng thực bản sao",
                "Xã Long Hà",
                "01/04/2025 08:00",
                "03/04/2025 17:00",
                "05/04/2025 10:00",
                "Đã trả kết quả",
            ],
        ],
    )
    outcome = do_import(units, updated)
    assert outcome.ok and "1 hồ sơ cập nhật" in outcome.summary[0]
    with units.session_factory() as session:
        dossier = session.scalars(select(Dossier).filter_by(code="H01.1")).one()
        assert dossier.status == "Đã trả kết quả"
        assert count(units, Dossier) == 2


def test_bad_dossier_rows_are_reported_together(units: Services, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        "hs.csv",
        [
            ["Mã hồ sơ", "Tên TTHC", "Đơn vị", "Ngày tiếp nhận", "Ngày hẹn trả"],
            ["A", "x", "Xã Long Hà", "05/04/2025", "01/04/2025"],
            ["A", "x", "Xã Long Hà", "01/04/2025", "05/04/2025"],
            ["", "x", "Xã Long Hà", "01/04/2025", "05/04/2025"],
            ["B", "x", "Xã Không Có", "01/04/2025", "hôm qua"],
        ],
    )
    outcome = do_import(units, path)
    assert not outcome.ok
    messages = [(p.row, p.message) for p in outcome.errors]
    assert (2, "ngày hẹn trả trước ngày tiếp nhận") in messages
    assert (3, "mã hồ sơ A trùng với dòng 2") in messages
    assert (4, "thiếu mã hồ sơ") in messages
    assert any(row == 5 and "không tìm thấy đơn vị" in m for row, m in messages)
    assert any(row == 5 and "không phải là ngày" in m for row, m in messages)
    assert count(units, Dossier) == 0


def test_unknown_units_can_be_created_on_request(units: Services, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        "q.csv",
        [
            ["Ngày", "Đơn vị", "Số hồ sơ quá hạn"],
            ["10/04/2025", "Xã Thanh Lương", "3"],
        ],
    )
    assert not do_import(units, path).ok
    outcome = do_import(units, path, create_units=True)
    assert outcome.ok and "Xã Thanh Lương" in outcome.report()
    with units.session_factory() as session:
        assert session.scalars(select(Unit.kind).filter_by(name="Xã Thanh Lương")).one() == (
            "commune"
        )


def test_publication_deadlines_come_from_the_letter_or_working_days(
    units: Services, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path,
        "p.csv",
        [
            [
                "Quyết định công bố của bộ, ngành",
                "Đơn vị tham mưu",
                "Văn bản triển khai của Văn phòng UBND tỉnh",
                "Ngày hiệu lực",
            ],
            [
                "Quyết định số 545/QĐ BGTVT ngày 10/5/2024",
                "Sở GTVT",
                "Công văn số 1283/VPUBND-KSTTHC ngày 17/5/2024 (Hạn xử lý 23/5/2024)",
                "",
            ],
            ["Quyết định số 12/QĐ-BTP ngày 20/01/2025", "Sở Tư pháp", "", "10/02/2025"],
        ],
    )
    outcome = do_import(units, path)
    assert outcome.ok, outcome.report()
    with units.session_factory() as session:
        tasks = {t.ministry_decision_no: t for t in session.scalars(select(PublicationTask))}
    assert tasks["545/QĐ BGTVT"].deadline == date(2024, 5, 23)
    assert tasks["545/QĐ BGTVT"].deadline_basis == "letter"
    assert tasks["545/QĐ BGTVT"].office_letter_date == date(2024, 5, 17)
    # 5 working days before Monday 10/02/2025: Tết (27-31/01) and weekends do not count.
    assert tasks["12/QĐ-BTP"].deadline == date(2025, 2, 3)
    assert tasks["12/QĐ-BTP"].deadline_basis == "computed"


def test_seed_004_targets_import_per_kind_of_unit(units: Services) -> None:
    outcome = do_import(units, DEMO_FILES / "02_chi_tieu_2024.csv")
    assert outcome.ok, outcome.report()
    with units.session_factory() as session:
        rows = session.scalars(select(Target)).all()
        payment = session.execute(
            select(Target.unit_kind, Target.yearly, Target.q1, Target.q4)
            .where(Target.indicator_id == _indicator_id(session, "R02"))
            .order_by(Target.unit_kind)
        ).all()
    assert payment == [
        ("commune", 50, 20, 50),
        ("department", 70, 40, 70),
        ("district", 60, 30, 60),
    ]
    assert len(rows) == 32


def _indicator_id(session, code: str) -> int:  # type: ignore[no-untyped-def]
    from storage.models import Indicator

    return int(session.scalars(select(Indicator.id).filter_by(code=code)).one())


def test_an_unrecognised_or_broken_file_gets_a_clear_message(
    units: Services, tmp_path: Path
) -> None:
    odd = write_csv(tmp_path, "odd.csv", [["a", "b"], ["1", "2"]])
    outcome = do_import(units, odd)
    assert not outcome.ok and "không nhận ra tiêu đề cột" in outcome.errors[0].message
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a workbook")
    outcome = do_import(units, broken)
    assert not outcome.ok and "không đọc được tệp Excel" in outcome.errors[0].message
    empty = tmp_path / "trong.csv"
    empty.write_bytes(b"")
    assert [p.message for p in do_import(units, empty).errors] == [
        "tệp trống, không có dữ liệu nào"
    ]
    blank = write_csv(tmp_path, "trang.csv", [["", ""], [" ", ""]])
    assert do_import(units, blank).errors[0].message == "tệp trống, không có dữ liệu nào"


LETTER_MARKS = "\u0302\u0306\u031b"  # circumflex, breve, horn


def _cp1258(text: str) -> bytes:
    """Text as Vietnamese Windows writes it: Windows-1258 with tone marks as combining
    characters after the (possibly precomposed) letter."""
    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            base, *marks = unicodedata.normalize("NFD", char)
            letter = unicodedata.normalize(
                "NFC", base + "".join(m for m in marks if m in "\u0302\u0306\u031b")
            )
            out += letter.encode("cp1258")
            out += "".join(m for m in marks if m not in "\u0302\u0306\u031b").encode("cp1258")
    return bytes(out)


def test_csv_in_legacy_code_pages_and_excel_unicode_text_is_read(
    units: Services, tmp_path: Path
) -> None:
    text = "Ngày;Đơn vị;Số hồ sơ quá hạn\n10/04/2025;UBND huyện Phú Riềng;3\n"
    windows = tmp_path / "cp1258.csv"
    windows.write_bytes(_cp1258(text))
    with pytest.raises(UnicodeDecodeError):
        windows.read_bytes().decode("utf-8")
    outcome = do_import(units, windows)
    assert outcome.ok, outcome.report()
    unicode_text = tmp_path / "unicode.txt"  # Excel's "Unicode text": UTF-16, tabs
    unicode_text.write_bytes(text.replace(";", "\t").replace("10/04", "09/04").encode("utf-16"))
    outcome = do_import(units, unicode_text)
    assert outcome.ok, outcome.report()
    with units.session_factory() as session:
        values = session.scalars(select(Observation.value).order_by(Observation.id)).all()
    assert values == [3.0, 3.0]


def test_units_file_rejects_an_alias_used_twice(services: Services, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        "u.csv",
        [
            ["Tên đơn vị", "Loại", "Bí danh"],
            ["Sở Tư pháp", "sở", "STP"],
            ["Sở Tài chính", "sở", "STP"],
            ["Sở Lạ", "hành tinh", ""],
        ],
    )
    outcome = do_import(services, path)
    assert not outcome.ok
    assert [p.row for p in outcome.errors] == [3, 4]
    assert count(services, Unit) == 0


def test_messages_about_cells_use_vietnamese_numbers_and_names_not_codes(
    units: Services, tmp_path: Path
) -> None:
    scores = [
        ["Ngày", "Đơn vị", "Chỉ số", "Giá trị"],
        ["08/04/2025", "UBND huyện Bù Đăng", "R04", "150,5%"],
        ["08/04/2025", "UBND huyện Bù Đốp", "TOTAL", "1234,5"],
    ]
    outcome = do_import(units, write_csv(tmp_path, "s.csv", scores))
    assert [p.message for p in outcome.errors] == [
        "tỷ lệ 150,5% vượt quá 100% («Số hóa hồ sơ, kết quả»)",
        "điểm 1.234,5 vượt quá điểm tối đa 100 của «Tổng điểm 766»",
    ]
    counts = write_xlsx(
        tmp_path,
        "c.xlsx",
        {"QH": [["Ngày", "Đơn vị", "Số hồ sơ quá hạn"], ["10/04/2025", "Huyện Bù Đăng", -2.5]]},
    )
    outcome = do_import(units, counts)
    assert [p.describe() for p in outcome.errors] == [
        "sheet «QH», dòng 2, cột C «Số hồ sơ quá hạn»: «-2,5» không phải là số hồ sơ "
        "(phải là số nguyên không âm)"
    ]
    report = outcome.report()
    for internal in ("R04", "TOTAL", "Error", "None", "2.5"):
        assert internal not in report.replace("c.xlsx", ""), internal


def test_a_units_file_records_mergers_and_refuses_broken_ones(
    services: Services, tmp_path: Path
) -> None:
    header = ["Tên đơn vị", "Loại", "Bí danh", "Hiệu lực đến", "Đơn vị kế thừa"]
    successor_column = "E «Đơn vị kế thừa»"
    broken = write_csv(
        tmp_path,
        "u.csv",
        [
            header,
            ["Sở A", "sở", "", "28/02/2025", "Sở Không Có"],
            ["Sở B", "sở", "", "", "Sở C"],  # a successor, but no end date
            ["Sở C", "sở", "", "28/02/2025", "Sở D"],
            ["Sở D", "sở", "", "28/02/2025", "Sở C"],  # C -> D -> C
            ["Sở E", "sở", "", "28/02/2025", "Sở E"],
        ],
    )
    outcome = do_import(services, broken)
    assert not outcome.ok
    assert [(p.row, p.column, p.message) for p in outcome.errors] == [
        (
            2,
            successor_column,
            "đơn vị kế thừa «Sở Không Có» chưa có (ghi trong tệp này hoặc đã nhập)",
        ),
        (
            3,
            "D «Hiệu lực đến»",
            "đơn vị có đơn vị kế thừa phải có ngày hết hiệu lực (ngày trước ngày sáp nhập)",
        ),
        (6, successor_column, "đơn vị không thể tự kế thừa chính mình"),
        (4, successor_column, "đơn vị kế thừa tạo thành vòng lặp (A → B → A)"),
        (5, successor_column, "đơn vị kế thừa tạo thành vòng lặp (A → B → A)"),
    ]
    assert count(services, Unit) == 0

    # A successor may come later in the file, or be named by its alias.
    good = write_csv(
        tmp_path,
        "u2.csv",
        [
            header,
            ["Sở Giao thông vận tải", "sở", "Sở GTVT", "28/02/2025", "Sở XD"],
            ["Sở Xây dựng", "sở", "Sở XD", "", ""],
        ],
    )
    assert do_import(services, good).ok
    # A registry of an earlier layout (no successor column) keeps the merger.
    plain = write_csv(tmp_path, "u3.csv", [["Tên đơn vị", "Loại"], ["Sở Giao thông vận tải", "sở"]])
    assert do_import(services, plain).ok
    with services.session_factory() as session:
        gtvt = session.scalars(select(Unit).filter_by(name="Sở Giao thông vận tải")).one()
        assert gtvt.successor is not None and gtvt.successor.name == "Sở Xây dựng"


def test_a_corrected_publications_file_updates_only_the_changed_task(
    units: Services, tmp_path: Path
) -> None:
    original = (DEMO_FILES / "10_cong_bo_tthc.csv").read_text(encoding="utf-8")
    first = do_import(units, DEMO_FILES / "10_cong_bo_tthc.csv")
    assert first.ok and "Nhiệm vụ công bố TTHC: 2 mới, 0 cập nhật, 0 không đổi" in first.summary
    corrected = tmp_path / "cong_bo_sua.csv"
    corrected.write_text(
        original.replace("Thông báo tháng 4/2024", "Đã trình UBND tỉnh"), encoding="utf-8"
    )
    second = do_import(units, corrected)
    assert second.ok, second.report()
    assert "Nhiệm vụ công bố TTHC: 0 mới, 1 cập nhật, 1 không đổi" in second.summary
    with units.session_factory() as session:
        notes = sorted(str(t.note) for t in session.scalars(select(PublicationTask)))
        assert any(n.startswith("Đã trình UBND tỉnh") for n in notes)
        assert session.scalar(select(func.count()).select_from(PublicationTask)) == 2


def test_the_indicator_catalogue_is_edited_as_data(services: Services, tmp_path: Path) -> None:
    sample = do_import(services, EXAMPLES / "mau_chi_so.csv")
    assert sample.ok, sample.report()
    path = write_csv(
        tmp_path,
        "chi_so.csv",
        [
            ["Mã", "Tên", "Loại", "Đơn vị tính", "Cao hơn tốt", "Theo dõi", "Tên khác"],
            ["R99", "Tỷ lệ thử nghiệm", "tỷ lệ", "%", "không", "có", "Thử; Thử nghiệm"],
        ],
    )
    outcome = do_import(services, path)
    assert outcome.ok and "Danh mục chỉ số: 1 chỉ số mới, 0 chỉ số cập nhật" in outcome.summary
    with services.session_factory() as session:
        added = session.scalars(select(Indicator).filter_by(code="R99")).one()
        assert (added.category, added.measure) == ("ratio", "percent")
        assert not added.higher_is_better and added.tracked
        assert sorted(a.alias for a in added.aliases) == ["Thử", "Thử nghiệm"]
    bad = write_csv(
        tmp_path,
        "chi_so_sai.csv",
        [
            ["Mã", "Tên", "Loại", "Đơn vị tính", "Cao hơn tốt"],
            ["r 1", "", "loại lạ", "%", "có lẽ"],
        ],
    )
    refused = do_import(services, bad)
    assert not refused.ok
    assert [(p.row, p.column) for p in refused.errors] == [
        (2, "A «Mã»"),
        (2, "B «Tên»"),
        (2, "C «Loại»"),
        (2, "E «Cao hơn tốt»"),
    ]


def test_a_future_or_far_away_date_is_refused_unless_confirmed(
    demo: Services, tmp_path: Path
) -> None:
    # Seed 001 heads a column "04/8/2025" for 08/4/2025; on 10/04/2025 that is the future.
    original = (DEMO_FILES / "04_chi_tieu_tinh_2025.csv").read_text(encoding="utf-8")
    typo = tmp_path / "chi_tieu_typo.csv"
    typo.write_text(original.replace("08/4/2025", "04/8/2025"), encoding="utf-8")
    refused = do_import(demo, typo)
    assert not refused.ok
    assert [p.message for p in refused.errors] == [
        "ngày số liệu 04/08/2025 ở tương lai (hôm nay 10/04/2025); hãy kiểm tra lại ngày "
        "(nếu đúng, nhập lại với --as-of 04/08/2025)"
    ]
    rows = [["Ngày", "Đơn vị", "Chỉ số", "Giá trị"], ["10/04/2015", "Sở Tư pháp", "TOTAL", "80"]]
    far = write_csv(tmp_path, "xa.csv", rows)
    outcome = do_import(demo, far)
    assert not outcome.ok
    assert "cách hôm nay và các kỳ số liệu khác hơn 366 ngày" in outcome.errors[0].message
    assert (outcome.errors[0].sheet, outcome.errors[0].row) == ("xa", 2)
    confirmed = do_import(demo, far, as_of=date(2015, 4, 10))
    assert confirmed.ok, confirmed.report()
    recent = [["Ngày", "Đơn vị", "Chỉ số", "Giá trị"], ["09/04/2025", "Sở Tư pháp", "TOTAL", "81"]]
    assert do_import(demo, write_csv(tmp_path, "gan.csv", recent)).ok


def _dossier_rows(*rows: list[str]) -> list[list[str]]:
    header = ["MaHoSo", "TenTTHC", "DonVi", "NgayTiepNhan", "NgayHenTra", "NgayKetThucXuLy"]
    return [[*header, "TrangThai"], *rows]


def _row(code: str, status: str, finished: str = "") -> list[str]:
    return [code, "Cấp phép", "UBND huyện Phú Riềng", "01/04/2025", "05/04/2025", finished, status]


def test_the_status_column_decides_what_is_still_overdue(units: Services, tmp_path: Path) -> None:
    rows = _dossier_rows(
        _row("D1", "Đang xử lý"),
        _row("D2", "Chờ công dân bổ sung hồ sơ"),
        _row("D3", "Công dân rút hồ sơ"),
        _row("D4", "Trả lại hồ sơ"),
        _row("D5", "Đã trả kết quả", "07/04/2025"),
        _row("D6", "Lưu trữ"),
    )
    outcome = do_import(units, write_csv(tmp_path, "hs.csv", rows))
    assert outcome.ok, outcome.report()
    assert (
        "Trong tệp: 2 hồ sơ quá hạn chưa giải quyết, 1 hồ sơ đã giải quyết nhưng trễ hạn"
        in outcome.summary
    )
    assert (
        "Không tính quá hạn: 1 hồ sơ chờ công dân bổ sung (tạm dừng tính thời gian), "
        "1 hồ sơ đã rút, 1 hồ sơ trả lại, không giải quyết" in outcome.summary
    )
    assert [w.message for w in outcome.warnings] == [
        "không hiểu trạng thái «Lưu trữ», coi là đang xử lý"
    ]
    with units.session_factory() as session:
        states = {
            code: state for code, state in session.execute(select(Dossier.code, Dossier.state))
        }
    assert states == {
        "D1": "processing",
        "D2": "supplement",
        "D3": "withdrawn",
        "D4": "returned",
        "D5": "finished",
        "D6": "processing",
    }
    listing = answer(units, "/overdue Phú Riềng", Asker()).text
    assert "2 hồ sơ quá hạn chưa giải quyết:" in listing
    assert "D1" in listing and "D6" in listing
    assert not any(code in listing for code in ("D2", "D3", "D4", "D5"))


def test_a_complete_list_closes_the_open_dossiers_it_no_longer_holds(
    units: Services, tmp_path: Path
) -> None:
    first = _dossier_rows(_row("D1", "Đang xử lý"), _row("D2", "Chờ bổ sung"), _row("D6", ""))
    assert do_import(units, write_csv(tmp_path, "hs1.csv", first)).ok
    listed = _dossier_rows(_row("D1", "Đang xử lý"))
    outcome = do_import(units, write_csv(tmp_path, "hs2.csv", listed), complete=True)
    assert outcome.ok, outcome.report()
    assert (
        "Danh sách đầy đủ ngày 10/04/2025: 2 hồ sơ đang mở không có trong tệp được coi là đã "
        "đóng (vẫn lưu lại)" in outcome.summary
    )
    with units.session_factory() as session:
        rows = {d.code: (d.state, d.closed_at) for d in session.scalars(select(Dossier))}
    assert rows == {
        "D1": ("processing", None),
        "D2": ("closed", date(2025, 4, 10)),
        "D6": ("closed", date(2025, 4, 10)),
    }
    # Without --complete nothing is closed silently; a dossier listed again is open again.
    again = _dossier_rows(_row("D6", "Đang xử lý"))
    reopened = do_import(units, write_csv(tmp_path, "hs3.csv", again))
    assert reopened.ok and not any("đã đóng" in s for s in reopened.summary)
    with units.session_factory() as session:
        d1, d6 = (session.scalars(select(Dossier).filter_by(code=c)).one() for c in ("D1", "D6"))
        assert (d1.state, d6.state, d6.closed_at) == ("processing", "processing", None)


def test_a_footnote_under_a_pasted_table_is_skipped_with_a_warning(
    units: Services, tmp_path: Path
) -> None:
    rows = [
        ["STT", "ĐƠN VỊ", "ĐIỂM ĐÁNH GIÁ (08/4/2025)"],
        ["1", "Sở Tư pháp", "82,3"],
        ["Ghi chú: số liệu trích xuất từ Cổng DVCQG lúc 8 giờ", "", ""],
    ]
    outcome = do_import(units, write_csv(tmp_path, "bang.csv", rows))
    assert outcome.ok, outcome.report()
    (warning,) = outcome.warnings
    assert warning.row == 3
    assert warning.message.startswith("dòng chú thích dưới bảng («Ghi chú: số liệu trích xuất")
    assert count(units, Observation) == 1


def test_formulas_without_computed_values_are_reported_not_stored_as_no_data(
    units: Services, tmp_path: Path
) -> None:
    # openpyxl, like many programs but Excel, writes formulas without their values.
    path = write_xlsx(
        tmp_path,
        "cong_thuc.xlsx",
        {
            "Quá hạn": [
                ["Ngày", "Đơn vị", "Số hồ sơ quá hạn"],
                ["10/04/2025", "UBND huyện Phú Riềng", "=1+2"],
            ]
        },
    )
    outcome = do_import(units, path)
    assert not outcome.ok
    (problem,) = outcome.errors
    assert (problem.sheet, problem.row, problem.column) == ("Quá hạn", 2, "C")
    assert "công thức nhưng tệp không lưu giá trị đã tính" in problem.message
    assert count(units, Observation) == 0


def test_the_formula_precheck_finds_every_spelling_of_a_formula_element() -> None:
    from core.spreadsheets import _FORMULA_ELEMENT

    for xml in (
        b'<c r="C5"><f>SUM(A1:A3)</f></c>',
        b'<c><f t="shared" si="0"/></c>',
        b"<x:c><x:f>A1*2</x:f></x:c>",
        b"<c>\n<f\n>A1</f></c>",
    ):
        assert _FORMULA_ELEMENT.search(xml), xml
    for xml in (b'<c r="C5"><v>3</v></c>', b'<fill/><font/><c t="s"><v>1</v></c>'):
        assert not _FORMULA_ELEMENT.search(xml), xml


def test_excel_cells_read_as_the_importers_expect(tmp_path: Path) -> None:
    """The reader gives python-calamine's cells as pandas' calamine engine did (whole numbers
    as int, dates as datetime, blank or white-space text and error cells as None), keeps
    texts like "N/A" as written (the importers decide they mean no data), and drops only
    the empty rows at the end: row numbers stay the sheet's."""
    from datetime import datetime

    from storage.importers.reader import read_sheets

    path = write_xlsx(
        tmp_path,
        "cells.xlsx",
        {
            "Một": [
                [None, "Đơn vị", "Giá trị"],
                [date(2026, 11, 3), "  ", 45.0],
                ["#N/A", "N/A", 61.68],
                [None, None, None],
                ["ghi chú", None, 1],
                [None, None, None],
            ],
            "Hai": [],
        },
    )
    one, two = read_sheets(path, path.read_bytes())
    assert (one.name, two.name) == ("Một", "Hai")
    assert one.rows == [
        [None, "Đơn vị", "Giá trị"],
        [datetime(2026, 11, 3), None, 45],
        [None, "N/A", 61.68],  # openpyxl writes "#N/A" as Excel's error cell
        [None, None, None],
        ["ghi chú", None, 1],
    ]
    assert type(one.rows[1][2]) is int and two.rows == []


def test_a_header_repeated_under_a_page_break_is_skipped_not_read_as_data(
    units: Services, tmp_path: Path
) -> None:
    header = ["STT", "ĐƠN VỊ", "ĐIỂM ĐÁNH GIÁ (08/4/2025)"]  # a header with digits
    scores = write_csv(
        tmp_path,
        "diem.csv",
        [header, ["1", "Sở Nội vụ", "95,59"], header, ["2", "Sở Tư pháp", "90,1"]],
    )
    outcome = do_import(units, scores)
    assert outcome.ok and not outcome.errors, outcome.report()
    assert outcome.rows == 2 and count(units, Observation) == 2
    dossier_header = ["MaHoSo", "TenTTHC", "DonVi", "NgayTiepNhan", "NgayHenTra", "TrangThai"]
    row = ["H10-0001", "Cấp phép", "Sở Tư pháp", "01/04/2025 08:00", "03/04/2025 17:00"]
    dossiers = write_csv(
        tmp_path,
        "ho_so.csv",
        [
            dossier_header,
            [*row, "Đang xử lý"],
            [h.upper() for h in dossier_header],  # the header again, in capitals
            [f"{row[0]}2", *row[1:], "Đang xử lý"],
        ],
    )
    outcome = do_import(units, dossiers)
    assert outcome.ok and not outcome.errors, outcome.report()
    assert outcome.rows == 2 and count(units, Dossier) == 2
