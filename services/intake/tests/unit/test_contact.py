import pytest

from minyi.intake.domain.contact import (
    InvalidPhoneNumber,
    PhoneKind,
    PhoneNumber,
    mask_name,
    mask_phone,
)


@pytest.mark.parametrize(
    "raw",
    [
        "13812341234",
        "138 1234 1234",
        "138-1234-1234",
        "+86 138 1234 1234",
        "+8613812341234",
        "008613812341234",
        "8613812341234",
        "１３８１２３４１２３４",  # full-width digits from a Chinese keyboard
        " 13812341234 ",
    ],
)
def test_mobile_numbers_in_any_common_spelling_have_one_canonical_form(raw: str) -> None:
    phone = PhoneNumber.parse(raw)
    assert phone.kind is PhoneKind.MOBILE
    assert phone.canonical == "13812341234"
    assert phone.e164 == "+8613812341234"


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("0724-2345678", "0724-2345678"),
        ("07242345678", "0724-2345678"),
        ("(0724) 2345678", "0724-2345678"),
        ("（0724）2345678", "0724-2345678"),
        ("010-12345678".replace("1234", "2234"), "010-22345678"),
        ("02787654321", "027-87654321"),
        ("+86 724 2345678", "0724-2345678"),
        ("0724-2345678转801", "0724-2345678-801"),
        ("0724-2345678 ext. 801", "0724-2345678-801"),
        ("0724-2345678-801", "0724-2345678-801"),
        ("0724 2345678 #801", "0724-2345678-801"),
    ],
)
def test_landlines_are_split_into_area_code_number_and_extension(raw: str, canonical: str) -> None:
    phone = PhoneNumber.parse(raw)
    assert phone.kind is PhoneKind.LANDLINE
    assert phone.canonical == canonical
    assert PhoneNumber.parse(phone.canonical) == phone


def test_landlines_have_an_international_form_without_the_trunk_zero() -> None:
    assert PhoneNumber.parse("0724-2345678转801").e164 == "+867242345678"


def test_a_local_number_takes_the_default_area_code_when_one_is_configured() -> None:
    assert PhoneNumber.parse("2345678", default_area_code="0724").canonical == "0724-2345678"
    with pytest.raises(InvalidPhoneNumber, match="缺少区号"):
        PhoneNumber.parse("2345678")


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "为空"),
        ("12812341234", "13–19"),
        ("1381234123", "13–19"),
        ("138123412345", "13–19"),
        ("0724-1234567", "不以 0 或 1 开头"),
        ("0724-23456", "7–8 位"),
        ("abc", "非法字符"),
        ("12345", "13–19"),
        ("9999999999999", "无法识别"),
    ],
)
def test_invalid_numbers_are_refused_with_the_rule_in_chinese_and_english(
    raw: str, reason: str
) -> None:
    with pytest.raises(ValueError, match=reason) as caught:
        PhoneNumber.parse(raw)
    message = str(caught.value)
    assert "手机号为 11 位数字" in message
    assert "a mobile number is 11 digits" in message


def test_mobile_numbers_are_masked_in_the_middle() -> None:
    assert mask_phone("13812341234") == "138****1234"
    assert mask_phone("+86 138-1234-1234") == "138****1234"


def test_landlines_are_masked_but_keep_area_code_and_last_four_digits() -> None:
    assert mask_phone("0724-2345678") == "0724-***5678"
    assert mask_phone("027-87654321转12") == "027-****4321"


def test_an_unparseable_phone_is_still_masked() -> None:
    masked = mask_phone("138123")
    assert "138123" not in masked and set(masked) == {"*"}
    assert mask_phone("no phone 5678").endswith("78")
    assert "phone" not in mask_phone("no phone 5678")


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三丰", "张**"),
        ("张三", "张*"),
        ("欧阳娜娜", "欧***"),
        ("张", "*"),
        ("", ""),
        (" 李 四 ", "李*"),
    ],
)
def test_names_keep_only_their_first_character(name: str, masked: str) -> None:
    assert mask_name(name) == masked
