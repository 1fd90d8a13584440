"""Citizens' contact data: phone number validation and masking for every view."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

_MOBILE = re.compile(r"1[3-9]\d{9}")
# Area codes: 010 and 020–029 are three digits, every other one is four (0724 = 荆门).
_AREA_CODE = re.compile(r"0(?:10|2\d|[3-9]\d{2})")
_LOCAL = re.compile(r"[2-9]\d{6,7}")  # local numbers never start with 0 or 1
_MARKED_EXTENSION = re.compile(r"(?:转|分机|ext\.?|x|#)\s*(\d{1,6})\s*$", re.IGNORECASE)
_NOISE = re.compile(r"[\s\-()（）.]+")
_COUNTRY = re.compile(r"^(?:\+86|0086)")

RULE = (
    "手机号为 11 位数字，以 13–19 开头（可带 +86）；固定电话为区号（0 开头，3–4 位）加 7–8 位号码，"
    "如 0724-2345678，可带分机号"
    " / a mobile number is 11 digits 1[3-9]XXXXXXXXX (optionally +86); a landline is an area"
    " code (0 then 2–3 digits) plus a 7–8 digit number, e.g. 0724-2345678, optional extension"
)


class InvalidPhoneNumber(ValueError):
    """A phone number that breaks the rule; the message says which part and the rule."""

    def __init__(self, problem: str) -> None:
        super().__init__(f"{problem}。{RULE}")


class PhoneKind(StrEnum):
    MOBILE = "mobile"
    LANDLINE = "landline"


@dataclass(frozen=True, slots=True)
class PhoneNumber:
    """A mainland China phone number in canonical form.

    Canonical: mobile ``13812341234``; landline ``0724-2345678`` or, with an extension,
    ``0724-2345678-801``. ``parse(canonical)`` gives back the same number.
    """

    kind: PhoneKind
    area_code: str  # "" for mobiles
    number: str  # the 11 mobile digits, or the local landline number
    extension: str = ""

    @classmethod
    def parse(cls, raw: str, *, default_area_code: str | None = None) -> PhoneNumber:
        """Accepts spaces, dashes, brackets, full-width digits, +86/0086 and extensions.

        ``default_area_code`` (e.g. ``"0724"``) completes a landline given without one.
        """
        text = unicodedata.normalize("NFKC", raw).strip()
        if not text:
            raise InvalidPhoneNumber("电话号码为空 / the phone number is empty")
        international = _COUNTRY.match(text) is not None
        text = _COUNTRY.sub("", text)
        compact = _NOISE.sub("", text)
        if len(compact) == 13 and compact.startswith("86") and _MOBILE.fullmatch(compact[2:]):
            compact = compact[2:]  # "86" typed without + or 00
        if _MOBILE.fullmatch(compact):
            return cls(PhoneKind.MOBILE, "", compact)
        if compact.isdigit() and compact.startswith("1"):
            raise InvalidPhoneNumber(
                "手机号应为 11 位且以 13–19 开头 / a mobile number is 11 digits starting 13–19"
            )
        return cls._landline(text, international, default_area_code)

    @classmethod
    def _landline(
        cls, text: str, international: bool, default_area_code: str | None
    ) -> PhoneNumber:
        extension = ""
        marked = _MARKED_EXTENSION.search(text)
        if marked:
            extension, text = marked.group(1), text[: marked.start()]
        parts = [part for part in _NOISE.split(text) if part]
        if international and parts and not parts[0].startswith("0"):
            parts[0] = "0" + parts[0]  # "+86 724 ..." drops the trunk 0
        if (
            not marked
            # A trailing "-801" is an extension only after a complete area code and number.
            and len(parts) == 3
            and _AREA_CODE.fullmatch(parts[0])
            and _LOCAL.fullmatch(parts[1])
            and re.fullmatch(r"\d{1,6}", parts[2])
        ):
            extension = parts.pop()
        digits = "".join(parts)
        if not digits.isdigit():
            raise InvalidPhoneNumber(
                "电话号码含有非法字符 / the phone number has invalid characters"
            )
        area = _AREA_CODE.match(digits)
        if area is None:
            if _LOCAL.fullmatch(digits):
                if default_area_code and _AREA_CODE.fullmatch(default_area_code):
                    return cls(PhoneKind.LANDLINE, default_area_code, digits, extension)
                raise InvalidPhoneNumber("固定电话缺少区号 / the landline has no area code")
            raise InvalidPhoneNumber("无法识别的电话号码 / not a mobile or landline number")
        local = digits[area.end() :]
        if not _LOCAL.fullmatch(local):
            raise InvalidPhoneNumber(
                "固定电话号码应为 7–8 位且不以 0 或 1 开头"
                " / a landline number is 7–8 digits not starting with 0 or 1"
            )
        return cls(PhoneKind.LANDLINE, area.group(), local, extension)

    @property
    def canonical(self) -> str:
        if self.kind is PhoneKind.MOBILE:
            return self.number
        base = f"{self.area_code}-{self.number}"
        return f"{base}-{self.extension}" if self.extension else base

    @property
    def e164(self) -> str:
        """International form without the extension, e.g. ``+867242345678``."""
        if self.kind is PhoneKind.MOBILE:
            return f"+86{self.number}"
        return f"+86{self.area_code[1:]}{self.number}"

    @property
    def masked(self) -> str:
        """``138****1234``; ``0724-***5678`` (the extension is dropped)."""
        if self.kind is PhoneKind.MOBILE:
            return f"{self.number[:3]}****{self.number[-4:]}"
        hidden = len(self.number) - 4
        return f"{self.area_code}-{'*' * hidden}{self.number[-4:]}"

    def __str__(self) -> str:
        return self.canonical


def mask_phone(raw: str) -> str:
    """Masked phone for display; an unparseable value is hidden but for its last 2 chars."""
    try:
        return PhoneNumber.parse(raw).masked
    except ValueError:
        visible = raw.strip()[-2:] if len(raw.strip()) > 6 else ""
        return "*" * max(len(raw.strip()) - len(visible), 1) + visible


def mask_name(name: str) -> str:
    """``张三丰`` → ``张**``: the first character stays, each other one becomes ``*``."""
    cleaned = "".join(name.split())
    if len(cleaned) <= 1:
        return "*" if cleaned else ""
    return cleaned[0] + "*" * (len(cleaned) - 1)
