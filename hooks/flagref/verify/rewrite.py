"""Rewrite a post's etcd wiring so it runs on one machine: addresses to 127.x, ports to free ports, paths to a folder.

Only what must change changes, and each change is reported:

- a loopback address (``127.0.0.1``, ``localhost``) is kept, unless several
  members would listen on the same loopback port (kubeadm's stacked members
  each listen on ``127.0.0.1:2379`` of their own machine): then each machine
  gets its own loopback, ``127.1.0.<n>``;
- every other address or host name gets the next free ``127.0.0.<n>``;
  ``0.0.0.0`` becomes the member's own addresses, so servers bind to 127.x only;
- every port number becomes one free port (the same on every address, as
  the same port is on every machine);
- every path goes under the machine's folder, keeping the post's file names.

Pure apart from the ``free_port`` callable the caller provides.
"""

from __future__ import annotations

import ipaddress
import posixpath
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import SplitResult, urlsplit

from .model import Note, Rewrite
from .wiring import Setting, Source, Wiring

LISTEN = ("listen-client-urls", "listen-peer-urls", "listen-metrics-urls")
CLIENT_HOSTS = ("listen-client-urls", "advertise-client-urls")
PEER_HOSTS = ("listen-peer-urls", "initial-advertise-peer-urls")
# Paths when the catalog has no entry to say so (it normally does: type path).
# Counted up from these, so a post with more than 254 hosts still gets valid addresses in 127.0.0.0/8.
_ADDRESSES = ipaddress.IPv4Address("127.0.0.0")
_LOOPBACKS = ipaddress.IPv4Address("127.1.0.0")
PATH_FLAGS = frozenset(
    {
        "data-dir",
        "wal-dir",
        "cert-file",
        "key-file",
        "trusted-ca-file",
        "peer-cert-file",
        "peer-key-file",
        "peer-trusted-ca-file",
        "client-crl-file",
        "peer-crl-file",
        "etcd-cafile",
        "etcd-certfile",
        "etcd-keyfile",
    }
)


@dataclass(frozen=True)
class Machine:
    """A machine of the post, played by a folder and a loopback address."""

    index: int
    name: str
    root: Path
    loopback: str | None  # what this machine's 127.0.0.1 becomes; None keeps it


@dataclass(frozen=True)
class Run:
    """A program of the post ready to run: its source, machine and rewritten flags."""

    source: Source
    machine: Machine
    values: dict[str, str | None] = field(hash=False)  # canonical name -> rewritten value
    argv: tuple[str, ...] = ()


@dataclass(frozen=True)
class Plan:
    """How a post runs here: members, clients, each host's loopback address, the ports moved, rewrites and notes."""

    members: tuple[Run, ...]
    clients: tuple[Run, ...]
    addresses: dict[str, str] = field(hash=False)  # host of the post -> 127.x address
    ports: dict[int, int] = field(hash=False)
    rewrites: tuple[Rewrite, ...] = ()
    notes: tuple[Note, ...] = ()


def plan_run(
    wiring: Wiring, root: Path, free_port: Callable[[Sequence[str]], int], is_path: Callable[[str, str], bool]
) -> Plan:
    """Rewrite every member and kube-apiserver of ``wiring`` to run under ``root`` on 127.x addresses.

    ``free_port(addresses)`` returns a port free on all of ``addresses``;
    ``is_path(component, name)`` says whether a flag takes a file or folder.
    """
    members = wiring.members
    scoped = _loopback_collides(members)
    notes: list[Note] = []
    machines = [_machine(i, m.member_name, root, scoped) for i, m in enumerate(members)]
    client_machines = []
    for client in wiring.apiservers:
        index = _beside(client, members)
        if index is None:
            index = len(machines)
            machines.append(_machine(index, "kube-apiserver", root, scoped))
        else:
            notes.append(
                Note(
                    client.path,
                    client.line,
                    f"{client.label} runs on the machine of etcd member {members[index].member_name}",
                )
            )
        client_machines.append(machines[index])

    sources = [(m, machines[i]) for i, m in enumerate(members)] + list(zip(wiring.apiservers, client_machines))
    addresses = _assign_addresses(sources, scoped)
    used = sorted(set(addresses.values()) | {m.loopback or "127.0.0.1" for m in machines})
    ports: dict[int, int] = {}
    for source, _ in sources:
        for setting in source.settings:
            for _, parts in _urls(setting.value):
                port = _port(parts)
                if port is not None and port not in ports:
                    ports[port] = free_port(used)

    rewrites: list[Rewrite] = []
    runs = []
    for source, machine in sources:
        own = _own_addresses(source, addresses)
        values: dict[str, str | None] = {}
        argv = []
        for setting in source.settings:
            after, why = _rewrite(setting, source, machine, own, addresses, ports, is_path)
            values[setting.name] = after
            argv.append(setting.flag if after is None else f"{setting.flag}={after}")
            if why:
                # The folder is gone when the report is read: name it, not its random path.
                shown = (after or "").replace(str(root), "<tmp>")
                rewrites.append(Rewrite(setting.path, setting.line, setting.flag, setting.value, shown, why))
        runs.append(Run(source, machine, values, tuple(argv)))
    return Plan(
        tuple(runs[: len(members)]), tuple(runs[len(members) :]), addresses, ports, tuple(rewrites), tuple(notes)
    )


def _machine(index: int, name: str, root: Path, scoped: bool) -> Machine:
    # Folder names come from the post: keep the safe characters only.
    safe = "".join(c for c in name if c.isalnum() or c in "-_.").strip(".") or "machine"
    loopback = str(_LOOPBACKS + index + 1) if scoped else None
    return Machine(index, f"{index + 1}-{safe}", root / f"{index + 1}-{safe}", loopback)


def _beside(client: Source, members: Sequence[Source]) -> int | None:
    """The member on the kube-apiserver's machine: same prompt host, or a member named after that host."""
    for i, member in enumerate(members):
        if client.host and (client.host == member.host or client.host == member.member_name):
            return i
    # One member and no word on the hosts: the seed's layout, where both are on the control plane.
    if len(members) == 1 and (client.host is None or members[0].host is None):
        return 0
    return None


def _host_kind(host: str) -> str:
    """``loopback``, ``wildcard``, or ``remote`` (any other address or a host name)."""
    if host == "localhost":
        return "loopback"
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return "remote"
    if ip.is_loopback:
        return "loopback"
    return "wildcard" if ip.is_unspecified else "remote"


def _urls(value: str | None) -> list[tuple[str, SplitResult]]:
    """``(prefix, url)`` for each comma-separated URL of ``value``; ``prefix`` is ``name=`` in --initial-cluster."""
    if not value or "://" not in value:
        return []
    out = []
    for item in value.split(","):
        item = item.strip()
        prefix = ""
        head, sep, tail = item.partition("=")
        if sep and "://" not in head:
            prefix, item = head + "=", tail
        try:
            parts = urlsplit(item)
        except ValueError:
            continue
        if parts.scheme and parts.hostname:
            out.append((prefix, parts))
    return out


def url_hosts(value: str | None) -> list[str]:
    """The host of each URL in ``value`` (a URL list, or --initial-cluster's ``name=url`` list)."""
    return [parts.hostname for _, parts in _urls(value) if parts.hostname]


def _port(parts: SplitResult) -> int | None:
    try:
        return parts.port
    except ValueError:
        return None


def _loopback_collides(members: Sequence[Source]) -> bool:
    """Whether two members listen on the same loopback port: then they are on different machines."""
    seen: set[tuple[str, int | None]] = set()
    for member in members:
        mine = set()
        for name in LISTEN:
            for _, parts in _urls(member.value(name)):
                if _host_kind(parts.hostname or "") in ("loopback", "wildcard"):
                    mine.add((name, _port(parts)))
        if mine & seen:
            return True
        seen |= mine
    return False


def _assign_addresses(sources, scoped: bool) -> dict[str, str]:
    """Each remote host of the post -> the next ``127.0.0.<n>`` the post does not use itself, in order of use."""
    hosts: list[str] = []
    reserved: set[str] = set()
    for source, _ in sources:
        for setting in source.settings:
            for _, parts in _urls(setting.value):
                host = parts.hostname or ""
                kind = _host_kind(host)
                if kind == "remote" and host not in hosts:
                    hosts.append(host)
                elif kind == "loopback" and not scoped:
                    reserved.add("127.0.0.1" if host == "localhost" else host)
    mapping = {}
    n = 1
    for host in hosts:
        while str(_ADDRESSES + n) in reserved:
            n += 1
        mapping[host] = str(_ADDRESSES + n)
        n += 1
    return mapping


def _own_addresses(source: Source, addresses: dict[str, str]) -> list[str]:
    """The 127.x addresses a member advertises: what its 0.0.0.0 stands for."""
    own = []
    for name in ("advertise-client-urls", "initial-advertise-peer-urls"):
        for _, parts in _urls(source.value(name)):
            mapped = addresses.get(parts.hostname or "")
            if mapped and mapped not in own:
                own.append(mapped)
    return own


def _rewrite(
    setting: Setting,
    source: Source,
    machine: Machine,
    own: list[str],
    addresses: dict[str, str],
    ports: dict[int, int],
    is_path: Callable[[str, str], bool],
) -> tuple[str | None, str]:
    value = setting.value
    if value is None:
        return None, ""
    if is_path(source.component, setting.name) and value.strip():
        relative = posixpath.normpath("/" + value.strip()).lstrip("/")
        after = str(machine.root / relative)
        return after, f"path into the {machine.name} folder"
    urls = _urls(value)
    if not urls:
        return value, ""
    loopback = machine.loopback or "127.0.0.1"
    items = []
    why: list[str] = []
    for prefix, parts in urls:
        host = parts.hostname or ""
        kind = _host_kind(host)
        if kind == "remote":
            hosts = [addresses[host]]
        elif kind == "wildcard":
            # A wildcard listener also answers on the machine's loopback: keep that, on 127.x only.
            hosts = [*own, loopback] if setting.name in LISTEN else [loopback]
        else:
            hosts = [machine.loopback] if machine.loopback else [host]
        port = _port(parts)
        new_port = ports.get(port) if port is not None else None
        for new_host in dict.fromkeys(hosts):
            netloc = new_host if new_port is None else f"{new_host}:{new_port}"
            items.append(prefix + parts._replace(netloc=netloc).geturl())
            if new_host != host:
                mine = " (this machine's loopback)" if kind == "loopback" else ""
                mine = " (the member's own addresses: servers bind to 127.x only)" if kind == "wildcard" else mine
                _say(why, f"{host} -> {new_host}{mine}")
        if new_port is not None and new_port != port:
            _say(why, f"port {port} -> {new_port}")
    return ",".join(items), "; ".join(why)


def _say(why: list[str], text: str) -> None:
    if text not in why:
        why.append(text)
