"""Codes people read aloud over the phone and type: citizens' tracking codes and liaison's
booking codes. One implementation, because two services hand out tracking codes (intake
for every filing, liaison for a matter it refers) and must agree on the format and on the
SHA-256 of the normalised code, which is all of a referred matter's code that travels on
the bus (``minyi.contracts.liaison``).

Tracking code: ``MY-7K3Q-9XHD-2R4P-ZC8W-T`` — the prefix ``MY``, 16 random symbols (80 bits
from ``secrets``) in blocks of four, then one check symbol. Booking code: ``YY-XXXX-XXXX-C``
(8 random symbols). Symbols are Crockford's base32 alphabet (digits and letters without I,
L, O, U), so nothing looks or sounds alike.

Check symbol: the Damm algorithm over the quasigroup ``x * y = 2x + y`` in GF(32)
(polynomial x^5 + x^2 + 1). It is totally anti-symmetric, so it detects every
single-symbol substitution and every adjacent transposition, with a check symbol from the
same 32-symbol alphabet (Crockford's own mod-37 check needs five extra symbols such as
``*`` and ``~`` that cannot be read aloud).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PREFIX = "MY"
RANDOM_LENGTH = 16  # 16 symbols x 5 bits = 80 bits of entropy
BODY_LENGTH = RANDOM_LENGTH + 1  # plus the check symbol
_GROUP = 4

_VALUE = {symbol: index for index, symbol in enumerate(ALPHABET)}
# What people and OCR confuse with a digit; U is not mapped: it is simply invalid.
_CONFUSABLES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―_.·]+")
# Finds a tracking code in free text (chat messages), separators optional, prefix optional.
_IN_TEXT = re.compile(
    rf"(?<![0-9A-Z])(?:{PREFIX}[\s\-]*)?(?:[0-9A-Z][\s\-]*){{{BODY_LENGTH}}}(?![0-9A-Z])",
    re.IGNORECASE,
)


def _times_two(value: int) -> int:
    """Multiply by x in GF(2^5) modulo x^5 + x^2 + 1."""
    doubled = value << 1
    return (doubled ^ 0b100101) if doubled & 0b100000 else doubled


def _damm(symbols: str) -> int:
    interim = 0
    for symbol in symbols:
        interim = _times_two(interim) ^ _VALUE[symbol]
    return interim


def check_symbol(random_part: str) -> str:
    """The symbol that makes the Damm fold of ``random_part + symbol`` zero."""
    return ALPHABET[_times_two(_damm(random_part))]


@dataclass(frozen=True)
class CodeFormat:
    """A prefix, ``symbols`` random symbols in blocks of four and a check symbol."""

    prefix: str
    symbols: int
    invalid: str  # why ``display`` refuses a code (shown to citizens)

    def new(self) -> str:
        """A fresh code in display form."""
        bits = secrets.randbits(5 * self.symbols)
        random_part = "".join(ALPHABET[(bits >> (5 * i)) & 0b11111] for i in range(self.symbols))
        return self.display(random_part + check_symbol(random_part))

    def body(self, code: str) -> str:
        """The symbols without prefix or separators, as typed (not necessarily valid).

        Accepts lower case, full-width characters, spaces or dashes anywhere, a missing
        prefix, and O/I/L typed for 0/1.
        """
        compact = _SEPARATORS.sub("", unicodedata.normalize("NFKC", code)).upper()
        if len(compact) == self.symbols + 1 + len(self.prefix) and compact.startswith(self.prefix):
            compact = compact[len(self.prefix) :]
        return compact.translate(_CONFUSABLES)

    def is_valid(self, code: str) -> bool:
        """True if ``code`` (any accepted spelling) has the right length, symbols and check."""
        body = self.body(code)
        return (
            len(body) == self.symbols + 1
            and all(symbol in _VALUE for symbol in body)
            and _damm(body) == 0
        )

    def compact(self, code: str) -> str | None:
        """Prefix and symbols without separators (``MY7K3Q…T``), or None when the code is
        malformed or its check symbol is wrong (a typo, told apart from an unknown code)."""
        return self.prefix + self.body(code) if self.is_valid(code) else None

    def display(self, code: str) -> str:
        """Display form (``MY-XXXX-XXXX-XXXX-XXXX-C``) from any spelling; ``ValueError`` if
        the code is invalid."""
        if not self.is_valid(code):
            raise ValueError(self.invalid)
        body = self.body(code)
        groups = [body[i : i + _GROUP] for i in range(0, self.symbols, _GROUP)]
        return "-".join([self.prefix, *groups, body[self.symbols :]])


TRACKING = CodeFormat(PREFIX, RANDOM_LENGTH, "查询码无效，请核对后重新输入 / invalid tracking code")
# Liaison's booking codes (预约码): 40 bits are enough, a booking code only shows or cancels
# a booking and guesses are rate-limited.
BOOKING = CodeFormat("YY", 8, "预约码无效，请核对后重新输入 / invalid booking code")


def new_tracking_code() -> str:
    """A fresh tracking code in display form, e.g. ``MY-7K3Q-9XHD-2R4P-ZC8W-T``."""
    return TRACKING.new()


def normalize(code: str) -> str:
    """A tracking code's 17 symbols, no prefix, as intake stores and looks them up (not
    necessarily valid: see :func:`is_valid`)."""
    return TRACKING.body(code)


def is_valid(code: str) -> bool:
    return TRACKING.is_valid(code)


def format_code(code: str) -> str:
    """Display form ``MY-XXXX-XXXX-XXXX-XXXX-C``; raises ``ValueError`` if invalid.

    Named ``format_code`` rather than ``format`` so as not to shadow the builtin.
    """
    return TRACKING.display(code)


def digest(code: str) -> str:
    """SHA-256 (hex) of a tracking code's normalised form (``MY`` + 17 symbols): what
    travels on the bus instead of the code. ``ValueError`` if the code is invalid."""
    normal = TRACKING.compact(code)
    if normal is None:
        raise ValueError(TRACKING.invalid)
    return hashlib.sha256(normal.encode("ascii")).hexdigest()


def find_in_text(text: str) -> str | None:
    """The first valid tracking code in free text (a chat message), normalised."""
    for match in _IN_TEXT.finditer(unicodedata.normalize("NFKC", text)):
        if is_valid(match.group()):
            return normalize(match.group())
    return None
