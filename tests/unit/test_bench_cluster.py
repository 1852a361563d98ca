"""The cluster benchmark's own arithmetic and inputs (the benchmark itself runs for an hour)."""

from __future__ import annotations

import math

import pytest
import yaml

from scripts import bench_cluster


def test_load_questions_come_from_the_dev_set_only() -> None:
    questions = bench_cluster.load_questions()
    assert questions
    held_out = {
        str(message["text"])
        for path in (bench_cluster.PROJECT_ROOT / "tests" / "evaluation").glob("*.yml")
        for message in yaml.safe_load(path.read_text())["messages"]
    }
    assert held_out
    assert not {q.text for q in questions} & held_out


def test_a_conversation_is_a_question_then_the_follow_ups() -> None:
    question = bench_cluster.Question("can i get the uni bursary", "higher-education-bursary")
    assert bench_cluster.script_of(question) == (
        "can i get the uni bursary",
        "who can get it",
        "how do i get it",
        "more",
    )


def test_sms_numbers_stay_in_the_drama_range_and_spare_the_service_number() -> None:
    numbers = bench_cluster.SMS_NUMBERS
    assert len(set(numbers)) == 999
    assert all(n.startswith("+447700900") and len(n) == 13 for n in numbers)
    assert bench_cluster.SERVICE_NUMBER not in numbers


def test_percentiles() -> None:
    values = [float(n) for n in range(1, 101)]
    assert bench_cluster.percentile(values, 0.5) == 51.0
    assert bench_cluster.percentile(values, 0.95) == 95.0
    assert bench_cluster.percentile(values, 1.0) == 100.0
    assert math.isnan(bench_cluster.percentile([], 0.5))


def test_growth_per_hour_and_levelling_off() -> None:
    # Grows 60 MB in the first half hour, then stays put.
    samples = [
        {"seconds": 60.0 * m, "mb": {"rasa-1": 700.0 + min(m, 30) * 2.0}} for m in range(0, 61)
    ]
    summary = bench_cluster.memory_summary(samples)["rasa-1"]
    assert summary["start_mb"] == 700.0 and summary["end_mb"] == summary["max_mb"] == 760.0
    assert summary["growth_mb_per_hour"] > 50
    assert summary["second_half_mb_per_hour"] == pytest.approx(0.0, abs=1e-6)
    assert summary["levels_off"] is True
    steady = [{"seconds": 60.0 * m, "mb": {"rasa-1": 700.0 + m}} for m in range(0, 61)]
    growing = bench_cluster.memory_summary(steady)["rasa-1"]
    assert growing["growth_mb_per_hour"] == pytest.approx(60.0)
    assert growing["levels_off"] is False
    shrinking = [{"seconds": 60.0 * m, "mb": {"rasa-1": 700.0 - m}} for m in range(0, 61)]
    assert bench_cluster.memory_summary(shrinking)["rasa-1"]["levels_off"] is True
    assert bench_cluster.slope_per_hour([(0.0, 1.0)]) == 0.0
