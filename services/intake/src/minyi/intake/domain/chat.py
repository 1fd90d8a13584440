"""What a chat message asks for: track a code, rate an answer, or file a suggestion."""

from __future__ import annotations

import re
from dataclasses import dataclass

from minyi.contracts import tracking_code

_TRACK = re.compile(r"^\s*(?:查询|查)\s*(?P<code>.+?)\s*$")
_RATE = re.compile(
    r"^\s*评价\s*(?P<code>\S.*?)\s+(?P<verdict>满意|不满意)\s*(?P<comment>.*)$", re.S
)


@dataclass(frozen=True)
class Track:
    code: str | None  # normalised; None when no valid code was given


@dataclass(frozen=True)
class Rate:
    code: str | None
    satisfied: bool
    comment: str | None


@dataclass(frozen=True)
class FreeText:
    text: str


ChatIntent = Track | Rate | FreeText


def parse(text: str) -> ChatIntent:
    rate = _RATE.match(text)
    if rate:
        code = rate.group("code")
        return Rate(
            tracking_code.normalize(code) if tracking_code.is_valid(code) else None,
            rate.group("verdict") == "满意",
            rate.group("comment").strip() or None,
        )
    track = _TRACK.match(text)
    if track:
        code = track.group("code")
        return Track(tracking_code.normalize(code) if tracking_code.is_valid(code) else None)
    return FreeText(text)


# Written anywhere in a filing's messages, it records the citizen's consent that the text
# may be shown in public (never the contact data); without it the answer is no.
CONSENT_WORDS = "同意公开"


def take_consent(text: str) -> tuple[str, bool]:
    """The text without the consent words, and whether they were there."""
    if CONSENT_WORDS not in text:
        return text, False
    return text.replace(CONSENT_WORDS, " ").strip(), True


def title_from(text: str, limit: int = 30) -> str:
    """A short title from the first line of a chat message."""
    first = text.strip().splitlines()[0] if text.strip() else text
    return first if len(first) <= limit else first[: limit - 1] + "…"


HELP = (
    "您好，这里是民意直通车。直接发送您的意见建议即可提交（请写明所在区县、乡镇街道）；"
    "发送“查询 查询码”查看办理进度；发送“评价 查询码 满意/不满意 [意见]”评价答复。"
    "如同意公开您反映的内容（不含姓名、电话等个人信息），请在消息中写上“同意公开”。"
)
