"""Evidence files of a project's progress report: what is accepted, decided by the bytes
(magic numbers), never by the name or the type the client claims.

Accepted: PDF, JPEG, PNG, WebP, and Office Open XML documents and workbooks (DOCX, XLSX: a
ZIP archive with ``[Content_Types].xml`` and a ``word/`` or ``xl/`` part). Anything else
(HTML, SVG, scripts, executables, other archives) is refused, so no stored file can ever
be rendered as a page.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from minyi.supervision.domain.case import InvalidInput

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_FILES = 5
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ALLOWED_LABEL = "PDF、JPEG、PNG、WebP、DOCX、XLSX"


@dataclass(frozen=True)
class Upload:
    name: str
    content: bytes


def _office_type(content: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if any(n.startswith("word/") for n in names):
        return DOCX
    if any(n.startswith("xl/") for n in names):
        return XLSX
    return None


def sniff(content: bytes) -> str | None:
    """The media type the content really is, or None when it is none we accept."""
    if content.startswith(b"%PDF-"):
        return "application/pdf"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(content) >= 12 and content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    if content.startswith(b"PK\x03\x04"):
        return _office_type(content)
    return None


def safe_name(name: str) -> str:
    """The client's file name for display only (never a path): its last part, without
    control characters, at most 120 characters."""
    last = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in last if ch.isprintable() and ch not in '"<>').strip()
    return cleaned[:120] or "附件"


def check_uploads(uploads: list[Upload]) -> list[str]:
    """Each upload's media type; refuses the lot (422 naming ``files``) if any breaks a rule."""
    if len(uploads) > MAX_FILES:
        raise InvalidInput("too_many_files", f"最多上传 {MAX_FILES} 个文件", field="files")
    types = []
    for u in uploads:
        shown = safe_name(u.name)
        if len(u.content) == 0:
            raise InvalidInput("empty_file", f"文件「{shown}」是空文件", field="files")
        if len(u.content) > MAX_FILE_BYTES:
            raise InvalidInput(
                "file_too_large", f"文件「{shown}」超过 5 MiB 的大小限制", field="files"
            )
        media_type = sniff(u.content)
        if media_type is None:
            raise InvalidInput(
                "file_type_not_allowed",
                f"文件「{shown}」的类型不在允许范围内（仅限 {ALLOWED_LABEL}，按文件内容识别）",
                field="files",
            )
        types.append(media_type)
    return types
