"""What settings learn from the machine they run on: a secret key kept in a file, the machine's
own names and addresses. Functions only (no settings here), so tests can call them."""

import contextlib
import os
import socket
import tempfile
from pathlib import Path

from django.core.management.utils import get_random_secret_key

LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
WILDCARD_ADDRESSES = {"0.0.0.0", "::"}  # noqa: S104 -- names of "every interface", compared only


def secret_key_in(directory: Path) -> str:
    """The key kept in `directory`/secret_key, made there on first use (mode 0600).

    The web server and the task worker start at the same moment: the file appears whole (written
    under a temporary name, then linked, which fails if it exists), and whoever loses the race
    reads the winner's key, so both processes sign with the same key."""
    path = directory / "secret_key"
    with contextlib.suppress(FileNotFoundError):
        return path.read_text().strip()
    directory.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".secret_key.")
    try:
        with os.fdopen(handle, "w") as file:
            file.write(get_random_secret_key())
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        os.unlink(temporary)
    return path.read_text().strip()


def _interface_addresses() -> set[str]:
    """This machine's IPv4 addresses, read from its network interfaces (Linux); empty where
    that is not possible. No packet is sent."""
    try:
        import fcntl
        import struct
    except ImportError:  # not a Unix
        return set()
    siocgifaddr = 0x8915
    found = set()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        for _index, name in socket.if_nameindex():
            request = struct.pack("256s", name.encode()[:15])
            with contextlib.suppress(OSError):  # an interface without an IPv4 address
                found.add(socket.inet_ntoa(fcntl.ioctl(probe.fileno(), siocgifaddr, request)[20:24]))
    return found


def _resolved(name: str) -> set[str]:
    """The addresses the local resolver gives for this machine's own name (the hosts file)."""
    try:
        return {info[4][0] for info in socket.getaddrinfo(name, None)}
    except OSError:
        return set()


def _as_host(address: str) -> str:
    return f"[{address}]" if ":" in address else address  # IPv6 in a Host header is bracketed


def lan_allowed_hosts(bind: str) -> list[str]:
    """The Host headers to accept when listening on `bind`: this machine's names, the bound
    address (every interface's for a wildcard), the addresses the names resolve to, loopback."""
    bind = bind.strip("[]")
    names = {socket.gethostname(), socket.getfqdn()} - {""}
    addresses = _interface_addresses() if bind in WILDCARD_ADDRESSES else {bind}
    for name in names:
        addresses |= _resolved(name)
    addresses -= WILDCARD_ADDRESSES
    return sorted(set(LOOPBACK_HOSTS) | {n.lower() for n in names} | {_as_host(a) for a in addresses})
