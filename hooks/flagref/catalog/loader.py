"""Strict reading of the catalog's YAML files.

PyYAML's composer keeps every node's line, so a typo in reviewed data stops
the build with ``file:line`` and a hint instead of silently dropping a flag.
The schema is described in ``README.md`` beside this module.
"""

from __future__ import annotations

import copyreg
import dataclasses
import hashlib
import importlib
import io
import os
import pickle
import re
import types
from collections.abc import Mapping
from pathlib import Path

from yaml.nodes import Node, SequenceNode

from ..cachedir import code_digest, default_cache_dir, keep_newest, write_whole
from ..datafile import compose
from .model import (
    Catalog,
    ComponentSpec,
    FlagSpec,
    env_variable,
)
from .nodes import (
    CatalogError,
    keys_allowed,
    line,
    line_text_of,
    pairs_of,
    read_bool,
    read_choice,
    read_defaults,
    read_event,
    read_listing,
    read_scalar,
    read_text_list,
    read_url,
    read_version,
    source_line,
    text_of,
)
from .vocabulary import ANCHORS, FLAG_STYLES, KINDS, TYPES, VERSION_SCHEMES, fragment, version_key

# A flag key: a letter or digit, then letters, digits, "_" and "-" (one class, linear).
_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
# A component name: lower-case words joined by dashes.
_COMPONENT_RE = re.compile(r"[a-z][a-z0-9-]*")
# A short alias: one letter or digit.
_SHORT_RE = re.compile(r"[A-Za-z0-9]")
# An env prefix such as ETCD_: upper-case word and one trailing underscore.
_ENV_PREFIX_RE = re.compile(r"[A-Z][A-Z0-9]*_")
# A configuration-file field: an identifier, nested fields joined by single dots
# (authentication.x509.clientCAFile); each repetition starts with its dot, so linear.
_CONFIG_FIELD_RE = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z][A-Za-z0-9]*)*")

_COMPONENT_KEYS = (
    "component",
    "title",
    "kind",
    "summary",
    "docs",
    "env_prefix",
    "env_not_flags",
    "flag_style",
    "versions",
    "pages",
    "flags",
)
_DOCS_KEYS = ("page", "anchor", "command_page")
_PAGES_KEYS = ("first", "last")
_FLAG_KEYS = (
    "meaning",
    "type",
    "default",
    "values",
    "short",
    "short_only",
    "commands",
    "introduced",
    "last_listed",
    "accepted",
    "deprecated",
    "removed",
    "defaults",
    "replacement",
    "note",
    "secret",
    "docs",
    "config_field",
)


_cache: dict[Path, tuple[str, Catalog]] = {}


def load_catalog(directory: str | os.PathLike | None = None) -> Catalog:
    """Read and check every ``*.yaml`` file in ``directory`` (default: the catalog folder).

    The result is cached per directory and reused while the files' names and
    contents are unchanged, so every page of a build can ask for it cheaply
    while an edit during ``mkdocs serve`` is still picked up.

    Raises :class:`CatalogError` naming ``file:line`` for any schema problem.
    """
    if directory is None:
        # Read through the package so that a test may point it elsewhere.
        directory = importlib.import_module(__package__).DEFAULT_DIRECTORY
    root = Path(directory)
    key = root.resolve()
    if not key.is_dir():
        raise CatalogError(root, 0, "catalog directory not found")
    files = sorted(p for p in key.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    # Keyed by content: an edit during `mkdocs serve` is seen, an unchanged file is not read twice.
    digest = hashlib.sha256()
    for p in files:
        digest.update(p.name.encode() + b"\0" + p.read_bytes() + b"\0")
    signature = digest.hexdigest()
    cached = _cache.get(key)
    if cached is not None and cached[0] == signature:
        return cached[1]
    stored = _stored_path(root, key, signature)
    catalog = _read_stored(stored)
    if catalog is None:
        catalog = _read_catalog(root, key, files, signature)
        _store(stored, catalog)
    _cache[key] = (signature, catalog)
    return catalog


def _read_catalog(root: Path, key: Path, files: list[Path], signature: str) -> Catalog:
    components: dict[str, ComponentSpec] = {}
    for path in files:
        shown = root / path.name
        for spec in _load_file(shown):
            if spec.name in components:
                raise CatalogError(
                    shown,
                    source_line(spec.source),
                    f"component {spec.name!r} is already defined at "
                    f"{components[spec.name].source}; keep one definition",
                )
            components[spec.name] = spec
    if not components:
        raise CatalogError(root, 0, "no catalog files (*.yaml) found")
    return Catalog(components, fingerprint=f"{key}:{signature}")


# The catalog as read, kept between runs (``cachedir``): reading its YAML and checking every entry is
# a fifth of a second, at the start of every build and before the posts can be read beside it;
# unpickled, a fiftieth. Found by the files' names and contents, the folder as given and the code.
_STORED_FOLDER = "catalog"
# How many are kept (half a MiB each): the newest, so that an edited catalog or code leaves no trail.
_STORED_KEPT = 8


def _stored_path(root: Path, key: Path, signature: str) -> Path:
    name = hashlib.sha256(f"{root}\0{key}\0{signature}\0{code_digest()}".encode()).hexdigest()[:32]
    return default_cache_dir() / _STORED_FOLDER / f"{name}.pickle"


def _proxy(mapping: dict) -> types.MappingProxyType:
    return types.MappingProxyType(mapping)


def _read_stored(path: Path) -> Catalog | None:
    """The catalog kept at ``path``; ``None`` when there is none, or it cannot be read (it is then read again)."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    try:
        catalog = pickle.loads(data)
    except Exception:  # a file cut short or left by another version: the YAML is read instead
        return None
    return catalog if isinstance(catalog, Catalog) else None


def _store(path: Path, catalog: Catalog) -> None:
    """Keep ``catalog`` at ``path`` for the next run, written whole or not at all; nothing when that fails."""
    out = io.BytesIO()
    pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = {**copyreg.dispatch_table, types.MappingProxyType: lambda m: (_proxy, (dict(m),))}
    try:
        pickler.dump(catalog)
    except (pickle.PicklingError, TypeError, AttributeError):
        return
    if write_whole(path, out.getvalue()):
        keep_newest(path.parent, _STORED_KEPT)


def _load_file(path: Path) -> list[ComponentSpec]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CatalogError(path, 1, f"not UTF-8 ({exc.reason}); save the file as UTF-8") from None
    root = compose(path, text, CatalogError)
    if root is None:
        raise CatalogError(path, 1, "empty file; write a `component:` mapping")
    top = pairs_of(path, root, "the file")
    if "components" in top:
        extra = sorted(set(top) - {"components"})
        if extra:
            raise CatalogError(
                path,
                line(top[extra[0]][0]),
                f"unexpected key {extra[0]!r} beside `components:`; "
                "a file holds either one component or a `components:` list",
            )
        listed = top["components"][1]
        if not isinstance(listed, SequenceNode) or not listed.value:
            raise CatalogError(path, line(listed), "`components:` must be a non-empty list of component mappings")
        return [_component(path, node) for node in listed.value]
    return [_component(path, root)]


def _component(path: Path, node: Node) -> ComponentSpec:
    pairs = pairs_of(path, node, "a component")
    keys_allowed(path, pairs, _COMPONENT_KEYS, "component")
    for required in ("component", "title", "kind", "summary", "docs", "flags"):
        if required not in pairs:
            raise CatalogError(path, line(node), f"component is missing `{required}:`; see catalog/README.md")
    name = text_of(path, pairs["component"][1], "component")
    if not _COMPONENT_RE.fullmatch(name):
        raise CatalogError(path, line(pairs["component"][1]), f"component name {name!r} must be lower-case-dashed")
    kind = read_choice(path, pairs["kind"][1], "kind", KINDS)
    style = read_choice(path, pairs["flag_style"][1], "flag_style", FLAG_STYLES) if "flag_style" in pairs else "gnu"
    versions = read_choice(path, pairs["versions"][1], "versions", VERSION_SCHEMES) if "versions" in pairs else None
    pages = _pages(path, pairs["pages"][1]) if "pages" in pairs else None
    page, anchor, command_page = _docs(path, pairs["docs"][1])
    env_prefix = None
    if "env_prefix" in pairs:
        env_prefix = text_of(path, pairs["env_prefix"][1], "env_prefix")
        if not _ENV_PREFIX_RE.fullmatch(env_prefix):
            raise CatalogError(
                path,
                line(pairs["env_prefix"][1]),
                f"env_prefix {env_prefix!r} must be upper case ending in `_`, like ETCD_",
            )
    not_flags: frozenset[str] = frozenset()
    if "env_not_flags" in pairs:
        if env_prefix is None:
            raise CatalogError(path, line(pairs["env_not_flags"][0]), "env_not_flags needs an env_prefix")
        not_flags = frozenset(read_text_list(path, pairs["env_not_flags"][1], "env_not_flags"))
        for variable in not_flags:
            if not variable.startswith(env_prefix):
                raise CatalogError(
                    path,
                    line(pairs["env_not_flags"][1]),
                    f"{variable!r} in env_not_flags does not start with {env_prefix!r}",
                )
    component = ComponentSpec(
        name=name,
        title=line_text_of(path, pairs["title"][1], "title"),
        kind=kind,
        summary=line_text_of(path, pairs["summary"][1], "summary"),
        docs_url=page,
        env_prefix=env_prefix,
        flags={},
        flag_style=style,
        docs_anchor=anchor,
        command_docs=command_page,
        env_not_flags=not_flags,
        versions=versions,
        pages=pages,
        source=f"{path}:{line(node)}",
    )
    flags_node = pairs["flags"][1]
    flag_pairs = pairs_of(path, flags_node, "`flags:`")
    if not flag_pairs:
        raise CatalogError(path, line(flags_node), "`flags:` is empty; list at least one flag")
    flags = {key: _flag(path, component, key, key_node, value) for key, (key_node, value) in flag_pairs.items()}
    _check_shorts(path, component, flags)
    return dataclasses.replace(component, flags=types.MappingProxyType(flags))


def _pages(path: Path, node: Node) -> tuple[str, str]:
    pairs = pairs_of(path, node, "`pages:`")
    keys_allowed(path, pairs, _PAGES_KEYS, "pages")
    if set(pairs) != set(_PAGES_KEYS):
        raise CatalogError(path, line(node), "`pages:` needs `first:` and `last:`, the releases the listings cover")
    first = read_version(path, pairs["first"][1], "pages: first")
    last = read_version(path, pairs["last"][1], "pages: last")
    if version_key(last) < version_key(first):
        raise CatalogError(path, line(pairs["last"][1]), f"pages: last {last} comes before first {first}")
    return first, last


def _docs(path: Path, node: Node) -> tuple[str, str, str | None]:
    pairs = pairs_of(path, node, "`docs:`")
    keys_allowed(path, pairs, _DOCS_KEYS, "docs")
    if "page" not in pairs:
        raise CatalogError(path, line(node), "`docs:` needs `page:`, the upstream URL")
    page = read_url(path, pairs["page"][1], "docs.page")
    anchor = read_choice(path, pairs["anchor"][1], "docs.anchor", ANCHORS) if "anchor" in pairs else "text"
    command_page = None
    if "command_page" in pairs:
        command_page = read_url(path, pairs["command_page"][1], "docs.command_page")
        if "{command}" not in command_page:
            raise CatalogError(
                path,
                line(pairs["command_page"][1]),
                "docs.command_page must contain {command}, replaced by the subcommand",
            )
    return page, anchor, command_page


def _flag(path: Path, component: ComponentSpec, name: str, key_node: Node, node: Node) -> FlagSpec:
    where = f"flag {name!r}"
    if name.startswith("-"):
        raise CatalogError(path, line(key_node), f"{where}: write the key without dashes ({name.lstrip('-')!r})")
    if not _NAME_RE.fullmatch(name):
        raise CatalogError(path, line(key_node), f"{where}: not a flag name")
    pairs = pairs_of(path, node, where)
    keys_allowed(path, pairs, _FLAG_KEYS, where)
    if "type" not in pairs:
        raise CatalogError(path, line(key_node), f"{where} is missing `type:`")
    meaning = line_text_of(path, pairs["meaning"][1], f"{where}: meaning") if "meaning" in pairs else None
    kind = read_choice(path, pairs["type"][1], f"{where}: type", TYPES)
    default = read_scalar(path, pairs["default"][1], f"{where}: default") if "default" in pairs else None
    values: tuple[str, ...] = ()
    if "values" in pairs:
        values = tuple(read_text_list(path, pairs["values"][1], f"{where}: values"))
    if kind == "enum" and not values:
        raise CatalogError(path, line(pairs["type"][1]), f"{where}: type enum needs `values:`")
    if values and kind != "enum":
        raise CatalogError(path, line(pairs["values"][0]), f"{where}: `values:` is only for type enum")
    short = None
    if "short" in pairs:
        short = text_of(path, pairs["short"][1], f"{where}: short")
        if not _SHORT_RE.fullmatch(short):
            raise CatalogError(path, line(pairs["short"][1]), f"{where}: short is one letter or digit, no dash")
    prefix = "-" if component.flag_style == "single" else "--"
    if "short_only" in pairs and read_bool(path, pairs["short_only"][1], f"{where}: short_only"):
        if len(name) != 1 or short not in (None, name):
            raise CatalogError(
                path,
                line(pairs["short_only"][0]),
                f"{where}: a short_only flag is keyed by its letter and has no other `short:`",
            )
        short, prefix = name, "-"
    if short is not None and component.flag_style != "gnu":
        raise CatalogError(
            path,
            line(pairs["short"][0] if "short" in pairs else key_node),
            f"{where}: flag_style {component.flag_style} has no short aliases",
        )
    commands = ()
    if "commands" in pairs:
        commands = tuple(read_text_list(path, pairs["commands"][1], f"{where}: commands"))
    introduced, last_listed = read_listing(path, pairs, where)
    accepted: tuple[str, ...] = ()
    if "accepted" in pairs:
        node_list = pairs["accepted"][1]
        if not isinstance(node_list, SequenceNode) or not node_list.value:
            raise CatalogError(path, line(node_list), f"{where}: accepted must be a non-empty list of releases")
        accepted = tuple(read_version(path, item, f"{where}: accepted") for item in node_list.value)
    sourced = component.versions == "kubernetes"
    deprecated = read_event(path, pairs, "deprecated", where, need_source=sourced)
    removed = read_event(path, pairs, "removed", where, need_source=sourced)
    if deprecated and removed and version_key(removed.release) < version_key(deprecated.release):
        raise CatalogError(
            path,
            line(pairs["removed"][1]),
            f"{where}: removed {removed.release} before deprecated {deprecated.release}",
        )
    defaults = read_defaults(path, pairs, where, default)
    replacement = (
        line_text_of(path, pairs["replacement"][1], f"{where}: replacement") if "replacement" in pairs else None
    )
    note = line_text_of(path, pairs["note"][1], f"{where}: note") if "note" in pairs else None
    secret = read_bool(path, pairs["secret"][1], f"{where}: secret") if "secret" in pairs else False
    config_field = (
        text_of(path, pairs["config_field"][1], f"{where}: config_field") if "config_field" in pairs else None
    )
    if config_field is not None and not _CONFIG_FIELD_RE.fullmatch(config_field):
        raise CatalogError(
            path,
            line(pairs["config_field"][1]),
            f"{where}: config_field {config_field!r} is a field name as the config file writes it "
            "(letters and digits; nested fields joined by dots, like authentication.x509.clientCAFile)",
        )
    if replacement is None and config_field is not None and deprecated is not None:
        # Deprecated in favour of the configuration file: what to write there instead.
        replacement = f"{config_field} in the --config file"
    spelled = prefix + name
    if "docs" in pairs:
        docs_value = text_of(path, pairs["docs"][1], f"{where}: docs")
        if docs_value.startswith("https://"):
            docs_url = docs_value if "#" in docs_value else docs_value + fragment(component.docs_anchor, spelled)
        elif component.command_docs and _COMPONENT_RE.fullmatch(docs_value):
            docs_url = component.flag_docs_url(spelled, docs_value)
        else:
            raise CatalogError(
                path,
                line(pairs["docs"][1]),
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
        deprecated=deprecated.release if deprecated else None,
        removed=removed.release if removed else None,
        note=note,
        secret=secret,
        env=env_variable(component.env_prefix, name) if component.env_prefix else None,
        docs_url=docs_url,
        values=values,
        commands=commands,
        prefix=prefix,
        introduced=introduced,
        last_listed=last_listed,
        deprecated_source=deprecated.source if deprecated else None,
        removed_source=removed.source if removed else None,
        defaults=defaults,
        replacement=replacement,
        accepted=accepted,
        pages_until=component.pages[1] if component.pages else None,
        config_field=config_field,
        source=f"{path}:{line(key_node)}",
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
        at = source_line(specs[1].source)
        general = [s.name for s in specs if not s.commands]
        if len(general) > 1:
            raise CatalogError(
                path,
                at,
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
                        at,
                        f"-{letter} means both {first.name} and {second.name} for "
                        f"{', '.join(sorted(shared))}; fix their `commands:`",
                    )
