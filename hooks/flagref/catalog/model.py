"""Catalog records and the lookups the engine needs.

Records are frozen and carry the ``file:line`` they were read from. A flag also
carries its life across releases (:class:`Event`, :class:`DefaultChange`) and
answers the questions the renderers and the target-version check ask:
:meth:`FlagSpec.timeline`, :meth:`FlagSpec.status_at`, :meth:`FlagSpec.default_at`.
"""

from __future__ import annotations

import dataclasses
import re
import types
from collections.abc import Iterator, Mapping

from .vocabulary import fragment, release_spans, version_key

# Matches the whole of env-variable rest like DATA_DIR: runs of [A-Z0-9]
# separated by single underscores; each run is bounded by an underscore, so
# the pattern is linear.
_ENV_REST_RE = re.compile(r"[A-Z0-9]+(?:_[A-Z0-9]+)*")


@dataclasses.dataclass(frozen=True)
class Event:
    """A release in which something happened to a flag, and the evidence for it.

    ``source`` is a pull request (``#106859``) from that release's notes, or
    another check a reader can repeat (``rejected by kubectl 1.37``,
    ``marked DEPRECATED on the 1.24 reference page``); ``None`` only for data
    written before sources were recorded.
    """

    release: str
    source: str | None = None

    def __str__(self) -> str:
        return f"{self.release} ({self.source})" if self.source else self.release


@dataclasses.dataclass(frozen=True)
class DefaultChange:
    """The default of a flag changed from ``old`` to ``new`` in ``release``."""

    release: str
    old: str | None
    new: str | None
    source: str

    def __str__(self) -> str:
        return f"default {self.old or 'none'} → {self.new or 'none'} in {self.release} ({self.source})"


@dataclasses.dataclass(frozen=True)
class FlagSpec:
    """One flag of one component.

    ``name`` is the flag without its dashes; :attr:`flag` puts them back the
    way the component's own help spells it. ``meaning`` is ``None`` while no
    one has written it yet. ``default`` is the default of the newest release
    the catalog knows; ``defaults`` records earlier changes. ``None`` means no
    default worth stating (empty, computed at run time...; ``note`` says how).

    ``introduced`` and ``last_listed`` are the first and last release whose
    reference page lists the flag; ``accepted`` the releases whose binary was
    seen to accept it; ``deprecated``/``removed`` are releases, with their
    evidence in ``deprecated_source``/``removed_source``.
    """

    component: str
    name: str
    meaning: str | None
    type: str
    default: str | None
    short: str | None = None
    deprecated: str | None = None
    removed: str | None = None
    note: str | None = None
    secret: bool = False
    env: str | None = None
    docs_url: str = ""
    values: tuple[str, ...] = ()
    commands: tuple[str, ...] = ()
    prefix: str = "--"
    introduced: str | None = None
    last_listed: str | None = None
    deprecated_source: str | None = None
    removed_source: str | None = None
    defaults: tuple[DefaultChange, ...] = ()
    replacement: str | None = None
    #: Releases whose real binary was run and accepted the flag (kubectl 1.37, etcd 3.4).
    accepted: tuple[str, ...] = ()
    #: The last release whose reference page the component's listing data covers.
    pages_until: str | None = None
    #: The field of the component's configuration file the flag sets, as the file spells it (``clusterDNS``).
    config_field: str | None = None
    source: str = dataclasses.field(default="", compare=False)

    @property
    def flag(self) -> str:
        """The canonical spelling: ``--listen-client-urls``, ``-l`` (ls), ``-in`` (openssl)."""
        return self.prefix + self.name

    @property
    def short_flag(self) -> str | None:
        """``-n`` for kubectl's ``--namespace``; ``None`` without a short alias."""
        return f"-{self.short}" if self.short else None

    @property
    def short_only(self) -> bool:
        """True for options that have no long spelling at all (``ls -l``)."""
        return self.prefix == "-" and self.short == self.name

    @property
    def deprecation(self) -> Event | None:
        """When and on what evidence the flag was deprecated."""
        return Event(self.deprecated, self.deprecated_source) if self.deprecated else None

    @property
    def removal(self) -> Event | None:
        """When and on what evidence the program stopped accepting the flag."""
        return Event(self.removed, self.removed_source) if self.removed else None

    def applies_to(self, command: str | None) -> bool:
        """Whether the flag belongs to subcommand ``command`` (``"logs"``, ``"create deployment"``).

        Flags without ``commands`` belong to every subcommand; an unknown
        command (``None``) matches everything.
        """
        if not self.commands or command is None:
            return True
        return any(_command_matches(entry, command) for entry in self.commands)

    def timeline(self) -> str:
        """One line for a reader: ``listed 1.10–1.23 · deprecated 1.10 (#59018) · removed 1.24 (#106859)``.

        Default changes are included in release order; empty when the catalog
        knows nothing about the flag's life.
        """
        events: list[tuple[tuple[int, ...], int, str]] = []
        if self.introduced:
            span = self.introduced
            if self.last_listed and self.last_listed != self.introduced:
                span = f"{self.introduced}–{self.last_listed}"
            events.append((version_key(self.introduced), 0, f"listed {span}"))
        if self.accepted:
            spans = release_spans(self.accepted)
            shown = spans[0] if len(spans) == 1 else ", ".join(spans[:-1]) + f" and {spans[-1]}"
            events.append((version_key(min(self.accepted, key=version_key)), 0, f"accepted in {shown}"))
        if self.deprecation:
            events.append((version_key(self.deprecation.release), 1, f"deprecated {self.deprecation}"))
        for change in self.defaults:
            events.append((version_key(change.release), 2, str(change)))
        if self.removal:
            events.append((version_key(self.removal.release), 3, f"removed {self.removal}"))
        return " · ".join(text for _, _, text in sorted(events))

    def status_at(self, release: str) -> str:
        """``"ok"``, ``"deprecated"``, ``"removed"`` or ``"unknown"`` for the flag in ``release``.

        Releases compare numerically (1.9 < 1.10). Between the first and last
        release whose binary accepted it the flag is ``ok``. A flag dropped from the
        reference pages without a recorded removal is ``unknown`` after its
        last listing (pages omit some deprecated flags that still work), and so
        is a release before the first page that lists it.
        """
        key = version_key(release)
        if self.removed and key >= version_key(self.removed):
            return "removed"
        if self.deprecated and key >= version_key(self.deprecated):
            return "deprecated"
        if self.accepted:
            seen = sorted(version_key(v) for v in self.accepted)
            if seen[0] <= key <= seen[-1]:
                return "ok"
        if not self.introduced or key < version_key(self.introduced):
            return "unknown"
        last = self.last_listed or self.introduced
        if key <= version_key(last):
            return "ok"
        # Still on the newest page covered: valid until something says otherwise.
        if self.pages_until and version_key(last) >= version_key(self.pages_until):
            return "ok"
        return "unknown"

    def default_at(self, release: str) -> str | None:
        """The default in ``release``, undoing the recorded changes made after it."""
        value = self.default
        for change in sorted(self.defaults, key=lambda c: version_key(c.release), reverse=True):
            if version_key(release) < version_key(change.release):
                value = change.old
        return value


@dataclasses.dataclass(frozen=True)
class ComponentSpec:
    """A program whose flags the catalog knows: a server or a command-line tool.

    ``versions`` is ``"kubernetes"`` when the program's releases are
    Kubernetes releases (so a target version such as 1.24 applies to it);
    ``pages`` is the first and last release whose reference page the flags'
    ``introduced``/``last_listed`` data covers.
    """

    name: str
    title: str
    kind: str
    summary: str
    docs_url: str
    env_prefix: str | None
    flags: Mapping[str, FlagSpec] = dataclasses.field(hash=False)
    flag_style: str = "gnu"
    docs_anchor: str = "text"
    command_docs: str | None = None
    env_not_flags: frozenset[str] = frozenset()
    versions: str | None = None
    pages: tuple[str, str] | None = None
    source: str = dataclasses.field(default="", compare=False)

    def flag_docs_url(self, flag: str, command: str | None = None) -> str:
        """The upstream link for ``flag`` (spelled with its dashes) on this component's pages."""
        page = self.docs_url
        if command and self.command_docs:
            page = self.command_docs.format(command=command.split()[0])
        return page + fragment(self.docs_anchor, flag)


class Catalog:
    """All components, with the lookups the engine needs.

    Built by :func:`~flagref.catalog.load_catalog`; treat it as read-only.
    """

    def __init__(self, components: Mapping[str, ComponentSpec], fingerprint: str = "") -> None:
        self.components: Mapping[str, ComponentSpec] = types.MappingProxyType(dict(sorted(components.items())))
        # Names the files it was read from (name, mtime, size): what a parse depends on.
        self.fingerprint = fingerprint
        owners: dict[str, list[str]] = {}
        shorts: dict[tuple[str, str], list[FlagSpec]] = {}
        for component in self.components.values():
            for spec in component.flags.values():
                if not spec.short_only:
                    owners.setdefault(spec.name, []).append(component.name)
                if spec.short:
                    shorts.setdefault((component.name, spec.short), []).append(spec)
        self._owners = {name: tuple(found) for name, found in owners.items()}
        self._shorts = {key: tuple(found) for key, found in shorts.items()}

    def __repr__(self) -> str:
        count = sum(len(c.flags) for c in self.components.values())
        return f"<Catalog {len(self.components)} components, {count} flags>"

    def flags(self) -> Iterator[FlagSpec]:
        """Every flag of every component, components in name order."""
        for component in self.components.values():
            yield from component.flags.values()

    def lookup(self, component: str | None, flag: str, command: str | None = None) -> FlagSpec | None:
        """The flag ``flag`` (written with its dashes) of ``component``, or ``None``.

        ``flag`` may be a long flag (``--namespace``), a short alias (``-n``),
        a single-dash long flag where the component accepts one (etcd's
        ``-name``, openssl's ``-in``), and may carry ``=value``, which is
        ignored. A bare name without dashes is not a flag and gives ``None``.

        ``command`` is the subcommand when known (``"logs"``): it decides
        between flags that share a short letter, such as kubectl's
        ``-f``/``--filename`` and ``logs -f``/``--follow``. Without it the
        flag that is not tied to subcommands wins, or else the first listed.

        With ``component=None`` the flag is found only when exactly one
        component defines it; see :meth:`components_with` for the candidates.
        """
        token = flag.split("=", 1)[0].strip()
        if component is None:
            owners = self.components_with(token)
            if len(owners) != 1:
                return None
            component = owners[0]
        spec = self.components.get(component)
        if spec is None or not token.startswith("-") or len(token) < 2:
            return None
        if spec.flag_style != "gnu":
            # Go's flag package and OpenSSL take one dash or two alike.
            if token.startswith("---"):
                return None
            return spec.flags.get(token[2:] if token.startswith("--") else token[1:])
        if token.startswith("--"):
            found = spec.flags.get(token[2:])
            return None if found is None or found.short_only else found
        if len(token) == 2:
            return self._short(component, token[1], command)
        return None

    def _short(self, component: str, letter: str, command: str | None) -> FlagSpec | None:
        candidates = self._shorts.get((component, letter), ())
        if not candidates:
            return None
        general = [spec for spec in candidates if not spec.commands]
        if command is not None:
            for spec in candidates:
                if spec.commands and spec.applies_to(command):
                    return spec
            # A known subcommand none of the restricted aliases belongs to
            # (kubectl scale has no -r): only a general alias can match.
            return general[0] if general else None
        return general[0] if general else candidates[0]

    def split_shorts(self, component: str, token: str) -> tuple[str, ...] | None:
        """``-it`` -> ``("-i", "-t")`` when every letter is a known short alias.

        Only for components that bundle short options (``flag_style: gnu``);
        ``None`` when the token is not such a bundle.
        """
        spec = self.components.get(component)
        body = token.split("=", 1)[0]
        if (
            spec is None
            or spec.flag_style != "gnu"
            or not body.startswith("-")
            or body.startswith("--")
            or len(body) < 3
        ):
            return None
        letters = body[1:]
        if all((component, letter) in self._shorts for letter in letters):
            return tuple(f"-{letter}" for letter in letters)
        return None

    def flag_for_env(self, component: str, variable: str) -> str | None:
        """The flag an environment variable sets: ``ETCD_DATA_DIR`` -> ``--data-dir``.

        Only components with an ``env_prefix`` read flags from the environment.
        The flag is derived from the name, so it is returned even when the
        catalog does not list it. ``None`` when the prefix does not match, the
        rest is not an upper-case ``WORD_WORD`` name, or the variable is one the
        component reads for another purpose (``env_not_flags``: etcdctl's
        ``ETCDCTL_API`` picks the API version, it is not an ``--api`` flag).
        """
        spec = self.components.get(component)
        if spec is None or not spec.env_prefix:
            return None
        if not variable.startswith(spec.env_prefix) or variable in spec.env_not_flags:
            return None
        rest = variable[len(spec.env_prefix) :]
        if not _ENV_REST_RE.fullmatch(rest):
            return None
        name = rest.lower().replace("_", "-")
        known = spec.flags.get(name)
        return known.flag if known is not None else "--" + name

    def components_with(self, flag: str) -> tuple[str, ...]:
        """Names of the components that define ``flag`` (with dashes), in name order."""
        token = flag.split("=", 1)[0].strip()
        if token.startswith("--"):
            return self._owners.get(token[2:], ())
        return tuple(name for name in self.components if self.lookup(name, token) is not None)

    def docs_url(self, component: str, flag: str, command: str | None = None) -> str | None:
        """Where upstream documents ``flag`` of ``component``.

        Known flags get their reviewed link; a flag the catalog lacks still
        gets the component's page with a fragment for its spelling, so a reader
        lands near it. ``None`` only for an unknown component.
        """
        known = self.lookup(component, flag, command)
        if known is not None:
            return known.docs_url
        spec = self.components.get(component)
        if spec is None:
            return None
        token = flag.split("=", 1)[0].strip()
        if not token.startswith("-"):
            token = "--" + token
        return spec.flag_docs_url(token, command)


def env_variable(prefix: str, flag_name: str) -> str:
    """The environment variable for a flag: ``("ETCD_", "data-dir")`` -> ``ETCD_DATA_DIR``.

    ``flag_name`` may be given with its dashes; a prefix without its trailing
    underscore gets one, as etcd itself joins them with ``_``.
    """
    if not prefix.endswith("_"):
        prefix += "_"
    return prefix + flag_name.lstrip("-").upper().replace("-", "_")


def _command_matches(entry: str, command: str) -> bool:
    # "create" covers "create deployment"; "create deployment" only itself.
    return command == entry or command.startswith(entry + " ")
