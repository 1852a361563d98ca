"""Benchmarks of the cluster layout: load, SMS and a soak (``python -m scripts.bench_cluster``).

Starts the layout of ``make cluster`` (``bot.cluster.layout.Cluster``: PostgreSQL, Redis,
two action servers, two Rasa servers, nginx) on free ports in temporary folders, with a
local fake of Twilio's API (``tests/support/fake_twilio.py``) so replies by SMS really
go through the ``twilio`` library. Everything is sent to nginx, the one public address.

1. **Load**: ``--conversations`` (100) young people talk at once over REST for
   ``--load-minutes`` (10). Each conversation is an entitlement question from the dev set
   (``tests/dev_set``, never ``tests/evaluation``), then "who can get it", "how do i get
   it" and "more"; then the young person starts a new conversation. Between two messages
   a young person thinks for a time drawn uniformly from ``--think`` (2 to 8 s). Every
   message carries a ``message_id``. Every answer is compared with the answer the same
   message got, in the same place of a conversation, when the cluster was idle: an answer
   that is empty or differs is counted as wrong. Then the same for ``--burst-seconds``
   (60) with no think time at all (each young person sends on reply).
2. **SMS**: ``--sms-rate`` (50) signed texts a second for ``--sms-seconds`` (120) from
   +447700900001 to +447700900999 (numbers reused, every text its own MessageSid), to
   ``/webhooks/twilio/webhook``; then, once the queue has drained, every text must have
   had its reply (each part of it, ``reply:<sid>:<part>`` in ``sms_outbound``) reach the
   fake Twilio exactly once.
3. **Soak**: ``--soak-conversations`` (20) young people with think time for
   ``--soak-minutes`` (60), sampling every ``--sample-seconds`` (30) the resident memory
   (with child processes) of each Rasa server, action server, nginx and PostgreSQL.

``--phases`` picks some of ``load,burst,sms,soak``. ``LOAD_MINUTES``, ``SMS_SECONDS`` and
``SOAK_MINUTES`` in the environment set the defaults; a smoke run is
``python -m scripts.bench_cluster --load-minutes 1 --sms-seconds 20 --soak-minutes 2``.
Prints progress and a table; writes ``var/bench/cluster-results.json`` (after each
phase, and after each memory sample of the soak, so a stopped run keeps its figures).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import dataclasses
import datetime as dt
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import aiohttp
import psutil
import sqlalchemy as sa
import yaml

from bot.cluster.layout import Cluster
from bot.db.engine import create_db_engine
from bot.launcher import model_path
from bot.settings import PROJECT_ROOT, Settings
from bot.store.tables.notify import sms_outbound
from bot.store.tables.sms import sms_inbound
from scripts.bench import at_rate
from tests.support.fake_twilio import FakeTwilio
from tests.support.servers import free_cluster_ports

FOLLOW_UPS = ("who can get it", "how do i get it", "more")
SERVICE_NUMBER = "+447700900000"
SMS_NUMBERS = tuple(f"+447700900{n:03d}" for n in range(1, 1000))  # Ofcom's drama range
MEMORY_PARTS = ("rasa-1", "rasa-2", "actions-1", "actions-2", "nginx", "postgres")
RESULTS = PROJECT_ROOT / "var" / "bench" / "cluster-results.json"


def progress(text: str) -> None:
    """Say what the benchmark is doing (it takes over an hour)."""
    print(f"[bench-cluster {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def percentile(values: Sequence[float], share: float) -> float:
    """The ``share`` (0 to 1) percentile of ``values`` (nearest rank); NaN if empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def _env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


# --- the conversations --------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Question:
    """An entitlement question from the dev set, and the topic it is about."""

    text: str
    expected: str


def load_questions() -> list[Question]:
    """The dev set's entitlement questions (never the held-out evaluation set)."""
    found: list[Question] = []
    for name in ("entitlement_questions.yml", "more_entitlement_questions.yml"):
        path = PROJECT_ROOT / "tests" / "dev_set" / name
        if path.exists():
            for message in yaml.safe_load(path.read_text())["messages"]:
                found.append(Question(str(message["text"]), str(message.get("expected", ""))))
    return found


def topic_titles() -> dict[str, str]:
    """Topic id -> title (``entitlements/topics.yaml``): how an answer starts."""
    loaded = yaml.safe_load((PROJECT_ROOT / "entitlements" / "topics.yaml").read_text())
    return {str(k): str(v) for k, v in loaded.items()}


def script_of(question: Question) -> tuple[str, ...]:
    """One young person's conversation: the question, then the follow-ups."""
    return (question.text, *FOLLOW_UPS)


@dataclasses.dataclass
class Tally:
    """What happened to the messages of a phase."""

    latencies: list[float] = dataclasses.field(default_factory=list)
    http_errors: int = 0
    empty: int = 0
    wrong: int = 0
    examples: list[str] = dataclasses.field(default_factory=list)
    conversations: int = 0
    started: float = dataclasses.field(default_factory=time.monotonic)
    answered_at: list[float] = dataclasses.field(default_factory=list)  # since ``started``

    def answered(self, latency: float) -> None:
        """One message answered (200) after ``latency`` seconds."""
        self.latencies.append(latency)
        self.answered_at.append(time.monotonic() - self.started)

    def by_minute(self) -> list[dict[str, float]]:
        """Messages answered and latency percentiles in each minute of the phase."""
        minutes: dict[int, list[float]] = collections.defaultdict(list)
        for when, latency in zip(self.answered_at, self.latencies, strict=True):
            minutes[int(when // 60)].append(latency)
        return [
            {
                "minute": minute + 1,
                "messages": len(values),
                "p50_ms": 1000 * percentile(values, 0.50),
                "p95_ms": 1000 * percentile(values, 0.95),
            }
            for minute, values in sorted(minutes.items())
        ]

    def note(self, kind: str, detail: str) -> None:
        """Keep a few examples of what went wrong."""
        if len(self.examples) < 8:
            self.examples.append(f"{kind}: {detail[:240]}")

    def summary(self, seconds: float) -> dict[str, Any]:
        """The phase's figures."""
        messages = len(self.latencies) + self.http_errors
        return {
            "messages": messages,
            "conversations_started": self.conversations,
            "seconds": seconds,
            "messages_per_second": messages / seconds if seconds else 0.0,
            "http_errors": self.http_errors,
            "empty_answers": self.empty,
            "wrong_answers": self.wrong,
            "errors": self.http_errors + self.empty + self.wrong,
            "p50_ms": 1000 * percentile(self.latencies, 0.50),
            "p95_ms": 1000 * percentile(self.latencies, 0.95),
            "p99_ms": 1000 * percentile(self.latencies, 0.99),
            "max_ms": 1000 * max(self.latencies) if self.latencies else float("nan"),
            "error_examples": self.examples,
            "by_minute": self.by_minute(),
        }


class Talker:
    """Sends REST messages (each with a ``message_id``) through nginx and checks answers."""

    def __init__(self, session: aiohttp.ClientSession, public_url: str) -> None:
        self.session = session
        self.url = f"{public_url}/webhooks/rest/webhook"

    async def say(self, sender: str, text: str) -> tuple[int, list[str], float]:
        """Send one message; the status (0: no answer), the answer's texts and the seconds."""
        body = {"sender": sender, "message": text, "message_id": uuid.uuid4().hex}
        start = time.perf_counter()
        try:
            async with self.session.post(self.url, json=body) as reply:
                status = reply.status
                payload = await reply.read()
        except (aiohttp.ClientError, asyncio.TimeoutError):
            return 0, [], time.perf_counter() - start
        elapsed = time.perf_counter() - start
        if status != 200:
            return status, [], elapsed
        try:
            texts = [str(m.get("text") or "") for m in json.loads(payload)]
        except (ValueError, AttributeError):
            texts = []
        return status, texts, elapsed


async def reference_answers(
    talker: Talker, questions: list[Question], titles: dict[str, str]
) -> tuple[list[Question], dict[tuple[str, int], list[str]], dict[str, Any]]:
    """Each conversation once, on the idle cluster: the answers to compare the load with.

    Only questions answered with an entitlement (the first answer starts with a topic's
    title) are used for load: the follow-ups only make sense after one.
    """
    reference: dict[tuple[str, int], list[str]] = {}
    usable: list[Question] = []
    on_topic = 0
    gate = asyncio.Semaphore(4)

    async def one(question: Question) -> None:
        nonlocal on_topic
        async with gate:
            sender = f"bench-ref-{uuid.uuid4().hex[:12]}"
            answers = []
            for text in script_of(question):
                status, texts, _ = await talker.say(sender, text)
                if status != 200 or not texts or not any(texts):
                    return
                answers.append(texts)
        if not any(answers[0][0].startswith(title) for title in titles.values()):
            return
        usable.append(question)
        on_topic += answers[0][0].startswith(titles.get(question.expected, "\0"))
        for position, texts in enumerate(answers):
            reference[(question.text, position)] = texts

    await asyncio.gather(*(one(q) for q in questions))
    usable.sort(key=lambda q: q.text)
    facts = {
        "dev_set_questions": len(questions),
        "answered_with_an_entitlement": len(usable),
        "of_which_the_expected_topic": on_topic,
    }
    return usable, reference, facts


async def young_people(
    talker: Talker,
    questions: list[Question],
    reference: dict[tuple[str, int], list[str]],
    people: int,
    seconds: float,
    think: tuple[float, float],
    seed: int,
    tally: Tally | None = None,
) -> tuple[Tally, float]:
    """``people`` young people talking at once for ``seconds``; what happened, and how long.

    Each young person starts a conversation, thinks between messages, and starts a new
    one after the last follow-up; no message is started after ``seconds``.
    """
    tally = tally if tally is not None else Tally()
    start = time.monotonic()
    deadline = start + seconds

    async def person(n: int) -> None:
        rng = random.Random(seed * 1000 + n)
        # Spread the first messages over the first think time, as people arrive.
        await asyncio.sleep(rng.uniform(0, think[1]))
        while time.monotonic() < deadline:
            question = rng.choice(questions)
            sender = f"bench-{uuid.uuid4().hex[:12]}"
            tally.conversations += 1
            for position, text in enumerate(script_of(question)):
                if time.monotonic() >= deadline:
                    return
                status, texts, elapsed = await talker.say(sender, text)
                if status != 200:
                    tally.http_errors += 1
                    tally.note("http", f"{status} for {text!r}")
                    break  # the conversation's context is unknown: start another
                tally.answered(elapsed)
                if not texts or not any(texts):
                    tally.empty += 1
                    tally.note("empty", repr(text))
                elif texts != reference[(question.text, position)]:
                    tally.wrong += 1
                    tally.note("wrong", f"{question.text!r} #{position}: {texts[0]!r}")
                if think[1] > 0:
                    await asyncio.sleep(rng.uniform(*think))

    await asyncio.gather(*(person(n) for n in range(people)))
    return tally, time.monotonic() - start


# --- SMS ----------------------------------------------------------------------------


@dataclasses.dataclass
class SentText:
    """One signed text sent to the webhook."""

    sid: str
    number: str
    sent_at: float  # time.monotonic(), comparable with the fake Twilio's arrivals
    status: int = 0
    latency: float = float("nan")


async def send_texts(
    cluster: Cluster, twilio: FakeTwilio, bodies: list[str], rate: float, seconds: float
) -> list[SentText]:
    """Signed texts at ``rate`` a second for ``seconds``, through nginx."""
    from twilio.request_validator import RequestValidator

    validator = RequestValidator(twilio.token)
    path = "/webhooks/twilio/webhook"
    signed_url = cluster.settings.public_base_url.rstrip("/") + path
    total = int(rate * seconds)
    sent: list[SentText] = []

    async def one(session: aiohttp.ClientSession, n: int) -> None:
        text = SentText(f"SMbench{uuid.uuid4().hex}", SMS_NUMBERS[n % len(SMS_NUMBERS)], 0.0)
        form = {
            "MessageSid": text.sid,
            "AccountSid": twilio.account_sid,
            "From": text.number,
            "To": SERVICE_NUMBER,
            "Body": bodies[n % len(bodies)],
        }
        headers = {"X-Twilio-Signature": validator.compute_signature(signed_url, form)}
        sent.append(text)
        text.sent_at = time.monotonic()
        start = time.perf_counter()
        try:
            async with session.post(cluster.public_url + path, data=form, headers=headers) as r:
                text.status = r.status
                await r.read()
        except (aiohttp.ClientError, asyncio.TimeoutError):
            text.status = 0
        text.latency = time.perf_counter() - start

    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        await at_rate(rate, total, lambda n: one(session, n))
    return sent


def _sms_state(engine: sa.engine.Engine) -> tuple[int, list[Any]]:
    """Bench texts handled so far, and the bench replies in the queue."""
    with engine.connect() as connection:
        handled = connection.execute(
            sa.select(sa.func.count()).where(
                sms_inbound.c.message_sid.like("SMbench%"), sms_inbound.c.handled_at.is_not(None)
            )
        ).scalar_one()
        replies = connection.execute(
            sa.select(
                sms_outbound.c.dedupe_key,
                sms_outbound.c.to_number,
                sms_outbound.c.body,
                sms_outbound.c.status,
                sms_outbound.c.twilio_sid,
            ).where(sms_outbound.c.dedupe_key.like("reply:SMbench%"))
        ).all()
    return int(handled), list(replies)


def sms_phase(
    cluster: Cluster,
    twilio: FakeTwilio,
    engine: sa.engine.Engine,
    bodies: list[str],
    rate: float,
    seconds: float,
    drain_timeout: float,
) -> dict[str, Any]:
    """Send the texts, wait for the queue to drain, check each was answered exactly once."""
    first_fake = len(twilio.messages)
    sent = asyncio.run(send_texts(cluster, twilio, bodies, rate, seconds))
    last_sent = max(t.sent_at for t in sent)
    accepted = [t for t in sent if t.status == 200]
    progress(f"  {len(accepted)} of {len(sent)} texts accepted; waiting for the replies")
    deadline = time.monotonic() + drain_timeout
    drained_at: float | None = None
    while time.monotonic() < deadline:
        handled, replies = _sms_state(engine)
        delivered = len(twilio.messages) - first_fake
        waiting = sum(r.status != "sent" for r in replies)
        if handled >= len(accepted) and replies and waiting == 0 and delivered >= len(replies):
            drained_at = time.monotonic()
            break
        time.sleep(1.0)
    # Every Rasa server and the scheduler send queued texts: give a late repeat its chance.
    time.sleep(15.0)
    handled, replies = _sms_state(engine)
    fake = twilio.messages[first_fake:]
    arrivals = twilio.arrivals[first_fake:]
    fake_by_sid = collections.Counter(m["sid"] for m in fake)
    arrival_by_sid = {m["sid"]: when for m, (_, when) in zip(fake, arrivals, strict=True)}
    parts: dict[str, list[Any]] = collections.defaultdict(list)
    for row in replies:
        parts[row.dedupe_key.split(":")[1]].append(row)
    reply_sids = {row.twilio_sid for row in replies if row.twilio_sid}
    missing = [t.sid for t in accepted if not parts.get(t.sid)]
    undelivered = [r.dedupe_key for r in replies if fake_by_sid.get(r.twilio_sid or "", 0) != 1]
    extra = [m for m in fake if m["sid"] not in reply_sids and m.get("To") in SMS_NUMBERS]
    wanted = collections.Counter((r.to_number, r.body) for r in replies)
    got = collections.Counter((m.get("To"), m.get("Body")) for m in fake if m["sid"] in reply_sids)
    got_all = collections.Counter(
        (m.get("To"), m.get("Body")) for m in fake if m.get("To") in SMS_NUMBERS
    )
    twice = sum((got_all - wanted).values())
    first_reply = []
    for text in accepted:
        first = [arrival_by_sid[r.twilio_sid] for r in parts.get(text.sid, ()) if r.twilio_sid]
        first = [when for when in first if when is not None]
        if first:
            first_reply.append(min(first) - text.sent_at)
    latencies = [t.latency for t in accepted]
    answered = [t.latency for t in sent]
    exactly_once = (
        not missing
        and not undelivered
        and not extra
        and twice == 0
        and got == wanted
        and handled == len(accepted)
        and len(accepted) == len(sent)
    )
    return {
        "texts_sent": len(sent),
        "texts_accepted_200": len(accepted),
        "non_200": len(sent) - len(accepted),
        "rate_per_second": rate,
        "seconds": seconds,
        "numbers_used": len({t.number for t in sent}),
        "webhook_p50_ms": 1000 * percentile(latencies, 0.50),
        "webhook_p95_ms": 1000 * percentile(latencies, 0.95),
        "webhook_p99_ms": 1000 * percentile(latencies, 0.99),
        "webhook_max_ms": 1000 * max(answered),
        "inbound_handled": handled,
        "reply_texts_queued": len(replies),
        "reply_texts_at_fake_twilio": len(fake) - len(extra),
        "texts_without_a_reply": len(missing),
        "reply_parts_not_delivered_once": len(undelivered),
        "messages_at_fake_twilio_not_from_the_queue": len(extra),
        "repeated_texts": twice,
        "exactly_once": exactly_once,
        "drained": drained_at is not None,
        "seconds_from_last_text_to_all_replied": (
            drained_at - last_sent if drained_at is not None else None
        ),
        "first_reply_p50_ms": 1000 * percentile(first_reply, 0.50),
        "first_reply_p95_ms": 1000 * percentile(first_reply, 0.95),
        "first_reply_p99_ms": 1000 * percentile(first_reply, 0.99),
        "examples": {
            "missing": missing[:5],
            "undelivered": undelivered[:5],
            "extra": [f"{m.get('To')}: {str(m.get('Body'))[:80]}" for m in extra[:5]],
        },
    }


# --- memory -------------------------------------------------------------------------


def _postgres_pid(cluster: Cluster) -> int | None:
    try:
        return int((cluster.postgres.data / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _rss_and_pss(process: psutil.Process) -> tuple[int, int]:
    """One process's resident set and proportional set (shared pages split), in bytes."""
    try:
        full = process.memory_full_info()
        return full.rss, full.pss
    except psutil.AccessDenied:
        rss = process.memory_info().rss
        return rss, rss


def memory(cluster: Cluster) -> tuple[dict[str, float], dict[str, float]]:
    """Resident memory (MB) of each part with its child processes: RSS, and PSS.

    RSS counts shared pages once per process (PostgreSQL's shared buffers once per
    backend); PSS shares them out, so a part's PSS is what it really holds.
    """
    assert cluster.group is not None
    pids = {name: cluster.group.processes[name].pid for name in MEMORY_PARTS[:-1]}
    postgres = _postgres_pid(cluster)
    if postgres is not None:
        pids["postgres"] = postgres
    rss: dict[str, float] = {}
    pss: dict[str, float] = {}
    for name, pid in pids.items():
        try:
            parent = psutil.Process(pid)
            total_rss, total_pss = _rss_and_pss(parent)
            for child in parent.children(recursive=True):
                with contextlib.suppress(psutil.NoSuchProcess):
                    child_rss, child_pss = _rss_and_pss(child)
                    total_rss += child_rss
                    total_pss += child_pss
        except psutil.NoSuchProcess:
            continue
        rss[name] = total_rss / 2**20
        pss[name] = total_pss / 2**20
    return rss, pss


def slope_per_hour(points: Sequence[tuple[float, float]]) -> float:
    """Least-squares growth of (seconds, MB) points, in MB an hour (0 with < 2 points)."""
    if len(points) < 2:
        return 0.0
    xs = [x for x, _ in points]
    ys = [y for _, y in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    var = sum((x - mx) ** 2 for x in xs)
    if var == 0:
        return 0.0
    return 3600 * sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / var


def memory_summary(samples: list[dict[str, Any]], key: str = "mb") -> dict[str, dict[str, Any]]:
    """Start, end, max and growth per part; whether growth levels off (second half).

    ``key``: ``mb`` (RSS) or ``pss_mb``.
    """
    summary: dict[str, dict[str, Any]] = {}
    for name in MEMORY_PARTS:
        points = [(s["seconds"], s[key][name]) for s in samples if name in s[key]]
        if not points:
            continue
        half = [p for p in points if p[0] >= points[-1][0] / 2]
        whole = slope_per_hour(points)
        second = slope_per_hour(half)
        summary[name] = {
            "start_mb": points[0][1],
            "end_mb": points[-1][1],
            "max_mb": max(y for _, y in points),
            "growth_mb": points[-1][1] - points[0][1],
            "growth_mb_per_hour": whole,
            "second_half_mb_per_hour": second,
            # Levelling off: the second half grows by at most 10 MB an hour, 2% of the
            # start an hour, or a quarter of the whole run's rate (shrinking counts as level).
            "levels_off": second <= max(10.0, 0.02 * points[0][1], whole / 4),
        }
    return summary


async def soak(
    cluster: Cluster,
    talker: Talker,
    questions: list[Question],
    reference: dict[tuple[str, int], list[str]],
    people: int,
    seconds: float,
    think: tuple[float, float],
    every: float,
    on_sample: Callable[[list[dict[str, Any]], Tally, float], None],
) -> tuple[list[dict[str, Any]], Tally, float]:
    """Steady load for ``seconds``, sampling memory every ``every`` seconds."""
    samples: list[dict[str, Any]] = []
    start = time.monotonic()
    live = Tally()
    load = asyncio.create_task(
        young_people(talker, questions, reference, people, seconds, think, seed=7, tally=live)
    )

    while True:
        elapsed = time.monotonic() - start
        mb, pss = await asyncio.to_thread(memory, cluster)
        now = dt.datetime.now(dt.timezone.utc).isoformat()
        samples.append({"seconds": round(elapsed, 1), "utc": now, "mb": mb, "pss_mb": pss})
        on_sample(samples, live, elapsed)
        if elapsed >= seconds or load.done():
            break
        await asyncio.sleep(max(0.0, start + len(samples) * every - time.monotonic()))
    tally, took = await load
    return samples, tally, took


# --- the run ------------------------------------------------------------------------


def start_cluster(twilio: FakeTwilio, folder: Path, postgres_folder: Path) -> Cluster:
    """The cluster on free ports in temporary folders, replying by SMS through the fake."""
    ports = free_cluster_ports()
    settings = dataclasses.replace(
        Settings(),
        twilio_account_sid=twilio.account_sid,
        twilio_auth_token=twilio.token,
        twilio_from_number=SERVICE_NUMBER,
        twilio_api_url=twilio.url,
    )
    log = (folder / "cluster.log").open("w")
    cluster = Cluster(
        settings,
        folder,
        model_path(settings),
        ports=ports,
        log=log,
        demo_people=False,
        postgres_folder=postgres_folder,
    )
    cluster.start()
    return cluster


def table(rows: list[tuple[str, str, str]]) -> str:
    """A Markdown table of (measure, figure, target) rows."""
    lines = ["| measure | figure | target |", "| --- | --- | --- |"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    return "\n".join(lines)


def load_rows(name: str, figures: dict[str, Any], target: bool) -> list[tuple[str, str, str]]:
    """Table rows for a load phase."""
    return [
        (
            f"{name}: messages, throughput",
            f"{figures['messages']} in {figures['seconds']:.0f} s = "
            f"{figures['messages_per_second']:.1f} messages/s",
            "",
        ),
        (
            f"{name}: errors (non-200 / empty / wrong)",
            f"{figures['errors']} ({figures['http_errors']} / {figures['empty_answers']} / "
            f"{figures['wrong_answers']})",
            "0" if target else "",
        ),
        (
            f"{name}: latency p50 / p95 / p99",
            f"{figures['p50_ms']:.0f} / {figures['p95_ms']:.0f} / {figures['p99_ms']:.0f} ms",
            "p95 < 1000 ms" if target else "",
        ),
    ]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line (defaults from the environment)."""
    parser = argparse.ArgumentParser(prog="python -m scripts.bench_cluster")
    parser.add_argument("--load-minutes", type=float, default=_env_float("LOAD_MINUTES", 10))
    parser.add_argument("--sms-seconds", type=float, default=_env_float("SMS_SECONDS", 120))
    parser.add_argument("--soak-minutes", type=float, default=_env_float("SOAK_MINUTES", 60))
    parser.add_argument("--conversations", type=int, default=100, help="young people at once")
    parser.add_argument("--think", type=float, nargs=2, default=(2.0, 8.0), metavar=("MIN", "MAX"))
    parser.add_argument("--burst-seconds", type=float, default=60.0, help="no think time")
    parser.add_argument("--sms-rate", type=float, default=50.0, help="texts a second")
    parser.add_argument("--drain-timeout", type=float, default=1800.0)
    parser.add_argument("--soak-conversations", type=int, default=20)
    parser.add_argument("--sample-seconds", type=float, default=30.0)
    parser.add_argument("--phases", default="load,burst,sms,soak")
    parser.add_argument("--output", type=Path, default=RESULTS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Start the cluster, run the phases, print the table and write the results."""
    args = parse_args(argv)
    phases = {p.strip() for p in args.phases.split(",") if p.strip()}
    unknown = phases - {"load", "burst", "sms", "soak"}
    if unknown:
        raise SystemExit(f"unknown phases: {', '.join(sorted(unknown))}")
    think = (float(args.think[0]), float(args.think[1]))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {
        "started_utc": dt.datetime.now(dt.timezone.utc).isoformat(),
        "machine": {
            "cpus": os.cpu_count(),
            "load_average_at_start": os.getloadavg(),
            "memory_gb": psutil.virtual_memory().total / 2**30,
        },
        "settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
    }

    def save() -> None:
        results["load_average_now"] = os.getloadavg()
        args.output.write_text(json.dumps(results, indent=2, default=str))

    rows: list[tuple[str, str, str]] = []
    folder = Path(tempfile.mkdtemp(prefix="careleavers-bench-cluster-"))
    # Outside the first folder: PostgreSQL runs as its own user when we are root.
    postgres_folder = Path(tempfile.mkdtemp(prefix="careleavers-bench-cluster-pg-"))
    postgres_folder.chmod(0o755)
    twilio = FakeTwilio()
    twilio.start()
    cluster: Cluster | None = None
    progress(f"starting the cluster in {folder} (a few minutes)")
    try:
        cluster = start_cluster(twilio, folder, postgres_folder)
        engine = create_db_engine(cluster.settings.database_url)
        progress(f"cluster up at {cluster.public_url}; answers on the idle cluster")

        async def with_talker(work: Callable[[Talker], Any]) -> Any:
            connector = aiohttp.TCPConnector(limit=0)
            timeout = aiohttp.ClientTimeout(total=120)
            async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
                return await work(Talker(session, cluster.public_url))

        questions, reference, facts = asyncio.run(
            with_talker(lambda t: reference_answers(t, load_questions(), topic_titles()))
        )
        results["reference"] = facts
        progress(
            f"  {facts['answered_with_an_entitlement']} of {facts['dev_set_questions']} dev set "
            "questions answered with an entitlement: these are the load's questions"
        )
        if not questions:
            raise RuntimeError("no dev set question was answered with an entitlement")

        if "load" in phases:
            progress(
                f"load: {args.conversations} young people for {args.load_minutes:g} min, "
                f"think time uniform {think[0]:g}-{think[1]:g} s"
            )
            tally, took = asyncio.run(
                with_talker(
                    lambda t: young_people(
                        t,
                        questions,
                        reference,
                        args.conversations,
                        60 * args.load_minutes,
                        think,
                        seed=1,
                    )
                )
            )
            results["load"] = tally.summary(took) | {"think_seconds": think}
            rows += load_rows(
                f"REST, {args.conversations} young people, think {think[0]:g}-{think[1]:g} s",
                results["load"],
                target=True,
            )
            save()
            progress(
                f"  {results['load']['messages']} messages, "
                f"{results['load']['errors']} errors, p95 {results['load']['p95_ms']:.0f} ms"
            )

        if "burst" in phases:
            progress(
                f"no think time: {args.conversations} young people for "
                f"{args.burst_seconds:g} s, each sending on reply"
            )
            tally, took = asyncio.run(
                with_talker(
                    lambda t: young_people(
                        t,
                        questions,
                        reference,
                        args.conversations,
                        args.burst_seconds,
                        (0.0, 0.0),
                        seed=2,
                    )
                )
            )
            results["no_think_time"] = tally.summary(took)
            rows += load_rows(
                f"REST, {args.conversations} young people, no think time",
                results["no_think_time"],
                target=False,
            )
            save()

        if "sms" in phases:
            progress(f"SMS: {args.sms_rate:g} signed texts a second for {args.sms_seconds:g} s")
            sms = sms_phase(
                cluster,
                twilio,
                engine,
                [q.text for q in questions],
                args.sms_rate,
                args.sms_seconds,
                args.drain_timeout,
            )
            results["sms"] = sms
            drained = sms["seconds_from_last_text_to_all_replied"]
            rows += [
                (
                    f"SMS webhook at {args.sms_rate:g}/s: answer p50 / p95 / p99",
                    f"{sms['webhook_p50_ms']:.0f} / {sms['webhook_p95_ms']:.0f} / "
                    f"{sms['webhook_p99_ms']:.0f} ms ({sms['texts_accepted_200']} of "
                    f"{sms['texts_sent']} answered 200)",
                    "",
                ),
                (
                    "  ... reply reaching (fake) Twilio: p50 / p95 / p99",
                    f"{sms['first_reply_p50_ms']:.0f} / {sms['first_reply_p95_ms']:.0f} / "
                    f"{sms['first_reply_p99_ms']:.0f} ms",
                    "",
                ),
                (
                    "  ... from the last text until every one was replied to",
                    "not drained" if drained is None else f"{drained:.1f} s",
                    "",
                ),
                (
                    "  ... every text's reply exactly once",
                    f"{'yes' if sms['exactly_once'] else 'NO'} ({sms['reply_texts_queued']} "
                    f"reply texts; {sms['texts_without_a_reply']} without a reply, "
                    f"{sms['reply_parts_not_delivered_once']} not delivered once, "
                    f"{sms['repeated_texts']} repeated)",
                    "yes",
                ),
            ]
            save()
            progress(f"  exactly once: {sms['exactly_once']}; drained after {drained} s")

        if "soak" in phases:
            progress(
                f"soak: {args.soak_conversations} young people for {args.soak_minutes:g} min, "
                f"memory every {args.sample_seconds:g} s"
            )

            def on_sample(samples: list[dict[str, Any]], tally: Tally, elapsed: float) -> None:
                results["soak"] = {
                    "minutes_completed": elapsed / 60,
                    "load_so_far": tally.summary(elapsed),
                    "samples": samples,
                    "memory": memory_summary(samples),
                    "memory_pss": memory_summary(samples, "pss_mb"),
                }
                save()
                mb, pss = samples[-1]["mb"], samples[-1]["pss_mb"]
                progress(
                    f"  soak {elapsed / 60:.1f} min (RSS/PSS): "
                    + ", ".join(f"{k} {v:.0f}/{pss.get(k, 0):.0f} MB" for k, v in mb.items())
                )

            samples, tally, took = asyncio.run(
                with_talker(
                    lambda t: soak(
                        cluster,
                        t,
                        questions,
                        reference,
                        args.soak_conversations,
                        60 * args.soak_minutes,
                        think,
                        args.sample_seconds,
                        on_sample,
                    )
                )
            )
            summary = memory_summary(samples)
            results["soak"] = {
                "minutes_completed": samples[-1]["seconds"] / 60,
                "load": tally.summary(took),
                "samples": samples,
                "memory": summary,
                "memory_pss": memory_summary(samples, "pss_mb"),
            }
            rows += load_rows(
                f"soak, {args.soak_conversations} young people",
                results["soak"]["load"],
                target=True,
            )
            for kind, figures in (("RSS", summary), ("PSS", results["soak"]["memory_pss"])):
                for name, m in figures.items():
                    rows.append(
                        (
                            f"soak memory ({kind} with children), {name}: start / end / max",
                            f"{m['start_mb']:.0f} / {m['end_mb']:.0f} / {m['max_mb']:.0f} MB; "
                            f"{m['growth_mb_per_hour']:+.0f} MB/h (second half "
                            f"{m['second_half_mb_per_hour']:+.0f} MB/h; "
                            f"{'levels off' if m['levels_off'] else 'still growing'})",
                            "",
                        )
                    )
            save()
        engine.dispose()
    finally:
        if cluster is not None:
            progress("stopping the cluster")
            cluster.stop()
        twilio.stop()
        if (folder / "cluster.log").exists():
            shutil.copy(folder / "cluster.log", args.output.with_suffix(".log"))
        results["finished_utc"] = dt.datetime.now(dt.timezone.utc).isoformat()
        save()
        shutil.rmtree(postgres_folder, ignore_errors=True)
        shutil.rmtree(folder, ignore_errors=True)
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
