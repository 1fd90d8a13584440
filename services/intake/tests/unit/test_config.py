"""Intake's secrets: generated once in development, required in production."""

from __future__ import annotations

from pathlib import Path

import pytest

from minyi.intake.config import IntakeSettings, load_api_keys, load_chat_secret


def test_a_development_api_key_is_generated_once_and_printed_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = load_api_keys(IntakeSettings(), tmp_path, development=True)
    second = load_api_keys(IntakeSettings(), tmp_path, development=True)
    assert first == second and len(first) == 1
    assert capsys.readouterr().out.count(next(iter(first))) == 1
    assert (tmp_path / "intake-api-keys.txt").stat().st_mode & 0o077 == 0


def test_keys_come_from_settings_or_a_file(tmp_path: Path) -> None:
    assert load_api_keys(IntakeSettings(api_keys="a, b"), tmp_path, development=False) == {"a", "b"}
    keys = tmp_path / "keys.txt"
    keys.write_text("# adapters\nk1\n\nk2\n")
    assert load_api_keys(IntakeSettings(api_keys_file=keys), tmp_path, development=False) == {
        "k1",
        "k2",
    }


def test_production_refuses_to_start_without_configured_secrets(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="MINYI_INTAKE_API_KEYS"):
        load_api_keys(IntakeSettings(), tmp_path, development=False)
    with pytest.raises(ValueError, match="MINYI_INTAKE_CHAT_SECRET"):
        load_chat_secret(IntakeSettings(), tmp_path, development=False)
