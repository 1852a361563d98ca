"""End to end: no personal data in any log, whatever comes through any channel.

Every service is really started, as ``make run`` starts it (the Rasa server, the action
server, the console and the scheduler), with its output captured to log files. Canary
values (an invented name, a canary number from Ofcom's drama range, canary sentences
and a crisis message) go through every channel: the REST channel, the signed SMS
webhook (replies through the real twilio client to a local fake of Twilio), the web
chat socket and its link-a-record routes, and the console's forms (sign-in, a case
reply, a handoff reply). Then every log file is searched for every canary.

The test also checks that each channel really handled its canaries (a reply came, a
case was opened, the crisis got its signposting), so a silent failure cannot pass it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa
import websockets
from twilio.request_validator import RequestValidator

from bot.clock import utcnow
from bot.console import accounts
from bot.db.engine import create_db_engine
from bot.launcher import ServiceGroup, console_spec, scheduler_spec, service_environment
from bot.people import sms_check
from bot.store.tables.cases import cases, handoffs
from bot.store.tables.notify import sms_outbound
from bot.store.tables.people import care_leavers, staff
from bot.store.tables.safety import safety_events
from bot.store.tables.sms import sms_inbound
from tests.support.databases import BOTH_DATABASES, module_database
from tests.support.fake_twilio import FakeTwilio
from tests.support.servers import RunningBot, free_port, running_bot
from tests.support.waiting import wait_for

pytestmark = pytest.mark.e2e

PUBLIC = "https://sms.example.org"
PASSWORD = "log canary console password 1"
PAT_EMAIL = "pat.example-adviser@example.org"

NAME = "Zephyrine Canaryone"
NUMBER = "+447700900911"
NUMBER_FORMS = (NUMBER, "07700900911", "07700 900911", "7700900911", "447700900911")
OTHER_NUMBER = "+447700900912"  # not on record: texts from it get general answers
BIRTHDAY_TEXT = "14 March 2006"  # the canary's date of birth, as they text it when asked
WRONG_EMAIL = "zephyrine.canaryone@example.org"
WRONG_PASSWORD = "velvet canary password"
# One canary word per channel, so a leak says where it came from.
WORDS = {
    "rest": "glimmerquokka",
    "rest crisis": "ochrepangolin",
    "sms": "velvetnarwhal",
    "sms handoff": "lilacmarmoset",
    "sms crisis": "umberibex",
    "web": "saffronotter",
    "web crisis": "tealcaracal",
    "console case reply": "cobaltheron",
    "console handoff reply": "russetokapi",
    "bad input": "mauvequetzal",
    "twilio refusing": "jadetapir",
}
CANARIES = {
    "name": NAME,
    "first name": "Zephyrine",
    "surname": "Canaryone",
    **{f"number {form}": form for form in NUMBER_FORMS},
    "number not on record": OTHER_NUMBER,
    "number not on record, national": "07700900912",
    "email typed at sign-in": WRONG_EMAIL,
    "password typed at sign-in": WRONG_PASSWORD,
    "a staff password": PASSWORD,
    "date of birth texted": BIRTHDAY_TEXT,
    "date of birth": "2006-03-14",
    **{f"{channel} words": word for channel, word in WORDS.items()},
}


def sentence(channel: str) -> str:
    return f"my name is {NAME}, my number is {NUMBER} and {WORDS[channel]} is my secret"


def crisis(channel: str) -> str:
    return f"i want to kill myself tonight {WORDS[channel]}"


@dataclasses.dataclass
class Traffic:
    """What the run saw: the log files, and proof that each channel handled its canaries."""

    logs: dict[str, str]
    seen: dict[str, Any]


def query(bot: RunningBot, statement: Any) -> list[Any]:
    engine = create_db_engine(bot.settings.database_url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(statement).all())
    finally:
        engine.dispose()


def background_work_done(bot: RunningBot) -> bool:
    """Every inbound text handled, and no text waiting to go or on its way to Twilio."""
    unhandled = sa.select(sms_inbound.c.message_sid).where(sms_inbound.c.handled_at.is_(None))
    waiting = sa.select(sms_outbound.c.id).where(sms_outbound.c.status.in_(["queued", "sending"]))
    return not query(bot, unhandled) and not query(bot, waiting)


# ---- the channels ----------------------------------------------------------------------------


def use_rest(bot: RunningBot, seen: dict[str, Any]) -> None:
    for key, text in (("rest", sentence("rest")), ("rest crisis", crisis("rest crisis"))):
        reply = requests.post(
            bot.rest_url,
            json={"sender": f"logs-{uuid.uuid4().hex[:8]}", "message": text},
            timeout=60,
        )
        assert reply.status_code == 200
        seen[key] = " ".join(m.get("text", "") for m in reply.json())


def use_sms(bot: RunningBot, twilio: FakeTwilio, seen: dict[str, Any]) -> None:
    def text(body: str) -> list[dict[str, str]]:
        before = len(twilio.to(NUMBER))
        form = {
            "MessageSid": f"SM{uuid.uuid4().hex}",
            "From": NUMBER,
            "To": "+447700900000",
            "Body": body,
            "AccountSid": twilio.account_sid,
        }
        signature = RequestValidator(twilio.token).compute_signature(
            PUBLIC + "/webhooks/twilio/webhook", form
        )
        reply = requests.post(
            f"{bot.base_url}/webhooks/twilio/webhook",
            data=form,
            headers={"X-Twilio-Signature": signature},
            timeout=30,
        )
        assert reply.status_code == 200
        return list(wait_for(lambda: twilio.to(NUMBER)[before:], timeout=60))

    seen["sms"] = text(sentence("sms"))
    # A number on record is asked for the date of birth before its records are used.
    seen["sms asked"] = text(f"I never got a copy of my pathway plan {WORDS['sms']}")
    seen["sms case"] = text(BIRTHDAY_TEXT)
    seen["sms handoff"] = text("can I talk to my PA")
    # Handed over: the bot stays quiet, the message is kept for the PA.
    requests.post(
        f"{bot.base_url}/webhooks/twilio/webhook",
        data=(
            form := {
                "MessageSid": f"SM{uuid.uuid4().hex}",
                "From": NUMBER,
                "To": "+447700900000",
                "Body": sentence("sms handoff"),
                "AccountSid": twilio.account_sid,
            }
        ),
        headers={
            "X-Twilio-Signature": RequestValidator(twilio.token).compute_signature(
                PUBLIC + "/webhooks/twilio/webhook", form
            )
        },
        timeout=30,
    ).raise_for_status()
    seen["sms crisis"] = text(crisis("sms crisis"))


async def _socket(bot: RunningBot, token: str, texts: list[str]) -> list[dict[str, Any]]:
    url = bot.base_url.replace("http://", "ws://") + "/chat/socket"
    answers = []
    async with websockets.connect(url, origin=bot.base_url, open_timeout=10) as ws:
        await ws.send(json.dumps({"type": "hello", "token": token}))
        answers.append(json.loads(await asyncio.wait_for(ws.recv(), 10)))
        for text in texts:
            await ws.send(json.dumps({"type": "message", "text": text}))
            while True:  # the safety net's own frames come first; then the answer
                answers.append(json.loads(await asyncio.wait_for(ws.recv(), 60)))
                if answers[-1]["type"] != "safety":
                    break
    return answers


def use_web_chat(bot: RunningBot, seen: dict[str, Any]) -> None:
    token = requests.post(f"{bot.base_url}/chat/session", timeout=10).json()["token"]
    conversation_id = token.split(".")[0]
    auth = {"Authorization": f"Bearer {token}"}
    started = requests.post(
        f"{bot.base_url}/chat/link/start", headers=auth, json={"mobile": NUMBER}, timeout=10
    )
    assert started.status_code == 200
    bodies = wait_for(
        lambda: [
            row.body
            for row in query(
                bot,
                sa.select(sms_outbound.c.body).where(
                    sms_outbound.c.conversation_id == conversation_id
                ),
            )
        ]
    )
    code = re.search(r"\b(\d{6})\b", bodies[-1]).group(1)  # type: ignore[union-attr]
    verified = requests.post(
        f"{bot.base_url}/chat/link/verify", headers=auth, json={"code": code}, timeout=10
    )
    assert verified.json()["linked"] is True
    answers = _run(_socket(bot, token, [sentence("web"), crisis("web crisis")]))
    seen["web"] = answers
    seen["web history"] = requests.get(
        f"{bot.base_url}/chat/history", headers=auth, timeout=10
    ).json()


def _run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


def csrf(page: requests.Response) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, page.text[:300]
    return found.group(1)


def use_console(bot: RunningBot, port: int, seen: dict[str, Any]) -> None:
    base = f"http://127.0.0.1:{port}"
    stranger = requests.Session()
    failed = stranger.post(
        f"{base}/login",
        data={
            "email": WRONG_EMAIL,
            "password": WRONG_PASSWORD,
            "csrf_token": csrf(stranger.get(f"{base}/login", timeout=10)),
        },
        allow_redirects=False,
        timeout=20,
    )
    seen["failed sign-in"] = failed.status_code
    pat = requests.Session()
    signed_in = pat.post(
        f"{base}/login",
        data={
            "email": PAT_EMAIL,
            "password": PASSWORD,
            "csrf_token": csrf(pat.get(f"{base}/login", timeout=10)),
        },
        allow_redirects=False,
        timeout=20,
    )
    assert signed_in.status_code == 303
    [case] = query(bot, sa.select(cases.c.reference).where(cases.c.words.contains(WORDS["sms"])))
    [handoff] = query(bot, sa.select(handoffs.c.id).where(handoffs.c.status == "active"))

    def post(path: str, data: dict[str, str]) -> requests.Response:
        token = csrf(pat.get(f"{base}/", timeout=10))
        return pat.post(
            f"{base}{path}", data={"csrf_token": token, **data}, allow_redirects=False, timeout=20
        )

    seen["case reply"] = post(
        f"/cases/{case.reference}/reply", {"reply": sentence("console case reply")}
    ).status_code
    seen["handoff reply"] = post(
        f"/handoffs/{handoff.id}/reply", {"reply": sentence("console handoff reply")}
    ).status_code
    seen["handoff page"] = pat.get(f"{base}/handoffs/{handoff.id}", timeout=10).text


def use_bad_input(bot: RunningBot, twilio: FakeTwilio, port: int, seen: dict[str, Any]) -> None:
    """Wrong or malformed requests carrying canaries: refused, and never logged."""
    bad = sentence("bad input")
    rest = bot.rest_url
    seen["bad rest"] = [
        requests.post(rest, data=f"not json {bad}", timeout=10).status_code,
        requests.post(rest, json={"sender": "x", "message": [bad]}, timeout=10).status_code,
        requests.post(rest, json={"sender": bad, "message": 5}, timeout=10).status_code,
    ]
    form = {
        "MessageSid": f"SM{uuid.uuid4().hex}",
        "From": NUMBER,
        "To": "+447700900000",
        "Body": bad,
        "AccountSid": twilio.account_sid,
    }
    hook = f"{bot.base_url}/webhooks/twilio/webhook"
    seen["bad sms"] = [
        requests.post(hook, data=form, timeout=10).status_code,
        requests.post(
            hook, data=form, headers={"X-Twilio-Signature": "d3Jvbmc="}, timeout=10
        ).status_code,
    ]
    token = requests.post(f"{bot.base_url}/chat/session", timeout=10).json()["token"]
    frames = [f"not json {bad}", json.dumps({"type": "message", "text": bad + " x" * 600})]
    seen["bad web"] = _run(_frames(bot, token, frames))
    seen["bad link"] = requests.post(
        f"{bot.base_url}/chat/link/start",
        headers={"Authorization": f"Bearer {token}"},
        json={"mobile": f"{bad} {NUMBER}"},
        timeout=10,
    ).status_code
    base = f"http://127.0.0.1:{port}"
    seen["bad console"] = requests.post(
        f"{base}/login", data={"email": WRONG_EMAIL, "password": bad}, timeout=10
    ).status_code
    # Twilio refuses the reply to a canary number (21211, as for a number it will not
    # take). Not the number on record: its conversation is handed to the PA, so quiet.
    twilio.mode = "error400"
    try:
        form = {
            **form,
            "MessageSid": f"SM{uuid.uuid4().hex}",
            "From": OTHER_NUMBER,
            "Body": sentence("twilio refusing"),
        }
        signature = RequestValidator(twilio.token).compute_signature(
            PUBLIC + "/webhooks/twilio/webhook", form
        )
        seen["twilio refusing"] = requests.post(
            hook, data=form, headers={"X-Twilio-Signature": signature}, timeout=30
        ).status_code
        wait_for(
            lambda: query(
                bot,
                sa.select(sms_outbound.c.id).where(
                    sms_outbound.c.to_number == OTHER_NUMBER,
                    sms_outbound.c.status == "failed",
                ),
            ),
            timeout=60,
        )
    finally:
        twilio.mode = "ok"


async def _frames(bot: RunningBot, token: str, frames: list[str]) -> list[dict[str, Any]]:
    url = bot.base_url.replace("http://", "ws://") + "/chat/socket"
    answers = []
    async with websockets.connect(url, origin=bot.base_url, open_timeout=10) as ws:
        await ws.send(json.dumps({"type": "hello", "token": token}))
        await asyncio.wait_for(ws.recv(), 10)
        for frame in frames:
            await ws.send(frame)
            answers.append(json.loads(await asyncio.wait_for(ws.recv(), 30)))
    return answers


# ---- the run ---------------------------------------------------------------------------------


@pytest.fixture(**BOTH_DATABASES)
def traffic(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Traffic]:
    workdir: Path = tmp_path_factory.mktemp(f"log-canaries-{request.param}")
    url = module_database(request, workdir)
    twilio = FakeTwilio()
    twilio.start()
    seen: dict[str, Any] = {}
    console_port = free_port()
    try:
        with running_bot(
            url,
            workdir,
            log_name="rasa-and-actions.log",
            demo_people=True,
            twilio_account_sid=twilio.account_sid,
            twilio_auth_token=twilio.token,
            twilio_from_number="+447700900000",
            twilio_api_url=twilio.url,
            public_base_url=PUBLIC,
            console_port=console_port,
        ) as bot:
            _put_canary_person(bot)
            with (workdir / "console-and-scheduler.log").open("w") as sink:
                group = ServiceGroup(
                    [console_spec(bot.settings), scheduler_spec()],
                    service_environment(bot.settings),
                    bot.settings.project_root,
                    sink,
                )
                group.start()
                try:
                    group.wait_ready(timeout=60)
                    use_rest(bot, seen)
                    use_sms(bot, twilio, seen)
                    use_web_chat(bot, seen)
                    use_console(bot, console_port, seen)
                    use_bad_input(bot, twilio, console_port, seen)
                    seen["safety events"] = [
                        row.message_text
                        for row in query(bot, sa.select(safety_events.c.message_text))
                    ]
                    # Background work (texts, alerts) finished and logged, as the bot's
                    # own records show: every text in handled, every text out sent or
                    # given up on.
                    wait_for(lambda: background_work_done(bot), timeout=60)
                finally:
                    group.stop()
    finally:
        twilio.stop()
        if request.param == "postgresql":
            request.getfixturevalue("postgres_server").drop_database(url)
    logs = {path.name: path.read_text(errors="replace") for path in sorted(workdir.glob("*.log"))}
    yield Traffic(logs, seen)


def _put_canary_person(bot: RunningBot) -> None:
    """A young person on record with the canary name and number; Pat is their PA."""
    engine = create_db_engine(bot.settings.database_url)
    now = utcnow()
    try:
        with engine.begin() as conn:
            pat = conn.execute(sa.select(staff.c.id).where(staff.c.email == PAT_EMAIL)).scalar_one()
            conn.execute(
                care_leavers.insert().values(
                    external_ref="LOGS-CANARY-1",
                    preferred_name=NAME,
                    date_of_birth=dt.date(2006, 3, 14),
                    mobile=NUMBER,
                    status="former_relevant",
                    district="North",
                    adviser_id=pat,
                    circumstances="",
                    created_at=now,
                    updated_at=now,
                )
            )
            account = accounts.create(conn, roles="personal_adviser", email=PAT_EMAIL, now=now)
            accounts.set_password(conn, account.id, PASSWORD, now=now, how="test")
    finally:
        engine.dispose()


# ---- the checks ------------------------------------------------------------------------------


def test_every_channel_really_handled_its_canaries(traffic: Traffic) -> None:
    seen = traffic.seen
    assert seen["rest"], "the REST channel did not answer"
    assert "999" in seen["rest crisis"] or "Samaritans" in seen["rest crisis"]
    assert [m["Body"] for m in seen["sms asked"]] == [sms_check.ASK]
    assert any("Your reference is PP-" in m["Body"] for m in seen["sms case"]), seen["sms case"]
    assert any("116 123" in m["Body"] or "999" in m["Body"] for m in seen["sms crisis"])
    # The crisis message's safety reply comes at once, as a frame of its own (and "who was
    # told" in another, whenever staff have been).
    kinds = [a["type"] for a in seen["web"]]
    assert [k for k in kinds if k != "safety"] == ["ready", "reply", "reply"]
    assert kinds.index("safety") == 2
    assert any(WORDS["web"] in m["text"] for m in seen["web history"]["messages"])
    assert seen["failed sign-in"] in (200, 401, 403)
    assert seen["case reply"] == 303 and seen["handoff reply"] == 303
    assert WORDS["sms handoff"] in seen["handoff page"]
    assert all(400 <= status < 500 for status in seen["bad rest"]), seen["bad rest"]
    assert seen["bad sms"] == [403, 403]
    assert [a["type"] for a in seen["bad web"]] == ["error", "notice"], seen["bad web"]
    assert 400 <= seen["bad link"] < 500 and seen["bad console"] == 403
    assert seen["twilio refusing"] == 200
    crises = " ".join(seen["safety events"])
    for channel in ("rest crisis", "sms crisis", "web crisis"):
        assert WORDS[channel] in crises, f"no safety event for the {channel} message"


def test_the_logs_were_captured(traffic: Traffic) -> None:
    assert set(traffic.logs) == {"rasa-and-actions.log", "console-and-scheduler.log"}
    services = traffic.logs["rasa-and-actions.log"] + traffic.logs["console-and-scheduler.log"]
    for name in ("rasa |", "actions |", "console |"):
        assert name in services, f"nothing captured from {name.split()[0]}"


def test_no_canary_is_in_any_log(traffic: Traffic) -> None:
    leaks = []
    for file, text in traffic.logs.items():
        for what, canary in CANARIES.items():
            for number, line in enumerate(text.splitlines(), start=1):
                if canary.lower() in line.lower():
                    leaks.append(f"{file}:{number}: {what}: {line[:300]}")
    assert not leaks, "personal data in the logs:\n" + "\n".join(leaks)
