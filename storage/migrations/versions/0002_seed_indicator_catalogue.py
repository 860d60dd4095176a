"""seed the indicator catalogue: 766 total, groups and metrics, the tracked ratios

The catalogue is data: administrators edit it later with
`tthc-bot import FILE --kind indicators`.  This migration only gives a new
database the catalogue of DOMAIN.md, the portal's metric list
(shared/dvcqg/metrics.m0.json) and seed 004's extra targets.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# code, name, short name, category, group, measure, max, higher is better, tracked, aliases
CATALOGUE: list[tuple[str, str, str | None, str, str | None, str, float | None, bool, bool, list[str]]] = [
    ("TOTAL", "Tổng điểm Bộ chỉ số 766", "Tổng điểm 766", "total", None, "point", 100.0, True, False,
     ["Điểm đánh giá", "Tổng điểm", "Tổng hợp", "Chỉ số 766", "Bộ chỉ số 766", "Điểm 766"]),
    ("CKMB", "Công khai, minh bạch", None, "group", "CKMB", "point", 18.0, True, False, []),
    ("TDGQ", "Tiến độ giải quyết", None, "group", "TDGQ", "point", 20.0, True, False,
     ["Tiến độ giải quyết hồ sơ"]),
    ("CLGQ", "Dịch vụ công trực tuyến", None, "group", "CLGQ", "point", 12.0, True, False, []),
    ("TTTT", "Thanh toán trực tuyến", None, "group", "TTTT", "point", 10.0, True, False, []),
    ("MDHL", "Mức độ hài lòng", None, "group", "MDHL", "point", 18.0, True, False, []),
    ("MDSH", "Số hóa hồ sơ", None, "group", "MDSH", "point", 22.0, True, False, []),
    ("PUBLISH_ON_TIME", "Tỷ lệ thủ tục hành chính công bố đúng hạn", "Tỷ lệ TTHC công bố đúng hạn",
     "metric", "CKMB", "percent", 6.0, True, False, []),
    ("PUBLIC_UPDATE_ON_TIME", "Tỷ lệ thủ tục hành chính được cập nhật, công khai đúng hạn",
     "Tỷ lệ TTHC cập nhật, công khai đúng hạn", "metric", "CKMB", "percent", 4.0, True, False, []),
    ("PUBLIC_CONTENT_FULL",
     "Tỷ lệ thủ tục hành chính được công khai có đầy đủ các nội dung quy định về các bộ phận tạo thành của thủ tục hành chính",
     "Tỷ lệ TTHC công khai đầy đủ nội dung", "metric", "CKMB", "percent", 2.0, True, False,
     ["Số TTHC được công khai đầy đủ các nội dung quy định về các bộ phận cấu thành"]),
    ("DOSSIER_SYNC",
     "Tỷ lệ hồ sơ được đồng bộ trạng thái theo thời gian thực với Cổng Dịch vụ công quốc gia",
     "Tỷ lệ hồ sơ đồng bộ lên Cổng DVCQG", "metric", "CKMB", "percent", 6.0, True, False, []),
    ("PETITION_CLASSIFICATION_TTHC", "Tỷ lệ PAKN về quy định, thủ tục hành chính", None,
     "metric", "MDHL", "percent", 0.0, True, False, []),
    ("PETITION_CLASSIFICATION_STAFF", "Tỷ lệ PAKN về hành vi cán bộ, công chức, viên chức", None,
     "metric", "MDHL", "percent", 0.0, True, False, []),
    ("PETITION_PROCESSING_ON_TIME", "Tỷ lệ phản ánh, kiến nghị xử lý đúng hạn",
     "Tỷ lệ PAKN xử lý đúng hạn", "metric", "MDHL", "percent", 6.0, True, False, []),
    ("PETITION_HANDLING_SATISFACTION", "Tỷ lệ hài lòng trong xử lý phản ánh, kiến nghị",
     "Tỷ lệ hài lòng trong xử lý PAKN", "metric", "MDHL", "percent", 6.0, True, False, []),
    ("DOSSIER_RECEIVING_SATISFACTION", "Tỷ lệ hài lòng trong tiếp nhận, giải quyết thủ tục hành chính",
     "Tỷ lệ hài lòng trong tiếp nhận, giải quyết TTHC", "metric", "MDHL", "percent", 6.0, True, False, []),
    ("ORIGINAL_RESULT_AVAILABLE",
     "Tỷ lệ hồ sơ thủ tục hành chính có cấp kết quả giải quyết thủ tục hành chính điện tử",
     "Tỷ lệ hồ sơ có kết quả điện tử", "metric", "MDSH", "percent", 6.0, True, False, []),
    ("SO_HOA_GIAY_TO_GIAI_QUYET", "Tỷ lệ hồ sơ thủ tục hành chính thực hiện số hóa thành phần hồ sơ",
     "Tỷ lệ hồ sơ TTHC thực hiện số hóa hồ sơ", "metric", "MDSH", "percent", 4.0, True, False, []),
    ("ELECTRONIC_CERTIFIED_COPY", "Tỷ lệ cung cấp dịch vụ chứng thực bản sao điện tử từ bản chính",
     None, "metric", "MDSH", "percent", 2.0, True, False, []),
    ("REUSED_DIGITIZED_DATA", "Tỷ lệ hồ sơ khai thác, sử dụng lại thông tin, dữ liệu số hóa", None,
     "metric", "MDSH", "percent", 2.0, True, False, []),
    ("SYNCED_WITH_DVCQG_PERSONAL_STORAGE",
     "Tỷ lệ hồ sơ TTHC được số hóa có kết nối, chia sẻ dữ liệu phục vụ tái sử dụng", None,
     "metric", "MDSH", "percent", 4.0, True, False, []),
    ("CITIZEN_DATA_CONNECTED_DOSSIER", "Tỷ lệ hồ sơ TTHC có sử dụng thông tin, dữ liệu dân cư", None,
     "metric", "MDSH", "percent", 2.0, True, False, []),
    ("CITIZEN_DATA_CONNECTED_FORMALITY",
     "Tỷ lệ TTHC triển khai kết nối, chia sẻ dữ liệu dân cư phục vụ GQ TTHC", None,
     "metric", "MDSH", "percent", 2.0, True, False, []),
    ("R01", "Tỷ lệ cung cấp dịch vụ công trực tuyến toàn trình", "DVC trực tuyến toàn trình",
     "ratio", None, "percent", None, True, True, ["Tỷ lệ cung cấp DVCTT toàn trình"]),
    ("R02", "Tỷ lệ thanh toán trực tuyến trên Cổng DVCQG", "Tỷ lệ thanh toán trực tuyến",
     "ratio", None, "percent", None, True, True, []),
    ("R03", "Tỷ lệ hồ sơ nộp trực tuyến", "Hồ sơ trực tuyến", "ratio", None, "percent", None,
     True, True, ["Tỷ lệ hồ sơ trực tuyến", "Tỷ lệ hồ sơ (nộp) trực tuyến"]),
    ("R04", "Tỷ lệ số hóa hồ sơ, kết quả giải quyết TTHC", "Số hóa hồ sơ, kết quả",
     "ratio", None, "percent", None, True, True,
     ["Tỷ lệ số hóa hồ sơ", "Tỷ lệ hồ sơ TTHC số hóa hồ sơ, kết quả giải quyết TTHC"]),
    ("R05", "Tỷ lệ cấp kết quả giải quyết TTHC điện tử", "Kết quả điện tử", "ratio", None,
     "percent", None, True, True, ["Tỷ lệ hồ sơ cấp kết quả điện tử"]),
    ("R06", "Tỷ lệ chứng thực bản sao điện tử từ bản chính", "Chứng thực bản sao điện tử",
     "ratio", None, "percent", None, True, True, []),
    ("R07", "Tỷ lệ khai thác, sử dụng lại thông tin, dữ liệu số hóa", "Tái sử dụng dữ liệu số hóa",
     "ratio", None, "percent", None, True, True, []),
    ("R08", "Tỷ lệ công bố TTHC đúng hạn", "Công bố TTHC đúng hạn", "ratio", None, "percent", None,
     True, True, ["Tỷ lệ công bố, công khai TTHC đúng hạn"]),
    ("R09", "Tỷ lệ xử lý hồ sơ TTHC được đồng bộ đầy đủ trên Cổng DVCQG", "Đồng bộ hồ sơ",
     "ratio", None, "percent", None, True, True, ["Tỷ lệ đồng bộ hồ sơ"]),
    ("R10", "Tỷ lệ xử lý phản ánh, kiến nghị đúng hạn", "Xử lý PAKN đúng hạn", "ratio", None,
     "percent", None, True, True, []),
    ("R11", "Mức độ hài lòng trong tiếp nhận, giải quyết TTHC", "Mức độ hài lòng (tỷ lệ)", "ratio", None,
     "percent", None, True, True, []),
    ("R12", "Chỉ số tiến độ giải quyết hồ sơ TTHC", "Chỉ số tiến độ giải quyết", "ratio", None,
     "percent", None, True, True, []),
    ("R13", "Tỷ lệ xử lý văn bản, hồ sơ công việc trên môi trường mạng (trừ hồ sơ mật)",
     "Văn bản trên môi trường mạng", "ratio", None, "percent", None, True, False, []),
    ("R14", "Cập nhật dữ liệu quy định kinh doanh trên Cổng Tham vấn và Tra cứu quy định kinh doanh",
     "Cập nhật quy định kinh doanh", "ratio", None, "percent", None, True, False, []),
    ("OVERDUE_COUNT", "Số hồ sơ quá hạn", None, "count", None, "count", None, False, False,
     ["Số hồ sơ quá hạn giải quyết", "Hồ sơ quá hạn"]),
]


def upgrade() -> None:
    indicators = sa.table(
        "indicators",
        sa.column("id", sa.Integer),
        sa.column("code", sa.String),
        sa.column("name", sa.String),
        sa.column("short_name", sa.String),
        sa.column("category", sa.String),
        sa.column("group_code", sa.String),
        sa.column("measure", sa.String),
        sa.column("max_score", sa.Float),
        sa.column("higher_is_better", sa.Boolean),
        sa.column("tracked", sa.Boolean),
        sa.column("sort_order", sa.Integer),
        sa.column("active", sa.Boolean),
    )
    aliases = sa.table(
        "indicator_aliases",
        sa.column("indicator_id", sa.Integer),
        sa.column("alias", sa.String),
    )
    op.bulk_insert(
        indicators,
        [
            {
                "code": code,
                "name": name,
                "short_name": short,
                "category": category,
                "group_code": group,
                "measure": measure,
                "max_score": maximum,
                "higher_is_better": higher,
                "tracked": tracked,
                "sort_order": (index + 1) * 10,
                "active": True,
            }
            for index, (code, name, short, category, group, measure, maximum, higher, tracked, _)
            in enumerate(CATALOGUE)
        ],
    )
    ids = {code: id_ for code, id_ in op.get_bind().execute(sa.select(indicators.c.code, indicators.c.id))}
    op.bulk_insert(
        aliases,
        [
            {"indicator_id": ids[row[0]], "alias": alias}
            for row in CATALOGUE
            for alias in row[9]
        ],
    )


def downgrade() -> None:
    op.execute("DELETE FROM indicator_aliases")
    op.execute("DELETE FROM indicators")
