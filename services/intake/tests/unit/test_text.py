import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from minyi.intake.domain.text import clean_line, clean_text, content_fingerprint


def _controls(text: str, allowed: str = "") -> set[str]:
    return {c for c in text if unicodedata.category(c) in ("Cc", "Cs") and c not in allowed}


@given(st.text())
def test_clean_text_never_contains_control_characters_and_is_nfc(text: str) -> None:
    cleaned = clean_text(text)
    assert not _controls(cleaned, allowed="\n\t")
    assert unicodedata.is_normalized("NFC", cleaned)
    assert cleaned == cleaned.strip()


@given(st.text())
def test_clean_text_is_idempotent(text: str) -> None:
    assert clean_text(clean_text(text)) == clean_text(text)


@given(st.text())
def test_clean_line_is_one_line_without_control_characters(text: str) -> None:
    cleaned = clean_line(text)
    assert not _controls(cleaned)
    assert "\n" not in cleaned and "  " not in cleaned
    assert clean_line(cleaned) == cleaned


def test_multi_line_content_keeps_its_line_breaks_and_tabs() -> None:
    assert clean_text("  路灯坏了\r\n\t已经三天\r还没修  ") == "路灯坏了\n\t已经三天\n还没修"


def test_blank_lines_and_trailing_spaces_are_squeezed() -> None:
    assert clean_text("第一段   \n\n\n\n第二段") == "第一段\n\n第二段"


def test_invisible_and_bidi_characters_are_removed() -> None:
    assert clean_text("东宝\u200b区\u202e\ufeff路灯\x00坏了\x07") == "东宝区路灯坏了"


def test_lone_surrogates_that_cannot_be_stored_are_removed() -> None:
    cleaned = clean_text("路灯\ud800坏了")
    assert cleaned == "路灯坏了"
    cleaned.encode("utf-8")


def test_decomposed_accents_are_composed() -> None:
    assert clean_text("cafe\u0301") == "caf\u00e9"


def test_the_same_text_with_other_spacing_punctuation_or_width_has_one_fingerprint() -> None:
    a = content_fingerprint("东宝区泉口街道路灯坏了。请尽快修理！")
    assert a == content_fingerprint("  东宝区 泉口街道 路灯坏了，请尽快修理!\n")
    assert a == content_fingerprint("东宝区泉口街道路灯坏了请尽快修理")


def test_different_words_have_different_fingerprints() -> None:
    assert content_fingerprint("路灯坏了") != content_fingerprint("路灯修好了")
    assert content_fingerprint("ABC") == content_fingerprint("ａｂｃ")


@given(st.text())
def test_a_fingerprint_is_a_sha256_hex_digest(text: str) -> None:
    fingerprint = content_fingerprint(text)
    assert len(fingerprint) == 64 and int(fingerprint, 16) >= 0
