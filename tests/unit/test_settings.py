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


def test_the_duty_district_is_the_first_district_unless_set():
    assert Settings.from_env({}).on_duty_district == "North"
    assert Settings.from_env({"DISTRICTS": "South,West"}).on_duty_district == "South"
    chosen = Settings.from_env({"DUTY_DISTRICT": " central "})
    assert chosen.duty_district == chosen.on_duty_district == "Central"  # spelt as in DISTRICTS
    other = Settings.from_env({"DISTRICTS": "South,West", "DUTY_DISTRICT": "West"})
    assert other.on_duty_district == "West"


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"DUTY_DISTRICT": "South"}, r"DUTY_DISTRICT must be one of DISTRICTS \(North, East, "),
        ({"DISTRICTS": "South,West", "DUTY_DISTRICT": "North"}, r"\(South, West\), got 'North'"),
    ],
)
def test_a_duty_district_not_among_the_districts_is_refused(environ, message):
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(environ)


def test_the_scheduler_interval_is_configurable():
    assert Settings.from_env({}).case_scheduler_seconds == 30.0
    assert Settings.from_env({"CASE_SCHEDULER_SECONDS": "0.5"}).case_scheduler_seconds == 0.5
    with pytest.raises(SettingsError, match=r"CASE_SCHEDULER_SECONDS must be at least 0\.1"):
        Settings.from_env({"CASE_SCHEDULER_SECONDS": "0"})
    with pytest.raises(SettingsError, match="CASE_SCHEDULER_SECONDS must be a number"):
        Settings.from_env({"CASE_SCHEDULER_SECONDS": "often"})


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


def test_the_launcher_passes_every_setting_on_to_the_services(tmp_path):
    """make run's services read the settings it was given (none lost on the way)."""
    import datetime as dt

    from bot.launcher import service_environment

    changed = {
        "var_dir": tmp_path / "var",
        "database_url": f"sqlite:///{tmp_path / 'other.db'}",
        "content_dir": tmp_path / "content",
        "topics_file": tmp_path / "topics.yaml",
        "content_refresh_seconds": 5.0,
        "history_window_turns": 4,
        "twilio_account_sid": "AC" + "1" * 32,
        "twilio_auth_token": "t" * 32,
        "twilio_from_number": "+447700900000",
        "twilio_messaging_service_sid": "MG" + "0a" * 16,
        "twilio_api_url": "http://127.0.0.1:9/",
        "public_base_url": "https://chat.example.org",
        "rasa_port": 6005,
        "rasa_workers": 3,
        "districts": ("Hill", "Vale"),
        "duty_district": "Vale",
        "conversation_id_secret": "s" * 32,
        "timezone": "Europe/Dublin",
        "council_name": "Example Borough Council",
        "leaving_care_phone": "01632 960001",
        "out_of_hours_phone": "01632 960002",
        "action_port": 6055,
        "action_host": "10.0.0.5",
        "action_server_secret": "a" * 32,
        "app_env": "production",
        "rasa_api_token": "r" * 32,
        "rest_channel_token": "t" * 32,
        "console_port": 9080,
        "web_chat_secret": "w" * 32,
        "web_chat_origins": ("https://chat.example.org",),
        "web_chat_session_hours": 2.0,
        "web_chat_max_message": 500,
        "web_chat_messages_per_minute": 7,
        "redis_url": "redis://127.0.0.1:6399/0",
        "web_chat_address_sessions_per_hour": 11,
        "web_chat_address_messages_per_minute": 33,
        "safety_alerts_per_address_per_hour": 7,
        "sms_identity_check_days": 9,
        "office_hours": (dt.time(8, 30), dt.time(16, 0)),
        "extra_bank_holidays": (dt.date(2027, 6, 7), dt.date(2028, 6, 5)),
        "case_acknowledge_working_days": 2,
        "case_answer_working_days": 7,
        "case_scheduler_seconds": 2.5,
        "sms_recovery_seconds": 45.0,
        "console_host": "0.0.0.0",
        "console_base_url": "https://console.example.org",
        "console_secret": "c" * 32,
        "console_idle_minutes": 10.0,
        "console_session_hours": 4.0,
        "pack_expiry_days": 7,
        "pack_round_minutes": 15,
        "nudge_review_days": 10,
        "nudge_age_limit_days": 30,
        "retention_months": 24,
        "qa_sample_per_district": 3,
    }
    fields = {f.name for f in dataclasses.fields(Settings)} - {"project_root"}
    assert set(changed) == fields, "give the new setting a non-default value here"
    given = dataclasses.replace(Settings(), **changed)
    for name, value in changed.items():
        assert getattr(Settings(), name) != value, name
    assert Settings.from_env(service_environment(given, base={})) == given
