"""Helpers for end-to-end tests of the case path: a young person's phone, a member of staff.

A :class:`Phone` texts the really started Rasa server as Twilio would (signed with the
account's token) and reads what reached it on the local fake of Twilio's API. A
:class:`StaffBrowser` signs in to the really started console and fills its forms, found
by their ``action`` URL and field names (never by CSS classes or wording, which change),
carrying the hidden fields (the CSRF token) as a browser would.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import re
import time
import uuid
from html.parser import HTMLParser
from typing import TypeVar
from urllib.parse import urljoin, urlsplit

import requests
import sqlalchemy as sa
from twilio.request_validator import RequestValidator

from bot.clock import utcnow
from bot.console import accounts
from bot.packs import offers
from bot.settings import Settings
from tests.support.fake_twilio import FakeTwilio
from tests.support.waiting import wait_for

T = TypeVar("T")

WEBHOOK = "/webhooks/twilio/webhook"
SERVICE_NUMBER = "+447700900000"


def text_of(page: str) -> str:
    """A page's words, tags dropped and spaces squeezed."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))).strip()


def nudges_and_packs_just_ran(engine: sa.engine.Engine, settings: Settings) -> None:
    """Record the scheduler's packs-and-nudges round as just run, so that, with
    ``PACK_ROUND_MINUTES`` a day, it texts none of the demo people during the test.

    Who is due a review reminder or a new pack depends on today's date (the demo people's
    review dates and birthdays are fixed in the demo files) and the hour (the round texts
    only from 9:00 to 19:00): a test that watches their phones for case texts would
    otherwise pass or fail by the calendar. The round itself is tested in
    ``tests/unit/test_packs.py``.
    """
    every = dt.timedelta(minutes=settings.pack_round_minutes)
    assert every >= dt.timedelta(hours=12), "set pack_round_minutes to a day for the test"
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    assert offers.claim(engine, offers.JOB, now, every), "the round had already run"


# ---- a young person's phone ------------------------------------------------------------


@dataclasses.dataclass
class Phone:
    """A young person's mobile: texts the bot through its signed webhook, reads replies.

    Attributes:
        number: The phone's number (E.164).
        base_url: The Rasa server, e.g. ``http://127.0.0.1:5005``.
        public_base_url: ``PUBLIC_BASE_URL``: the address Twilio signs for.
        twilio: The fake Twilio the service sends through.
    """

    number: str
    base_url: str
    public_base_url: str
    twilio: FakeTwilio

    def received(self) -> list[str]:
        """Every text that reached this phone, oldest first."""
        return [m["Body"] for m in self.twilio.to(self.number)]

    def text(self, body: str) -> None:
        """Send one SMS to the service, signed as Twilio signs it."""
        form = {
            "MessageSid": f"SM{uuid.uuid4().hex}",
            "AccountSid": self.twilio.account_sid,
            "From": self.number,
            "To": SERVICE_NUMBER,
            "Body": body,
        }
        signature = RequestValidator(self.twilio.token).compute_signature(
            self.public_base_url.rstrip("/") + WEBHOOK, form
        )
        reply = requests.post(
            self.base_url + WEBHOOK,
            data=form,
            headers={"X-Twilio-Signature": signature},
            timeout=15,
        )
        assert reply.status_code == 200, reply.text[:300]

    def ask(self, body: str, settle: float = 2.0, timeout: float = 60.0) -> list[str]:
        """Text ``body`` and return the replies it gets (once they stop coming)."""
        before = len(self.received())
        self.text(body)
        assert wait_for(lambda: len(self.received()) > before, timeout), (
            f"no reply to {body!r} within {timeout:.0f} s"
        )
        count = -1
        while count != len(self.received()):  # wait until no more parts arrive
            count = len(self.received())
            time.sleep(settle)
        return self.received()[before:]


# ---- a member of staff in the console --------------------------------------------------


@dataclasses.dataclass
class Form:
    """One ``<form>``: where it goes and the values its fields start with."""

    action: str
    method: str
    fields: dict[str, str]


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._form: Form | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "a" and found.get("href"):
            self.links.append(found["href"])
        elif tag == "form":
            self._form = Form(found.get("action", ""), found.get("method", "get").lower(), {})
            self.forms.append(self._form)
        elif self._form is not None and tag in ("input", "select") and found.get("name"):
            kind = found.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in found:
                return
            self._form.fields[found["name"]] = found.get("value", "")
        elif self._form is not None and tag == "textarea" and found.get("name"):
            self._textarea = found["name"]
            self._form.fields[self._textarea] = ""

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea is not None:
            self._form.fields[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._form = None


def parse_page(page: str) -> tuple[list[Form], list[str]]:
    """The forms and link targets of a page."""
    parser = _Forms()
    parser.feed(page)
    return parser.forms, parser.links


def make_staff_account(engine: sa.engine.Engine, email: str, roles: str, password: str) -> int:
    """A console account with a password for the (demo) staff record ``email``; its staff id."""
    now = utcnow()
    with engine.begin() as conn:
        account = accounts.create(conn, roles=roles, email=email, now=now)
        accounts.set_password(conn, account.id, password, now=now, how="test")
    return int(account.staff_id)


class StaffBrowser:
    """A member of staff using the console over HTTP, as a browser without JavaScript."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()
        self.page = ""

    def get(self, path: str) -> requests.Response:
        """Open a page (following redirects); it becomes the current page."""
        reply = self.session.get(self.base_url + path, timeout=15)
        self.page = reply.text
        return reply

    def links(self, pattern: str) -> list[str]:
        """Paths of the current page's links to this console matching ``pattern`` (a regex)."""
        _forms, found = parse_page(self.page)
        paths = []
        for href in found:
            parts = urlsplit(urljoin(self.base_url + "/", href))
            if f"{parts.scheme}://{parts.netloc}" == self.base_url:  # this console's own pages
                paths.append(parts.path)
        return [path for path in paths if re.fullmatch(pattern, path)]

    def form(self, action: str) -> Form:
        """The form on the current page that posts to ``action`` (query string ignored)."""
        forms, _links = parse_page(self.page)
        for form in forms:
            if form.action.split("?", 1)[0] == action:
                return form
        actions = ", ".join(f.action for f in forms) or "none"
        raise AssertionError(f"no form posting to {action} on the page (forms: {actions})")

    def submit(self, action: str, **values: str) -> requests.Response:
        """Fill in and send the form posting to ``action``; returns the answer, unfollowed."""
        form = self.form(action)
        unknown = set(values) - set(form.fields)
        assert not unknown, f"the form {action} has no field {sorted(unknown)}"
        reply = self.session.post(
            self.base_url + action,
            data={**form.fields, **values},
            allow_redirects=False,
            timeout=20,
        )
        return reply

    def submit_and_follow(self, action: str, **values: str) -> requests.Response:
        """Send the form; it must redirect (303), and the page it leads to is opened."""
        reply = self.submit(action, **values)
        problem = f"{action}: {reply.status_code} {text_of(reply.text)[:400]}"
        assert reply.status_code == 303, problem
        return self.get(reply.headers["Location"])

    def sign_in(self, email: str, password: str) -> None:
        """Sign in with the login form."""
        self.get("/login")
        reply = self.submit("/login", email=email, password=password)
        assert reply.status_code == 303, text_of(reply.text)[:400]

    def text(self) -> str:
        """The current page's words."""
        return text_of(self.page)


def aware(moment: dt.datetime | None = None) -> dt.datetime:
    """``moment`` (naive UTC) or now, as an aware UTC time."""
    return (moment or utcnow()).replace(tzinfo=dt.timezone.utc)
