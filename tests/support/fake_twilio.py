"""A local fake of Twilio's Messages API, for the twilio library to talk to.

Twilio is outside this machine, so its REST API is the one thing the tests fake:
the real ``twilio`` client (pointed here through ``TWILIO_API_URL``) sends real HTTP
requests, and this server answers as Twilio documents, recording each message.
``latency`` makes each answer take that long, as the real API's do (a tenth of a
second or more); ``most_in_flight`` and ``most_in_flight_to`` count how many requests
it held at once, in all and to one number. ``mode`` makes it fail: ``"error500"``
(Twilio's server error: the sender retries), ``"error400"`` (a bad request: the sender
gives up); stopping the server makes Twilio unreachable. A message names its sender
as Twilio requires, exactly one of ``From`` (a number) and ``MessagingServiceSid``
(this account's service, :attr:`FakeTwilio.messaging_service_sid`); otherwise it is
refused, as Twilio does.
Bodies over 1,600 characters are refused (Twilio's 21617).
"""

from __future__ import annotations

import asyncio
import base64
import threading
import time
import uuid
from typing import Any

from aiohttp import web

from tests.support.servers import free_port


class FakeTwilio:
    """Twilio's ``POST /2010-04-01/Accounts/{sid}/Messages.json``, run on a thread."""

    def __init__(
        self,
        account_sid: str = "ACfake00000000000000000000000000",
        token: str = "t0ken",
        messaging_service_sid: str = "MG" + "0f" * 16,
    ):
        self.account_sid = account_sid
        self.token = token
        self.messaging_service_sid = messaging_service_sid
        self.port = free_port()
        self.messages: list[dict[str, str]] = []
        self.arrivals: list[tuple[str, float]] = []  # (To, time.monotonic()) per message
        self.requests = 0
        self.mode = "ok"
        # Numbers that opted out with Twilio itself: sending to them is refused (21610).
        self.unsubscribed: set[str] = set()
        self.refused: list[dict[str, str]] = []
        self.latency = 0.0
        self.in_flight = 0
        self.most_in_flight = 0
        self._in_flight_to: dict[str, int] = {}
        self.most_in_flight_to: dict[str, int] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def _create(self, request: web.Request) -> web.Response:
        self.requests += 1
        expected = base64.b64encode(f"{self.account_sid}:{self.token}".encode()).decode()
        if request.headers.get("Authorization") != f"Basic {expected}":
            return web.json_response(
                {"code": 20003, "message": "Authenticate", "status": 401}, status=401
            )
        if request.match_info["sid"] != self.account_sid:
            return web.json_response(
                {"code": 20404, "message": "Not found", "status": 404}, status=404
            )
        form = dict(await request.post())
        to = str(form.get("To"))
        self.in_flight += 1
        self._in_flight_to[to] = self._in_flight_to.get(to, 0) + 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        self.most_in_flight_to[to] = max(self.most_in_flight_to.get(to, 0), self._in_flight_to[to])
        try:
            if self.latency:
                await asyncio.sleep(self.latency)
            return self._answer(form)
        finally:
            self.in_flight -= 1
            self._in_flight_to[to] -= 1

    def _answer(self, form: dict[str, Any]) -> web.Response:
        if self.mode == "error500":
            return web.json_response(
                {"code": 20500, "message": "Internal error", "status": 500}, status=500
            )
        if self.mode == "error400":
            return web.json_response(
                {"code": 21211, "message": "The 'To' number is not valid", "status": 400},
                status=400,
            )
        problem = self._sender_problem(form)
        if problem is not None:
            code, words = problem
            self.refused.append({k: str(v) for k, v in form.items()})
            return web.json_response({"code": code, "message": words, "status": 400}, status=400)
        if str(form.get("To")) in self.unsubscribed:
            self.refused.append({k: str(v) for k, v in form.items()})
            return web.json_response(
                {
                    "code": 21610,
                    "message": "Attempt to send to unsubscribed recipient",
                    "status": 400,
                },
                status=400,
            )
        sid = f"SM{uuid.uuid4().hex}"
        message = {"sid": sid, **{k: str(v) for k, v in form.items()}}
        self.messages.append(message)
        self.arrivals.append((str(form.get("To")), time.monotonic()))
        body: dict[str, Any] = {
            "sid": sid,
            "account_sid": self.account_sid,
            "to": form.get("To"),
            "from": form.get("From"),
            "messaging_service_sid": form.get("MessagingServiceSid"),
            "body": form.get("Body"),
            "status": "queued",
            "num_segments": "1",
            "direction": "outbound-api",
            "api_version": "2010-04-01",
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}.json",
        }
        return web.json_response(body, status=201)

    def _sender_problem(self, form: Any) -> tuple[int, str] | None:
        """Why Twilio would refuse the message's sender or body, if it would."""
        has_from, service = "From" in form, form.get("MessagingServiceSid")
        if has_from == (service is not None):
            return 21603, "A 'From' phone number or a 'MessagingServiceSid' is required"
        if service is not None and service != self.messaging_service_sid:
            return 21701, "The Messaging Service does not exist"
        if len(str(form.get("Body") or "")) > 1600:
            return 21617, "The concatenated message body exceeds the 1600 character limit"
        return None

    def start(self) -> None:
        ready = threading.Event()

        def serve() -> None:
            self._loop = asyncio.new_event_loop()
            app = web.Application()
            app.router.add_post("/2010-04-01/Accounts/{sid}/Messages.json", self._create)
            self._runner = web.AppRunner(app)
            self._loop.run_until_complete(self._runner.setup())
            site = web.TCPSite(self._runner, "127.0.0.1", self.port)
            self._loop.run_until_complete(site.start())
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=serve, daemon=True)
        self._thread.start()
        ready.wait(10)

    def stop(self) -> None:
        if self._loop is None or self._runner is None:
            return
        future = asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop)
        future.result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)
        self._loop = None
        self._runner = None

    def to(self, number: str) -> list[dict[str, str]]:
        """The messages sent to ``number``."""
        return [m for m in self.messages if m.get("To") == number]
