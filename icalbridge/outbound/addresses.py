"""Which network addresses a feed fetch may reach, checked after DNS resolution."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence
from typing import Any

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[..., Sequence[tuple[Any, ...]]]

# NAT64 gateways translate this prefix to the IPv4 address in its last 32 bits, so
# 64:ff9b::a00:1 reaches 10.0.0.1 on a network that runs one.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_SHARED = ipaddress.IPv4Network("100.64.0.0/10")


class AddressRefused(Exception):
    """The host resolves to an address the policy does not let us fetch."""

    def __init__(self, host: str, address: str) -> None:
        self.host = host
        self.address = address
        self.shown = address if host == address else f"{host} ({address})"
        shown = self.shown
        super().__init__(
            f"The link points to {shown}, a private or reserved network address; "
            "icalbridge only fetches public addresses unless the administrator allows it."
        )


class ResolutionFailed(Exception):
    """The host name has no address."""


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """Return the IPv4 address an IPv6 address carries (mapped, 6to4, Teredo, NAT64)."""
    if address.version == 4:
        return None
    assert isinstance(address, ipaddress.IPv6Address)
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_public_address(address: IPAddress) -> bool:
    """Tell whether the address, and any IPv4 address it carries, is publicly routable."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        # An IPv6 socket connects to the mapped IPv4 address itself: judge that one alone.
        return is_public_address(address.ipv4_mapped)
    inner = embedded_ipv4(address)
    if inner is not None and not is_public_address(inner):
        return False
    return not (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or (address.version == 4 and address in _SHARED)
        or not address.is_global
    )


def is_allowed_address(
    address: IPAddress, *, allow_private: bool, allowed_networks: tuple[str, ...]
) -> bool:
    """Tell whether the policy lets us connect to this address."""
    if allow_private or is_public_address(address):
        return True
    candidates = [address]
    inner = embedded_ipv4(address)
    if inner is not None:
        candidates.append(inner)
    networks = [ipaddress.ip_network(cidr, strict=False) for cidr in allowed_networks]
    return any(
        candidate.version == network.version and candidate in network
        for candidate in candidates
        for network in networks
    )


def resolved_addresses(host: str, port: int, resolver: Resolver) -> list[IPAddress]:
    """Return every address the host resolves to, in the resolver's order."""
    literal = host.strip("[]")
    try:
        return [ipaddress.ip_address(literal)]
    except ValueError:
        pass
    try:
        answers = resolver(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise ResolutionFailed(f"The name {host} could not be found (DNS: {exc}).") from exc
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _canonname, sockaddr in answers:
        # Drop the IPv6 scope ("fe80::1%eth0") which ip_address() does not accept.
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise ResolutionFailed(f"The name {host} could not be found (DNS gave no address).")
    return addresses


def pinned_address(
    host: str,
    port: int,
    *,
    allow_private: bool,
    allowed_networks: tuple[str, ...],
    resolver: Resolver = socket.getaddrinfo,
) -> IPAddress:
    """Resolve the host once and return the address to connect to, refusing any disallowed one.

    Every resolved address must pass: refusing only some of them would let a host that
    answers with both a public and a private address choose where we connect. The caller
    connects to the returned address itself, so a DNS answer that changes between this check
    and the connection cannot move the request to a private network.
    """
    addresses = resolved_addresses(host, port, resolver)
    for address in addresses:
        if not is_allowed_address(
            address, allow_private=allow_private, allowed_networks=allowed_networks
        ):
            raise AddressRefused(host.strip("[]"), str(address))
    return addresses[0]
