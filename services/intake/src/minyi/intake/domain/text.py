"""Input hygiene for citizens' text, and a fingerprint to recognise a resubmission."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import timedelta

import regex

# A citizen who sends the same text again within this window (a double tap, a retried
# form, a chat message resent on a bad connection) gets the first suggestion back.
RESUBMISSION_WINDOW = timedelta(minutes=10)

# Invisible format characters that hide or reorder text ("Trojan source" bidi tricks,
# zero-width spaces, byte-order marks). Zero-width joiners stay: emoji sequences need them.
_INVISIBLE = frozenset(
    "\u00ad\u061c\u180e\u200b\u200c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\ufeff"
)
_LINE_BREAKS = re.compile(r"\r\n|[\r\u2028\u2029\x0b\x0c\x85]")
_TRAILING_SPACE = re.compile(r"[ \t\u3000]+\n")
_BLANK_LINES = re.compile(r"\n{3,}")
_WHITESPACE = re.compile(r"\s+")


# Dropped: Cc (control characters) but tab and line feed, Cs (lone surrogates, which
# cannot be stored as UTF-8) and the invisible ones. Cc and Cs are fixed ranges, so one
# regex does it (a loop over the characters was a tenth of intake's CPU).
_DROPPED = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff" + "".join(sorted(_INVISIBLE)) + "]"
)
# What a fingerprint ignores: separators (Z), punctuation (P) and other (C) characters.
_NOT_ESSENTIAL = regex.compile(r"[\p{Z}\p{P}\p{C}]+")


def clean_text(text: str, *, multiline: bool = True) -> str:
    """NFC text without control or invisible characters, trimmed.

    ``multiline`` keeps line breaks (normalised to ``\\n``) and tabs, drops trailing
    spaces on each line and squeezes runs of blank lines to one; otherwise (names,
    titles) every run of whitespace becomes one space.
    """
    unified = _LINE_BREAKS.sub("\n", text)
    if not multiline:
        unified = unified.replace("\n", " ").replace("\t", " ")
    kept = _DROPPED.sub("", unified)
    result = unicodedata.normalize("NFC", kept)
    if multiline:
        result = _BLANK_LINES.sub("\n\n", _TRAILING_SPACE.sub("\n", result))
    else:
        result = _WHITESPACE.sub(" ", result)
    return result.strip()


def clean_line(text: str) -> str:
    """A single-line field (a name, a title): whitespace runs become one space."""
    return clean_text(text, multiline=False)


def content_fingerprint(text: str) -> str:
    """SHA-256 (hex) of the text with width, case, spacing and punctuation ignored.

    ``路灯坏了。`` and ``路灯坏了`` match, as do full- and half-width spellings; anything
    that changes the words does not.
    """
    folded = unicodedata.normalize("NFKC", clean_text(text)).casefold()
    essential = _NOT_ESSENTIAL.sub("", folded)
    return hashlib.sha256(essential.encode("utf-8")).hexdigest()


_PHONE_LIKE = re.compile(r"(?<!\d)(?:\+?86[\s-]?)?(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?!\d)")
_LANDLINE_LIKE = re.compile(r"(?<!\d)(0\d{2,3})[\s-]?(\d{3,4})(\d{4})(?!\d)")


def redact_phones(text: str) -> str:
    """Mask phone numbers in free text meant for events (a representative's activity
    notes must not carry a citizen's contact data)."""
    masked = _PHONE_LIKE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)
    return _LANDLINE_LIKE.sub(lambda m: f"{m.group(1)}-****{m.group(3)}", masked)
