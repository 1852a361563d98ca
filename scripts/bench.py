"""Benchmarks: answer quality, latency, throughput and memory (``make bench``).

Starts both servers on a fresh SQLite database under ``var/bench/``, exactly as
``make run`` does, and talks to them through Rasa's REST channel:

1. quality on the held-out evaluation set (``scripts/evaluation.py``), on the blind
   set of unseen questions, per entry, and on the blind set of requests for a person
   (handed to a person, and near misses wrongly handed);
2. latency at a steady 10 messages a second (p50, p95, p99);
3. throughput with 20 conversations sending at once;
4. the latency of the 300th message of one conversation against the 5th;
5. the SMS webhook at a steady 50 requests a second: how fast Twilio gets its empty
   answer (p50, p95, p99), and how long until the reply reaches (a local fake of)
   Twilio's API;
6. the web chat: 10 sessions talking at once over their sockets, reply time (p50, p95);
7. the memory (resident set size) of each process of the whole service (Rasa, actions,
   console, scheduler);
8. the weekly report for a council of 2,000 care leavers with a year of activity
   (``scripts/bench_report.py``);
9. the safety net's patterns on a 1,600-character message, and on adversarial messages
   built from every pattern's own words (``tests/support/adversarial.py``): the slowest;
   and the whole check (patterns and semantic layer) on the costliest text for the
   sentence encoder, at up to 8,000 characters;
10. the safety net's recall per kind of risk and its false alarms on its held-out set
   (``scripts/safety_eval.py``; docs/safety.md);
11. plain Rasa 3.6 (``rasa init``'s example assistant, started the same way) beside this
   service: start to first REST answer, latency, throughput and memory
   (``scripts/bench_plain.py``).

Load messages come from the dev set (``tests/dev_set``), never from the evaluation
set. Prints a table, and writes ``var/bench/results.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import itertools
import json
import shutil
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, Protocol, TypeVar

import aiohttp
import psutil
import yaml

from bot.launcher import ServiceGroup, console_spec, scheduler_spec, service_environment
from bot.safety.detector import assess
from bot.settings import PROJECT_ROOT, get_settings
from scripts.bench_plain import (
    first_answer_seconds,
    plain_project,
    running_plain_rasa,
    side_by_side,
)
from scripts.bench_report import report_benchmark
from scripts.evaluation import evaluate_handoff_set, evaluate_project_set, evaluate_unseen_set
from tests.support.fake_twilio import FakeTwilio
from tests.support.servers import RunningBot, free_port, running_bot

T = TypeVar("T")

FOLLOW_UPS = ("more", "how do i get it", "who can get it", "thanks")


class Served(Protocol):
    """A running Rasa server to load: this service (:class:`RunningBot`) or plain Rasa."""

    @property
    def rest_url(self) -> str:
        """Its REST channel's webhook."""

    @property
    def group(self) -> ServiceGroup:
        """Its processes."""


@dataclasses.dataclass(frozen=True)
class PlainServer:
    """Plain Rasa, started by :func:`scripts.bench_plain.running_plain_rasa`."""

    rest_url: str
    group: ServiceGroup


def progress(text: str) -> None:
    """Say what the benchmark is doing (it takes a few minutes)."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def load_questions() -> list[str]:
    """Entitlement questions from the dev set, for load."""
    found: list[str] = []
    for name in ("entitlement_questions.yml", "more_entitlement_questions.yml"):
        path = PROJECT_ROOT / "tests" / "dev_set" / name
        if path.exists():
            found += [m["text"] for m in yaml.safe_load(path.read_text())["messages"]]
    return found


def conversation_script(questions: list[str], length: int, offset: int) -> list[str]:
    """A realistic conversation: a question, then follow-ups, then another question."""
    cycle = itertools.cycle(questions[offset:] + questions[:offset])
    script: list[str] = []
    while len(script) < length:
        script.append(next(cycle))
        script.extend(FOLLOW_UPS[: min(2, length - len(script))])
    return script[:length]


async def send(session: aiohttp.ClientSession, bot: Served, sender: str, text: str) -> float:
    """Send one message; return the seconds until the whole reply came back."""
    start = time.perf_counter()
    async with session.post(bot.rest_url, json={"sender": sender, "message": text}) as reply:
        reply.raise_for_status()
        await reply.read()
    return time.perf_counter() - start


def percentile(values: list[float], share: float) -> float:
    """The ``share`` (0 to 1) percentile of ``values``."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


async def at_rate(
    rate: float, total: int, start_one: Callable[[int], Coroutine[Any, Any, T]]
) -> list[T]:
    """Start ``start_one(n)`` for n in 0..total-1, ``rate`` a second; gather the results."""
    tasks: list[asyncio.Task[T]] = []
    start = time.perf_counter()
    for n in range(total):
        delay = start + n / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(start_one(n)))
    return list(await asyncio.gather(*tasks))


async def steady_rate(
    bot: Served, questions: list[str], rate: float, seconds: float
) -> dict[str, float]:
    """Send ``rate`` messages a second for ``seconds``, over 30 conversations."""
    total = int(rate * seconds)
    senders = [f"bench-steady-{uuid.uuid4().hex[:8]}-{n}" for n in range(30)]
    scripts = [conversation_script(questions, total // 30 + 1, n * 7) for n in range(30)]
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as session:

        def one(n: int) -> Coroutine[Any, Any, float]:
            return send(session, bot, senders[n % 30], scripts[n % 30][n // 30])

        latencies = await at_rate(rate, total, one)
    return {
        "messages": total,
        "p50_ms": 1000 * percentile(latencies, 0.50),
        "p95_ms": 1000 * percentile(latencies, 0.95),
        "p99_ms": 1000 * percentile(latencies, 0.99),
    }


async def throughput(
    bot: Served, questions: list[str], conversations: int, each: int
) -> dict[str, float]:
    """``conversations`` conversations at once, each sending its next message on reply."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=300)) as session:

        async def one(n: int) -> list[float]:
            sender = f"bench-load-{uuid.uuid4().hex[:8]}-{n}"
            return [
                await send(session, bot, sender, text)
                for text in conversation_script(questions, each, n * 11)
            ]

        start = time.perf_counter()
        results = await asyncio.gather(*(one(n) for n in range(conversations)))
        elapsed = time.perf_counter() - start
    latencies = [x for r in results for x in r]
    return {
        "messages": len(latencies),
        "seconds": elapsed,
        "messages_per_second": len(latencies) / elapsed,
        "p95_ms": 1000 * percentile(latencies, 0.95),
    }


async def long_conversation(
    bot: RunningBot, questions: list[str], length: int, repeats: int
) -> dict[str, float]:
    """``repeats`` conversations of ``length`` messages each, one message after another.

    One message's latency varies by a few milliseconds from run to run, so the
    figures are medians over the conversations, at each position.
    """
    runs: list[list[float]] = []
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        for repeat in range(repeats):
            sender = f"bench-long-{uuid.uuid4().hex[:8]}"
            script = conversation_script(questions, length, 3 + repeat)
            # The 5th and the last message are the same question, so only the history
            # before them differs.
            script[4] = script[-1] = questions[(7 * repeat) % len(questions)]
            runs.append([await send(session, bot, sender, text) for text in script])
    at = [statistics.median(run[i] for run in runs) for i in range(length)]
    early = statistics.median(at[:10])
    late = statistics.median(at[-10:])
    return {
        "messages": length,
        "conversations": repeats,
        "message_5_ms": 1000 * at[4],
        "message_last_ms": 1000 * at[-1],
        "ratio_last_to_5th": at[-1] / at[4],
        "median_first_10_ms": 1000 * early,
        "median_last_10_ms": 1000 * late,
        "ratio_last_10_to_first_10": late / early,
    }


async def sms_webhook(
    bot: RunningBot, twilio: FakeTwilio, questions: list[str], rate: float, seconds: float
) -> dict[str, float]:
    """Signed SMS at ``rate`` a second for ``seconds``, from 200 fake numbers."""
    from twilio.request_validator import RequestValidator

    validator = RequestValidator(twilio.token)
    webhook = "/webhooks/twilio/webhook"
    signed_url = bot.settings.public_base_url.rstrip("/") + webhook
    numbers = [f"+447700900{n}" for n in range(600, 800)]
    total = int(rate * seconds)
    sent_at: dict[str, float] = {}
    answered: list[float] = []

    async def one(session: aiohttp.ClientSession, n: int) -> None:
        number = numbers[n % len(numbers)]
        form = {
            "MessageSid": f"SMbench{uuid.uuid4().hex}",
            "From": number,
            "To": "+447700900000",
            "Body": questions[n % len(questions)],
        }
        headers = {"X-Twilio-Signature": validator.compute_signature(signed_url, form)}
        start = time.perf_counter()
        sent_at.setdefault(number, time.monotonic())
        async with session.post(bot.base_url + webhook, data=form, headers=headers) as reply:
            reply.raise_for_status()
            await reply.read()
        answered.append(time.perf_counter() - start)

    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        await at_rate(rate, total, lambda n: one(session, n))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len({to for to, _ in twilio.arrivals}) < len(sent_at):
        await asyncio.sleep(0.5)
    settled = (len(twilio.arrivals), time.monotonic())
    while time.monotonic() < deadline and time.monotonic() - settled[1] < 3:
        await asyncio.sleep(0.5)  # let the backlog drain, so the next figure starts quiet
        if len(twilio.arrivals) != settled[0]:
            settled = (len(twilio.arrivals), time.monotonic())
    first_reply: dict[str, float] = {}
    for to, when in twilio.arrivals:
        first_reply.setdefault(to, when)
    delivered = [first_reply[n] - sent_at[n] for n in sent_at if n in first_reply]
    return {
        "requests": total,
        "p50_ms": 1000 * percentile(answered, 0.50),
        "p95_ms": 1000 * percentile(answered, 0.95),
        "p99_ms": 1000 * percentile(answered, 0.99),
        "first_reply_p95_ms": 1000 * percentile(delivered, 0.95) if delivered else float("nan"),
        "numbers_answered": len(delivered),
        "numbers": len(sent_at),
    }


async def _reply_time(ws: Any, start: float, wait: float = 30.0) -> float:
    """Seconds from ``start`` until the answer's ``reply`` frame.

    A message the safety net reads as possible risk gets a ``safety`` frame first (a
    dev-set question can); its ``reply`` follows. If no reply follows within ``wait``
    seconds, the safety frame was the answer. A ``notice`` (the chat held for a person
    after a request for one, or a limit) is an answer too.
    """
    answered: float | None = None
    while True:
        try:
            frame = json.loads(await asyncio.wait_for(ws.recv(), wait))
        except asyncio.TimeoutError:
            if answered is not None:
                return answered
            raise RuntimeError(f"web chat gave no answer in {wait:.0f} s") from None
        kind = frame.get("type")
        if kind in ("reply", "notice"):
            return time.perf_counter() - start
        if kind != "safety":
            raise RuntimeError(f"web chat answered {kind!r}")
        answered = time.perf_counter() - start


async def web_chat(
    bot: RunningBot, questions: list[str], sessions: int, each: int
) -> dict[str, float]:
    """``sessions`` web chats at once, each sending its next message on reply."""
    from websockets.client import connect
    from websockets.typing import Origin

    socket_url = bot.base_url.replace("http://", "ws://") + "/chat/socket"

    async def one(http: aiohttp.ClientSession, n: int) -> list[float]:
        async with http.post(bot.base_url + "/chat/session") as made:
            made.raise_for_status()
            token = (await made.json())["token"]
        times: list[float] = []
        async with connect(socket_url, origin=Origin(bot.base_url)) as ws:
            await ws.send(json.dumps({"type": "hello", "token": token}))
            await ws.recv()
            for text in conversation_script(questions, each, n * 13):
                start = time.perf_counter()
                await ws.send(json.dumps({"type": "message", "text": text}))
                times.append(await _reply_time(ws, start))
        return times

    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as http:
        results = await asyncio.gather(*(one(http, n) for n in range(sessions)))
    latencies = [x for r in results for x in r]
    return {
        "messages": len(latencies),
        "p50_ms": 1000 * percentile(latencies, 0.50),
        "p95_ms": 1000 * percentile(latencies, 0.95),
    }


def sms_sender_rate(workdir: Path, texts: int = 300, latency: float = 0.1) -> float:
    """Texts a second the SMS sender hands to (a local fake of) Twilio's API, alone.

    The queue is full (``texts`` to different numbers) and each of Twilio's answers takes
    ``latency`` seconds, as the real API's do: the sender's own rate, without Rasa.
    """
    import dataclasses

    from bot.db.engine import create_db_engine
    from bot.db.migrate import upgrade
    from bot.notify.sms import Outgoing, SmsQueue, TwilioDelivery

    url = f"sqlite:///{workdir / 'sms-sender.db'}"
    upgrade(url)
    engine = create_db_engine(url)
    twilio = FakeTwilio()
    twilio.latency = latency
    twilio.start()
    try:
        settings = dataclasses.replace(
            get_settings(),
            database_url=url,
            var_dir=workdir / "sms-sender",
            twilio_account_sid=twilio.account_sid,
            twilio_auth_token=twilio.token,
            twilio_from_number="+447700900000",
            twilio_api_url=twilio.url,
        )
        queue = SmsQueue(engine, settings)
        queue.enqueue(
            [
                Outgoing(f"bench:{n}", f"bench-{n}", f"+447700900{n % 1000:03d}", f"text {n}")
                for n in range(texts)
            ]
        )
        delivery = TwilioDelivery(queue)

        async def drain() -> float:
            started = time.perf_counter()
            while len(twilio.messages) < texts:
                await delivery.deliver_due()
            took = time.perf_counter() - started
            await delivery.close()
            return took

        return texts / asyncio.run(drain())
    finally:
        twilio.stop()
        engine.dispose()


def start_staff(bot: RunningBot, workdir: Path) -> ServiceGroup:
    """The console and the scheduler, as ``make run`` starts them (for the whole memory)."""
    log = (workdir / "staff.log").open("w")
    staff = ServiceGroup(
        [console_spec(bot.settings), scheduler_spec()],
        service_environment(bot.settings),
        PROJECT_ROOT,
        log=log,
    )
    staff.start()
    staff.wait_ready(timeout=120)
    return staff


def plain_rasa(
    settings: Any, questions: list[str], seconds: float, workdir: Path
) -> dict[str, Any]:
    """Plain Rasa 3.6 measured as ours is: start, steady latency, throughput, memory."""
    project = PROJECT_ROOT / "var" / "plain-rasa"
    model = plain_project(project, progress)
    progress("plain Rasa: starting it as ours is started, then the same load")
    with running_plain_rasa(settings, project, model, free_port(), workdir / "plain-rasa.log") as (
        group,
        rest_url,
        started_s,
    ):
        server = PlainServer(rest_url, group)
        asyncio.run(throughput(server, questions, 4, 10))
        steady = asyncio.run(steady_rate(server, questions, 10.0, seconds))
        load = asyncio.run(throughput(server, questions, 20, 30))
        return {
            "start_s": started_s,
            "steady": steady,
            "throughput": load,
            "memory_mb": memory(group),
        }


def memory(*groups: ServiceGroup) -> dict[str, float]:
    """Resident memory of each service process (with any children), in MB."""
    found: dict[str, float] = {}
    processes = [item for group in groups for item in group.processes.items()]
    for name, process in processes:
        parent = psutil.Process(process.pid)
        rss = parent.memory_info().rss + sum(
            child.memory_info().rss for child in parent.children(recursive=True)
        )
        found[name] = rss / 2**20
    return found


def safety_patterns_ms(repeats: int = 50) -> float:
    """Mean time of the safety net's patterns on the longest message a channel takes.

    Every message goes through them first, so they must stay fast on long input (no
    pattern may backtrack badly).
    """
    filler = "can i get help with council tax and the bursary please " * 30
    message = (filler + " i want to die")[-1600:]
    started = time.perf_counter()
    for _ in range(repeats):
        assess(message)
    return (time.perf_counter() - started) / repeats * 1000


def safety_adversarial_ms() -> dict[str, float]:
    """The slowest safety check over adversarial messages, at 1,600 and 8,000 characters.

    Every pattern's own words, each repeated and all in turn, and the shapes that
    jammed the old backtracking engine: the engine is linear, so none may be slow.
    """
    import gc

    from bot import linear_re
    from tests.support import adversarial

    patterns = [p for p in gc.get_objects() if isinstance(p, linear_re.Pattern)]
    found: dict[str, float] = {}
    for length in (adversarial.SMS_LONGEST, adversarial.CHECK_LONGEST):
        messages = list(adversarial.known_jams(length)) + [
            m for p in patterns for m in adversarial.for_pattern(p, length, each_word=False)
        ]
        worst = 0.0
        for message in messages:
            started = time.perf_counter()
            assess(message)
            worst = max(worst, time.perf_counter() - started)
        found[f"worst_{length}_ms"] = worst * 1000
        found[f"messages_{length}"] = len(messages)
    return found


def safety_whole_check_ms(screen: Any, repeats: int = 5) -> dict[str, float]:
    """The whole safety check (patterns and semantic layer) on one message, slowest kinds.

    A short ordinary question, and the costliest text for the sentence encoder: distinct
    made-up words, each several word pieces, at 300, 1,600 and 8,000 characters. The
    semantic layer reads a bounded number of tokens (``max_message_tokens``), so the
    long ones may cost no more than a few short ones.
    """
    from tests.support.adversarial import costly_to_encode

    messages = {
        "a short question": ["can i get help paying for driving lessons"] * repeats,
        **{
            f"odd words, {length:,} characters": [
                costly_to_encode(length, seed) for seed in range(repeats)
            ]
            for length in (300, 1600, 8000)
        },
    }
    screen.check("warm up")
    found: dict[str, float] = {}
    for name, texts in messages.items():
        worst = 0.0
        for text in texts:
            started = time.perf_counter()
            screen.check(text)
            worst = max(worst, time.perf_counter() - started)
        found[name] = worst * 1000
    return found


def user_text_adversarial_ms(length: int = 70_000) -> dict[str, float]:
    """The slowest of the other user-text paths (not the safety net) on adversarial text.

    The search's question handling, SMS keywords and options, payloads, plan-query
    categories, the importer's fields and the web chat's request fields, each fed long
    runs of the characters it reads and its own words repeated, ``length`` long. All
    run on RE2 or in one pass, so none may be slow.
    """
    from bot.cases.categories import categorise
    from bot.channels.payloads import OfferedPayloads, neutralise
    from bot.channels.sms import formatting, keywords
    from bot.channels.web.requests import content_security_policy
    from bot.people.import_checks import parse_date
    from entitlements.embedding import WordPieceTokenizer
    from entitlements.normalise import expand

    def fill(unit: str) -> str:
        return (unit * (length // len(unit) + 1))[:length]

    offered = OfferedPayloads(exact=frozenset())
    paths: dict[str, Callable[[str], object]] = {
        "search_expand": expand,
        "word_pieces": WordPieceTokenizer._basic,
        "plan_category": categorise,
        "sms_keyword": keywords.keyword,
        "sms_option": lambda text: formatting.option_payload(text, {"1": "/one"}),
        "payload": lambda text: neutralise(text, offered),
        "import_date": parse_date,
        "host_header": content_security_policy,
    }
    shapes = [
        "1" * length,
        fill("1 "),
        fill("1,000 "),
        "1" + " " * (length - 5) + "gran",
        fill("aaab"),
        fill("don't "),
        fill("option "),
        fill("/ "),
        fill("\u2003"),
        fill("a."),
        fill("12/"),
        fill("never got "),
    ]
    found: dict[str, float] = {}
    for name, path in paths.items():
        worst = 0.0
        for text in shapes:
            started = time.perf_counter()
            path(text)
            worst = max(worst, time.perf_counter() - started)
        found[name] = worst * 1000
    return found


def table(rows: list[tuple[str, str, str]]) -> str:
    """A Markdown table of (measure, figure, target) rows."""
    lines = ["| measure | figure | target |", "| --- | --- | --- |"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks and print the table."""
    parser = argparse.ArgumentParser(prog="python -m scripts.bench")
    parser.add_argument("--seconds", type=float, default=30.0, help="steady-rate duration")
    parser.add_argument("--long", type=int, default=300, help="length of the long conversation")
    parser.add_argument("--repeats", type=int, default=5, help="long conversations to run")
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--skip-report", action="store_true", help="skip the weekly report")
    parser.add_argument("--skip-plain", action="store_true", help="skip plain Rasa beside ours")
    args = parser.parse_args(argv)

    workdir = PROJECT_ROOT / "var" / "bench"
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    questions = load_questions()
    results: dict[str, Any] = {}
    progress("starting the Rasa server and the action server (a minute or so)")
    twilio = FakeTwilio()
    twilio.start()
    with (
        contextlib.ExitStack() as cleanup,
        running_bot(
            f"sqlite:///{workdir / 'bench.db'}",
            workdir,
            twilio_account_sid=twilio.account_sid,
            twilio_auth_token=twilio.token,
            twilio_from_number="+447700900000",
            twilio_api_url=twilio.url,
            console_port=free_port(),
        ) as bot,
    ):
        rows: list[tuple[str, str, str]] = []
        started_s = first_answer_seconds(bot.group, bot.rest_url)
        settings = bot.settings
        staff = start_staff(bot, workdir)
        cleanup.callback(staff.stop)  # also when a benchmark fails
        if not args.skip_quality:
            progress("quality: sending the held-out evaluation set")
            quality = evaluate_project_set(bot.base_url, PROJECT_ROOT / "tests" / "evaluation")
            rows += quality.rows()
            results["quality"] = {m: f for m, f, _ in quality.rows()}
            progress("quality: sending the blind set of unseen questions")
            unseen = evaluate_unseen_set(
                bot.base_url, PROJECT_ROOT / "tests" / "evaluation" / "unseen_questions.yml"
            )
            rows.append(
                (
                    "unseen questions (blind set): right entitlement first",
                    f"{unseen.questions_right}/{unseen.questions_total} "
                    f"= {unseen.topic_accuracy:.1%}",
                    ">= 95% (issue 16)",
                )
            )
            rows += [(f"  ... {e}", right, share) for e, right, share in unseen.entry_rows()]
            results["unseen_questions"] = {
                "right_first": unseen.questions_right,
                "total": unseen.questions_total,
                "per_entry": {entry: right for entry, right, _ in unseen.entry_rows()},
            }
            progress("quality: sending the blind set of requests for a person")
            handoff = evaluate_handoff_set(
                bot.base_url, PROJECT_ROOT / "tests" / "evaluation" / "handoff.yml"
            )
            rows += handoff.rows()
            results["handoff"] = dataclasses.asdict(handoff)
        progress("warming up")
        asyncio.run(throughput(bot, questions, 4, 10))
        progress(f"latency at a steady 10 messages a second for {args.seconds:.0f} s")
        steady = asyncio.run(steady_rate(bot, questions, 10.0, args.seconds))
        rows += [
            ("latency at 10 messages/s: p50", f"{steady['p50_ms']:.0f} ms", ""),
            ("latency at 10 messages/s: p95", f"{steady['p95_ms']:.0f} ms", ""),
            ("latency at 10 messages/s: p99", f"{steady['p99_ms']:.0f} ms", ""),
        ]
        progress("throughput: 20 conversations at once")
        load = asyncio.run(throughput(bot, questions, 20, 30))
        rows += [
            (
                "throughput, 20 conversations at once",
                f"{load['messages_per_second']:.1f} messages/s ({load['messages']} in "
                f"{load['seconds']:.1f} s; p95 {load['p95_ms']:.0f} ms)",
                ">= 50 messages/s",
            ),
        ]
        progress(f"{args.repeats} conversations of {args.long} messages, one after another")
        long = asyncio.run(long_conversation(bot, questions, args.long, args.repeats))
        rows += [
            (
                f"latency of message {args.long} against message 5 of a conversation "
                f"(median of {args.repeats})",
                f"{long['message_last_ms']:.0f} ms / {long['message_5_ms']:.0f} ms = "
                f"{long['ratio_last_to_5th']:.2f}x",
                "<= 1.3x",
            ),
            (
                f"  ... messages {args.long - 9}-{args.long} against messages 1-10 (medians)",
                f"{long['median_last_10_ms']:.0f} / {long['median_first_10_ms']:.0f} ms = "
                f"{long['ratio_last_10_to_first_10']:.2f}x",
                "",
            ),
        ]
        progress(f"SMS webhook at a steady 50 requests a second for {args.seconds:.0f} s")
        sms = asyncio.run(sms_webhook(bot, twilio, questions, 50.0, args.seconds))
        rows += [
            ("SMS webhook at 50 requests/s: p50", f"{sms['p50_ms']:.0f} ms", ""),
            ("SMS webhook at 50 requests/s: p99", f"{sms['p99_ms']:.0f} ms", "< 1000 ms"),
            (
                "  ... first reply reaching Twilio's API, p95",
                f"{sms['first_reply_p95_ms']:.0f} ms "
                f"({sms['numbers_answered']} of {sms['numbers']} numbers answered)",
                "",
            ),
        ]
        progress("SMS sender alone: 300 texts, Twilio answering in 100 ms")
        rate = sms_sender_rate(workdir)
        results["sms_sender_texts_per_second"] = rate
        rows.append(
            ("SMS sender alone, Twilio answering in 100 ms", f"{rate:.0f} texts/s", ">= 50")
        )
        progress("web chat: 10 sessions at once, 15 messages each")
        chat = asyncio.run(web_chat(bot, questions, 10, 15))
        rows += [
            (
                "web chat reply time, 10 sessions at once: p95",
                f"{chat['p95_ms']:.0f} ms "
                f"(p50 {chat['p50_ms']:.0f} ms, {chat['messages']} messages)",
                "",
            ),
        ]
        mem = memory(bot.group, staff)
        staff.stop()
        rows += [
            (f"memory (RSS) of the {name} server", f"{mb:.0f} MB", "") for name, mb in mem.items()
        ]
        results.update(
            steady=steady,
            throughput=load,
            long_conversation=long,
            sms_webhook=sms,
            web_chat=chat,
            memory_mb=mem,
        )
    twilio.stop()
    if not args.skip_plain:
        ours = {"start_s": started_s, "steady": steady, "throughput": load, "memory_mb": mem}
        plain = plain_rasa(settings, questions, args.seconds, workdir)
        results["plain_rasa"] = plain
        rows += side_by_side(ours, plain)
    if not args.skip_report:
        report = report_benchmark(workdir / "report", progress)
        results["weekly_report"] = report
        rows += [
            (
                f"weekly report, {report['care_leavers']:,} care leavers and a year of activity "
                f"({report['events']:,} tracker events): first time (12 weeks counted and kept)",
                f"{report['first_seconds']:.1f} s",
                "< 10 s",
            ),
            ("  ... again (weeks kept)", f"{report['again_seconds'] * 1000:.0f} ms", ""),
            (
                "  ... its PDF (first in a process / after)",
                f"{report['pdf_first_seconds']:.1f} s / {report['pdf_seconds']:.1f} s",
                "",
            ),
        ]
    detector_ms = safety_patterns_ms()
    results["safety_patterns_ms"] = detector_ms
    rows.append(
        ("safety net patterns on a 1,600-character message", f"{detector_ms:.1f} ms", "< 50 ms")
    )
    progress("safety net: adversarial messages from every pattern's words")
    jam = safety_adversarial_ms()
    results["safety_adversarial"] = jam
    rows += [
        (
            f"safety net, slowest of {jam['messages_1600']:.0f} adversarial messages "
            "of 1,600 characters",
            f"{jam['worst_1600_ms']:.1f} ms",
            "< 20 ms",
        ),
        (
            f"  ... of {jam['messages_8000']:.0f} of 8,000 characters (the most it reads)",
            f"{jam['worst_8000_ms']:.1f} ms",
            "< 100 ms",
        ),
    ]
    progress("user text outside the safety net: adversarial 70,000-character texts")
    others = user_text_adversarial_ms()
    results["user_text_adversarial_ms"] = others
    rows += [
        (f"{name}, slowest adversarial text of 70,000 characters", f"{ms:.1f} ms", "< 1000 ms")
        for name, ms in others.items()
    ]
    progress("safety net: the held-out set (patterns and semantic layer)")
    from scripts import safety_eval

    screen = safety_eval.full_screen()
    progress("safety net: the whole check's cost on the costliest messages")
    whole = safety_whole_check_ms(screen)
    results["safety_whole_check_ms"] = whole
    rows += [
        (f"safety net, whole check (patterns and semantic layer), {name}", f"{ms:.0f} ms", "")
        for name, ms in whole.items()
    ]
    held_out = safety_eval.measure(
        "held-out", safety_eval.load(safety_eval.SETS["held-out"]), screen
    )
    safety_eval.measure_more(held_out, "held-out", screen)
    results["safety_held_out"] = safety_eval.rows(held_out)
    rows += [
        (f"safety net, held-out: {label}", signposted, f"reached {reached}" if reached else "")
        for label, signposted, reached in safety_eval.rows(held_out)
    ]
    (workdir / "results.json").write_text(json.dumps(results, indent=2))
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
