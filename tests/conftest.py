"""Shared test fixtures.

Network guard: tests must never reach the Internet (these machines cannot, and a test that silently
depends on Wikidata would be flaky and impolite). Every socket connection to a non-loopback address
is refused for the whole test session; servers on 127.0.0.1/::1 (pytest-httpserver, Oxigraph) work.
A test that really needs the network must say so with ``@pytest.mark.network``.
"""

from __future__ import annotations

import ipaddress
import socket

import pytest

pytest_plugins = ["tests.web_server",  # the live publisher (`live` fixture) for tests/test_web_*.py
                  "tests.browser"]  # the one Chromium fixture (`browser`) of every browser test

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


class NetworkBlocked(ConnectionRefusedError):
    """Raised instead of connecting anywhere but loopback during tests."""


def _is_loopback(address: object) -> bool:
    if isinstance(address, (str, bytes)):  # AF_UNIX path
        return True
    host = address[0] if isinstance(address, tuple) and address else address
    if host == "localhost":
        return True
    try:
        ip = ipaddress.ip_address(str(host).split("%", 1)[0])
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return ip.is_loopback or bool(mapped and mapped.is_loopback)


def _guarded_connect(self: socket.socket, address: object) -> None:
    if not _is_loopback(address):
        raise NetworkBlocked(f"network access blocked in tests: {address!r}")
    return _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: object) -> int:
    if not _is_loopback(address):
        raise NetworkBlocked(f"network access blocked in tests: {address!r}")
    return _real_connect_ex(self, address)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "network: the test may connect beyond loopback (guard lifted)")


@pytest.fixture(autouse=True)
def _block_network(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuse non-loopback connections for the duration of each test."""
    if request.node.get_closest_marker("network"):
        return
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", _guarded_connect_ex)
