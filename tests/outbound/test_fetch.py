from __future__ import annotations

import gzip
import socket
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from icalbridge.outbound.fetch import (
    FetchOutcome,
    FetchPolicy,
    Validators,
    fetch_feed,
    normalise_feed_url,
)
from tests.support import fixtures
from tests.support.feed_server import CALENDAR, FeedServer

feed_server = fixtures.feed_server

MB = 1024 * 1024
POLICY = FetchPolicy(allowed_networks=("127.0.0.1/32",), connect_timeout_s=1.0, total_timeout_s=1.5)
ETAG = '"v1"'
LAST_MODIFIED = "Sat, 21 Nov 2026 06:00:00 GMT"


def fetch(server: FeedServer, path: str, policy: FetchPolicy = POLICY, **kw: object):
    return fetch_feed(server.url(path), kw.pop("validators", None), policy, **kw)  # type: ignore[arg-type]


def answers(*addresses: str):
    """Return a resolver that answers these addresses, like socket.getaddrinfo."""

    def resolve(host: str, port: int, **_kw: object) -> list[tuple[object, ...]]:
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in addresses
        ]

    return resolve


# --- a healthy feed ---------------------------------------------------------------------


def test_feed_arrives_with_its_validators_for_the_next_fetch(feed_server: FeedServer) -> None:
    feed_server.serve("/feed.ics", CALENDAR, etag=ETAG, last_modified=LAST_MODIFIED)
    result = fetch(feed_server, "/feed.ics")
    assert result.outcome is FetchOutcome.OK
    assert (result.status, result.body, result.error_code) == (200, CALENDAR, None)
    assert result.validators == Validators(etag=ETAG, last_modified=LAST_MODIFIED)
    assert result.content_type == "text/calendar; charset=utf-8"
    assert result.final_url == feed_server.url("/feed.ics")
    assert result.bytes_read == len(CALENDAR)


def test_every_request_names_the_product_and_asks_for_a_calendar(
    feed_server: FeedServer,
) -> None:
    feed_server.serve("/feed.ics", CALENDAR)
    fetch(feed_server, "/feed.ics")
    [request] = feed_server.requests("/feed.ics")
    assert request.header("User-Agent") == POLICY.user_agent
    assert request.header("Accept") == "text/calendar, */*;q=0.5"
    assert request.header("Accept-Encoding") == "gzip"
    assert request.header("Host") == f"127.0.0.1:{feed_server.port}"


def test_unchanged_feed_is_not_downloaded_again_by_etag(feed_server: FeedServer) -> None:
    feed_server.serve("/feed.ics", CALENDAR, etag=ETAG)
    result = fetch(feed_server, "/feed.ics", validators=Validators(etag=ETAG))
    assert result.outcome is FetchOutcome.NOT_MODIFIED
    assert (result.status, result.body, result.validators.etag) == (304, None, ETAG)
    assert feed_server.requests("/feed.ics")[0].header("If-None-Match") == ETAG


def test_unchanged_feed_is_not_downloaded_again_by_last_modified(
    feed_server: FeedServer,
) -> None:
    feed_server.serve("/feed.ics", CALENDAR, last_modified=LAST_MODIFIED)
    result = fetch(feed_server, "/feed.ics", validators=Validators(last_modified=LAST_MODIFIED))
    assert result.outcome is FetchOutcome.NOT_MODIFIED
    assert feed_server.requests("/feed.ics")[0].header("If-Modified-Since") == LAST_MODIFIED


def test_changed_feed_is_downloaded_despite_the_old_etag(feed_server: FeedServer) -> None:
    feed_server.serve("/feed.ics", CALENDAR, etag=ETAG)
    newer = CALENDAR.replace(b"20260714", b"20260715")
    feed_server.serve("/feed.ics", newer, etag='"v2"')
    result = fetch(feed_server, "/feed.ics", validators=Validators(etag=ETAG))
    assert (result.outcome, result.body, result.validators.etag) == (FetchOutcome.OK, newer, '"v2"')


def test_gzip_body_arrives_unpacked(feed_server: FeedServer) -> None:
    feed_server.serve("/feed.ics", CALENDAR, gzip=True)
    result = fetch(feed_server, "/feed.ics")
    assert (result.outcome, result.body) == (FetchOutcome.OK, CALENDAR)
    assert result.bytes_read == len(gzip.compress(CALENDAR))


def test_calendar_with_a_wrong_content_type_is_still_read(feed_server: FeedServer) -> None:
    feed_server.fault("/feed.ics", "wrong_content_type")
    result = fetch(feed_server, "/feed.ics")
    assert (result.outcome, result.body) == (FetchOutcome.OK, CALENDAR)
    assert result.content_type == "text/html; charset=utf-8"


def test_server_that_refuses_requests_without_user_agent_serves_us(
    feed_server: FeedServer,
) -> None:
    feed_server.serve("/feed.ics", CALENDAR)
    feed_server.fault("/feed.ics", "require_user_agent")
    assert fetch(feed_server, "/feed.ics").body == CALENDAR


def test_calendar_cut_by_the_server_itself_is_passed_on_for_the_reader_to_judge(
    feed_server: FeedServer,
) -> None:
    feed_server.fault("/feed.ics", "truncated", honest_length=True)
    result = fetch(feed_server, "/feed.ics")
    assert result.outcome is FetchOutcome.OK
    assert result.body is not None and b"END:VCALENDAR" not in result.body


# --- what the server says ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (404, "404: the link is wrong or was reset"),
        (410, "410: the link is wrong or was reset"),
        (403, "403: the link is private, expired, or the server refuses us"),
        (500, "500: a problem on the server's side"),
    ],
)
def test_error_status_is_explained(feed_server: FeedServer, code: int, words: str) -> None:
    feed_server.fault("/feed.ics", "status", code=code)
    result = fetch(feed_server, "/feed.ics")
    assert (result.outcome, result.status, result.error_code) == (
        FetchOutcome.FAILED,
        code,
        "http_error",
    )
    assert (result.error_message or "").startswith(f"The server answered {words}")
    assert result.retry_after_s is None


def test_too_many_requests_tells_how_long_to_wait(feed_server: FeedServer) -> None:
    feed_server.fault("/feed.ics", "retry_after", code=429, seconds=120)
    result = fetch(feed_server, "/feed.ics")
    assert (result.error_code, result.status, result.retry_after_s) == ("http_error", 429, 120)
    assert "asks us to wait 120 seconds" in (result.error_message or "")


def test_unavailable_server_with_a_retry_date_gives_seconds(feed_server: FeedServer) -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(minutes=10), usegmt=True)
    feed_server.fault("/feed.ics", "retry_after", code=503, seconds=when)
    result = fetch(feed_server, "/feed.ics")
    assert result.status == 503
    assert result.retry_after_s is not None and 590 <= result.retry_after_s <= 600


@pytest.mark.parametrize(
    ("fault", "words"),
    [
        ("html", "a web page, often a login or error page,"),
        ("json", "JSON data"),
        ("empty", "an empty answer (0 bytes)"),
    ],
)
def test_answer_that_is_not_a_calendar_fails_without_a_body(
    feed_server: FeedServer, fault: str, words: str
) -> None:
    feed_server.fault("/feed.ics", fault)
    result = fetch(feed_server, "/feed.ics")
    assert (result.outcome, result.status, result.body) == (FetchOutcome.FAILED, 200, None)
    assert result.error_code == "not_calendar"
    assert f"The server answered with {words} instead of a calendar" in (result.error_message or "")


def test_connection_cut_mid_calendar_fails_as_incomplete(feed_server: FeedServer) -> None:
    feed_server.fault("/feed.ics", "truncated")
    result = fetch(feed_server, "/feed.ics")
    assert (result.outcome, result.error_code, result.body) == (
        FetchOutcome.FAILED,
        "incomplete",
        None,
    )
    assert "before the whole calendar arrived" in (result.error_message or "")


# --- limits -----------------------------------------------------------------------------


def test_huge_body_is_stopped_at_the_cap_without_reading_it_all(feed_server: FeedServer) -> None:
    feed_server.fault("/feed.ics", "huge", mb=50)
    started = time.monotonic()
    result = fetch(
        feed_server, "/feed.ics", FetchPolicy(**{**POLICY.__dict__, "max_bytes": 2 * MB})
    )
    assert (result.outcome, result.error_code) == (FetchOutcome.FAILED, "too_large")
    assert 2 * MB < result.bytes_read <= 2 * MB + 128 * 1024
    assert "2.0\xa0MB limit" in (result.error_message or "")
    assert time.monotonic() - started < 1.0


def test_default_cap_stops_a_50_mb_body_at_10_mb(feed_server: FeedServer) -> None:
    feed_server.fault("/feed.ics", "huge", mb=50)
    result = fetch(feed_server, "/feed.ics", FetchPolicy(allowed_networks=("127.0.0.1/32",)))
    assert result.error_code == "too_large"
    assert 10 * MB < result.bytes_read <= 10 * MB + 128 * 1024


def test_body_announced_too_large_is_refused_before_reading(feed_server: FeedServer) -> None:
    feed_server.fault("/feed.ics", "huge", mb=50, announce_length=True)
    result = fetch(feed_server, "/feed.ics")
    assert (result.error_code, result.bytes_read) == ("too_large", 0)
    assert "it announces 50.0\xa0MB" in (result.error_message or "")


def test_gzip_bomb_is_stopped_at_the_cap_after_unpacking(feed_server: FeedServer) -> None:
    feed_server.fault("/feed.ics", "gzip_bomb", mb=40)
    result = fetch(feed_server, "/feed.ics")
    assert (result.outcome, result.error_code) == (FetchOutcome.FAILED, "too_large")
    assert result.bytes_read < 1 * MB  # the compressed side stayed small: the cap hit on unpacking
    assert "it inflates past 10.0\xa0MB" in (result.error_message or "")


def test_server_that_never_answers_times_out_within_the_total(feed_server: FeedServer) -> None:
    feed_server.fault("/feed.ics", "hang")
    started = time.monotonic()
    result = fetch(feed_server, "/feed.ics")
    elapsed = time.monotonic() - started
    assert (result.outcome, result.error_code) == (FetchOutcome.FAILED, "timeout")
    assert POLICY.total_timeout_s - 0.1 <= elapsed <= POLICY.total_timeout_s + 1
    assert result.error_message == (
        "The server did not send the whole calendar within 1.5 seconds."
    )


def test_body_dribbled_past_the_total_time_out_fails(feed_server: FeedServer) -> None:
    feed_server.fault("/feed.ics", "slow_body", chunk=8, interval_s=0.1)
    started = time.monotonic()
    result = fetch(feed_server, "/feed.ics")
    assert (result.error_code, result.body) == ("timeout", None)
    assert 0 < result.bytes_read < len(CALENDAR)
    assert time.monotonic() - started <= POLICY.total_timeout_s + 1


def test_server_that_falls_silent_mid_body_is_cut_at_the_total_not_a_read_later(
    feed_server: FeedServer,
) -> None:
    # Each byte restarts httpx's read time-out; only the deadline bounds the whole fetch.
    feed_server.fault("/feed.ics", "slow_body", chunk=8, interval_s=0.4, stall_after=3)
    started = time.monotonic()
    result = fetch(feed_server, "/feed.ics")
    assert result.error_code == "timeout"
    assert time.monotonic() - started < POLICY.total_timeout_s + 0.4


def test_closed_port_fails_to_connect() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = fetch_feed(f"http://127.0.0.1:{port}/feed.ics", None, POLICY)
    assert (result.outcome, result.error_code, result.status) == (
        FetchOutcome.FAILED,
        "connect_error",
        None,
    )
    assert f"Could not connect to 127.0.0.1:{port}" in (result.error_message or "")


def test_https_spoken_to_a_plain_http_server_is_a_tls_error(feed_server: FeedServer) -> None:
    feed_server.serve("/feed.ics", CALENDAR)
    result = fetch_feed(f"webcal://127.0.0.1:{feed_server.port}/feed.ics", None, POLICY)
    assert result.final_url == f"https://127.0.0.1:{feed_server.port}/feed.ics"
    assert result.error_code == "tls_error"
    assert "The secure connection to 127.0.0.1" in (result.error_message or "")


# --- redirects --------------------------------------------------------------------------


def redirect_chain(server: FeedServer, hops: int) -> None:
    for hop in range(hops):
        server.fault(f"/hop{hop}", "redirect", to=f"/hop{hop + 1}", code=301 if hop % 2 else 302)
    server.serve(f"/hop{hops}", CALENDAR)


def test_five_redirects_are_followed(feed_server: FeedServer) -> None:
    redirect_chain(feed_server, 5)
    result = fetch(feed_server, "/hop0")
    assert (result.outcome, result.body) == (FetchOutcome.OK, CALENDAR)
    assert result.final_url == feed_server.url("/hop5")
    assert feed_server.requests("/hop5")[0].header("User-Agent") == POLICY.user_agent


def test_sixth_redirect_is_refused(feed_server: FeedServer) -> None:
    redirect_chain(feed_server, 6)
    result = fetch(feed_server, "/hop0")
    assert (result.outcome, result.error_code) == (FetchOutcome.FAILED, "too_many_redirects")
    assert result.error_message == (
        "The server redirected more than 5 times; use the link it finally leads to, if it has one."
    )
    assert feed_server.requests("/hop6") == []


def test_redirect_to_itself_is_a_loop(feed_server: FeedServer) -> None:
    feed_server.fault("/feed.ics", "redirect_loop")
    result = fetch(feed_server, "/feed.ics")
    assert result.error_code == "redirect_loop"
    assert len(feed_server.requests("/feed.ics")) == 1


def test_redirects_in_a_circle_are_a_loop(feed_server: FeedServer) -> None:
    feed_server.fault("/a", "redirect", to="/b")
    feed_server.fault("/b", "redirect", to=feed_server.url("/a"))
    result = fetch(feed_server, "/a")
    assert result.error_code == "redirect_loop"
    assert "leads back to itself" in (result.error_message or "")


@pytest.mark.parametrize(
    "target", ["http://10.0.0.1/feed.ics", "http://169.254.169.254/latest/meta-data/"]
)
def test_redirect_into_a_private_network_is_refused(feed_server: FeedServer, target: str) -> None:
    feed_server.fault("/feed.ics", "redirect_to", url=target)
    started = time.monotonic()
    result = fetch(feed_server, "/feed.ics")
    assert (result.outcome, result.error_code, result.status) == (
        FetchOutcome.FAILED,
        "private_address",
        302,
    )
    assert result.final_url == target
    assert time.monotonic() - started < 0.5  # refused before any connection attempt


def test_redirect_to_a_host_resolving_to_a_private_address_is_refused_before_connecting(
    feed_server: FeedServer,
) -> None:
    feed_server.serve("/inside.ics", CALENDAR)
    feed_server.fault(
        "/feed.ics", "redirect_to", url=feed_server.url("/inside.ics", host="intranet.test")
    )
    looked_up: list[str] = []

    def resolve(host: str, port: int, **kw: object) -> list[tuple[object, ...]]:
        looked_up.append(host)
        return answers("127.0.0.2" if host == "intranet.test" else "127.0.0.1")(host, port)

    result = fetch_feed(
        feed_server.url("/feed.ics", host="feeds.test"), None, POLICY, resolver=resolve
    )
    assert result.error_code == "private_address"
    assert result.error_message == (
        "The link points to intranet.test (127.0.0.2), a private or reserved network address; "
        "icalbridge only fetches public addresses unless the administrator allows it."
    )
    assert looked_up == ["feeds.test", "intranet.test"]
    assert feed_server.requests("/inside.ics") == []


# --- the address guard ------------------------------------------------------------------


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.2",
        "10.0.0.1",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "[::1]",
        "[::ffff:10.0.0.1]",
        "[fd00::1]",
        "[fe80::1]",
        "[64:ff9b::a00:1]",
    ],
)
def test_private_and_reserved_addresses_are_refused(host: str) -> None:
    result = fetch_feed(f"http://{host}/feed.ics", None, POLICY)
    assert (result.outcome, result.error_code, result.status) == (
        FetchOutcome.FAILED,
        "private_address",
        None,
    )
    assert "a private or reserved network address" in (result.error_message or "")


def test_loopback_is_refused_by_the_default_policy(feed_server: FeedServer) -> None:
    feed_server.serve("/feed.ics", CALENDAR)
    assert fetch(feed_server, "/feed.ics", FetchPolicy()).error_code == "private_address"
    assert feed_server.requests("/feed.ics") == []


def test_allowing_private_addresses_lifts_the_guard(feed_server: FeedServer) -> None:
    feed_server.serve("/feed.ics", CALENDAR)
    assert fetch(feed_server, "/feed.ics", FetchPolicy(allow_private=True)).body == CALENDAR


def test_host_with_one_private_answer_among_public_ones_is_refused() -> None:
    result = fetch_feed(
        "https://calendar.example/feed.ics",
        None,
        POLICY,
        resolver=answers("93.184.216.34", "10.0.0.1"),
    )
    assert result.error_code == "private_address"
    assert "calendar.example (10.0.0.1)" in (result.error_message or "")


def test_connection_goes_to_the_checked_address_when_dns_changes_its_answer(
    feed_server: FeedServer,
) -> None:
    # A rebinding DNS answers an allowed address to the check, then a private one.
    calls: list[str] = []

    def rebinding(host: str, port: int, **kw: object) -> list[tuple[object, ...]]:
        calls.append(host)
        return answers("127.0.0.1" if len(calls) == 1 else "10.0.0.1")(host, port)

    feed_server.serve("/feed.ics", CALENDAR)
    result = fetch_feed(
        feed_server.url("/feed.ics", host="calendar.test"), None, POLICY, resolver=rebinding
    )
    assert (result.outcome, result.body) == (FetchOutcome.OK, CALENDAR)
    assert calls == ["calendar.test"]
    assert (
        feed_server.requests("/feed.ics")[0].header("Host") == f"calendar.test:{feed_server.port}"
    )
    assert result.final_url == feed_server.url("/feed.ics", host="calendar.test")


def test_unknown_host_is_a_dns_error() -> None:
    def nowhere(host: str, port: int, **kw: object) -> list[tuple[object, ...]]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    result = fetch_feed("https://no-such-host.example/feed.ics", None, POLICY, resolver=nowhere)
    assert (result.error_code, result.status) == ("dns_error", None)
    assert "The name no-such-host.example could not be found" in (result.error_message or "")


# --- links ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pasted", "url"),
    [
        ("webcal://calendar.example/feed.ics", "https://calendar.example/feed.ics"),
        ("WEBCALS://calendar.example/feed.ics", "https://calendar.example/feed.ics"),
        ("  https://calendar.example/a.ics?t=1 \n", "https://calendar.example/a.ics?t=1"),
        ("http://Calendar.Example:8080/a.ics", "http://calendar.example:8080/a.ics"),
    ],
)
def test_pasted_links_are_read_as_web_addresses(pasted: str, url: str) -> None:
    assert normalise_feed_url(pasted) == url


@pytest.mark.parametrize(
    ("pasted", "words"),
    [
        ("ftp://calendar.example/feed.ics", "Links starting with ftp:// cannot be fetched"),
        ("file:///etc/passwd", "Links starting with file:// cannot be fetched"),
        ("calendar.example/feed.ics", "must start with https://, http:// or webcal://"),
        ("https:///feed.ics", "The link has no server name after https://"),
        ("https://calendar.example/my feed.ics", "The link contains spaces"),
        ("", "The link is empty"),
    ],
)
def test_links_that_cannot_be_fetched_fail_as_bad_urls(pasted: str, words: str) -> None:
    result = fetch_feed(pasted, None, POLICY)
    assert (result.outcome, result.error_code, result.bytes_read) == (
        FetchOutcome.FAILED,
        "bad_url",
        0,
    )
    assert words in (result.error_message or "")


# --- the fixture server itself ----------------------------------------------------------


def test_feed_server_stops_without_leaving_threads_behind() -> None:
    before = set(threading.enumerate())
    server = FeedServer()
    server.fault("/hang.ics", "hang")
    server.fault("/huge.ics", "huge", mb=50)
    quick = FetchPolicy(**{**POLICY.__dict__, "total_timeout_s": 0.3, "max_bytes": MB})
    assert fetch(server, "/hang.ics", quick).error_code == "timeout"
    assert fetch(server, "/huge.ics", quick).error_code == "too_large"
    server.stop()
    assert set(threading.enumerate()) <= before


def test_fetches_at_once_are_each_cut_at_their_own_time_out(feed_server: FeedServer) -> None:
    # One watchdog thread serves every fetch of the process: a fetch started later with a
    # shorter time-out is cut at its own, not at the earlier fetch's. A byte every 1.2 s
    # keeps each read within its time-out: only the watchdog cuts the short fetch at 1.6 s
    # and the long one at 4 s (the check after each chunk would end them at 2.4 s and
    # 4.8 s), with room for a busy machine between the two.
    feed_server.fault("/slow.ics", "slow_body", chunk=8, interval_s=1.2)
    feed_server.serve("/feed.ics", CALENDAR)
    long, short = replace(POLICY, total_timeout_s=4.0), replace(POLICY, total_timeout_s=1.6)
    ended: dict[str, float] = {}

    def run(name: str, policy: FetchPolicy, path: str = "/slow.ics") -> None:
        started = time.monotonic()
        result = fetch(feed_server, path, policy)
        ended[name] = time.monotonic() - started
        ended[f"{name} error"] = 0.0 if result.error_code is None else 1.0

    threads = [threading.Thread(target=run, args=("long", long))]
    threads[0].start()
    # The long fetch's deadline is the first one waited for when the short one comes.
    while not feed_server.requests("/slow.ics"):
        time.sleep(0.01)
    threads += [
        threading.Thread(target=run, args=("short", short)),
        threading.Thread(target=run, args=("quick", long, "/feed.ics")),
    ]
    for thread in threads[1:]:
        thread.start()
    for thread in threads:
        thread.join()

    assert 1.5 <= ended["short"] <= 2.2 and ended["short error"] == 1.0
    assert 3.9 <= ended["long"] <= 4.6 and ended["long error"] == 1.0
    assert ended["quick error"] == 0.0
