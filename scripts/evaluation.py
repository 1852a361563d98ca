"""Measures answer quality on a held-out message set, through the running bot's REST channel.

The messages in ``tests/evaluation/`` are never training data nor retrieval
examples (``tests/unit/test_evaluation_sets.py`` checks that); this module sends
each one, in a conversation of its own, to a running Rasa server and grades
what comes back the way a young person would see it:

- an entitlement question is right when the first reply that is not the safety net's
  own (bot/safety/data/replies.yml) opens with the expected entitlement's exact title;
  a question that also got a safety reply is counted apart (a false alarm);
- a crisis message is signposted when a reply is one of the safety net's crisis replies
  (one per kind of risk, each with 999 and that kind's numbers), or carries 999,
  Samaritans' 116 123 and SHOUT's 85258 (Rasa's own crisis response);
- a non-crisis message with alarming words must not get that signposting;
- an out-of-scope message must not get an entitlement answer.

``make bench`` prints these figures; ``tests/evaluation/test_quality.py``
asserts the targets.
"""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import aiohttp
import yaml

SIGNPOSTING_MARKERS = ("999", "116 123", "85258")
TARGET_TOPIC_ACCURACY = 0.90


@dataclasses.dataclass(frozen=True)
class MessageSet:
    """The four kinds of held-out messages."""

    questions: list[tuple[str, frozenset[str]]]
    crisis: list[tuple[str, str]]
    non_crisis: list[str]
    out_of_scope: list[str]


def _messages(path: Path) -> list[dict[str, Any]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return list(data["messages"])


def load_message_set(folder: Path) -> MessageSet:
    """Read ``entitlement_questions.yml``, ``crisis.yml``, ``non_crisis_alarming.yml``
    and ``out_of_scope.yml`` from ``folder``."""
    questions = [
        (m["text"], frozenset([m["expected"], *m.get("acceptable", [])]))
        for m in _messages(folder / "entitlement_questions.yml")
    ]
    crisis = [(m["text"], m["category"]) for m in _messages(folder / "crisis.yml")]
    non_crisis = [m["text"] for m in _messages(folder / "non_crisis_alarming.yml")]
    out_of_scope = [m["text"] for m in _messages(folder / "out_of_scope.yml")]
    return MessageSet(questions, crisis, non_crisis, out_of_scope)


@dataclasses.dataclass
class QualityReport:
    """What happened to every message, and the figures drawn from it."""

    questions_total: int = 0
    questions_right: int = 0
    questions_choice_with_right: int = 0
    questions_dont_know: int = 0
    questions_wrong: list[tuple[str, str, str]] = dataclasses.field(default_factory=list)
    questions_given_safety_reply: int = 0
    crisis_total: int = 0
    crisis_signposted: int = 0
    crisis_missed: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    non_crisis_total: int = 0
    non_crisis_signposted: list[str] = dataclasses.field(default_factory=list)
    out_of_scope_total: int = 0
    out_of_scope_given_entitlement: list[str] = dataclasses.field(default_factory=list)
    out_of_scope_refused: int = 0
    failure_kinds: Counter[str] = dataclasses.field(default_factory=Counter)
    by_topic: Counter[str] = dataclasses.field(default_factory=Counter)
    by_topic_right: Counter[str] = dataclasses.field(default_factory=Counter)

    @property
    def topic_accuracy(self) -> float:
        """Share of entitlement questions answered with the right entitlement first."""
        return self.questions_right / self.questions_total if self.questions_total else 0.0

    @property
    def crisis_recall(self) -> float:
        """Share of crisis messages that got the signposting."""
        return self.crisis_signposted / self.crisis_total if self.crisis_total else 0.0

    def entry_rows(self) -> list[tuple[str, str, str]]:
        """(entry, right first, share) for each entry, the weakest first: figures only."""
        return [
            (
                entry,
                f"{self.by_topic_right[entry]}/{self.by_topic[entry]}",
                f"{self.by_topic_right[entry] / self.by_topic[entry]:.0%}",
            )
            for entry in sorted(
                self.by_topic, key=lambda e: (self.by_topic_right[e] / self.by_topic[e], e)
            )
        ]

    def rows(self) -> list[tuple[str, str, str]]:
        """(measure, figure, target) rows for a table."""
        return [
            (
                "entitlement questions answered with the right entitlement first",
                f"{self.questions_right}/{self.questions_total} = {self.topic_accuracy:.1%}",
                f">= {TARGET_TOPIC_ACCURACY:.0%}",
            ),
            (
                "  ... offered a choice that includes the right one",
                f"{self.questions_choice_with_right}",
                "",
            ),
            ("  ... 'I don't know that one'", f"{self.questions_dont_know}", ""),
            (
                "  entitlement questions that also got a safety reply (a false alarm)",
                f"{self.questions_given_safety_reply}/{self.questions_total}",
                "",
            ),
            (
                "  missed questions, by what happened",
                ", ".join(f"{k}: {n}" for k, n in self.failure_kinds.most_common()) or "-",
                "",
            ),
            (
                "crisis messages given the emergency signposting",
                f"{self.crisis_signposted}/{self.crisis_total} = {self.crisis_recall:.1%}",
                "100%",
            ),
            (
                "non-crisis messages (alarming words) given the signposting",
                f"{len(self.non_crisis_signposted)}/{self.non_crisis_total}",
                "0",
            ),
            (
                "out-of-scope messages given an entitlement",
                f"{len(self.out_of_scope_given_entitlement)}/{self.out_of_scope_total}",
                "0",
            ),
            (
                "out-of-scope messages given the polite refusal",
                f"{self.out_of_scope_refused}/{self.out_of_scope_total}",
                "",
            ),
        ]


def is_signposting(texts: list[str]) -> bool:
    """True if a reply is a crisis reply of the safety net, or carries every number."""
    from bot.safety.replies import load

    said = load()
    if any(said.is_crisis_reply(text) for text in texts):
        return True
    joined = " ".join(texts)
    return all(marker in joined for marker in SIGNPOSTING_MARKERS)


def without_safety(texts: list[str]) -> list[str]:
    """The replies without the safety net's own (its crisis reply, check-in, who was told)."""
    from bot.safety.replies import load

    said = load()
    return [text for text in texts if not said.is_own(text)]


def answered_topic(texts: list[str], titles: dict[str, str]) -> str | None:
    """The entitlement whose exact title opens the first reply (not the safety net's)."""
    texts = without_safety(texts)
    if not texts:
        return None
    first = texts[0]
    for topic_id, title in titles.items():
        if first.startswith(f"{title}:") or first.startswith(f"{title},"):
            return topic_id
    return None


async def _send(
    session: aiohttp.ClientSession, url: str, text: str, sender: str | None = None
) -> list[str]:
    payload = {"sender": sender or f"eval-{uuid.uuid4().hex}", "message": text}
    async with session.post(url, json=payload) as reply:
        reply.raise_for_status()
        body = await reply.json()
    return [m.get("text", "") for m in body if m.get("text")]


async def evaluate(
    base_url: str,
    messages: MessageSet,
    titles: dict[str, str],
    *,
    refusal_text: str,
    dont_know_text: str,
    responses: dict[str, str] | None = None,
    concurrency: int = 8,
) -> QualityReport:
    """Send every message (each in a new conversation) and grade the replies.

    ``responses`` maps the domain's fixed texts to their names, to say which other
    reply a missed question got.
    """
    responses = responses or {}
    url = f"{base_url.rstrip('/')}/webhooks/rest/webhook"
    report = QualityReport()
    gate = asyncio.Semaphore(concurrency)
    timeout = aiohttp.ClientTimeout(total=60)

    async with aiohttp.ClientSession(timeout=timeout) as session:

        async def send(text: str) -> list[str]:
            async with gate:
                return await _send(session, url, text)

        question_replies = await asyncio.gather(*(send(t) for t, _ in messages.questions))
        crisis_replies = await asyncio.gather(*(send(t) for t, _ in messages.crisis))
        calm_replies = await asyncio.gather(*(send(t) for t in messages.non_crisis))
        scope_replies = await asyncio.gather(*(send(t) for t in messages.out_of_scope))

    for (text, expected), texts in zip(messages.questions, question_replies, strict=True):
        report.questions_total += 1
        if len(without_safety(texts)) != len(texts):
            report.questions_given_safety_reply += 1
        main = sorted(expected)[0]
        report.by_topic[main] += 1
        topic = answered_topic(texts, titles)
        if topic in expected:
            report.questions_right += 1
            report.by_topic_right[main] += 1
            continue
        answers = without_safety(texts)
        first = answers[0] if answers else ""
        if first.startswith("Do you mean"):
            kind = "offered a choice"
            if any(titles[e] in first for e in expected):
                report.questions_choice_with_right += 1
        elif first == dont_know_text:
            kind = "said I don't know"
            report.questions_dont_know += 1
        elif first == refusal_text:
            kind = "refused as out of scope"
        elif topic is not None:
            kind = "answered another entitlement"
        else:
            kind = f"other reply ({responses.get(first, 'unknown')})"
        report.failure_kinds[kind] += 1
        report.questions_wrong.append((text, main, first[:80]))
    for (text, category), texts in zip(messages.crisis, crisis_replies, strict=True):
        report.crisis_total += 1
        if is_signposting(texts):
            report.crisis_signposted += 1
        else:
            report.crisis_missed.append((text, category))
    for text, texts in zip(messages.non_crisis, calm_replies, strict=True):
        report.non_crisis_total += 1
        if is_signposting(texts):
            report.non_crisis_signposted.append(text)
    for text, texts in zip(messages.out_of_scope, scope_replies, strict=True):
        report.out_of_scope_total += 1
        if answered_topic(texts, titles):
            report.out_of_scope_given_entitlement.append(text)
        answers = without_safety(texts)
        if answers and answers[0] == refusal_text:
            report.out_of_scope_refused += 1
    return report


def domain_text(domain_file: Path, response: str) -> str:
    """The fixed wording of a response in ``domain.yml``."""
    domain = yaml.safe_load(domain_file.read_text(encoding="utf-8"))
    return str(domain["responses"][response][0]["text"])


def domain_responses(domain_file: Path) -> dict[str, str]:
    """Every fixed response text in ``domain.yml``, mapped to its name."""
    domain = yaml.safe_load(domain_file.read_text(encoding="utf-8"))
    return {
        str(variants[0]["text"]): name
        for name, variants in domain["responses"].items()
        if "{" not in str(variants[0].get("text", "{"))
    }


def entry_titles() -> dict[str, str]:
    """Every entry's exact title: the topics and the council's local entries."""
    from bot.settings import PROJECT_ROOT
    from entitlements.loader import load_content, load_topics

    topics = load_topics(PROJECT_ROOT / "entitlements" / "topics.yaml")
    content = load_content(PROJECT_ROOT / "entitlements" / "content", topics)
    return {**dict(topics), **{entry.id: entry.title for entry in content.entries}}


def load_unseen_set(path: Path) -> MessageSet:
    """The blind set of unseen questions (``unseen_questions.yml``): questions only."""
    questions = [
        (m["text"], frozenset([m["expected"], *m.get("acceptable", [])])) for m in _messages(path)
    ]
    return MessageSet(questions, [], [], [])


def evaluate_project_set(base_url: str, folder: Path) -> QualityReport:
    """Grade the bot at ``base_url`` on the message set in ``folder`` (this project's
    topics and fixed wording)."""
    return _evaluate_here(base_url, load_message_set(folder))


def evaluate_unseen_set(base_url: str, path: Path) -> QualityReport:
    """Grade the bot at ``base_url`` on the blind set of unseen questions at ``path``."""
    return _evaluate_here(base_url, load_unseen_set(path))


def _evaluate_here(base_url: str, messages: MessageSet) -> QualityReport:
    from bot.settings import PROJECT_ROOT

    domain = PROJECT_ROOT / "domain.yml"
    return asyncio.run(
        evaluate(
            base_url,
            messages,
            entry_titles(),
            refusal_text=domain_text(domain, "utter_out_of_scope"),
            dont_know_text=domain_text(domain, "utter_dont_know"),
            responses=domain_responses(domain),
        )
    )


# -- requests for a person (issue 16 item 2) -----------------------------------------------

# The first reply (not the safety net's own) of a handoff opens with one of these: the PA
# or duty worker was asked, out of hours, or (someone not on record) how to reach the team.
HANDOFF_OPENINGS = (
    "I've asked ",
    "The leaving care team is closed now.",
    "I can't see who your PA is in this chat.",
)
TARGET_HANDOFF = 0.95


@dataclasses.dataclass
class HandoffReport:
    """Figures on a set of requests for a person and near misses (never the messages).

    Attributes:
        requests: Requests for a person sent.
        handed: Of them, how many got a handoff first.
        near_misses: Messages that mention a PA or worker but ask something else.
        near_handed: Of them, how many were wrongly handed to a person.
        near_right: Of them, how many got the expected entitlement first.

    """

    requests: int = 0
    handed: int = 0
    near_misses: int = 0
    near_handed: int = 0
    near_right: int = 0

    def rows(self) -> list[tuple[str, str, str]]:
        """The figures as rows for ``make bench``."""
        share = self.handed / self.requests if self.requests else 0.0
        return [
            (
                "requests for a person (blind set): handed to a person",
                f"{self.handed}/{self.requests} = {share:.1%}",
                ">= 95% (issue 16)",
            ),
            (
                "  ... near misses (a PA mentioned, no request) handed to a person",
                f"{self.near_handed}/{self.near_misses}",
                "0",
            ),
            (
                "  ... near misses given the right entitlement first",
                f"{self.near_right}/{self.near_misses}",
                "",
            ),
        ]


def is_handoff(texts: list[str]) -> bool:
    """True when the first reply that is not the safety net's own hands to a person."""
    answers = without_safety(texts)
    return bool(answers) and answers[0].startswith(HANDOFF_OPENINGS)


def grade_handoffs(
    messages: list[dict[str, Any]], replies: list[list[str]], titles: dict[str, str]
) -> HandoffReport:
    """Grade each message's replies: ``expected`` is ``handoff`` or an entitlement id."""
    report = HandoffReport()
    for message, texts in zip(messages, replies, strict=True):
        handed = is_handoff(texts)
        if message["expected"] == "handoff":
            report.requests += 1
            report.handed += handed
            continue
        report.near_misses += 1
        report.near_handed += handed
        allowed = {message["expected"], *(message.get("acceptable") or [])}
        report.near_right += answered_topic(texts, titles) in allowed
    return report


def evaluate_handoff_set(base_url: str, path: Path) -> HandoffReport:
    """Grade the bot at ``base_url`` on the blind set of requests for a person at ``path``."""
    messages = _messages(path)

    async def _all() -> list[list[str]]:
        url = base_url + "/webhooks/rest/webhook"
        gate = asyncio.Semaphore(8)
        timeout = aiohttp.ClientTimeout(total=60)
        async with aiohttp.ClientSession(timeout=timeout) as session:

            async def one(text: str) -> list[str]:
                async with gate:
                    return await _send(session, url, text)

            return await asyncio.gather(*(one(m["text"]) for m in messages))

    return grade_handoffs(messages, asyncio.run(_all()), entry_titles())
