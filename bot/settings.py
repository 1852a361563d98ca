"""One typed settings object for the whole service, read from the environment.

Modelled on Starlette's ``Config``: every setting is read in one place, with a
default and a type, and tests build their own ``Settings`` instead of patching
globals. Nothing is read at import time; call :func:`get_settings` (cached) or
:meth:`Settings.from_env`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import os
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class SettingsError(ValueError):
    """A setting in the environment has a value that cannot be used."""


def _int(environ: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, got {value}")
    return value


def _float(environ: Mapping[str, str], name: str, default: float, minimum: float = 0.0) -> float:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, got {value}")
    return value


def _list(environ: Mapping[str, str], name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    raw = environ.get(name)
    if raw is None or not raw.strip():
        return default
    items = tuple(item.strip() for item in raw.split(",") if item.strip())
    if not items:
        raise SettingsError(f"{name} must be a comma-separated list, got {raw!r}")
    return items


def _office_hours(
    environ: Mapping[str, str], name: str, default: tuple[dt.time, dt.time]
) -> tuple[dt.time, dt.time]:
    raw = environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        opens_text, closes_text = raw.strip().split("-")
        opens = dt.time.fromisoformat(opens_text.strip())
        closes = dt.time.fromisoformat(closes_text.strip())
    except ValueError:
        raise SettingsError(f"{name} must look like 09:00-17:00, got {raw!r}") from None
    if opens >= closes:
        raise SettingsError(f"{name} must open before it closes, got {raw!r}")
    return opens, closes


def _dates(environ: Mapping[str, str], name: str) -> tuple[dt.date, ...]:
    """Comma-separated ISO dates (``2027-06-07,2028-05-08``), sorted; none if unset."""
    raw = environ.get(name)
    if raw is None or not raw.strip():
        return ()
    days: set[dt.date] = set()
    for item in raw.split(","):
        text = item.strip()
        try:
            days.add(dt.date.fromisoformat(text))
        except ValueError:
            raise SettingsError(
                f"{name} must be dates like 2027-06-07, separated by commas; {text!r} is not one"
            ) from None
    return tuple(sorted(days))


def _district(environ: Mapping[str, str], name: str, districts: tuple[str, ...]) -> str | None:
    """One of ``districts`` (any letter case, given back as spelt there); ``None`` if unset."""
    raw = (environ.get(name) or "").strip()
    if not raw:
        return None
    for district in districts:
        if district.casefold() == raw.casefold():
            return district
    raise SettingsError(f"{name} must be one of DISTRICTS ({', '.join(districts)}), got {raw!r}")


def _optional(environ: Mapping[str, str], name: str) -> str | None:
    value = environ.get(name, "").strip()
    return value or None


APP_ENVIRONMENTS = ("development", "production")
WILDCARD_HOSTS = ("0.0.0.0", "::", "*")  # noqa: S104 (named here to be refused)
MIN_SECRET_LENGTH = 32
PRODUCTION_SECRETS = (
    ("CONVERSATION_ID_SECRET", "conversation_id_secret"),
    ("WEB_CHAT_SECRET", "web_chat_secret"),
    ("CONSOLE_SECRET", "console_secret"),
    ("ACTION_SERVER_SECRET", "action_server_secret"),
)
"""Secrets production takes from the environment only: (variable, attribute)."""
TWILIO_SETTINGS = (
    ("TWILIO_ACCOUNT_SID", "twilio_account_sid"),
    ("TWILIO_AUTH_TOKEN", "twilio_auth_token"),
)
"""Twilio's settings, which production needs: without them is demo mode (the outbox).
Production also needs a sender: ``TWILIO_MESSAGING_SERVICE_SID`` or ``TWILIO_FROM_NUMBER``."""


def _messaging_service_sid(environ: Mapping[str, str]) -> str | None:
    raw = _optional(environ, "TWILIO_MESSAGING_SERVICE_SID")
    if raw is None:
        return None
    if len(raw) != 34 or not raw.startswith("MG") or any(c not in HEX for c in raw[2:]):
        raise SettingsError(
            "TWILIO_MESSAGING_SERVICE_SID must be a Messaging Service's SID: MG and 32 "
            "hexadecimal characters"
        )
    return raw


HEX = frozenset("0123456789abcdefABCDEF")


def _app_env(environ: Mapping[str, str]) -> str:
    raw = (environ.get("APP_ENV") or "").strip().lower()
    if not raw:
        return "development"
    if raw not in APP_ENVIRONMENTS:
        raise SettingsError(f"APP_ENV must be development or production, got {raw!r}")
    return raw


def _action_host(environ: Mapping[str, str], default: str) -> str:
    raw = (environ.get("ACTION_HOST") or "").strip()
    if not raw:
        return default
    if raw in WILDCARD_HOSTS:
        raise SettingsError(
            "ACTION_HOST must be one address (127.0.0.1, or a private interface), "
            f"not every interface, got {raw!r}"
        )
    return raw


@dataclasses.dataclass(frozen=True)
class Settings:
    """Everything the service can be configured with.

    Attributes:
        project_root: The checkout the service runs from.
        var_dir: Where run-time state lives (SQLite database, logs).
        database_url: SQLAlchemy URL of the project's database (also Rasa's tracker store).
        content_dir: Folder of entitlement content files (``national/`` and ``local/``).
        topics_file: The list of entitlement ids and their exact titles.
        content_refresh_seconds: How often the action server checks for published content.
        history_window_turns: Most user turns Rasa loads for one conversation before it
            starts a fresh window (keeps every message equally fast; see docs).
        twilio_account_sid: Twilio account; unset means demo mode (outbox).
        twilio_auth_token: Twilio auth token, used to check request signatures.
        twilio_from_number: The number SMS are sent from (when there is no Messaging
            Service).
        twilio_messaging_service_sid: The Twilio Messaging Service texts are sent through
            (``TWILIO_MESSAGING_SERVICE_SID``; with Advanced Opt-Out, see
            docs/sms-setup.md): used instead of ``twilio_from_number`` when set.
        twilio_api_url: Base URL of Twilio's REST API (tests point it at a local fake).
        public_base_url: The URL Twilio calls us on, for signature checks.
        rasa_port: Port of the Rasa server.
        rasa_workers: Worker processes of the Rasa server. One: its per-message work is
            mostly NumPy on threads, so one worker keeps both cores busy, and a second
            doubled its memory for no more throughput (docs/performance.md).
        districts: The council's districts, for records and reports.
        duty_district: The district whose duty worker covers safety alerts from people
            not on record (``DUTY_DISTRICT``, one of ``districts``); ``None`` means the
            first of ``districts`` (see :attr:`on_duty_district`).
        conversation_id_secret: Key for pseudonymous SMS conversation ids (else var/secrets).
        timezone: Where ages and dates are reckoned (birthdays fall at midnight here).
        council_name: The council's name, e.g. "Example Borough Council" (``COUNCIL_NAME``);
            unset means "your council". The content's national entries never name one.
        leaving_care_phone: The leaving-care team's number, told to young people who
            are not on record (unset: "your council's leaving care team").
        out_of_hours_phone: The council's out-of-hours (emergency duty) number, told
            out of office hours (unset: "your council's out-of-hours team").
        action_port: Port of the action server.
        action_host: The one address the action server listens on, and the Rasa server
            calls it at (``ACTION_HOST``: 127.0.0.1, or a private interface when the two
            run on different machines; never every interface).
        action_server_secret: Shared secret the Rasa server sends the action server in
            the ``X-Action-Server-Secret`` header (``ACTION_SERVER_SECRET``); unset in
            development, the launcher makes a random one for each run.
        app_env: ``development`` (the default) or ``production`` (``APP_ENV``): production
            refuses to start without its secrets, and turns off the REST channel unless
            it has a token.
        rasa_api_token: Rasa's own HTTP API (``/status``, ``/conversations/...``,
            ``/model/...``) is on only when this is set, and only for requests carrying it
            (``RASA_API_TOKEN``).
        rest_channel_token: When set, the REST channel takes only requests with
            ``Authorization: Bearer <token>`` (``REST_CHANNEL_TOKEN``).
        console_port: Port of the staff console.
        web_chat_secret: Key that signs web chat session tokens and hashes link codes
            (else a random one in var/secrets).
        web_chat_origins: Origins the web chat accepts requests and sockets from; empty
            means this server's own (localhost and 127.0.0.1 on ``rasa_port``, and
            ``public_base_url``).
        web_chat_session_hours: How long a web chat session token lasts.
        web_chat_max_message: Longest web chat message taken, in characters.
        web_chat_messages_per_minute: Most messages one web chat session may send a minute.
        redis_url: Redis for limits shared by several Rasa servers (unset: no such limits).
        web_chat_address_sessions_per_hour: Most new web chat sessions from one internet
            address an hour (in Redis with ``redis_url``, else in the database).
        web_chat_address_messages_per_minute: Most web chat messages from one internet
            address a minute, whatever the session (in Redis with ``redis_url``, else in
            the database).
        sms_identity_check_days: How long a number on record stays checked after its young
            person gave their date of birth (``SMS_IDENTITY_CHECK_DAYS``); then personal
            answers ask again (see :mod:`bot.people.sms_check`).
        safety_alerts_per_address_per_hour: Safety alerts that text staff from one
            internet address an hour, for people not on record
            (``SAFETY_ALERTS_PER_ADDRESS_PER_HOUR``); later events from it are added to
            its open alert (see :mod:`bot.cases.alerts`).
        office_hours: When the leaving-care team works, Monday to Friday except England's
            bank holidays, in ``timezone`` (``OFFICE_HOURS=09:00-17:00``); a case's clock
            starts at the next opening when a message comes outside them.
        extra_bank_holidays: Bank holidays the ``holidays`` package does not know yet
            (``EXTRA_BANK_HOLIDAYS=2027-06-07``), such as a one-off announced by the
            government: the Rasa runtime cannot take a newer ``holidays`` (Rasa's pins), so
            this is how both environments count it as a non-working day.
        case_acknowledge_working_days: Working days a case has to be acknowledged.
        case_answer_working_days: Working days a case has to be answered.
        case_scheduler_seconds: Seconds between the scheduler's oversight rounds.
        sms_recovery_seconds: An inbound SMS still unhandled this long after a server took
            it on (that server died, say) is taken over and handled by another.
        console_host: Address the staff console listens on (the council's internal
            network; ``127.0.0.1`` by default).
        console_base_url: The URL staff reach the console on; when it is ``https`` the
            console's cookies are marked Secure. Empty means ``http://localhost:PORT``.
        console_secret: Key for the console's CSRF tokens and its hashes of client
            addresses (else a random one in var/secrets).
        console_idle_minutes: A console session ends after this long without a request.
        console_session_hours: A console session ends this long after sign-in, whatever.
        pack_expiry_days: How long the link in an entitlements pack works (``PACK_EXPIRY_DAYS``).
        pack_round_minutes: How often the scheduler looks for packs to offer again and
            nudges to send (``PACK_ROUND_MINUTES``); the due time is kept in the database.
        nudge_review_days: A pathway-plan review reminder goes this many days before the
            review is due (``NUDGE_REVIEW_DAYS``).
        nudge_age_limit_days: A reminder goes this many days before a birthday ends an
            entitlement that applies (``NUDGE_AGE_LIMIT_DAYS``).
        retention_months: Conversation transcripts, SMS texts, unanswered questions' words
            and link codes older than this are deleted by the daily retention job
            (``RETENTION_MONTHS``; see docs/data-protection.md).
        qa_sample_per_district: Conversations drawn each week for quality review, per
            district (conversations not on record are a group of their own).

    """

    project_root: Path = PROJECT_ROOT
    var_dir: Path = PROJECT_ROOT / "var"
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'careleavers.db'}"
    content_dir: Path = PROJECT_ROOT / "entitlements" / "content"
    topics_file: Path = PROJECT_ROOT / "entitlements" / "topics.yaml"
    content_refresh_seconds: float = 2.0
    history_window_turns: int = 8
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    twilio_from_number: str | None = None
    twilio_messaging_service_sid: str | None = None
    twilio_api_url: str = "https://api.twilio.com"
    public_base_url: str = "http://localhost:5005"
    rasa_port: int = 5005
    rasa_workers: int = 1
    districts: tuple[str, ...] = ("North", "East", "Central")
    duty_district: str | None = None
    conversation_id_secret: str | None = None
    timezone: str = "Europe/London"
    council_name: str | None = None
    leaving_care_phone: str | None = None
    out_of_hours_phone: str | None = None
    action_port: int = 5055
    action_host: str = "127.0.0.1"
    action_server_secret: str | None = None
    app_env: str = "development"
    rasa_api_token: str | None = None
    rest_channel_token: str | None = None
    console_port: int = 8080
    web_chat_secret: str | None = None
    web_chat_origins: tuple[str, ...] = ()
    web_chat_session_hours: float = 24.0
    web_chat_max_message: int = 1000
    web_chat_messages_per_minute: int = 20
    redis_url: str = ""
    web_chat_address_sessions_per_hour: int = 60
    web_chat_address_messages_per_minute: int = 120
    safety_alerts_per_address_per_hour: int = 3
    sms_identity_check_days: int = 30
    office_hours: tuple[dt.time, dt.time] = (dt.time(9, 0), dt.time(17, 0))
    extra_bank_holidays: tuple[dt.date, ...] = ()
    case_acknowledge_working_days: int = 1
    case_answer_working_days: int = 5
    case_scheduler_seconds: float = 30.0
    sms_recovery_seconds: float = 120.0
    console_host: str = "127.0.0.1"
    console_base_url: str = ""
    console_secret: str | None = None
    console_idle_minutes: float = 30.0
    console_session_hours: float = 8.0
    pack_expiry_days: int = 30
    pack_round_minutes: int = 60
    nudge_review_days: int = 14
    nudge_age_limit_days: int = 60
    retention_months: int = 12
    qa_sample_per_district: int = 5

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from environment variables, with the documented defaults.

        Args:
            environ: The variables to read; ``os.environ`` when not given.

        Returns:
            The settings.

        Raises:
            SettingsError: A variable has a value of the wrong kind, or (production) a
                secret is missing or too short.

        """
        env = os.environ if environ is None else environ
        default = cls()
        var_dir = Path(env.get("VAR_DIR") or default.var_dir)
        database_url = (
            env.get("DATABASE_URL", "").strip() or f"sqlite:///{var_dir / 'careleavers.db'}"
        )
        if "://" not in database_url:
            raise SettingsError(
                "DATABASE_URL must be an SQLAlchemy URL such as "
                "sqlite:///var/careleavers.db or postgresql://user@host/db"
            )
        districts = _list(env, "DISTRICTS", default.districts)
        settings = cls(
            var_dir=var_dir,
            database_url=database_url,
            content_dir=Path(env.get("CONTENT_DIR") or default.content_dir),
            topics_file=Path(env.get("TOPICS_FILE") or default.topics_file),
            content_refresh_seconds=_float(
                env, "CONTENT_REFRESH_SECONDS", default.content_refresh_seconds
            ),
            history_window_turns=_int(
                env, "HISTORY_WINDOW_TURNS", default.history_window_turns, minimum=2
            ),
            twilio_account_sid=_optional(env, "TWILIO_ACCOUNT_SID"),
            twilio_auth_token=_optional(env, "TWILIO_AUTH_TOKEN"),
            twilio_from_number=_optional(env, "TWILIO_FROM_NUMBER"),
            twilio_messaging_service_sid=_messaging_service_sid(env),
            twilio_api_url=env.get("TWILIO_API_URL") or default.twilio_api_url,
            public_base_url=env.get("PUBLIC_BASE_URL") or default.public_base_url,
            rasa_port=_int(env, "RASA_PORT", default.rasa_port, minimum=1),
            rasa_workers=_int(env, "RASA_WORKERS", default.rasa_workers, minimum=1),
            districts=districts,
            duty_district=_district(env, "DUTY_DISTRICT", districts),
            conversation_id_secret=_optional(env, "CONVERSATION_ID_SECRET"),
            timezone=env.get("TIMEZONE") or default.timezone,
            council_name=_optional(env, "COUNCIL_NAME"),
            leaving_care_phone=_optional(env, "LEAVING_CARE_PHONE"),
            out_of_hours_phone=_optional(env, "OUT_OF_HOURS_PHONE"),
            action_port=_int(env, "ACTION_PORT", default.action_port, minimum=1),
            action_host=_action_host(env, default.action_host),
            action_server_secret=_optional(env, "ACTION_SERVER_SECRET"),
            app_env=_app_env(env),
            rasa_api_token=_optional(env, "RASA_API_TOKEN"),
            rest_channel_token=_optional(env, "REST_CHANNEL_TOKEN"),
            console_port=_int(env, "CONSOLE_PORT", default.console_port, minimum=1),
            web_chat_secret=_optional(env, "WEB_CHAT_SECRET"),
            web_chat_origins=_list(env, "WEB_CHAT_ORIGINS", default.web_chat_origins),
            web_chat_session_hours=_float(
                env, "WEB_CHAT_SESSION_HOURS", default.web_chat_session_hours, minimum=0.01
            ),
            web_chat_max_message=_int(
                env, "WEB_CHAT_MAX_MESSAGE", default.web_chat_max_message, minimum=1
            ),
            redis_url=env.get("REDIS_URL", "").strip(),
            web_chat_address_sessions_per_hour=_int(
                env,
                "WEB_CHAT_ADDRESS_SESSIONS_PER_HOUR",
                default.web_chat_address_sessions_per_hour,
                minimum=1,
            ),
            web_chat_address_messages_per_minute=_int(
                env,
                "WEB_CHAT_ADDRESS_MESSAGES_PER_MINUTE",
                default.web_chat_address_messages_per_minute,
                minimum=1,
            ),
            sms_identity_check_days=_int(
                env, "SMS_IDENTITY_CHECK_DAYS", default.sms_identity_check_days, minimum=1
            ),
            safety_alerts_per_address_per_hour=_int(
                env,
                "SAFETY_ALERTS_PER_ADDRESS_PER_HOUR",
                default.safety_alerts_per_address_per_hour,
                minimum=1,
            ),
            web_chat_messages_per_minute=_int(
                env, "WEB_CHAT_MESSAGES_PER_MINUTE", default.web_chat_messages_per_minute, minimum=1
            ),
            office_hours=_office_hours(env, "OFFICE_HOURS", default.office_hours),
            extra_bank_holidays=_dates(env, "EXTRA_BANK_HOLIDAYS"),
            case_acknowledge_working_days=_int(
                env, "CASE_ACKNOWLEDGE_WORKING_DAYS", default.case_acknowledge_working_days
            ),
            case_answer_working_days=_int(
                env, "CASE_ANSWER_WORKING_DAYS", default.case_answer_working_days, minimum=1
            ),
            sms_recovery_seconds=_float(
                env, "SMS_RECOVERY_SECONDS", default.sms_recovery_seconds, minimum=1.0
            ),
            case_scheduler_seconds=_float(
                env, "CASE_SCHEDULER_SECONDS", default.case_scheduler_seconds, minimum=0.1
            ),
            console_host=env.get("CONSOLE_HOST", "").strip() or default.console_host,
            console_base_url=env.get("CONSOLE_BASE_URL", "").strip().rstrip("/"),
            console_secret=_optional(env, "CONSOLE_SECRET"),
            console_idle_minutes=_float(
                env, "CONSOLE_IDLE_MINUTES", default.console_idle_minutes, minimum=0.01
            ),
            console_session_hours=_float(
                env, "CONSOLE_SESSION_HOURS", default.console_session_hours, minimum=0.01
            ),
            pack_expiry_days=_int(env, "PACK_EXPIRY_DAYS", default.pack_expiry_days, minimum=1),
            pack_round_minutes=_int(
                env, "PACK_ROUND_MINUTES", default.pack_round_minutes, minimum=1
            ),
            nudge_review_days=_int(env, "NUDGE_REVIEW_DAYS", default.nudge_review_days, minimum=1),
            nudge_age_limit_days=_int(
                env, "NUDGE_AGE_LIMIT_DAYS", default.nudge_age_limit_days, minimum=1
            ),
            retention_months=_int(env, "RETENTION_MONTHS", default.retention_months, minimum=1),
            qa_sample_per_district=_int(
                env, "QA_SAMPLE_PER_DISTRICT", default.qa_sample_per_district
            ),
        )
        settings.check_production()
        return settings

    @property
    def production(self) -> bool:
        """True when ``APP_ENV=production``."""
        return self.app_env == "production"

    def production_problems(self) -> list[str]:
        """What stops these settings running in production, naming variables, never values.

        Production takes its secrets from the environment only: a missing one (which
        development would make up in ``var/secrets``) or a short one is refused. It needs
        Twilio too: without it is demo mode, where texts (young people's replies, urgent
        safety alerts to staff) wait in an outbox on this machine and the SMS simulator is
        on. And Twilio signs the public ``https://`` address it calls, so that must be set;
        the console must be reached over ``https://`` too (``CONSOLE_BASE_URL``): only then
        are its cookies Secure and HSTS sent.
        """
        if not self.production:
            return []
        problems = []
        for variable, attribute in PRODUCTION_SECRETS:
            value = getattr(self, attribute)
            if not value:
                problems.append(f"{variable} is not set")
            elif len(value) < MIN_SECRET_LENGTH:
                problems.append(f"{variable} is shorter than {MIN_SECRET_LENGTH} characters")
        for variable, attribute in TWILIO_SETTINGS:
            if not getattr(self, attribute):
                problems.append(f"{variable} is not set (no text could leave this machine)")
        if not (self.twilio_messaging_service_sid or self.twilio_from_number):
            problems.append(
                "TWILIO_MESSAGING_SERVICE_SID or TWILIO_FROM_NUMBER is not set "
                "(no text could leave this machine)"
            )
        if not self.public_base_url.lower().startswith("https://"):
            problems.append("PUBLIC_BASE_URL must be the service's public https:// address")
        console = urlsplit(self.console_base_url)
        if console.scheme != "https" or not console.netloc:
            problems.append(
                "CONSOLE_BASE_URL must be the console's https:// address "
                "(its cookies are Secure and HSTS is sent only over https)"
            )
        for variable, value in (
            ("RASA_API_TOKEN", self.rasa_api_token),
            ("REST_CHANNEL_TOKEN", self.rest_channel_token),
        ):
            if value and len(value) < MIN_SECRET_LENGTH:
                problems.append(f"{variable} is shorter than {MIN_SECRET_LENGTH} characters")
        return problems

    def check_production(self) -> None:
        """Refuse production settings without their secrets, Twilio or public address.

        Raises:
            SettingsError: Names each variable to set (``openssl rand -hex 32`` makes a
                secret), never a value.

        """
        problems = self.production_problems()
        if problems:
            raise SettingsError(
                "APP_ENV=production needs these from the environment: "
                + "; ".join(problems)
                + " (make a secret with: openssl rand -hex 32)"
            )

    @property
    def on_duty_district(self) -> str:
        """The district whose duty worker covers people not on record (``DUTY_DISTRICT``)."""
        return self.duty_district or self.districts[0]

    @property
    def demo_mode(self) -> bool:
        """True when no Twilio account is configured: outbound SMS go to the outbox."""
        sender = self.twilio_messaging_service_sid or self.twilio_from_number
        return not (self.twilio_account_sid and self.twilio_auth_token and sender)

    def action_server_url(self) -> str:
        """Where the action server is reached: ``http://ACTION_HOST:ACTION_PORT``."""
        host = f"[{self.action_host}]" if ":" in self.action_host else self.action_host
        return f"http://{host}:{self.action_port}"

    def signing_token(self) -> str:
        """The token Twilio signs its webhook requests with.

        The account's auth token; in demo mode a random local one (``var/secrets``),
        which the SMS simulator signs with, so even a demo never takes unsigned messages.
        """
        if self.twilio_auth_token:
            return self.twilio_auth_token
        from bot.secrets import local_secret

        return local_secret(self.var_dir, "demo_twilio_auth_token")

    def conversation_key(self) -> str:
        """The key that turns a phone number into a pseudonymous conversation id."""
        if self.conversation_id_secret:
            return self.conversation_id_secret
        from bot.secrets import local_secret

        return local_secret(self.var_dir, "conversation_id_key")

    def web_chat_key(self) -> bytes:
        """The key that signs web chat session tokens and hashes link codes."""
        if self.web_chat_secret:
            return self.web_chat_secret.encode()
        from bot.secrets import local_secret

        return local_secret(self.var_dir, "web_chat_key").encode()

    def console_url(self) -> str:
        """Where staff reach the console (``CONSOLE_BASE_URL``, else localhost)."""
        return self.console_base_url or f"http://localhost:{self.console_port}"

    def console_key(self) -> bytes:
        """The key of the console's CSRF tokens and its hashes of client addresses."""
        if self.console_secret:
            return self.console_secret.encode()
        from bot.secrets import local_secret

        return local_secret(self.var_dir, "console_key").encode()

    def web_chat_allowed_origins(self) -> frozenset[str]:
        """Origins (scheme://host[:port]) the web chat takes requests and sockets from."""
        if self.web_chat_origins:
            return frozenset(origin.rstrip("/").lower() for origin in self.web_chat_origins)
        public = urlsplit(self.public_base_url)
        own = {f"http://localhost:{self.rasa_port}", f"http://127.0.0.1:{self.rasa_port}"}
        if public.scheme and public.netloc:
            own.add(f"{public.scheme}://{public.netloc}".lower())
        return frozenset(own)


@functools.lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read from the environment once."""
    return Settings.from_env()
