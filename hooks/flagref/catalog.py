"""The reviewed flag catalog: what each flag of each component means.

The catalog is data, one YAML file per component under ``catalog/`` beside
this module (``shell.yaml`` holds several small shell tools); the schema is
described in ``catalog/README.md``. This module reads it with line numbers
kept, checks it strictly (a typo in reviewed data should stop the build with
``file:line`` and a hint, not silently drop a flag) and answers the questions
the rest of the engine asks:

* :meth:`Catalog.lookup` -- which flag is ``-n`` for kubectl, ``--etcd-servers``
  for kube-apiserver;
* :meth:`Catalog.flag_for_env` / :func:`env_variable` -- etcd's ``ETCD_DATA_DIR``
  is its ``--data-dir``;
* :meth:`Catalog.components_with` -- who owns a flag met in prose;
* :meth:`Catalog.docs_url` -- where upstream documents a flag.

Pure Python and PyYAML only: no MkDocs here.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import os
import re
import types
from collections.abc import Iterator, Mapping
from pathlib import Path

import yaml
from yaml.nodes import Node, ScalarNode, SequenceNode

from .datafile import NULL_TAG, DataFileError, check_keys, line_of, read_line_text, read_pairs, read_text

#: The value vocabulary of ``type:``; README.md explains each word.
TYPES = frozenset(
    {
        "string",
        "bool",
        "int",
        "float",
        "duration",
        "url",
        "url-list",
        "path",
        "cidr",
        "ip",
        "port",
        "host-port",
        "string-list",
        "map",
        "enum",
        "quantity",
    }
)
KINDS = frozenset({"server", "tool"})
#: How a component spells its options (see README.md): ``gnu`` is pflag/getopt
#: (``--long``, ``-s`` short aliases that may be bundled); ``go`` is Go's
#: standard flag package (``-long`` and ``--long`` alike, no short aliases);
#: ``single`` is OpenSSL's ``-long``.
FLAG_STYLES = frozenset({"gnu", "go", "single"})
#: ``text`` appends a text fragment (``#:~:text=%2D%2Dname``) for pages without
#: per-flag anchors; ``heading`` appends ``#--name`` for pages with them.
ANCHORS = frozenset({"text", "heading"})

DEFAULT_DIRECTORY = Path(__file__).resolve().parent / "catalog"

_BOOL_TAG = "tag:yaml.org,2002:bool"
_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
_COMPONENT_RE = re.compile(r"[a-z][a-z0-9-]*")
_SHORT_RE = re.compile(r"[A-Za-z0-9]")
_VERSION_RE = re.compile(r"v?(\d+\.\d+(?:\.\d+)?)")
_ENV_PREFIX_RE = re.compile(r"[A-Z][A-Z0-9]*_")
_ENV_REST_RE = re.compile(r"[A-Z0-9]+(?:_[A-Z0-9]+)*")

_COMPONENT_KEYS = (
    "component",
    "title",
    "kind",
    "summary",
    "docs",
    "env_prefix",
    "env_not_flags",
    "flag_style",
    "flags",
)
_DOCS_KEYS = ("page", "anchor", "command_page")
_FLAG_KEYS = (
    "meaning",
    "type",
    "default",
    "values",
    "short",
    "short_only",
    "commands",
    "deprecated",
    "removed",
    "note",
    "secret",
    "docs",
)


class CatalogError(DataFileError):
    """A catalog file that cannot be used; the message starts with ``file:line``."""


@dataclasses.dataclass(frozen=True)
class FlagSpec:
    """One reviewed flag of one component.

    ``name`` is the flag without its dashes; :attr:`flag` puts them back the
    way the component's own help spells it. ``default`` is ``None`` when the
    flag has no default worth stating (empty, computed at run time, or
    version-dependent -- then ``note`` says so).
    """

    component: str
    name: str
    meaning: str
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

    def applies_to(self, command: str | None) -> bool:
        """Whether the flag belongs to subcommand ``command`` (``"logs"``, ``"create deployment"``).

        Flags without ``commands`` belong to every subcommand; an unknown
        command (``None``) matches everything.
        """
        if not self.commands or command is None:
            return True
        return any(_command_matches(entry, command) for entry in self.commands)


@dataclasses.dataclass(frozen=True)
class ComponentSpec:
    """A program whose flags the catalog knows: a server or a command-line tool."""

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
    source: str = dataclasses.field(default="", compare=False)

    def flag_docs_url(self, flag: str, command: str | None = None) -> str:
        """The upstream link for ``flag`` (spelled with its dashes) on this component's pages."""
        page = self.docs_url
        if command and self.command_docs:
            page = self.command_docs.format(command=command.split()[0])
        return page + _fragment(self.docs_anchor, flag)


class Catalog:
    """All components, with the lookups the engine needs.

    Built by :func:`load_catalog`; treat it as read-only.
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
        if command is not None:
            for spec in candidates:
                if spec.commands and spec.applies_to(command):
                    return spec
        for spec in candidates:
            if not spec.commands:
                return spec
        return candidates[0]

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


# --------------------------------------------------------------------------
# Loading


_cache: dict[Path, tuple[tuple[tuple[str, int, int], ...], Catalog]] = {}


def load_catalog(directory: str | os.PathLike | None = None) -> Catalog:
    """Read and check every ``*.yaml`` file in ``directory`` (default: ``catalog/``).

    The result is cached per directory and reused while no file's path, mtime
    or size changed, so every page of a build can ask for it cheaply while an
    edit during ``mkdocs serve`` is still picked up.

    Raises :class:`CatalogError` naming ``file:line`` for any schema problem.
    """
    root = Path(directory) if directory is not None else DEFAULT_DIRECTORY
    key = root.resolve()
    if not key.is_dir():
        raise CatalogError(root, 0, "catalog directory not found")
    files = sorted(p for p in key.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    signature = tuple((p.name, (st := p.stat()).st_mtime_ns, st.st_size) for p in files)
    cached = _cache.get(key)
    if cached is not None and cached[0] == signature:
        return cached[1]
    components: dict[str, ComponentSpec] = {}
    for path in files:
        shown = root / path.name
        for spec in _load_file(shown):
            if spec.name in components:
                raise CatalogError(
                    shown,
                    _source_line(spec.source),
                    f"component {spec.name!r} is already defined at "
                    f"{components[spec.name].source}; keep one definition",
                )
            components[spec.name] = spec
    if not components:
        raise CatalogError(root, 0, "no catalog files (*.yaml) found")
    catalog = Catalog(components, fingerprint=f"{key}:{signature}")
    _cache[key] = (signature, catalog)
    return catalog


def _load_file(path: Path) -> list[ComponentSpec]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CatalogError(path, 1, f"not UTF-8 ({exc.reason}); save the file as UTF-8") from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise CatalogError(path, line, f"not valid YAML: {exc.problem or exc.context}; fix the syntax") from None
    if root is None:
        raise CatalogError(path, 1, "empty file; write a `component:` mapping")
    top = _pairs(path, root, "the file")
    if "components" in top:
        extra = sorted(set(top) - {"components"})
        if extra:
            raise CatalogError(
                path,
                _line(top[extra[0]][0]),
                f"unexpected key {extra[0]!r} beside `components:`; "
                "a file holds either one component or a `components:` list",
            )
        listed = top["components"][1]
        if not isinstance(listed, SequenceNode) or not listed.value:
            raise CatalogError(path, _line(listed), "`components:` must be a non-empty list of component mappings")
        return [_component(path, node) for node in listed.value]
    return [_component(path, root)]


def _component(path: Path, node: Node) -> ComponentSpec:
    pairs = _pairs(path, node, "a component")
    _check_keys(path, pairs, _COMPONENT_KEYS, "component")
    for required in ("component", "title", "kind", "summary", "docs", "flags"):
        if required not in pairs:
            raise CatalogError(path, _line(node), f"component is missing `{required}:`; see catalog/README.md")
    name = _text(path, pairs["component"][1], "component")
    if not _COMPONENT_RE.fullmatch(name):
        raise CatalogError(path, _line(pairs["component"][1]), f"component name {name!r} must be lower-case-dashed")
    kind = _choice(path, pairs["kind"][1], "kind", KINDS)
    style = _choice(path, pairs["flag_style"][1], "flag_style", FLAG_STYLES) if "flag_style" in pairs else "gnu"
    page, anchor, command_page = _docs(path, pairs["docs"][1])
    env_prefix = None
    if "env_prefix" in pairs:
        env_prefix = _text(path, pairs["env_prefix"][1], "env_prefix")
        if not _ENV_PREFIX_RE.fullmatch(env_prefix):
            raise CatalogError(
                path,
                _line(pairs["env_prefix"][1]),
                f"env_prefix {env_prefix!r} must be upper case ending in `_`, like ETCD_",
            )
    not_flags: frozenset[str] = frozenset()
    if "env_not_flags" in pairs:
        if env_prefix is None:
            raise CatalogError(path, _line(pairs["env_not_flags"][0]), "env_not_flags needs an env_prefix")
        not_flags = frozenset(_text_list(path, pairs["env_not_flags"][1], "env_not_flags"))
        for variable in not_flags:
            if not variable.startswith(env_prefix):
                raise CatalogError(
                    path,
                    _line(pairs["env_not_flags"][1]),
                    f"{variable!r} in env_not_flags does not start with {env_prefix!r}",
                )
    component = ComponentSpec(
        name=name,
        title=_line_text(path, pairs["title"][1], "title"),
        kind=kind,
        summary=_line_text(path, pairs["summary"][1], "summary"),
        docs_url=page,
        env_prefix=env_prefix,
        flags={},
        flag_style=style,
        docs_anchor=anchor,
        command_docs=command_page,
        env_not_flags=not_flags,
        source=f"{path}:{_line(node)}",
    )
    flags_node = pairs["flags"][1]
    flag_pairs = _pairs(path, flags_node, "`flags:`")
    if not flag_pairs:
        raise CatalogError(path, _line(flags_node), "`flags:` is empty; list at least one flag")
    flags = {key: _flag(path, component, key, key_node, value) for key, (key_node, value) in flag_pairs.items()}
    _check_shorts(path, component, flags)
    return dataclasses.replace(component, flags=types.MappingProxyType(flags))


def _docs(path: Path, node: Node) -> tuple[str, str, str | None]:
    pairs = _pairs(path, node, "`docs:`")
    _check_keys(path, pairs, _DOCS_KEYS, "docs")
    if "page" not in pairs:
        raise CatalogError(path, _line(node), "`docs:` needs `page:`, the upstream URL")
    page = _url(path, pairs["page"][1], "docs.page")
    anchor = _choice(path, pairs["anchor"][1], "docs.anchor", ANCHORS) if "anchor" in pairs else "text"
    command_page = None
    if "command_page" in pairs:
        command_page = _url(path, pairs["command_page"][1], "docs.command_page")
        if "{command}" not in command_page:
            raise CatalogError(
                path,
                _line(pairs["command_page"][1]),
                "docs.command_page must contain {command}, replaced by the subcommand",
            )
    return page, anchor, command_page


def _flag(path: Path, component: ComponentSpec, name: str, key_node: Node, node: Node) -> FlagSpec:
    where = f"flag {name!r}"
    if name.startswith("-"):
        raise CatalogError(path, _line(key_node), f"{where}: write the key without dashes ({name.lstrip('-')!r})")
    if not _NAME_RE.fullmatch(name):
        raise CatalogError(path, _line(key_node), f"{where}: not a flag name")
    pairs = _pairs(path, node, where)
    _check_keys(path, pairs, _FLAG_KEYS, where)
    for required in ("meaning", "type"):
        if required not in pairs:
            raise CatalogError(path, _line(key_node), f"{where} is missing `{required}:`")
    meaning = _line_text(path, pairs["meaning"][1], f"{where}: meaning")
    kind = _choice(path, pairs["type"][1], f"{where}: type", TYPES)
    default = _scalar(path, pairs["default"][1], f"{where}: default") if "default" in pairs else None
    values: tuple[str, ...] = ()
    if "values" in pairs:
        values = tuple(_text_list(path, pairs["values"][1], f"{where}: values"))
    if kind == "enum" and not values:
        raise CatalogError(path, _line(pairs["type"][1]), f"{where}: type enum needs `values:`")
    if values and kind != "enum":
        raise CatalogError(path, _line(pairs["values"][0]), f"{where}: `values:` is only for type enum")
    short = None
    if "short" in pairs:
        short = _text(path, pairs["short"][1], f"{where}: short")
        if not _SHORT_RE.fullmatch(short):
            raise CatalogError(path, _line(pairs["short"][1]), f"{where}: short is one letter or digit, no dash")
    prefix = "-" if component.flag_style == "single" else "--"
    if "short_only" in pairs and _bool(path, pairs["short_only"][1], f"{where}: short_only"):
        if len(name) != 1 or short not in (None, name):
            raise CatalogError(
                path,
                _line(pairs["short_only"][0]),
                f"{where}: a short_only flag is keyed by its letter and has no other `short:`",
            )
        short, prefix = name, "-"
    if short is not None and component.flag_style != "gnu":
        raise CatalogError(
            path,
            _line(pairs["short"][0] if "short" in pairs else key_node),
            f"{where}: flag_style {component.flag_style} has no short aliases",
        )
    commands = ()
    if "commands" in pairs:
        commands = tuple(_text_list(path, pairs["commands"][1], f"{where}: commands"))
    deprecated = _version(path, pairs, "deprecated", where)
    removed = _version(path, pairs, "removed", where)
    if deprecated and removed and _version_key(removed) < _version_key(deprecated):
        raise CatalogError(
            path, _line(pairs["removed"][1]), f"{where}: removed {removed} before deprecated {deprecated}"
        )
    note = _line_text(path, pairs["note"][1], f"{where}: note") if "note" in pairs else None
    secret = _bool(path, pairs["secret"][1], f"{where}: secret") if "secret" in pairs else False
    spelled = prefix + name
    if "docs" in pairs:
        docs_value = _text(path, pairs["docs"][1], f"{where}: docs")
        if docs_value.startswith("https://"):
            docs_url = docs_value if "#" in docs_value else docs_value + _fragment(component.docs_anchor, spelled)
        elif component.command_docs and _COMPONENT_RE.fullmatch(docs_value):
            docs_url = component.flag_docs_url(spelled, docs_value)
        else:
            raise CatalogError(
                path,
                _line(pairs["docs"][1]),
                f"{where}: docs is an https:// URL or, with docs.command_page, a subcommand name",
            )
    else:
        docs_url = component.flag_docs_url(spelled, commands[0] if commands else None)
    return FlagSpec(
        component=component.name,
        name=name,
        meaning=meaning,
        type=kind,
        default=default,
        short=short,
        deprecated=deprecated,
        removed=removed,
        note=note,
        secret=secret,
        env=env_variable(component.env_prefix, name) if component.env_prefix else None,
        docs_url=docs_url,
        values=values,
        commands=commands,
        prefix=prefix,
        source=f"{path}:{_line(key_node)}",
    )


def _check_shorts(path: Path, component: ComponentSpec, flags: Mapping[str, FlagSpec]) -> None:
    """Shared short letters must be told apart by subcommand (kubectl ``-f``)."""
    by_letter: dict[str, list[FlagSpec]] = {}
    for spec in flags.values():
        if spec.short:
            by_letter.setdefault(spec.short, []).append(spec)
    for letter, specs in by_letter.items():
        if len(specs) < 2:
            continue
        line = _source_line(specs[1].source)
        general = [s.name for s in specs if not s.commands]
        if len(general) > 1:
            raise CatalogError(
                path,
                line,
                f"-{letter} is the short alias of {', '.join(general)} in {component.name}; "
                "give all but one of them `commands:` saying where each applies",
            )
        restricted = [s for s in specs if s.commands]
        for i, first in enumerate(restricted):
            for second in restricted[i + 1 :]:
                shared = set(first.commands) & set(second.commands)
                if shared:
                    raise CatalogError(
                        path,
                        line,
                        f"-{letter} means both {first.name} and {second.name} for "
                        f"{', '.join(sorted(shared))}; fix their `commands:`",
                    )


# --------------------------------------------------------------------------
# Node helpers: read values from composed YAML so every error has its line.


_line = line_of
_pairs = functools.partial(read_pairs, error=CatalogError)
_check_keys = functools.partial(check_keys, error=CatalogError)
_text = functools.partial(read_text, error=CatalogError)
_line_text = functools.partial(read_line_text, error=CatalogError)


def _source_line(source: str) -> int:
    """The line of a ``path:line`` origin recorded on a spec."""
    return int(source.rsplit(":", 1)[1])


def _scalar(path: Path, node: Node, what: str) -> str | None:
    """The scalar as written (``1.20`` stays ``"1.20"``, ``false`` stays ``"false"``)."""
    if not isinstance(node, ScalarNode):
        raise CatalogError(path, _line(node), f"{what} must be a single value, not a list or mapping")
    if node.tag == NULL_TAG:
        return None
    return node.value


def _text_list(path: Path, node: Node, what: str) -> list[str]:
    if not isinstance(node, SequenceNode) or not node.value:
        raise CatalogError(path, _line(node), f"{what} must be a non-empty list")
    return [_text(path, item, what) for item in node.value]


def _choice(path: Path, node: Node, what: str, allowed: frozenset[str]) -> str:
    value = _text(path, node, what)
    if value not in allowed:
        close = difflib.get_close_matches(value, sorted(allowed), n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise CatalogError(
            path, _line(node), f"{what} {value!r} is not one of {', '.join(sorted(allowed))}; {hint}".rstrip("; ")
        )
    return value


def _bool(path: Path, node: Node, what: str) -> bool:
    if not isinstance(node, ScalarNode) or node.tag != _BOOL_TAG:
        raise CatalogError(path, _line(node), f"{what} must be true or false")
    return yaml.constructor.SafeConstructor.bool_values[node.value.lower()]


def _url(path: Path, node: Node, what: str) -> str:
    value = _text(path, node, what)
    if not value.startswith("https://"):
        raise CatalogError(path, _line(node), f"{what} must be an https:// URL")
    return value


def _version(path: Path, pairs: Mapping[str, tuple[Node, Node]], key: str, where: str) -> str | None:
    if key not in pairs:
        return None
    node = pairs[key][1]
    value = _text(path, node, f"{where}: {key}")
    match = _VERSION_RE.fullmatch(value)
    if match is None:
        raise CatalogError(path, _line(node), f'{where}: {key} {value!r} must be a version like "1.24" (quoted)')
    return match.group(1)


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def _command_matches(entry: str, command: str) -> bool:
    # "create" covers "create deployment"; "create deployment" only itself.
    return command == entry or command.startswith(entry + " ")


def _fragment(anchor: str, flag: str) -> str:
    if anchor == "heading":
        return "#" + flag
    # Text fragments treat "-" (and "&", ",") as syntax, so every character
    # that is not a plain ASCII letter or digit is percent-encoded.
    encoded = "".join(
        char if char.isascii() and char.isalnum() else "".join(f"%{b:02X}" for b in char.encode()) for char in flag
    )
    return "#:~:text=" + encoded
