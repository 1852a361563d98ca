"""Waiting in end-to-end tests for something another process does."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_for(condition: Callable[[], T | None], timeout: float = 30.0, every: float = 0.2) -> T:
    """Poll ``condition`` until it gives a truthy value, and return that value.

    Raises:
        AssertionError: It was still falsy after ``timeout`` seconds (so a wait whose
            result is not checked still fails the test).

    """
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"still waiting after {timeout:g} s (last value: {value!r})")
        time.sleep(every)
