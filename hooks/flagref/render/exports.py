"""Machine-readable exports of the flag reference: ``flags.json`` and ``objects.inv``.

Both are made from the same records as ``flagref lookup`` (:class:`SeenUse`,
:func:`flags_document`), so the site, the terminal and other tools agree.
``flags.json`` follows ``static/flags.schema.json``; ``objects.inv`` is a Sphinx
inventory (version 2), so intersphinx or mkdocstrings can link
``kube-apiserver --etcd-servers`` to its entry.
"""

from __future__ import annotations

import io
import json
import zlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from importlib.resources import files
from typing import TYPE_CHECKING, Any, TextIO

from ..checks.rules import Rule
from ..checks.secrets import MASK
from .routes import PageNames, block_anchor, flag_target, page_names, page_url

if TYPE_CHECKING:
    from ..catalog import Catalog
    from ..index import FlagIndex

FLAGS_JSON = "flags.json"
OBJECTS_INV = "objects.inv"
SCHEMA_VERSION = 1
FLAG_ROLE = "flagref:flag"
COMPONENT_ROLE = "flagref:component"

#: The Kubernetes components, in the order a reader of Kubernetes posts looks for them; other tools follow A to Z.
KUBERNETES_ORDER = (
    "etcd",
    "kube-apiserver",
    "kube-controller-manager",
    "kube-scheduler",
    "kubelet",
    "kube-proxy",
    "kubeadm",
    "kubectl",
    "etcdctl",
)


def component_order(name: str | None) -> tuple[int, str]:
    """Sort key: the Kubernetes components first in ``KUBERNETES_ORDER``, then the others by name."""
    if name in KUBERNETES_ORDER:
        return (KUBERNETES_ORDER.index(name), name)
    return (len(KUBERNETES_ORDER), name or "")


@dataclass(frozen=True)
class SeenUse:
    """One use of a flag in a post, as the exports show it: the value masked when it is a credential."""

    component: str | None
    name: str  # canonical, without dashes
    flag: str  # as written
    value: str | None
    post: str  # the post's title
    url: str  # site-relative, at the code block when there is one
    path: str
    line: int
    kind: str
    object: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The record as a JSON object."""
        # Field by field: dataclasses.asdict deep-copies every value, a third of flags.json's cost.
        return {f: getattr(self, f) for f in _SEEN_FIELDS}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SeenUse:
        """The record ``to_json`` wrote."""
        return cls(**data)


_SEEN_FIELDS = tuple(f.name for f in fields(SeenUse))


def seen_uses(title: str, url: str, uses: Iterable[Any]) -> list[SeenUse]:
    """The exported records of a post's ``FlagUse`` objects (``url``: the post's site-relative URL)."""
    out = []
    for use in uses:
        where = url + (f"#{block_anchor(use.block)}" if use.block is not None else "")
        out.append(
            SeenUse(
                use.component,
                use.name,
                use.flag,
                MASK if use.secret else use.value,
                title,
                where,
                use.path,
                use.line,
                use.kind,
                use.object,
            )
        )
    return out


def index_uses(index: FlagIndex) -> list[SeenUse]:
    """Every use of every entry of a build's index."""
    out: list[SeenUse] = []
    for entry in index.entries.values():
        for item, use in entry.uses:
            out.extend(seen_uses(item.post.title, item.url, (use,)))
    return out


def flags_document(
    catalog: Catalog, rules: Sequence[Rule], uses: Iterable[SeenUse], directory_urls: bool = True
) -> dict[str, Any]:
    """The content of ``flags.json``: every flag of every component, catalogued or used.

    Components come Kubernetes first (``KUBERNETES_ORDER``), then A to Z; flags
    A to Z within each. Secrets arrive masked in ``uses`` (see ``seen_uses``).
    """
    by_key: dict[tuple[str | None, str], list[SeenUse]] = defaultdict(list)
    written: dict[tuple[str | None, str], str] = {}
    for use in uses:
        by_key[(use.component, use.name)].append(use)
        written.setdefault((use.component, use.name), use.flag)
    keys = {(c.name, spec.name) for c in catalog.components.values() for spec in c.flags.values()} | set(by_key)
    # The components with a page: those with an entry, as the reference pages are made (routes.component_pages).
    names = sorted({c for c, _ in keys if c is not None}, key=component_order)
    pages = page_names("flags", names)
    components = []
    for name in names:
        spec = catalog.components.get(name)
        components.append(
            {
                "name": name,
                "summary": spec.summary if spec else None,
                "upstream": spec.docs_url if spec and spec.docs_url else None,
                "url": page_url(pages.uri(name), directory_urls),
                "flags": sum(1 for c, _ in keys if c == name),
            }
        )
    flags = []
    for component, name in sorted(keys, key=lambda k: (component_order(k[0]), k[1])):
        spec = catalog.components[component].flags.get(name) if component in catalog.components else None
        seen = sorted(by_key.get((component, name), ()), key=lambda u: (u.path, u.line))
        flag = spec.flag if spec is not None else written.get((component, name), "--" + name)
        flags.append(
            {
                "component": component,
                "name": name,
                "flag": flag,
                "url": _entry_url(component, name, pages, directory_urls),
                "meaning": spec.meaning if spec else None,
                "type": spec.type if spec else None,
                "default": spec.default if spec else None,
                "short": spec.short_flag if spec else None,
                "env": spec.env if spec else None,
                "config_field": spec.config_field if spec else None,
                "lifecycle": _lifecycle(spec),
                "upstream": _upstream(catalog, component, flag),
                "uses": len(seen),
                "values": [{k: v for k, v in u.to_json().items() if k not in ("component", "name")} for u in seen],
                "relations": relations_of(rules, component, name, pages, directory_urls),
            }
        )
    return {"version": SCHEMA_VERSION, "components": components, "flags": flags}


def _entry_url(component: str | None, name: str, pages: PageNames, directory_urls: bool) -> str:
    uri, fragment = flag_target(component, name, pages)
    return page_url(uri, directory_urls) + "#" + fragment


def _lifecycle(spec: Any) -> dict[str, Any]:
    if spec is None:
        return {
            "timeline": "",
            "introduced": None,
            "last_listed": None,
            "deprecated": None,
            "removed": None,
            "replacement": None,
        }
    return {
        "timeline": spec.timeline(),
        "introduced": spec.introduced,
        "last_listed": spec.last_listed,
        "deprecated": str(spec.deprecation) if spec.deprecation else None,
        "removed": str(spec.removal) if spec.removal else None,
        "replacement": spec.replacement,
    }


def _upstream(catalog: Catalog, component: str | None, flag: str) -> str | None:
    if component is None:
        return None
    # A flag spelled without dashes here is a probe port or the like: no upstream anchor for it.
    return catalog.docs_url(component, flag) if flag.startswith("-") else None


def relations_of(
    rules: Sequence[Rule], component: str | None, name: str, pages: PageNames, directory_urls: bool = True
) -> list[dict[str, Any]]:
    """The reviewed rules that involve ``component``'s flag ``name``, each with the flag on the other side."""
    out = []
    for rule in rules:
        for side in rule.involves(component, name):
            other = rule.b if side == "a" else rule.a
            out.append(
                {
                    "rule": rule.id,
                    "kind": rule.kind,
                    "side": side,
                    "explanation": rule.explanation,
                    "other": {
                        "component": other.component,
                        "flag": other.flag,
                        # A probe's port is not a flag: it has no entry to link to.
                        "url": _entry_url(other.component, other.name, pages, directory_urls)
                        if other.flag.startswith("-")
                        else None,
                    },
                }
            )
    return out


def render_flags_json(document: dict[str, Any]) -> str:
    """``flags.json`` as written to the site: UTF-8, compact, one flag per line for readable diffs."""
    out = io.StringIO()
    write_flags_json(document, out)
    return out.getvalue()


def write_flags_json(document: dict[str, Any], out: TextIO) -> None:
    """Write ``render_flags_json(document)`` to ``out`` a flag at a time (the whole text is never held)."""
    head = {k: v for k, v in document.items() if k != "flags"}
    out.write(json.dumps(head, ensure_ascii=False, separators=(",", ":"))[:-1] + ',"flags":[\n')
    for number, flag in enumerate(document["flags"]):
        out.write((",\n" if number else "") + json.dumps(flag, ensure_ascii=False, separators=(",", ":")))
    out.write("\n]}\n")


def render_objects_inv(document: dict[str, Any], project: str = "flagref", version: str = "") -> bytes:
    """A Sphinx inventory (version 2) of every flag entry and component page of ``document``.

    Names are ``kube-apiserver --etcd-servers`` (role ``flagref:flag``) and
    ``kube-apiserver`` (role ``flagref:component``); URIs are site-relative.
    """
    header = (
        "# Sphinx inventory version 2\n"
        f"# Project: {_one_line(project)}\n"
        f"# Version: {_one_line(version)}\n"
        "# The remainder of this file is compressed using zlib.\n"
    ).encode()
    lines = []
    for component in document["components"]:
        lines.append(f"{component['name']} {COMPONENT_ROLE} 1 {component['url']} -")
    for flag in document["flags"]:
        if flag["component"] is None:
            continue  # a flag mentioned without a program has no entry of its own to point to
        lines.append(f"{flag['component']} {flag['flag']} {FLAG_ROLE} 1 {flag['url']} -")
    return header + zlib.compress(("\n".join(lines) + "\n").encode(), 9)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def flags_schema() -> dict[str, Any]:
    """The JSON Schema ``flags.json`` follows (``static/flags.schema.json``)."""
    return json.loads(files(__package__).joinpath("static", "flags.schema.json").read_text(encoding="utf-8"))


def env_prefixes(catalog: Catalog) -> list[str]:
    """The environment prefixes of the catalog's components (``ETCD_``), for the search's query normaliser."""
    return sorted({c.env_prefix for c in catalog.components.values() if c.env_prefix})
