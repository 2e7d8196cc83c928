"""Prove a post's etcd wiring against the installed etcd: start it with the post's flags and talk to it.

One post at a time: check every etcd flag against ``etcd --help``, rewrite
the flags to run here (:mod:`.rewrite`), write throw-away certificates
(:mod:`.certs`), start each member, then act as the post's kube-apiserver
with ``etcdctl``. Everything runs under one deadline, in one temporary
folder, and every process is stopped in a ``finally`` (KeyboardInterrupt
included) before the folder is removed.
"""

from __future__ import annotations

import datetime as _dt
import os
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..model import Post
from .certs import issue_certificates
from .model import Claim, Note, VerifyResult
from .pki import Authorities
from .proofs import prove
from .rewrite import PATH_FLAGS, plan_run
from .session import Session, TimeUp, run_tool
from .wiring import NEEDED, Wiring, check_flags, fill_defaults, outside_flags, read_wiring

DEFAULT_TIMEOUT = 60.0  # seconds for one post, start to clean-up


@dataclass(frozen=True)
class Binaries:
    """The installed programs, and what ``etcd --help`` and ``etcd --version`` say."""

    etcd: str
    etcdctl: str
    openssl: str
    version: str
    flags: frozenset[str]
    defaults: Mapping[str, str] = field(hash=False)


class Unavailable(Exception):
    """A program the check needs is missing or does not answer."""


def find_binaries() -> Binaries:
    """Locate etcd, etcdctl and openssl and read etcd's version and flags (``etcd --help``, once).

    Raises :class:`Unavailable` with the command that installs what is missing.
    """
    found = {}
    for name, package in (("etcd", "etcd-server"), ("etcdctl", "etcd-client"), ("openssl", "openssl")):
        path = shutil.which(name) or (f"/usr/bin/{name}" if os.access(f"/usr/bin/{name}", os.X_OK) else None)
        if path is None:
            raise Unavailable(f"{name} not found: run `apt-get install -y {package}`")
        found[name] = path
    try:
        version_text = run_tool([found["etcd"], "--version"], 10).stdout
        help_run = run_tool([found["etcd"], "--help"], 10)
    except (OSError, TimeUp) as exc:
        raise Unavailable(f"{found['etcd']} does not answer: {exc}") from exc
    version = next((line.split(":", 1)[1].strip() for line in version_text.splitlines() if "Version:" in line), "")
    flags, defaults = parse_etcd_help(help_run.stdout + help_run.stderr)
    if not version or "listen-client-urls" not in flags:
        raise Unavailable(f"{found['etcd']} does not look like etcd (no version or flags in its --version/--help)")
    return Binaries(found["etcd"], found["etcdctl"], found["openssl"], version, frozenset(flags), defaults)


def parse_etcd_help(text: str) -> tuple[set[str], dict[str, str]]:
    """The flags ``etcd --help`` lists, and the default it prints for each (quotes off)."""
    flags: set[str] = set()
    defaults: dict[str, str] = {}
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("etcd --"):  # usage lines: "etcd --config-file", "etcd --version"
            stripped = stripped[len("etcd ") :]
        if not stripped.startswith("--") or not line.startswith("  "):
            continue
        name, _, rest = stripped[2:].partition(" ")
        if not name or not all(c.isalnum() or c == "-" for c in name):
            continue
        flags.add(name)
        if rest.strip():
            defaults[name] = rest.strip().strip("'")
    return flags, defaults


def verify_posts(
    posts: Iterable[Post],
    catalog,
    *,
    binaries: Binaries | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    today: str | None = None,
    workdir: Path | None = None,
) -> dict[str, VerifyResult]:
    """Verify every post that shows an etcd member; ``{post path: result}`` (other posts are left out).

    ``timeout`` bounds each post; ``today`` (ISO date) is what the summary
    says, the UTC date by default. Never raises for what a post contains.
    """
    today = today or _today()
    results: dict[str, VerifyResult] = {}
    missing: str | None = None
    for post in posts:
        wiring = read_wiring(post)
        if not wiring.members:
            continue
        if binaries is None and missing is None:
            try:
                binaries = find_binaries()
            except Unavailable as exc:
                missing = str(exc)
        if binaries is None:
            first = wiring.members[0]
            claim = Claim(first.path, first.line, "etcd can be run to verify this post", False, missing or "")
            results[post.path] = VerifyResult(post.path, None, today, (claim,))
            continue
        results[post.path] = verify_wiring(wiring, catalog, binaries, timeout=timeout, today=today, workdir=workdir)
    return results


def verify_wiring(
    wiring: Wiring,
    catalog,
    binaries: Binaries,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    today: str = "",
    workdir: Path | None = None,
) -> VerifyResult:
    """Check, start and talk to the etcd members of one post (see the module docstring)."""
    today = today or _today()
    version = binaries.version
    claims: list[Claim] = []
    for member in wiring.members:
        failures = check_flags(member, binaries.flags, version, catalog) + outside_flags(member)
        claims += failures or [
            Claim(
                member.path,
                member.line,
                f"etcd {version} accepts the {len(member.settings)} flags of member {member.member_name} ({member.label})",
                True,
            )
        ]
    if any(not c.ok for c in claims):
        # etcd would only refuse to start; the flags are the finding.
        return VerifyResult(wiring.path, version, today, tuple(claims))

    notes: list[Note] = []
    members = []
    for member in wiring.members:
        filled, added = fill_defaults(member, binaries.defaults)
        members.append(filled)
        notes += added
    wiring = Wiring(wiring.path, tuple(members), wiring.apiservers)
    for client in wiring.apiservers:
        if client.get("etcd-servers") is None:
            why = "its manifest is truncated before" if client.truncated else "it does not set"
            notes.append(Note(client.path, client.line, f"{client.label}: {why} --etcd-servers; nothing to connect"))

    session: Session | None = None
    rewrites: tuple = ()
    try:
        session = Session(binaries, timeout, workdir)
        plan = plan_run(wiring, session.root, session.free_port, _path_test(catalog))
        rewrites = plan.rewrites
        notes += plan.notes
        authorities = Authorities(session.private / "pki", binaries.openssl, session.openssl)
        issued = issue_certificates(plan, authorities)
        notes += issued.notes
        claims += prove(session, plan, issued, authorities)
    except TimeUp as exc:
        claims.append(Claim(wiring.path, _first_line(wiring), "the check ends in time", False, str(exc)))
    except Exception as exc:  # noqa: BLE001 - a post must never crash the build; say what broke instead
        reason = f"the check could not run: {type(exc).__name__}: {exc}"
        claims.append(Claim(wiring.path, _first_line(wiring), "the post's etcd can be run here", False, reason))
    finally:
        if session is not None:
            session.close()
    return VerifyResult(wiring.path, version, today, tuple(claims), tuple(rewrites), tuple(notes))


def _today() -> str:
    return _dt.datetime.now(_dt.timezone.utc).date().isoformat()


def _first_line(wiring: Wiring) -> int:
    return wiring.members[0].line if wiring.members else 1


def _path_test(catalog):
    def is_path(component: str, name: str) -> bool:
        spec = catalog.lookup(component, f"--{name}") if catalog is not None else None
        return spec.type == "path" if spec is not None else name in PATH_FLAGS

    return is_path


__all__ = [
    "NEEDED",
    "Binaries",
    "Unavailable",
    "find_binaries",
    "parse_etcd_help",
    "verify_posts",
    "verify_wiring",
]
