"""Flag values normalised for comparison: URLs, paths, CIDRs, booleans.

Two posts, or two lines of one post, may write the same value differently
(``https://127.0.0.1:2379/`` and ``https://127.0.0.1:2379``, ``/etc//pki`` and
``/etc/pki``, ``10.96.0.1/12`` and ``10.96.0.0/12``); the relation checks
compare what the programs would read, not the spelling. :class:`Listeners`
answers "who serves this client URL" for many listen URLs at once.
"""

from __future__ import annotations

import functools
import ipaddress
import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Generic, TypeVar
from urllib.parse import urlsplit

from ..parse.argv import split_list, unquote

_DEFAULT_PORTS = {"http": 80, "https": 443}
_WILDCARDS = frozenset({"0.0.0.0", "::"})
_LOOPBACK = frozenset({"127.0.0.1", "::1"})
_TRUE = frozenset({"true", "1", "yes", "t", "on", "y"})
_FALSE = frozenset({"false", "0", "no", "f", "off", "n"})
# A CIDR: hex digits, colons and dots, then a prefix length of 1 to 3 ASCII digits (linear: one class, one run).
_CIDR_RE = re.compile(r"^[0-9a-fA-F:.]+/[0-9]{1,3}$")
# An integer as flags write it; longer numbers compare as text (int() refuses over 4300 digits).
_INT_RE = re.compile(r"[+-]?[0-9]{1,40}")
T = TypeVar("T")


@dataclass(frozen=True)
class Address:
    """A URL reduced to what decides who serves it: scheme, host and port."""

    scheme: str
    host: str  # lower-case; IP addresses in their canonical form
    port: int | None

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}" + (f":{self.port}" if self.port is not None else "")

    @property
    def is_ip(self) -> bool:
        """Whether the host is an IP address rather than a name."""
        return _is_ip(self.host)

    @property
    def wildcard(self) -> bool:
        """Whether the host is 0.0.0.0 or ::, which a server reads as every address."""
        return self.host in _WILDCARDS


# A post repeats its URLs (every rule reads --listen-client-urls): parse each text once.
@functools.lru_cache(maxsize=4096)
def parse_address(text: str) -> Address | None:
    """``https://127.0.0.1:2379/`` -> ``Address('https', '127.0.0.1', 2379)``; ``None`` when not a URL."""
    text = unquote(text.strip())
    if "://" not in text:
        return None
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme in ("unix", "unixs"):
        return Address(scheme, (parts.netloc + parts.path).lower(), None)
    host = (parts.hostname or "").lower()
    if not host:
        return None
    if _is_ip(host):
        host = str(ipaddress.ip_address(host))
    return Address(scheme, host, port if port is not None else _DEFAULT_PORTS.get(scheme))


@functools.lru_cache(maxsize=4096)
def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def serves(listener: Address, client: Address) -> bool | None:
    """Whether a server listening on ``listener`` answers a client dialling ``client``.

    ``None`` when that cannot be known at build time. A decision, documented
    in ``rules/relations.yaml``: localhost is the loopback address. Every
    distribution maps it to 127.0.0.1 and ::1 in /etc/hosts, Go clients dial
    each address in turn, and a Go server told to listen on localhost binds
    the first one, 127.0.0.1; so a localhost client reaches a 127.0.0.1 or
    ::1 listener, and a localhost listener serves 127.0.0.1 (::1 cannot be
    told). Any other host name against an address would need DNS: ``None``.
    """
    if listener.scheme != client.scheme or listener.port != client.port:
        return False
    if listener.wildcard or listener.host == client.host:
        return True
    if client.host == "localhost" and listener.host in _LOOPBACK:
        return True
    if listener.host == "localhost":
        if client.host == "127.0.0.1":
            return True
        if client.host == "::1":
            return None
    definite = {"localhost"}
    if (listener.is_ip or listener.host in definite) and (client.is_ip or client.host in definite):
        return False
    return None


def normalise_path(text: str) -> str:
    """A file path as the kernel reads it: ``/etc//kubernetes/./pki/`` -> ``/etc/kubernetes/pki``."""
    value = unquote(text.strip())
    return posixpath.normpath(value) if value else value


def parse_bool(text: str | None) -> bool | None:
    """``true``/``1``/``yes`` -> True, ``false``/``0``/``no`` -> False; a bare flag (``None``) is true."""
    if text is None:
        return True
    word = unquote(text.strip()).lower()
    return True if word in _TRUE else False if word in _FALSE else None


def normalise_cidrs(text: str) -> tuple | None:
    """A CIDR list (dual-stack flags take two) as networks, in order; ``None`` if any item is not one."""
    try:
        return tuple(ipaddress.ip_network(unquote(item), strict=False) for item in split_list(text))
    except ValueError:
        return None


def normalise_value(value: str | None, type_: str | None) -> object:
    """A value in a form where equal meaning compares equal, by catalog type (guessed when unknown)."""
    if value is None:
        return True if type_ == "bool" else None
    text = unquote(value.strip())
    type_ = type_ or _guess_type(text)
    if type_ in ("url", "url-list"):
        items = [parse_address(v) for v in split_list(text)]
        return frozenset(items) if items and all(items) else text
    if type_ == "path":
        return normalise_path(text)
    if type_ == "cidr":
        return normalise_cidrs(text) or text
    if type_ == "bool":
        found = parse_bool(text)
        return text.lower() if found is None else found
    if type_ in ("int", "port"):
        return int(text) if _INT_RE.fullmatch(text) else text
    if type_ in ("string-list", "map"):
        return frozenset(split_list(text))
    return text


def _guess_type(text: str) -> str | None:
    if "://" in text:
        return "url-list"
    if text.startswith("/"):
        return "path"
    if all(_CIDR_RE.match(v) for v in split_list(text)) and text:
        return "cidr"
    if text.lower() in ("true", "false"):
        return "bool"
    if text.isascii() and text.isdigit():
        return "int"
    return None


def addresses(value: str) -> list[tuple[str, Address | None]]:
    """Each item of a comma-separated URL list, with its :class:`Address` (``None`` when not a URL)."""
    return [(item, parse_address(item)) for item in split_list(value)]


@dataclass
class _Port(Generic[T]):
    """The listen addresses of one scheme and port, by host; the first listener of each host is kept."""

    hosts: dict[str, tuple[int, T]] = field(default_factory=dict)
    wildcard: tuple[int, T] | None = None
    names: bool = False  # a host name other than localhost: only DNS could tell what it serves


class Listeners(Generic[T]):
    """Listen addresses indexed so that :meth:`decide` answers as :func:`serves` would, in constant time.

    Asking :func:`serves` of every listener for every client is quadratic in
    the number of manifests of a post; this index is built once and gives the
    same verdicts: for each client, the first listener (in the order given)
    that serves it, else ``None`` when one might (a host name, or an item
    that is not a URL), else ``False``.
    """

    def __init__(self, listeners: Iterable[tuple[Address | None, T]]) -> None:
        self._ports: dict[tuple[str, int | None], _Port[T]] = {}
        self._any = False  # at least one listen item
        self._unreadable = False  # an item that is not a URL: it might serve anything
        for place, (addr, owner) in enumerate(listeners):
            self._any = True
            if addr is None:
                self._unreadable = True
                continue
            port = self._ports.setdefault((addr.scheme, addr.port), _Port())
            if addr.wildcard:
                port.wildcard = port.wildcard or (place, owner)
            else:
                port.hosts.setdefault(addr.host, (place, owner))
            if not (addr.is_ip or addr.host == "localhost"):
                port.names = True

    def decide(self, client: Address | None) -> tuple[bool | None, T | None]:
        """Whether a listener serves ``client``, and the first that does.

        ``(True, listener)`` when one does; ``(None, None)`` when only DNS (or a
        listen item that is not a URL) could tell; ``(False, None)`` when none does.
        """
        if client is None:
            return (None, None) if self._any else (False, None)
        port = self._ports.get((client.scheme, client.port))
        if port is not None:
            # The hosts that serves() accepts for this client: the same host, a wildcard, and localhost's loopback.
            hosts = [client.host]
            if client.host == "localhost":
                hosts += sorted(_LOOPBACK)
            elif client.host == "127.0.0.1":
                hosts.append("localhost")
            hits = [port.hosts[h] for h in hosts if h in port.hosts] + ([port.wildcard] if port.wildcard else [])
            if hits:
                return True, min(hits, key=lambda hit: hit[0])[1]
        if self._unreadable:
            return None, None
        if port is None:
            return False, None
        definite = _is_ip(client.host) or client.host == "localhost"
        if not definite or port.names or (client.host == "::1" and "localhost" in port.hosts):
            return None, None
        return False, None
