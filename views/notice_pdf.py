"""A notice as PDF, through LibreOffice where it is installed (the .docx is the product)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

#: LibreOffice converts a page of notice in well under this (its first start is the slowest).
TIMEOUT_SECONDS = 120


class PdfUnavailable(Exception):
    """No LibreOffice, or it failed; the message is Vietnamese."""


def to_pdf(docx: bytes) -> bytes:
    program = shutil.which("soffice") or shutil.which("libreoffice")
    if program is None:
        raise PdfUnavailable("cần LibreOffice (lệnh soffice), ví dụ apt install libreoffice-writer")
    with tempfile.TemporaryDirectory(prefix="tthc-pdf-") as folder:
        source = Path(folder) / "thong-bao.docx"
        source.write_bytes(docx)
        try:
            subprocess.run(
                [
                    program,
                    f"-env:UserInstallation=file://{folder}/profile",
                    "--headless",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                    folder,
                    str(source),
                ],
                capture_output=True,
                timeout=TIMEOUT_SECONDS,
                check=True,
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            raise PdfUnavailable(f"LibreOffice không chuyển được tệp ({exc})") from exc
        result = source.with_suffix(".pdf")
        if not result.exists():
            raise PdfUnavailable("LibreOffice không tạo ra tệp PDF")
        return result.read_bytes()
