from __future__ import annotations

import ipaddress
import socket

import pytest

from icalbridge.outbound.addresses import (
    AddressRefused,
    ResolutionFailed,
    is_allowed_address,
    is_public_address,
    pinned_address,
)


def answers(*addresses: str):
    """Return a resolver that answers these addresses, like socket.getaddrinfo."""

    def resolve(host: str, port: int, **_kw: object) -> list[tuple[object, ...]]:
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in addresses
        ]

    return resolve


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.31.255.255",
        "192.168.0.1",
        "169.254.169.254",
        "100.64.0.1",
        "100.127.255.254",
        "0.0.0.0",
        "224.0.0.251",
        "240.0.0.1",
        "255.255.255.255",
        "::1",
        "::",
        "fc00::1",
        "fd12:3456::1",
        "fe80::1",
        "ff02::1",
        "::ffff:10.0.0.1",
        "::ffff:169.254.169.254",
        "64:ff9b::a9fe:a9fe",
        "2002:0a00:0001::1",
    ],
)
def test_addresses_that_reach_private_networks_are_not_public(address: str) -> None:
    assert not is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "::ffff:93.184.216.34"]
)
def test_internet_addresses_are_public(address: str) -> None:
    assert is_public_address(ipaddress.ip_address(address))


def test_allowed_networks_let_listed_private_addresses_through_and_no_others() -> None:
    allowed = ("127.0.0.1/32", "10.20.0.0/16")
    for address, expected in [
        ("127.0.0.1", True),
        ("::ffff:127.0.0.1", True),
        ("10.20.3.4", True),
        ("127.0.0.2", False),
        ("10.21.0.1", False),
        ("::1", False),
    ]:
        assert (
            is_allowed_address(
                ipaddress.ip_address(address), allow_private=False, allowed_networks=allowed
            )
            is expected
        ), address


def test_allow_private_lets_every_address_through() -> None:
    for address in ("127.0.0.1", "10.0.0.1", "::1", "169.254.169.254"):
        assert is_allowed_address(
            ipaddress.ip_address(address), allow_private=True, allowed_networks=()
        )


def test_first_checked_address_is_the_one_to_connect_to() -> None:
    pinned = pinned_address(
        "calendar.example",
        443,
        allow_private=False,
        allowed_networks=(),
        resolver=answers("93.184.216.34", "2606:2800:220:1::1", "93.184.216.34"),
    )
    assert pinned == ipaddress.ip_address("93.184.216.34")


def test_one_private_answer_refuses_the_whole_host() -> None:
    with pytest.raises(AddressRefused) as refused:
        pinned_address(
            "calendar.example",
            443,
            allow_private=False,
            allowed_networks=(),
            resolver=answers("93.184.216.34", "::ffff:192.168.1.10"),
        )
    assert (refused.value.host, refused.value.address) == ("calendar.example", "::ffff:c0a8:10a")


def test_address_literal_is_checked_without_asking_dns() -> None:
    def no_dns(*args: object, **kw: object) -> list[tuple[object, ...]]:
        raise AssertionError("a literal address needs no DNS")

    with pytest.raises(AddressRefused, match=r"The link points to fe80::1, a private"):
        pinned_address("[fe80::1]", 80, allow_private=False, allowed_networks=(), resolver=no_dns)


def test_scoped_link_local_answer_is_refused() -> None:
    with pytest.raises(AddressRefused):
        pinned_address(
            "printer.local",
            80,
            allow_private=False,
            allowed_networks=(),
            resolver=answers("fe80::1%eth0"),
        )


def test_name_without_an_address_fails_resolution() -> None:
    with pytest.raises(ResolutionFailed, match=r"The name nowhere\.example could not be found"):
        pinned_address(
            "nowhere.example", 443, allow_private=False, allowed_networks=(), resolver=answers()
        )
