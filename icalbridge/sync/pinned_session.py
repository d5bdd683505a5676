"""An HTTP session that reaches one host only, at the address the outbound guard checked.

Both the CalDAV server (``sync/caldav_client``) and an OAuth token endpoint
(``sync/caldav_oauth``) are other people's servers named by a person: the name is resolved
once and judged by the same policy as imports (``outbound/addresses.pinned_address``), and
the session then connects to that address only. A request to another host (a redirect to a
private address would otherwise slip past the check) is refused, and no proxy from the
environment is used.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import niquests

from icalbridge.outbound.addresses import pinned_address
from icalbridge.outbound.fetch import FetchPolicy


class OffHostRequest(niquests.exceptions.ConnectionError):  # type: ignore[misc]
    """A request for another host than the one checked; ``host`` names it."""

    def __init__(self, host: str) -> None:
        super().__init__(f"request to {host} refused: not the host checked")
        self.host = host


class PinnedSession(niquests.Session):  # type: ignore[misc]
    """A session that reaches ``host`` only, at ``address``."""

    def __init__(self, host: str, address: str) -> None:
        shown = f"[{address}]" if ":" in address else address
        super().__init__(
            resolver=f"in-memory://default/?hosts={host}:{shown}",
            retries=0,
            disable_http3=True,
            # Certificate revocation checks would reach out to third parties past the guard.
            revocation_configuration=None,
        )
        # A proxy from the environment would bypass the address pinning.
        self.trust_env = False
        self.pinned_host = host

    def send(self, request: Any, **kwargs: Any) -> Any:
        host = (urlsplit(request.url).hostname or "").lower()
        if host != self.pinned_host:
            raise OffHostRequest(host)
        return super().send(request, **kwargs)


def pinned_session(url: str, policy: FetchPolicy) -> PinnedSession:
    """Return a session for the host of ``url``, checked by the outbound guard.

    Raises ``AddressRefused`` or ``ResolutionFailed`` (``outbound/addresses``).
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    pinned = pinned_address(
        host, port, allow_private=policy.allow_private, allowed_networks=policy.allowed_networks
    )
    return PinnedSession(host, str(pinned))
