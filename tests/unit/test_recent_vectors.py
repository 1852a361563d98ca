"""A message's vector waits briefly for its second reader: taken once, soon forgotten."""

from __future__ import annotations

import numpy as np
import pytest

from entitlements.recent_vectors import RecentVectors

pytestmark = pytest.mark.timeout(60)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def vector(value: float) -> np.ndarray:
    return np.full(4, value, dtype=np.float32)


def test_a_vector_is_found_by_its_exact_tokens_and_taken_once() -> None:
    kept = RecentVectors()
    kept.put([101, 7, 102], vector(1.0))
    assert kept.take([101, 8, 102]) is None
    assert kept.take([101, 7]) is None
    found = kept.take([101, 7, 102])
    assert found is not None
    assert np.array_equal(found, vector(1.0))
    assert kept.take([101, 7, 102]) is None
    assert len(kept) == 0


def test_a_vector_not_taken_is_forgotten_after_its_time() -> None:
    clock = Clock()
    kept = RecentVectors(seconds=60.0, clock=clock)
    kept.put([1, 2], vector(1.0))
    clock.now += 30.0
    kept.put([3, 4], vector(2.0))
    clock.now += 31.0  # the first is 61 s old, the second 31 s
    assert kept.take([1, 2]) is None
    assert len(kept) == 1
    clock.now += 30.0
    assert kept.take([3, 4]) is None
    assert len(kept) == 0


def test_no_more_than_the_limit_wait_and_the_oldest_go_first() -> None:
    kept = RecentVectors(limit=3)
    for n in range(5):
        kept.put([n], vector(float(n)))
    assert len(kept) == 3
    assert kept.take([0]) is None
    assert kept.take([1]) is None
    assert [float(kept.take([n])[0]) for n in (2, 3, 4)] == [2.0, 3.0, 4.0]  # type: ignore[index]


def test_putting_the_same_tokens_again_keeps_the_newer_vector_and_its_time() -> None:
    clock = Clock()
    kept = RecentVectors(seconds=60.0, clock=clock)
    kept.put([5], vector(1.0))
    clock.now += 50.0
    kept.put([5], vector(2.0))
    clock.now += 50.0  # 100 s after the first put, 50 after the second
    found = kept.take([5])
    assert found is not None
    assert float(found[0]) == 2.0
