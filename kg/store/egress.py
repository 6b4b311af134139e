"""The second line of defence for SERVICE: the federating worker can reach the allowlisted hosts only.

The guard (``kg.web.guards``) decides which SERVICE calls a query may make, on the engine's reading
of the text. This module makes sure that no mistake in that decision can reach any other host: the
engine (pyoxigraph, Rust) makes its HTTP calls itself, honours no proxy setting (its client,
``oxhttp``, has no proxy support; checked in its source) and follows no redirect by default, so the
check has to sit where the connection is made, in the kernel's view of the network.

``confine(endpoints)`` runs in a freshly forked worker, before it takes its query:

1. it resolves each endpoint's host and creates a few unconnected TCP sockets, *in the server's
   network* (a socket keeps the network namespace it was created in, whatever its process does later);
2. it moves into new, empty network and mount namespaces (``unshare``), where only loopback exists;
3. there it listens, for each endpoint, on a loopback address and the endpoint's port; a hostname is
   pointed at that address by a private ``/etc/hosts`` (bind-mounted in the new mount namespace only);
4. a forwarder thread connects each accepted connection through one of the sockets of step 1 to the
   address resolved in step 1, and copies bytes both ways (TLS runs end to end: the engine still
   talks to the real host name, and checks its certificate).

Any other address, the server's own port included, answers "connection refused" inside the
namespace; no DNS is reachable either. Each endpoint takes at most ``CONNECTIONS`` connections per
query. If the kernel offers no namespaces at all, ``confine`` returns False and the worker runs
unconfined, like the ordinary workers on such a machine (``sandboxed`` is then False, and the
service description says so); if it offers them but a later step fails, the worker stays in the empty
namespace and every SERVICE call fails: closed, not open.
"""

from __future__ import annotations

import ctypes
import fcntl
import ipaddress
import os
import select
import socket
import struct
import tempfile
import threading
from dataclasses import dataclass, field
from urllib.parse import urlsplit

CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1
CONNECTIONS = 16
CONNECT_TIMEOUT = 10.0


@dataclass
class Route:
    """One allowlisted host:port: where the engine connects inside the namespace, and where that goes."""

    host: str
    port: int
    local: str = ""  # loopback address listened on inside the namespace
    remote: tuple | None = None  # (family, sockaddr) resolved in the server's network
    sockets: list[socket.socket] = field(default_factory=list)


def routes_for(endpoints: tuple[str, ...] | list[str]) -> list[Route]:
    """The distinct host:port pairs of ``endpoints`` (http/https URLs; others are ignored)."""
    routes: dict[tuple[str, int], Route] = {}
    for url in endpoints:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            continue
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            continue
        routes.setdefault((parts.hostname.lower(), port), Route(parts.hostname.lower(), port))
    names = sorted({r.host for r in routes.values() if not _is_ip(r.host)})
    for route in routes.values():
        route.local = route.host if _is_ip(route.host) else f"127.0.0.{2 + names.index(route.host)}"
    return [r for r in routes.values() if not _is_ip(r.host) or ipaddress.ip_address(r.host).is_loopback]


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _prepare(route: Route) -> None:
    """Step 1, in the server's network: resolve, and make the sockets the forwarder will connect."""
    found = socket.getaddrinfo(route.host, route.port, type=socket.SOCK_STREAM)
    family, _, _, _, sockaddr = next((f for f in found if f[0] == socket.AF_INET), found[0])  # IPv4 first
    route.remote = (family, sockaddr)
    route.sockets = [socket.socket(family, socket.SOCK_STREAM) for _ in range(CONNECTIONS)]


def _unshare() -> bool:
    libc = ctypes.CDLL(None, use_errno=True)
    for flags in (CLONE_NEWNET | CLONE_NEWNS, CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWNS):
        if libc.unshare(flags) == 0:
            return True
    return False


def _loopback_up() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        flags = struct.unpack("16sH", fcntl.ioctl(probe, SIOCGIFFLAGS, struct.pack("16sH", b"lo", 0)))[1]
        fcntl.ioctl(probe, SIOCSIFFLAGS, struct.pack("16sH", b"lo", flags | IFF_UP))


def _hosts_file(routes: list[Route]) -> str | None:
    """A hosts file pointing each allowlisted host name at its loopback address (written before the
    namespaces change: in a new user namespace this process could no longer create files)."""
    named = [r for r in routes if not _is_ip(r.host)]
    if not named:
        return None
    with tempfile.NamedTemporaryFile("w", prefix="kg-hosts-", delete=False) as hosts:
        hosts.write("".join(f"{r.local} {r.host}\n" for r in named))
    os.chmod(hosts.name, 0o644)
    return hosts.name


def _private_hosts(path: str) -> None:
    """Mount ``path`` over /etc/hosts in this (new) mount namespace only."""
    libc = ctypes.CDLL(None, use_errno=True)
    try:
        if libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None) != 0:
            raise OSError(ctypes.get_errno(), "cannot make the mounts private")
        if libc.mount(path.encode(), b"/etc/hosts", None, MS_BIND, None) != 0:
            raise OSError(ctypes.get_errno(), "cannot bind-mount a private /etc/hosts")
    finally:
        try:
            os.unlink(path)  # the mount keeps the file
        except OSError:  # in a user namespace /tmp's sticky bit may forbid it: a few bytes left behind
            pass


def _listen(route: Route) -> socket.socket:
    family = socket.AF_INET6 if ":" in route.local else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((route.local, route.port))
    listener.listen(CONNECTIONS)
    return listener


def _pump(inside: socket.socket, outside: socket.socket) -> None:
    """Copy bytes both ways until either side closes."""
    with inside, outside:
        pair = {inside: outside, outside: inside}
        while True:
            readable, _, _ = select.select(list(pair), [], [])
            for source in readable:
                data = source.recv(65536)
                if not data:
                    return
                pair[source].sendall(data)


def _forward(listeners: dict[socket.socket, Route]) -> None:
    while True:
        ready, _, _ = select.select(list(listeners), [], [])
        for listener in ready:
            inside, _ = listener.accept()
            route = listeners[listener]
            if not route.sockets or route.remote is None:  # this query used up its connections
                inside.close()
                continue
            outside = route.sockets.pop()
            try:
                outside.settimeout(CONNECT_TIMEOUT)
                outside.connect(route.remote[1])
                outside.settimeout(None)
            except OSError:
                inside.close()
                outside.close()
                continue
            threading.Thread(target=_pump, args=(inside, outside), daemon=True).start()


def confine(endpoints: tuple[str, ...] | list[str]) -> bool:
    """Confine this (single-threaded, just forked) process to ``endpoints``' hosts; see the module doc.
    False when the kernel has no namespaces to offer (the process is then left as it was)."""
    routes = routes_for(endpoints)
    for route in routes:
        try:
            _prepare(route)
        except OSError:  # unresolvable now: that endpoint stays unreachable
            route.remote = None
    hosts = _hosts_file(routes)
    if not _unshare():
        for route in routes:
            for sock in route.sockets:
                sock.close()
        if hosts:
            os.unlink(hosts)
        return False
    try:
        _loopback_up()
        if hosts:
            _private_hosts(hosts)
        listeners = {_listen(route): route for route in routes}
    except OSError:
        return True  # in the empty namespace: every SERVICE call fails
    if listeners:
        threading.Thread(target=_forward, args=(listeners,), daemon=True, name="kg-egress").start()
    return True
