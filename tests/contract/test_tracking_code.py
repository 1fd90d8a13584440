"""The one implementation of citizens' tracking codes (intake files under them, liaison
hands them out for referred matters) and liaison's booking codes."""

import hashlib
import random
import secrets

import pytest
from hypothesis import given
from hypothesis import strategies as st

from minyi.contracts import tracking_code as tc
from minyi.contracts.tracking_code import (
    ALPHABET,
    BOOKING,
    digest,
    find_in_text,
    format_code,
    is_valid,
    new_tracking_code,
    normalize,
)

_RNG = random.Random(2026)  # a fixed sample: failures reproduce
_PARTS = ["".join(_RNG.choices(ALPHABET, k=tc.RANDOM_LENGTH)) for _ in range(40)]
_SAMPLE = [part + tc.check_symbol(part) for part in _PARTS]
random_parts = st.text(alphabet=ALPHABET, min_size=tc.RANDOM_LENGTH, max_size=tc.RANDOM_LENGTH)


def test_a_new_code_is_valid_and_has_the_display_format() -> None:
    code = new_tracking_code()
    assert is_valid(code)
    prefix, *groups, check = code.split("-")
    assert prefix == "MY"
    assert [len(g) for g in groups] == [4, 4, 4, 4]
    assert len(check) == 1


def test_codes_carry_at_least_80_random_bits() -> None:
    assert 5 * tc.RANDOM_LENGTH >= 80
    assert len({new_tracking_code() for _ in range(2000)}) == 2000


def test_the_alphabet_has_no_ambiguous_letters() -> None:
    assert len(set(ALPHABET)) == 32
    assert not set("ILOU") & set(ALPHABET)


@pytest.mark.parametrize("body", _SAMPLE)
def test_every_single_symbol_substitution_is_detected(body: str) -> None:
    assert is_valid(body)
    for position, original in enumerate(body):
        for replacement in ALPHABET:
            if replacement != original:
                typo = body[:position] + replacement + body[position + 1 :]
                assert not is_valid(typo), (body, typo)


@pytest.mark.parametrize("body", _SAMPLE)
def test_every_adjacent_transposition_is_detected(body: str) -> None:
    for position in range(len(body) - 1):
        a, b = body[position], body[position + 1]
        if a != b:
            swapped = body[:position] + b + a + body[position + 2 :]
            assert not is_valid(swapped), (body, swapped)


def test_every_adjacent_transposition_of_every_symbol_pair_is_detected() -> None:
    # Exhaustive over symbol pairs, after two different prefixes.
    for a in ALPHABET:
        for b in ALPHABET:
            if a == b:
                continue
            for head in ("", "7K3Q9XHD2R4PZC"):
                random_part = (head + a + b).rjust(tc.RANDOM_LENGTH, "0")
                body = random_part + tc.check_symbol(random_part)
                position = len(random_part) - 2
                swapped = body[:position] + b + a + body[position + 2 :]
                assert is_valid(body) and not is_valid(swapped)


@given(random_parts)
def test_any_random_part_with_its_check_symbol_is_valid(random_part: str) -> None:
    assert is_valid(random_part + tc.check_symbol(random_part))


def test_normalization_accepts_lower_case_and_missing_dashes() -> None:
    code = new_tracking_code()
    compact = code.replace("-", "")
    assert is_valid(code.lower())
    assert is_valid(compact)
    assert is_valid(compact[2:].lower())  # without the prefix
    assert normalize(code.lower()) == normalize(compact) == normalize(compact[2:])
    assert is_valid(" ".join(code.replace("-", "")))


def test_normalization_maps_confusable_letters_to_digits() -> None:
    body = "01" + "0" * (tc.RANDOM_LENGTH - 2)
    code = format_code(body + tc.check_symbol(body))
    typed = code.replace("MY-", "").replace("0", "o").replace("1", "l", 1)
    assert normalize(typed) == normalize(code)
    assert is_valid(typed)
    assert normalize("i") == "1"


def test_full_width_input_from_a_chinese_keyboard_is_accepted() -> None:
    code = new_tracking_code()
    full_width = "".join(chr(ord(c) + 0xFEE0) if c != "-" else "－" for c in code)
    assert is_valid(full_width)


def test_format_gives_back_the_display_form_from_any_spelling() -> None:
    code = new_tracking_code()
    assert format_code(code.lower().replace("-", " ")) == code


@pytest.mark.parametrize("bad", ["", "MY", "MY-0000-0000-0000-0000", "U" * 17, "hello world"])
def test_garbage_is_invalid_and_cannot_be_formatted(bad: str) -> None:
    assert not is_valid(bad)
    with pytest.raises(ValueError, match="查询码无效"):
        format_code(bad)


def test_a_code_is_found_in_a_chat_message() -> None:
    code = new_tracking_code()
    assert find_in_text(f"你好，我的查询码是{code.lower()}，请问进展如何？") == normalize(code)
    assert find_in_text("我的电话是13812341234") is None


def test_randomness_comes_from_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(secrets, "randbits", lambda bits: 0)
    assert new_tracking_code().startswith("MY-0000-0000-0000-0000-")


def test_the_digest_is_the_same_for_every_spelling_and_does_not_reveal_the_code() -> None:
    code = new_tracking_code()
    expected = hashlib.sha256(code.replace("-", "").encode()).hexdigest()
    assert digest(code) == digest(code.lower().replace("-", " ")) == digest(normalize(code))
    assert digest(code) == expected and len(expected) == 64
    with pytest.raises(ValueError, match="查询码无效"):
        digest(code[:-1] + ("0" if code[-1] != "0" else "1"))


def test_booking_codes_are_checked_and_read_back_whatever_the_spelling() -> None:
    code = BOOKING.new()
    assert len(code) == len("YY-XXXX-XXXX-X") and code.startswith("YY-")
    normal = BOOKING.compact(code.lower().replace("-", " "))
    assert normal is not None and normal == code.replace("-", "")
    assert BOOKING.display(normal) == code
    typo = code[:-1] + ("0" if code[-1] != "0" else "1")
    assert BOOKING.compact(typo) is None
    assert not is_valid(code)  # a booking code is no tracking code


def test_a_body_that_starts_like_the_prefix_is_not_mistaken_for_it() -> None:
    random_part = "MY" + "0" * (tc.RANDOM_LENGTH - 2)
    body = random_part + tc.check_symbol(random_part)
    assert normalize(body) == body and is_valid(body)
    assert format_code(body) == "MY-MY00-0000-0000-0000-" + body[-1]
