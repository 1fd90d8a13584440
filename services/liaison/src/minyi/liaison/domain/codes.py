"""Codes people read aloud and type: booking codes and the tracking codes of referred
matters.

Symbols are Crockford's base32 alphabet (no I, L, O, U); the last symbol is a Damm check
over the quasigroup ``x * y = 2x + y`` in GF(32), which catches every single wrong symbol
and every swap of neighbours. Tracking codes have the format intake gives citizens
(``MY-7K3Q-9XHD-2R4P-ZC8W-T``, 80 random bits), so the citizen follows a referred matter
on the same page as any other suggestion.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_VALUE = {symbol: index for index, symbol in enumerate(ALPHABET)}
_CONFUSABLES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―_.·]+")

BOOKING_PREFIX = "YY"  # 预约
BOOKING_SYMBOLS = 8  # 40 bits: a code only shows or cancels a booking; guesses are rate-limited
TRACKING_PREFIX = "MY"
TRACKING_SYMBOLS = 16


def _times_two(value: int) -> int:
    doubled = value << 1
    return (doubled ^ 0b100101) if doubled & 0b100000 else doubled


def _damm(symbols: str) -> int:
    interim = 0
    for symbol in symbols:
        interim = _times_two(interim) ^ _VALUE[symbol]
    return interim


def check_symbol(body: str) -> str:
    return ALPHABET[_times_two(_damm(body))]


def new_code(prefix: str, symbols: int) -> str:
    """A fresh code in display form: prefix, blocks of four, check symbol."""
    bits = secrets.randbits(5 * symbols)
    body = "".join(ALPHABET[(bits >> (5 * i)) & 0b11111] for i in range(symbols))
    return display(prefix, body + check_symbol(body))


def display(prefix: str, body: str) -> str:
    symbols = body[:-1]
    blocks = [symbols[i : i + 4] for i in range(0, len(symbols), 4)]
    return "-".join([prefix, *blocks, body[-1]])


def normalize(code: str, prefix: str, symbols: int) -> str | None:
    """``prefix`` + the symbols without separators, or None when the code is malformed or
    its check symbol is wrong (a typo is told apart from a code that does not exist)."""
    text = unicodedata.normalize("NFKC", code).upper()
    text = _SEPARATORS.sub("", text)
    if text.startswith(prefix):
        text = text[len(prefix) :]
    text = text.translate(_CONFUSABLES)
    if len(text) != symbols + 1 or any(c not in _VALUE for c in text):
        return None
    if _damm(text) != 0:
        return None
    return prefix + text


def new_booking_code() -> str:
    return new_code(BOOKING_PREFIX, BOOKING_SYMBOLS)


def normalize_booking_code(code: str) -> str | None:
    return normalize(code, BOOKING_PREFIX, BOOKING_SYMBOLS)


def new_tracking_code() -> str:
    return new_code(TRACKING_PREFIX, TRACKING_SYMBOLS)


def tracking_digest(code: str) -> str:
    """SHA-256 (hex) of a tracking code's normalised form: what travels on the bus."""
    normal = normalize(code, TRACKING_PREFIX, TRACKING_SYMBOLS)
    if normal is None:
        raise ValueError("not a tracking code")
    return hashlib.sha256(normal.encode("ascii")).hexdigest()
