"""Citizens' tracking codes: unguessable, easy to read aloud over the phone and to type.

Format: ``MY-7K3Q-9XHD-2R4P-ZC8W-T`` — the prefix ``MY``, 16 random symbols (80 bits from
``secrets``) in blocks of four, then one check symbol. Symbols are Crockford's base32
alphabet (digits and letters without I, L, O, U), so nothing looks or sounds alike.

Check symbol: the Damm algorithm over the quasigroup ``x * y = 2x + y`` in GF(32)
(polynomial x^5 + x^2 + 1). It is totally anti-symmetric, so it detects every
single-symbol substitution and every adjacent transposition, with a check symbol from the
same 32-symbol alphabet (Crockford's own mod-37 check needs five extra symbols such as
``*`` and ``~`` that cannot be read aloud).
"""

from __future__ import annotations

import re
import secrets
import unicodedata

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PREFIX = "MY"
RANDOM_LENGTH = 16  # 16 symbols x 5 bits = 80 bits of entropy
BODY_LENGTH = RANDOM_LENGTH + 1  # plus the check symbol
_GROUP = 4

_VALUE = {symbol: index for index, symbol in enumerate(ALPHABET)}
# What people and OCR confuse with a digit; U is not mapped: it is simply invalid.
_CONFUSABLES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―_.·]+")
# Finds a code in free text (chat messages), separators optional, prefix optional.
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


def new_tracking_code() -> str:
    """A fresh code in display form, e.g. ``MY-7K3Q-9XHD-2R4P-ZC8W-T``."""
    bits = secrets.randbits(5 * RANDOM_LENGTH)
    random_part = "".join(ALPHABET[(bits >> (5 * i)) & 0b11111] for i in range(RANDOM_LENGTH))
    return format_code(random_part + check_symbol(random_part))


def normalize(code: str) -> str:
    """Compact, canonical body (17 symbols, no prefix) as stored and looked up.

    Accepts lower case, full-width characters, spaces or dashes anywhere, a missing
    prefix, and O/I/L typed for 0/1. The result is not necessarily valid: see
    :func:`is_valid`.
    """
    compact = _SEPARATORS.sub("", unicodedata.normalize("NFKC", code)).upper()
    if len(compact) == BODY_LENGTH + len(PREFIX) and compact.startswith(PREFIX):
        compact = compact[len(PREFIX) :]
    return compact.translate(_CONFUSABLES)


def is_valid(code: str) -> bool:
    """True if ``code`` (any accepted spelling) has the right length, symbols and check."""
    body = normalize(code)
    return (
        len(body) == BODY_LENGTH and all(symbol in _VALUE for symbol in body) and _damm(body) == 0
    )


def format_code(code: str) -> str:
    """Display form ``MY-XXXX-XXXX-XXXX-XXXX-C``; raises ``ValueError`` if invalid.

    Named ``format_code`` rather than ``format`` so as not to shadow the builtin.
    """
    if not is_valid(code):
        raise ValueError("查询码无效，请核对后重新输入 / invalid tracking code")
    body = normalize(code)
    groups = [body[i : i + _GROUP] for i in range(0, RANDOM_LENGTH, _GROUP)]
    return "-".join([PREFIX, *groups, body[RANDOM_LENGTH:]])


def find_in_text(text: str) -> str | None:
    """The first valid tracking code in free text (a chat message), normalised."""
    for match in _IN_TEXT.finditer(unicodedata.normalize("NFKC", text)):
        if is_valid(match.group()):
            return normalize(match.group())
    return None
