"""A Word document as PDF through LibreOffice (``soffice --headless --convert-to pdf``), where
it is installed (Debian: ``make office`` installs libreoffice-writer-nogui). Where it is not,
``to_pdf`` raises ``NoConverter`` with a message saying so; nothing else is tried."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

# A cold LibreOffice start and a few pages of tables and images (seconds here).
TIMEOUT_SECONDS = 180
NO_SOFFICE = (
    "未安装 LibreOffice（soffice），跳过 PDF；Word 文档已生成。"
    "（no soffice on PATH: PDF skipped; install libreoffice-writer-nogui, e.g. `make office`）"
)


class NoConverter(RuntimeError):
    """No LibreOffice here: the PDF is skipped (the message says why)."""


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_pdf(docx: bytes) -> bytes:
    """The PDF of ``docx``, converted by LibreOffice in a throwaway profile and directory."""
    binary = soffice()
    if binary is None:
        raise NoConverter(NO_SOFFICE)
    with tempfile.TemporaryDirectory(prefix="minyi-report-") as tmp:
        work = Path(tmp)
        source = work / "report.docx"
        source.write_bytes(docx)
        # Its own profile: no clash with a LibreOffice the user has open, no lock left.
        profile = (work / "profile").as_uri()
        done = subprocess.run(
            [
                binary,
                f"-env:UserInstallation={profile}",
                "--headless",
                "--norestore",
                "--convert-to",
                "pdf",
                "--outdir",
                str(work),
                str(source),
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=TIMEOUT_SECONDS,
        )
        target = work / "report.pdf"
        if done.returncode != 0 or not target.is_file():
            raise RuntimeError(
                f"LibreOffice could not convert the report (exit {done.returncode}): "
                f"{(done.stderr or done.stdout).strip()[:500]}"
            )
        return target.read_bytes()
