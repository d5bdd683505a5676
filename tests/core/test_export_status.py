"""The export side of a channel's status (core.export_status)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from icalbridge.core.deliveries import Delivery, DeliveryState
from icalbridge.core.export_status import (
    AddressProblem,
    ExportReason,
    ExportState,
    address_problem,
    delay_figures,
    export_verdict,
    is_worse,
    percentile,
    silence_allowed,
    usual_fetch_interval_s,
)
from icalbridge.core.spans import Nights

T0 = datetime(2026, 7, 1, 8, 0, tzinfo=UTC)
H = timedelta(hours=1)
STAY = Nights(date(2026, 7, 10), date(2026, 7, 14))


def verdict(**overrides: object):  # type: ignore[no-untyped-def]
    args: dict[str, object] = {
        "created_at": T0,
        "now": T0 + H,
        "last_fetch_at": None,
        "usual_interval_s": 3 * 3600,
        "first_fetch_window": timedelta(hours=6),
        "problem": None,
        "deliveries": (),
    }
    return export_verdict(**(args | overrides))  # type: ignore[arg-type]


def test_a_new_channel_never_fetched_is_grey_then_orange_after_its_platforms_window() -> None:
    assert (verdict().state, verdict().reason) == (ExportState.NEVER, ExportReason.NEVER_FETCHED)
    late = verdict(now=T0 + 7 * H)
    assert (late.state, late.reason) == (ExportState.WARNING, ExportReason.NEVER_FETCHED)


def test_an_unreachable_address_is_a_warning_at_once() -> None:
    found = verdict(problem=AddressProblem.LOCAL_HOST)
    assert (found.state, found.reason) == (ExportState.WARNING, ExportReason.UNREACHABLE_ADDRESS)


def test_a_platform_that_reads_is_not_told_its_address_is_unreachable() -> None:
    found = verdict(problem=AddressProblem.PLAIN_HTTP, last_fetch_at=T0 + H, now=T0 + 2 * H)
    assert found.reason is ExportReason.OK


def test_silence_is_a_warning_after_three_usual_intervals_or_a_day_and_an_error_after_three_times_that() -> (
    None
):
    # Fetches every 3 h: a day is the longer of 9 h and 24 h.
    assert verdict(last_fetch_at=T0, now=T0 + 24 * H).state is ExportState.OK
    warned = verdict(last_fetch_at=T0, now=T0 + 25 * H)
    assert (warned.state, warned.reason) == (ExportState.WARNING, ExportReason.NOT_FETCHED)
    assert verdict(last_fetch_at=T0, now=T0 + 72 * H).state is ExportState.WARNING
    assert verdict(last_fetch_at=T0, now=T0 + 73 * H).state is ExportState.ERROR
    # A platform fetching every 12 h is allowed 36 h.
    assert (
        verdict(last_fetch_at=T0, now=T0 + 30 * H, usual_interval_s=12 * 3600).state
        is ExportState.OK
    )


def test_nights_not_applied_are_a_warning_naming_them() -> None:
    not_applied = Delivery(STAY, DeliveryState.NOT_APPLIED, T0, T0, None, 2)
    fine = Delivery(
        Nights(date(2026, 8, 1), date(2026, 8, 2)), DeliveryState.CONFIRMED, T0, T0, T0, 2
    )
    found = verdict(last_fetch_at=T0, now=T0 + H, deliveries=(fine, not_applied))
    assert (found.state, found.reason, found.not_applied) == (
        ExportState.WARNING,
        ExportReason.NOT_APPLIED,
        (STAY,),
    )


def test_addresses_the_internet_cannot_reach() -> None:
    for url in (
        "http://127.0.0.1:8000",
        "http://localhost:8000",
        "https://10.0.0.4",
        "http://[::1]:8000",
        "https://nas",
        "http://gite.localhost",
        "http://192.168.1.20",
    ):
        assert address_problem(url, needs_https=False) is AddressProblem.LOCAL_HOST, url
    assert address_problem("http://hub.example.org", needs_https=True) is AddressProblem.PLAIN_HTTP
    assert address_problem("http://hub.example.org", needs_https=False) is None
    assert address_problem("https://hub.example.org", needs_https=True) is None


def test_the_usual_interval_is_the_median_gap_of_the_platforms_own_fetches() -> None:
    times = [T0, T0 + 3 * H, T0 + 6 * H, T0 + 30 * H, T0 + 33 * H]
    assert usual_fetch_interval_s(times, 999) == 3 * 3600
    assert usual_fetch_interval_s([T0], 999) == 999


def test_worse_ranks_error_warning_ok_never() -> None:
    assert is_worse("error", "warning") and is_worse("warning", "ok") and is_worse("ok", "never")
    assert not is_worse("never", "ok")


def test_delay_figures() -> None:
    deliveries = [
        Delivery(STAY, DeliveryState.CONFIRMED, T0, T0 + 2 * H, T0 + 3 * H, 2),
        Delivery(STAY, DeliveryState.FETCHED, T0, T0 + 4 * H, None, 1),
    ]
    figures = delay_figures([T0, T0 + 2 * H, T0 + 5 * H], deliveries)
    assert (figures.read_interval_p50_s, figures.read_interval_p90_s) == (2 * 3600, 3 * 3600)
    assert (figures.read_delay_p50_s, figures.read_delay_p90_s) == (2 * 3600, 4 * 3600)
    assert figures.applied_delay_p50_s == 3 * 3600


@given(
    st.lists(st.floats(min_value=0, max_value=1e6), min_size=1),
    st.integers(min_value=1, max_value=100),
)
def test_property_a_percentile_is_one_of_the_values_and_grows_with_q(
    values: list[float], q: int
) -> None:
    found = percentile(values, q)
    assert found in {round(v) for v in values}
    assert found is not None and found <= (percentile(values, 100) or 0)


@given(st.integers(min_value=60, max_value=7 * 86400), st.integers(min_value=0, max_value=30 * 24))
def test_property_silence_states_follow_the_thresholds(usual_s: int, silent_h: int) -> None:
    found = verdict(last_fetch_at=T0, now=T0 + silent_h * H, usual_interval_s=usual_s)
    allowed = silence_allowed(usual_s)
    assert allowed >= timedelta(hours=24)
    expected = (
        ExportState.OK
        if silent_h * H <= allowed
        else ExportState.WARNING
        if silent_h * H <= 3 * allowed
        else ExportState.ERROR
    )
    assert found.state is expected
