"""A post's etcd wiring as the engine read it: its etcd members and the kube-apiservers that talk to them.

Pure: no process, no file. The flags come from ``post.uses`` (what the engine
extracted), grouped by the manifest container or typed command they belong to.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..model import FlagUse, Origin, Post
from .model import Claim, Note

ETCD = "etcd"
APISERVER = "kube-apiserver"

#: The flags without which etcd cannot serve a client; when a post leaves one out, etcd's default is used.
NEEDED = (
    "name",
    "data-dir",
    "listen-client-urls",
    "advertise-client-urls",
    "listen-peer-urls",
    "initial-advertise-peer-urls",
    "initial-cluster",
)

#: Needed flags whose default etcd computes from others instead of printing it (seen with etcd 3.4.23: a member
#: started without --initial-cluster forms the cluster ``<--name>=<--initial-advertise-peer-urls>``).
DERIVED = {"initial-cluster": "builds it from --name and --initial-advertise-peer-urls"}

#: Flags that make etcd bootstrap through a service outside this machine: such a post cannot be run here.
OUTSIDE = ("discovery", "discovery-srv", "config-file")


@dataclass(frozen=True)
class Setting:
    """One flag of one program as the post writes it (``value`` is ``None`` for a bare ``--flag``)."""

    path: str
    line: int
    name: str
    flag: str
    value: str | None
    default: bool = False  # True when the post does not set it and etcd's default stands in

    @property
    def origin(self) -> Origin:
        """Where the flag is written."""
        return Origin(self.path, self.line)

    @property
    def text(self) -> str:
        """The flag as written: ``--flag`` or ``--flag=value``."""
        return self.flag if self.value is None else f"{self.flag}={self.value}"


@dataclass(frozen=True)
class Source:
    """The flags of one program in a post: an etcd member, or a kube-apiserver's ``--etcd-*`` flags."""

    component: str
    label: str
    path: str
    line: int
    truncated: bool
    host: str | None
    settings: tuple[Setting, ...]

    def get(self, name: str) -> Setting | None:
        """The setting of flag ``name``; the last one wins, as with Go's flag package."""
        found = None
        for setting in self.settings:
            if setting.name == name:
                found = setting
        return found

    def value(self, name: str) -> str | None:
        """The value of flag ``name``; ``None`` when it is unset or bare."""
        setting = self.get(name)
        return None if setting is None else setting.value

    def enabled(self, name: str) -> bool:
        """Whether boolean flag ``name`` is on (``--client-cert-auth`` or ``--client-cert-auth=true``)."""
        setting = self.get(name)
        return setting is not None and (setting.value is None or setting.value.strip().lower() == "true")

    @property
    def member_name(self) -> str:
        """The member's ``--name``, or etcd's ``default`` when unset."""
        return self.value("name") or "default"


@dataclass(frozen=True)
class Wiring:
    """Every etcd member of a post and every kube-apiserver pointed at etcd."""

    path: str
    members: tuple[Source, ...]
    apiservers: tuple[Source, ...]


def read_wiring(post: Post) -> Wiring:
    """Group the post's etcd and kube-apiserver flag uses by the container or command they come from.

    Manifests, typed commands and the command lines of unit and env files count: a flag
    named in prose configures nothing.
    """
    members: list[Source] = []
    apiservers: list[Source] = []
    for manifest in post.manifests:
        for container in manifest.containers:
            if container.component not in (ETCD, APISERVER):
                continue
            lines = {origin for origin, _ in container.argv} | {item[0] for item in container.env}
            uses = [u for u in post.uses if u.kind == "manifest" and u.component == container.component]
            picked = [u for u in uses if u.origin in lines]
            origin = container.origin or manifest.origin
            label = manifest.label + (f" container {container.name}" if container.name else "")
            _add(members, apiservers, container.component, label, origin, manifest.truncated, picked)
    taken: set[int] = set()
    for command in post.commands:
        if command.tool not in (ETCD, APISERVER):
            continue
        lines = {command.origin, *command.arg_origins}
        picked = [
            u
            for u in post.uses
            if u.kind == "command" and u.component == command.tool and u.block == command.block and u.origin in lines
        ]
        taken.update(id(u) for u in picked)
        _add(members, apiservers, command.tool, f"command `{command.tool}`", command.origin, False, picked)
    # Command lines in files the post writes or shows: a systemd unit's ExecStart, an env file (ETCD_*).
    files: dict[tuple, list[FlagUse]] = {}
    for u in post.uses:
        if u.kind == "command" and u.component in (ETCD, APISERVER) and id(u) not in taken:
            files.setdefault((u.component, u.block, u.object), []).append(u)
    for (component, _, label), picked in files.items():
        first = picked[0]
        _add(members, apiservers, component, label or f"`{component}` command line", first.origin, False, picked)
    return Wiring(post.path, tuple(members), tuple(apiservers))


def _add(
    members: list[Source],
    apiservers: list[Source],
    component: str,
    label: str,
    origin: Origin,
    truncated: bool,
    uses: list[FlagUse],
) -> None:
    settings = tuple(_setting(u) for u in uses)
    host = next((u.host for u in uses if u.host), None)
    if component == ETCD:
        members.append(Source(component, label, origin.path, origin.line, truncated, host, settings))
        return
    settings = tuple(s for s in settings if s.name.startswith("etcd-"))
    if settings:
        apiservers.append(Source(component, label, origin.path, origin.line, truncated, host, settings))


def _setting(use: FlagUse) -> Setting:
    name = use.name or use.flag.lstrip("-")
    # An environment variable (ETCD_DATA_DIR) or a kubeadm extraArgs key stands for the flag itself.
    flag = use.flag if use.spelling is None and use.flag.startswith("--") else f"--{name}"
    return Setting(use.path, use.line, name, flag, use.value)


def check_flags(member: Source, accepted: Iterable[str], version: str, catalog) -> list[Claim]:
    """One failed claim per flag of ``member`` that etcd ``version`` does not accept.

    A flag the catalog knows from other releases says so (removed, or listed
    only elsewhere); anything else is a likely typo, with the closest flag
    etcd does accept.
    """
    accepted = sorted(set(accepted))
    known = set(accepted)
    release = ".".join(version.split(".")[:2])
    failures = []
    for setting in member.settings:
        if setting.name in known:
            continue
        spec = catalog.lookup(ETCD, f"--{setting.name}") if catalog is not None else None
        text = f"etcd {version} accepts {setting.flag}"
        if spec is not None and spec.removed:
            instead = f"; use {spec.replacement}" if spec.replacement else (f" ({spec.note})" if spec.note else "")
            reason = f"{setting.flag} was removed in etcd {spec.removal}{instead}"
        elif spec is not None and spec.status_at(release) != "ok":
            life = spec.timeline() or "known to the catalog"
            reason = f"{setting.flag} exists only in other etcd releases ({life}), not in {version}"
        else:
            close = difflib.get_close_matches(setting.name, accepted, n=1, cutoff=0.6)
            hint = f"; did you mean --{close[0]}?" if close else ""
            reason = f"etcd {version} has no flag {setting.flag}{hint}"
        failures.append(Claim(setting.path, setting.line, text, False, reason))
    return failures


def outside_flags(member: Source) -> list[Claim]:
    """Failed claims for flags that would make etcd reach beyond this machine or ignore its flags."""
    out = []
    for name in OUTSIDE:
        setting = member.get(name)
        if setting is not None and (setting.value or "").strip():
            out.append(
                Claim(
                    setting.path,
                    setting.line,
                    f"etcd member {member.member_name} can be started here",
                    False,
                    f"{setting.text} bootstraps from outside the post's flags; it cannot be verified on one machine",
                )
            )
    return out


def fill_defaults(member: Source, defaults: Mapping[str, str]) -> tuple[Source, list[Note]]:
    """``member`` with etcd's own default for each needed flag it lacks, and a note for each.

    The defaults come from the installed etcd's ``--help``; the note says
    whether the post cut the manifest (``--TRUNCATED--``) or never set it.
    """
    added = []
    notes = []
    for name in NEEDED:
        if member.get(name) is not None or name not in defaults:
            continue
        missing = "the manifest is truncated before" if member.truncated else "the post does not set"
        said = f"etcd member {member.member_name}: {missing} --{name}, which etcd needs"
        if name in DERIVED:
            notes.append(Note(member.path, member.line, f"{said}; left to etcd, which {DERIVED[name]}"))
            continue
        # etcd prints its data-dir default as the expression ${name}.etcd.
        value = defaults[name].replace("${name}", member.member_name)
        added.append(Setting(member.path, member.line, name, f"--{name}", value, default=True))
        notes.append(Note(member.path, member.line, f"{said}; using etcd's default --{name}={value}"))
    if not added:
        return member, notes
    filled = Source(
        member.component,
        member.label,
        member.path,
        member.line,
        member.truncated,
        member.host,
        member.settings + tuple(added),
    )
    return filled, notes
