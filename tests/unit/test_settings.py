"""The settings object: defaults, the environment, and clear errors for bad values."""

from __future__ import annotations

import dataclasses
import stat
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.secrets import local_secret
from bot.settings import Settings, SettingsError


def test_defaults_are_demo_mode_on_sqlite_with_three_districts():
    settings = Settings.from_env({})
    assert settings.demo_mode
    assert settings.database_url.startswith("sqlite:///")
    assert settings.districts == ("North", "East", "Central")
    assert settings.timezone == "Europe/London"
    assert settings.public_base_url == "http://localhost:5005"


def test_twilio_needs_all_three_settings_to_leave_demo_mode():
    full = {
        "TWILIO_ACCOUNT_SID": "ACfake00000000000000000000000000",
        "TWILIO_AUTH_TOKEN": "t0ken",
        "TWILIO_FROM_NUMBER": "+447700900000",
    }
    assert not Settings.from_env(full).demo_mode
    for missing in full:
        assert Settings.from_env({k: v for k, v in full.items() if k != missing}).demo_mode


def test_districts_are_a_comma_separated_list():
    settings = Settings.from_env({"DISTRICTS": " North , South,, West "})
    assert settings.districts == ("North", "South", "West")
    with pytest.raises(SettingsError, match="DISTRICTS must be a comma-separated list"):
        Settings.from_env({"DISTRICTS": " , ,"})


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("RASA_PORT", "http", "RASA_PORT must be a whole number"),
        ("RASA_WORKERS", "0", "RASA_WORKERS must be at least 1"),
        ("CONTENT_REFRESH_SECONDS", "soon", "CONTENT_REFRESH_SECONDS must be a number"),
    ],
)
def test_a_bad_value_names_the_variable(name, value, message):
    with pytest.raises(SettingsError, match=message):
        Settings.from_env({name: value})


def test_the_signing_token_is_twilios_or_a_private_local_one(tmp_path):
    settings = dataclasses.replace(Settings(), var_dir=tmp_path)
    local = settings.signing_token()
    assert len(local) == 64 and local == settings.signing_token()  # made once, then kept
    mode = (tmp_path / "secrets" / "demo_twilio_auth_token").stat().st_mode
    assert stat.S_IMODE(mode) == 0o600
    assert dataclasses.replace(settings, twilio_auth_token="t0ken").signing_token() == "t0ken"


def test_the_conversation_key_comes_from_the_environment_when_set(tmp_path):
    settings = dataclasses.replace(Settings(), var_dir=tmp_path)
    assert settings.conversation_key() != "configured"
    configured = dataclasses.replace(settings, conversation_id_secret="configured")
    assert configured.conversation_key() == "configured"


def test_a_local_secret_made_by_two_starts_at_once_is_one_secret(tmp_path):
    with ThreadPoolExecutor(8) as pool:
        values = set(pool.map(lambda _: local_secret(tmp_path, "shared"), range(32)))
    assert len(values) == 1
