"""``/report [tuần|tháng] [DD/MM/YYYY]``: the notice's draft, sent as a Word document."""

from __future__ import annotations

from app.answers.notice import build_notice
from core.parsing import ValueProblem, parse_date
from core.reply import Reply
from core.vnformat import fmt_date
from handlers.request import Request
from views.notice import CADENCE_WORDS, Cadence, file_name

USAGE = "Cú pháp: /report [tuần|tháng] [ngày DD/MM/YYYY], ví dụ /report tuần 10/04/2025"


def report_command(request: Request) -> Reply:
    cadence, as_of = Cadence.WEEKLY, None
    for word in request.args.split():
        if word.lower() in CADENCE_WORDS:
            cadence = CADENCE_WORDS[word.lower()]
            continue
        try:
            as_of = parse_date(word)
        except ValueProblem:
            as_of = None
        if as_of is None:
            return Reply(USAGE)
    services = request.services
    notice = build_notice(
        request.session, services.config, services.clock, services.calendar, cadence, as_of
    )
    if isinstance(notice, str):
        return Reply(notice)
    # python-docx (and lxml) are loaded when a notice is drafted, not with the bot (15 MB)
    from views.notice_document import render_notice

    return Reply(
        f"📄 Bản thảo thông báo {notice.period_title} (số liệu đến ngày "
        f"{fmt_date(notice.as_of)}): mở tệp đính kèm, bổ sung phần II, III, số và ngày rồi "
        "trình ký.",
        document=render_notice(notice),
        document_name=file_name(notice),
    )
