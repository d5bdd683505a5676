"""The one function through which icalbridge fetches other people's servers."""

from __future__ import annotations

import contextlib
import functools
import logging
import socket
import ssl
import time
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import httpx

from icalbridge import clock
from icalbridge.outbound.addresses import AddressRefused, ResolutionFailed, Resolver, pinned_address
from icalbridge.outbound.fetch_body import FetchFailure, Watchdog, calendar_body, read_body
from icalbridge.outbound.fetch_messages import retry_after_seconds, status_variant
from icalbridge.outbound.kept_connections import IDLE_S, KeptClient, forget, kept_client
from icalbridge.wording.fetch_texts import fetch_error_english, fetch_error_text

logger = logging.getLogger(__name__)

ACCEPT = "text/calendar, */*;q=0.5"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


class FetchOutcome(StrEnum):
    OK = "ok"
    NOT_MODIFIED = "not_modified"
    FAILED = "failed"


@dataclass(frozen=True)
class Validators:
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class FetchPolicy:
    max_bytes: int = 10 * 1024 * 1024
    connect_timeout_s: float = 10.0
    total_timeout_s: float = 30.0
    max_redirects: int = 5
    allow_private: bool = False
    allowed_networks: tuple[str, ...] = ()
    user_agent: str = "icalbridge/0.1 (+calendar sync; https://github.com/icalbridge)"


@dataclass(frozen=True)
class FetchResult:
    outcome: FetchOutcome
    status: int | None
    body: bytes | None
    validators: Validators
    content_type: str | None
    final_url: str
    error_code: str | None = None
    error_params: dict[str, str] | None = None
    retry_after_s: int | None = None
    elapsed_ms: int = 0
    bytes_read: int = 0

    @property
    def error_message(self) -> str | None:
        """Return the failure in English, as logs and operators read it."""
        if self.error_code is None:
            return None
        return fetch_error_english(self.error_code, self.error_params or {})

    def error_text(self) -> str:
        """Return the failure in the active language, for the person reading it."""
        if self.error_code is None:
            return ""
        return fetch_error_text(self.error_code, self.error_params or {})


@dataclass
class _Trail:
    """What a fetch has done so far, reported even when it fails half-way."""

    url: str
    started: float = field(default_factory=time.monotonic)
    status: int | None = None
    bytes_read: int = 0

    def result(self, outcome: FetchOutcome, **values: object) -> FetchResult:
        values.setdefault("validators", Validators())
        values.setdefault("body", None)
        values.setdefault("content_type", None)
        return FetchResult(
            outcome=outcome,
            status=self.status,
            final_url=self.url,
            elapsed_ms=round((time.monotonic() - self.started) * 1000),
            bytes_read=self.bytes_read,
            **values,  # type: ignore[arg-type]
        )


class BadLink(ValueError):
    """A pasted link that can never be fetched; reads in the active language."""

    def __init__(self, variant: str, **params: str) -> None:
        self.params = {"variant": variant, **params}
        super().__init__(fetch_error_english("bad_url", self.params))

    def __str__(self) -> str:
        return fetch_error_text("bad_url", self.params)


def normalise_feed_url(url: str) -> str:
    """Return the https:// or http:// form of a pasted feed link, or raise BadLink."""
    text = url.strip()
    scheme, separator, rest = text.partition("://")
    scheme = scheme.lower()
    if not text:
        raise BadLink("empty")
    if not separator:
        raise BadLink("no_scheme", link=text[:200])
    if scheme in ("webcal", "webcals"):
        scheme = "https"
    elif scheme not in ("http", "https"):
        raise BadLink("scheme", scheme=scheme[:40])
    if any(character.isspace() for character in text):
        raise BadLink("spaces")
    try:
        parsed = httpx.URL(f"{scheme}://{rest}")
        port = parsed.port
    except (httpx.InvalidURL, ValueError) as exc:
        raise BadLink("invalid") from exc
    if not parsed.raw_host:
        raise BadLink("no_host", scheme=scheme)
    if port is not None and not 0 < port < 65536:
        raise BadLink("port", port=str(port))
    return str(parsed)


def fetch_feed(
    url: str,
    validators: Validators | None,
    policy: FetchPolicy,
    *,
    resolver: Resolver = socket.getaddrinfo,
) -> FetchResult:
    """Fetch a feed with a conditional GET under the policy's limits; never raise.

    Redirects are followed by hand so the address guard runs on every hop, and each
    connection goes to the address that was checked (never a second DNS answer).
    """
    trail = _Trail(url=url)
    try:
        trail.url = normalise_feed_url(url)
        return _fetch(trail, validators or Validators(), policy, resolver)
    except BadLink as exc:
        return trail.result(FetchOutcome.FAILED, error_code="bad_url", error_params=exc.params)
    except FetchFailure as failure:
        return trail.result(
            FetchOutcome.FAILED,
            error_code=failure.code,
            error_params=failure.params,
            retry_after_s=failure.retry_after_s,
        )
    except Exception:
        # A fetch must never take the worker down; the log keeps the bug visible.
        logger.exception("unexpected error while fetching %s", trail.url)
        return trail.result(
            FetchOutcome.FAILED,
            error_code="connect_error",
            error_params={"variant": "unexpected"},
        )


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """Return the certificate store, loaded once: loading it costs ~90 ms per fetch."""
    return ssl.create_default_context()


def _new_client() -> httpx.Client:
    return httpx.Client(
        trust_env=False,  # a proxy from the environment would bypass the address pinning
        verify=_tls_context(),
        follow_redirects=False,
        limits=httpx.Limits(max_keepalive_connections=2, keepalive_expiry=IDLE_S),
    )


def _fetch(
    trail: _Trail, validators: Validators, policy: FetchPolicy, resolver: Resolver
) -> FetchResult:
    deadline = trail.started + policy.total_timeout_s
    visited = {trail.url}
    with Watchdog(deadline) as watchdog:
        for redirects in range(policy.max_redirects + 1):
            request = _pinned_request(trail.url, validators, policy, resolver, deadline)
            response, kept = _send(request, policy, watchdog)
            try:
                with contextlib.closing(response):
                    trail.status = response.status_code
                    location = response.headers.get("location")
                    if response.status_code in REDIRECT_STATUSES and location:
                        trail.url = _redirect_target(
                            trail.url, location, visited, redirects, policy
                        )
                        continue
                    if response.status_code == 304:
                        # It has no body (RFC 9110): reading its end frees the connection.
                        response.read()
                        return trail.result(
                            FetchOutcome.NOT_MODIFIED, validators=_response_validators(response)
                        )
                    if not 200 <= response.status_code < 300:
                        raise _http_failure(response)
                    body = _read(response, policy, deadline, watchdog, trail)
                    content_type = response.headers.get("content-type")
                    return trail.result(
                        FetchOutcome.OK,
                        body=calendar_body(body, content_type),
                        validators=_response_validators(response),
                        content_type=content_type,
                    )
            except BaseException:
                # A connection that failed, or was cut at the deadline, is not kept.
                forget(kept)
                raise
    raise AssertionError("the redirect loop always returns or raises")


def _pinned_request(
    url: str,
    validators: Validators,
    policy: FetchPolicy,
    resolver: Resolver,
    deadline: float,
) -> httpx.Request:
    """Build a request that connects to the checked address of the URL's host."""
    parsed = httpx.URL(url)
    host = parsed.raw_host.decode("ascii")
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        address = pinned_address(
            host,
            port,
            allow_private=policy.allow_private,
            allowed_networks=policy.allowed_networks,
            resolver=resolver,
        )
    except AddressRefused as exc:
        raise FetchFailure("private_address", {"shown": exc.shown}) from exc
    except ResolutionFailed as exc:
        logger.info("no address for %s: %s", host, exc)
        raise FetchFailure("dns_error", {"host": host}) from exc
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise _timeout(policy)
    headers = {
        "Host": parsed.netloc.decode("ascii"),
        "User-Agent": policy.user_agent,
        "Accept": ACCEPT,
        "Accept-Encoding": "gzip",
    }
    if validators.etag:
        headers["If-None-Match"] = validators.etag
    if validators.last_modified:
        headers["If-Modified-Since"] = validators.last_modified
    timeout = httpx.Timeout(remaining, connect=min(policy.connect_timeout_s, remaining))
    extensions = {"sni_hostname": host} if parsed.scheme == "https" else {}
    return httpx.Request(
        "GET",
        parsed.copy_with(host=str(address)),
        headers=headers,
        extensions={**extensions, "timeout": timeout.as_dict()},
    )


def _send(
    request: httpx.Request, policy: FetchPolicy, watchdog: Watchdog
) -> tuple[httpx.Response, KeptClient]:
    """Send the request on its host's kept client; return the streaming response and it.

    A kept connection the server closed while it lay idle fails before any answer: the
    request goes once more, on a new connection, rather than fail the import.
    """
    host = request.headers["Host"]
    origin = (request.url.scheme, host.lower(), request.url.port or 0)
    for attempt in (1, 2):
        kept = kept_client(origin, _new_client)
        for sock in kept.open_sockets():
            watchdog.watch(sock)
        opened: list[socket.socket] = []
        request.extensions["trace"] = functools.partial(_watch_new_sockets, kept, watchdog, opened)
        try:
            return kept.client.send(request, stream=True), kept
        except httpx.HTTPError as exc:
            forget(kept)
            reused = not opened and not watchdog.has_fired
            if attempt == 1 and reused and _is_dropped_connection(exc):
                continue
            raise _send_failure(exc, host, policy, watchdog) from exc
    raise AssertionError("the second attempt always returns or raises")


def _watch_new_sockets(
    kept: KeptClient,
    watchdog: Watchdog,
    opened: list[socket.socket],
    event: str,
    info: dict[str, Any],
) -> None:
    """Watch each new connection's socket, and keep it with its client (httpx trace)."""
    # TLS wraps the TCP socket into a new object and detaches the old one, so the
    # TLS socket must be watched too or a stalled https body could not be cut.
    if event not in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
        return
    sock = info["return_value"].get_extra_info("socket")
    if sock is not None:
        opened.append(sock)
        kept.sockets.append(sock)
        watchdog.watch(sock)


def _is_dropped_connection(exc: httpx.HTTPError) -> bool:
    """Tell a kept connection closed by its server (before it answered) from other faults."""
    return isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError)


def _send_failure(
    exc: httpx.HTTPError, host: str, policy: FetchPolicy, watchdog: Watchdog
) -> FetchFailure:
    if watchdog.has_fired or isinstance(exc, httpx.TimeoutException):
        if isinstance(exc, httpx.ConnectTimeout) and not watchdog.has_fired:
            return FetchFailure(
                "timeout",
                {
                    "variant": "connect",
                    "host": host,
                    "seconds": f"{policy.connect_timeout_s:g}",
                },
            )
        return _timeout(policy)
    # The system's own words (in English) stay in the log; the host reads ours.
    logger.info("fetch from %s failed: %s", host, _root_cause(exc))
    if _is_tls_problem(exc):
        return FetchFailure("tls_error", {"host": host})
    if isinstance(exc, httpx.ConnectError):
        return FetchFailure("connect_error", {"host": host})
    return FetchFailure("connect_error", {"variant": "closed", "host": host})


def _read(
    response: httpx.Response,
    policy: FetchPolicy,
    deadline: float,
    watchdog: Watchdog,
    trail: _Trail,
) -> bytes:
    """Read the body within the limits, turning transport errors into FetchFailures."""
    try:
        return read_body(response, policy.max_bytes, deadline, watchdog, trail)
    except httpx.HTTPError as exc:
        if watchdog.has_fired or isinstance(exc, httpx.TimeoutException):
            raise _timeout(policy) from exc
        raise FetchFailure("incomplete", {"size_bytes": str(trail.bytes_read)}) from exc


def _redirect_target(
    current: str, location: str, visited: set[str], redirects: int, policy: FetchPolicy
) -> str:
    """Return the normalised URL a redirect points to, refusing loops and long chains."""
    try:
        target = normalise_feed_url(str(httpx.URL(current).join(location.strip())))
    except (ValueError, httpx.InvalidURL) as exc:
        raise FetchFailure("bad_url", {"variant": "redirect", "location": location[:200]}) from exc
    if target in visited:
        raise FetchFailure("redirect_loop", {"link": target})
    if redirects >= policy.max_redirects:
        raise FetchFailure("too_many_redirects", {"count": str(policy.max_redirects)})
    visited.add(target)
    return target


def _response_validators(response: httpx.Response) -> Validators:
    return Validators(
        etag=response.headers.get("etag"),
        last_modified=response.headers.get("last-modified"),
    )


def _http_failure(response: httpx.Response) -> FetchFailure:
    retry_after = None
    if response.status_code in (429, 503):
        retry_after = retry_after_seconds(
            response.headers.get("retry-after"), response.headers.get("date"), clock.now()
        )
    params = {"variant": status_variant(response.status_code, retry_after)}
    params["status"] = str(response.status_code)
    if retry_after is not None:
        params["wait"] = str(retry_after)
    return FetchFailure("http_error", params, retry_after_s=retry_after)


def _timeout(policy: FetchPolicy) -> FetchFailure:
    return FetchFailure("timeout", {"seconds": f"{policy.total_timeout_s:g}"})


def _is_tls_problem(exc: BaseException) -> bool:
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ssl.SSLError):
            return True
        cause = cause.__cause__ or cause.__context__
    return False


def _root_cause(exc: BaseException) -> str:
    while exc.__cause__ is not None:
        exc = exc.__cause__
    return str(exc) or type(exc).__name__
