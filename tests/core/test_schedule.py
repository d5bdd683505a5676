from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from icalbridge.core.schedule import next_poll_at

NOW = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)
HOUR = 3600


def delay_s(**kwargs: object) -> float:
    kwargs.setdefault("interval_s", HOUR)
    kwargs.setdefault("jitter", 0.5)
    return (next_poll_at(NOW, **kwargs) - NOW).total_seconds()  # type: ignore[arg-type]


def test_healthy_channel_waits_its_interval_when_jitter_is_in_the_middle() -> None:
    assert delay_s(jitter=0.5) == HOUR


def test_jitter_spreads_a_healthy_poll_by_ten_percent_either_way() -> None:
    assert delay_s(jitter=0.0) == pytest.approx(0.9 * HOUR)
    assert delay_s(jitter=0.999999) == pytest.approx(1.1 * HOUR, rel=1e-5)


@given(st.floats(0, 1, exclude_max=True), st.integers(60, 86_400))
@settings(max_examples=100)
def test_a_healthy_poll_always_falls_within_ten_percent_of_the_interval(
    jitter: float, interval: int
) -> None:
    delay = delay_s(jitter=jitter, interval_s=interval)

    assert 0.9 * interval - 1e-6 <= delay < 1.1 * interval + 1e-6


def test_each_failure_doubles_the_wait() -> None:
    waits = [delay_s(jitter=0.0, consecutive_failures=n) for n in (1, 2, 3, 4)]

    assert waits == [HOUR, 2 * HOUR, 4 * HOUR, 6 * HOUR]


def test_back_off_stops_at_its_cap_even_after_weeks_of_failures() -> None:
    assert delay_s(consecutive_failures=5) == 6 * HOUR
    assert delay_s(consecutive_failures=10_000, jitter=0.99) == 6 * HOUR
    assert delay_s(consecutive_failures=3, max_backoff_s=2 * HOUR) == 2 * HOUR


def test_back_off_is_never_shorter_than_the_interval() -> None:
    daily = 24 * HOUR

    assert delay_s(interval_s=daily, consecutive_failures=3, jitter=0.0) == daily


@given(st.integers(1, 60), st.floats(0, 1, exclude_max=True))
@settings(max_examples=100)
def test_back_off_never_shrinks_as_failures_pile_up(failures: int, jitter: float) -> None:
    assert delay_s(consecutive_failures=failures, jitter=jitter) <= delay_s(
        consecutive_failures=failures + 1, jitter=jitter
    )


def test_retry_after_is_honoured_when_longer_than_the_planned_wait() -> None:
    assert delay_s(retry_after_s=3 * HOUR) == 3 * HOUR
    assert delay_s(consecutive_failures=1, retry_after_s=5 * HOUR, jitter=0.0) == 5 * HOUR


def test_retry_after_shorter_than_the_planned_wait_changes_nothing() -> None:
    assert delay_s(retry_after_s=60) == HOUR


def test_retry_after_is_capped_at_a_day() -> None:
    assert delay_s(retry_after_s=30 * 24 * HOUR) == 24 * HOUR


def test_jitter_outside_its_range_is_refused() -> None:
    with pytest.raises(ValueError, match="jitter"):
        next_poll_at(NOW, interval_s=HOUR, jitter=1.0)
    with pytest.raises(ValueError, match="jitter"):
        next_poll_at(NOW, interval_s=HOUR, jitter=-0.1)


def test_next_poll_is_counted_from_now() -> None:
    assert next_poll_at(NOW, interval_s=HOUR, jitter=0.5) == NOW + timedelta(hours=1)
