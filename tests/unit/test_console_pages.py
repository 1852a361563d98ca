"""What every console page shares (bot/console/areas/pages.py, off_loop in bot/console/web.py):
blocking work runs in a worker thread while the event loop goes on; forms and paging."""

from __future__ import annotations

import asyncio
import threading
from types import SimpleNamespace
from typing import Any

import pytest

from bot.console.areas import pages
from bot.console.web import off_loop

pytestmark = pytest.mark.timeout(30)


def test_off_loop_runs_the_call_in_another_thread_and_returns_its_result():
    def work(a: int, *, b: int) -> tuple[int, str]:
        return a + b, threading.current_thread().name

    async def scenario() -> tuple[int, str]:
        return await off_loop(work, 2, b=3)

    total, where = asyncio.run(scenario())
    assert total == 5
    assert where != threading.current_thread().name


def test_the_loop_goes_on_while_an_off_loop_call_is_blocked():
    entered, release = threading.Event(), threading.Event()

    def blocked() -> str:
        entered.set()
        assert release.wait(timeout=10), "never released"
        return "done"

    async def scenario() -> list[str]:
        order: list[str] = []
        slow = asyncio.ensure_future(off_loop(blocked))
        assert await asyncio.to_thread(entered.wait, 10)
        order.append("other work while the call is blocked")  # the loop is free
        release.set()
        order.append(await asyncio.wait_for(slow, timeout=10))
        return order

    assert asyncio.run(scenario()) == ["other work while the call is blocked", "done"]


def test_off_loop_raises_what_the_call_raised():
    def broken() -> None:
        raise LookupError("no such row")

    with pytest.raises(LookupError, match="no such row"):
        asyncio.run(off_loop(broken))


def test_run_off_loop_keeps_the_page_name_and_runs_it_in_a_worker_thread():
    def inbox_page(request: Any, number: int) -> Any:
        return (request, number, threading.current_thread().name)

    handler = pages.run_off_loop(inbox_page)
    assert handler.__name__ == "inbox_page"
    request, number, where = asyncio.run(handler("request", number=7))
    assert (request, number) == ("request", 7)
    assert where != threading.current_thread().name


class _Form(dict[str, list[str]]):
    """Like Sanic's RequestParameters: get() is the first value."""

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        values = super().get(key)
        return values[0] if values else default


def test_form_text_is_the_trimmed_first_value_or_empty():
    request = SimpleNamespace(form=_Form(reply=["  hello  ", "second"], empty=[""]))
    assert pages.form_text(request, "reply") == "hello"  # type: ignore[arg-type]
    assert pages.form_text(request, "empty") == ""  # type: ignore[arg-type]
    assert pages.form_text(request, "missing") == ""  # type: ignore[arg-type]
    assert pages.form_text(SimpleNamespace(form=None), "reply") == ""  # type: ignore[arg-type]


def test_form_lists_keeps_every_value_of_every_field():
    request = SimpleNamespace(form=_Form(rule=["a", "b"], note=["n"]))
    assert pages.form_lists(request) == {"rule": ["a", "b"], "note": ["n"]}  # type: ignore[arg-type]
    assert pages.form_lists(SimpleNamespace(form=None)) == {}  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("total", "pages_wanted"), [(0, 1), (1, 1), (50, 1), (51, 2), (100, 2), (101, 3)]
)
def test_page_count_is_at_least_one_and_rounds_up(total: int, pages_wanted: int):
    assert pages.page_count(total, 50) == pages_wanted


@pytest.mark.parametrize(
    ("raw", "number"),
    [("1", 1), ("7", 7), ("0", 1), ("-2", 1), ("x", 1), ("٣", 1), ("99999", 99999), ("100000", 1)],
)
def test_page_number_is_a_whole_number_from_one(raw: str, number: int):
    assert pages.page_number(SimpleNamespace(args={"page": raw})) == number  # type: ignore[arg-type]


def test_a_public_page_cannot_also_ask_for_roles():
    from sanic import Blueprint

    def page(request: Any) -> Any:
        return None

    with pytest.raises(ValueError, match="public"):
        pages.add_page(Blueprint("test_public"), "/x", page, roles=("admin",), public=True)
    pages.add_page(Blueprint("test_public_ok"), "/x", page, public=True)
