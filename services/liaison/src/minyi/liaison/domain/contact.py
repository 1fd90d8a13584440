"""A citizen's contact for a booking: an 11-digit mainland mobile number (the reminder goes
out by SMS), and masking a name for the staff's lists (a phone is masked as the
platform's notifier masks it in logs: ``minyi.platform.notifier.masked``).

Written here rather than imported from intake (services share no code but the platform
and the contracts); intake's ``PhoneNumber`` also takes landlines, which cannot get an
SMS reminder.
"""

from __future__ import annotations

import re
import unicodedata

from minyi.platform.errors import Invalid

_MOBILE = re.compile(r"1[3-9]\d{9}")
_NOISE = re.compile(r"[\s\-()（）.]+")
_COUNTRY = re.compile(r"^(?:\+86|0086)")
PHONE_RULE = "手机号应为 11 位数字、以 13–19 开头（可带 +86）"


def parse_mobile(raw: str, *, field: str = "phone") -> str:
    """The canonical 11 digits of a mainland mobile number, or 422 naming the rule."""
    text = _NOISE.sub("", _COUNTRY.sub("", unicodedata.normalize("NFKC", raw).strip()))
    if not _MOBILE.fullmatch(text):
        raise Invalid("invalid_phone", f"手机号格式不正确：{PHONE_RULE}", field=field)
    return text


def mask_name(name: str) -> str:
    """``张三丰`` → ``张**``."""
    cleaned = "".join(name.split())
    return cleaned[:1] + "*" * max(len(cleaned) - 1, 0)
