"""How the facts of the kubernetes.io reference pages map onto the catalog.

``kube-component-flags.json`` (kept outside the repository, in
``../shared/upstream/``) lists, for each Kubernetes server component and each
release whose reference page it covers, every flag with the type, default
and short form the page prints. The import script writes those facts into the
catalog's YAML files and the fact tests compare the two; both use the
mappings here, so that they can never disagree on what "the same" means. The
site build does not read the JSON.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from pathlib import Path

#: The components the JSON covers.
COMPONENTS = ("kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubelet", "kube-proxy")

# Types printed by the page generator (pflag's value types and a few
# hand-written placeholders) -> the catalog type written for a new flag.
_TYPE_MAP = {
    "string": "string",
    "bool": "bool",
    "duration": "duration",
    "int": "int",
    "int32": "int",
    "int64": "int",
    "uint": "int",
    "uint32": "int",
    "Level": "int",
    "float": "float",
    "float32": "float",
    "float64": "float",
    "strings": "string-list",
    "stringSlice": "string-list",
    "stringArray": "string-list",
    "cidrs": "cidr",
    "ip": "ip",
    "ipport": "host-port",
    "quantity": "quantity",
    "stringToString": "map",
    "mapStringString": "map",
    "mapStringBool": "map",
    "colonSeparatedMultimapStringString": "map",
    "pattern=N,...": "map",
    "<comma-separated 'key=value' pairs>": "map",
    "<key=value pairs>": "map",
    "<A list of 'key=true/false' pairs>": "map",
    "<comma-separated 'key=True|False' pairs>": "map",
    "<A list of 'pattern=N' strings>": "map",
}

# Catalog types that say more than the page's type without contradicting it:
# a page's "string" may be a path, a URL, an address or a choice.
_REFINEMENTS = {
    "string": frozenset(
        {
            "string",
            "path",
            "url",
            "url-list",
            "ip",
            "host-port",
            "cidr",
            "enum",
            "port",
            "quantity",
            "map",
            "string-list",
        }
    ),
    "int": frozenset({"int", "port"}),
    "string-list": frozenset({"string-list", "url-list", "map", "path", "cidr"}),
    "cidr": frozenset({"cidr", "string-list"}),
    "map": frozenset({"map", "string-list"}),
    "host-port": frozenset({"host-port", "string"}),
    "ip": frozenset({"ip", "string"}),
}

# Defaults the pages print for "nothing": the catalog writes null for them.
_EMPTY_DEFAULTS = frozenset({"", '""', "''", "[]", "``", "<nil>", "<none>", "<None>", "none"})
# pflag prints no default when it is the type's zero value.
_ZERO_VALUES = {"bool": "false", "int": "0", "float": "0"}

#: Page facts known to be damaged, by (component, flag, field), with the reason.
#: The import keeps the catalog's value for these and the fact test skips them.
PAGE_ERRATA = {
    ("kubelet", "eviction-hard", "default"): "the page generator cut the default at its first '<'",
}


def catalog_type(upstream: str | None) -> str:
    """The catalog type for a page type; anything unusual is plain ``string``."""
    return _TYPE_MAP.get(upstream or "string", "string")


def type_agrees(upstream: str | None, catalog: str) -> bool:
    """Whether the catalog's ``type`` is the page's type or a more precise word for it."""
    base = catalog_type(upstream)
    return catalog in _REFINEMENTS.get(base, frozenset({base}))


def normalize_default(value: str | None, upstream_type: str | None = None) -> str | None:
    """A page default as the catalog writes it: quotes and backticks off, empty values as ``None``.

    ``"\\"kube-system\\""`` -> ``kube-system``; ``"[]"`` -> ``None``; ``"[a,b]"`` -> ``a,b``. A
    missing default of a bool or number is its zero value, which pflag leaves unprinted.
    """
    if value is None:
        return _ZERO_VALUES.get(catalog_type(upstream_type))
    text = value.strip()
    if text in _EMPTY_DEFAULTS:
        return None
    for opening, closing in (('"', '"'), ("'", "'"), ("`", "`"), ("[", "]")):
        if len(text) >= 2 and text[0] == opening and text[-1] == closing:
            text = text[1:-1].strip()
    return None if text in _EMPTY_DEFAULTS else text


def upstream_path(repo_root: str | os.PathLike) -> Path:
    """Where the JSON lives relative to the repository: ``../shared/upstream/kube-component-flags.json``."""
    return Path(repo_root).resolve().parent / "shared" / "upstream" / "kube-component-flags.json"


def read_upstream(path: str | os.PathLike) -> Mapping[str, Mapping]:
    """The JSON's ``components`` mapping: ``{component: {"page_releases": [...], "flags": {...}}}``."""
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    return data["components"]


# --------------------------------------------------------------------------
# kubectl: its own help is the reference (the JSON does not cover it).

#: The subcommands whose flags the catalog covers, as typed after ``kubectl``.
KUBECTL_COMMANDS = (
    "get",
    "describe",
    "create",
    "create deployment",
    "create namespace",
    "create secret generic",
    "create configmap",
    "create token",
    "apply",
    "delete",
    "edit",
    "exec",
    "logs",
    "run",
    "expose",
    "scale",
    "rollout status",
    "rollout history",
    "rollout undo",
    "rollout restart",
    "label",
    "annotate",
    "config view",
    "config use-context",
    "config set-context",
    "config get-contexts",
    "drain",
    "cordon",
    "uncordon",
    "taint",
    "top pod",
    "top node",
    "port-forward",
    "cp",
    "auth can-i",
    "explain",
    "wait",
    "patch",
)

# One option line of kubectl's help: four spaces, an optional "-x, " short
# alias, "--name=DEFAULT:" (one greedy run up to the final colon, linear).
_KUBECTL_OPTION_RE = re.compile(r"    (?:-([A-Za-z0-9]), )?--([a-z0-9][a-z0-9-]*)=(.*):")


def parse_kubectl_help(text: str) -> dict[str, tuple[str | None, str]]:
    """``{flag name: (short letter or None, default as printed)}`` from ``kubectl ... --help``."""
    found: dict[str, tuple[str | None, str]] = {}
    for line in text.splitlines():
        match = _KUBECTL_OPTION_RE.fullmatch(line.rstrip())
        if match is not None:
            found[match.group(2)] = (match.group(1), match.group(3))
    return found


def kubectl_type(default: str) -> str:
    """A catalog type guessed only from how kubectl prints the default (``false``, ``[]``, ``0s``...)."""
    if default in ("true", "false"):
        return "bool"
    if default.startswith("["):
        return "string-list"
    if re.fullmatch(r"-?\d+", default):
        return "int"
    # A Go duration as printed: digits and unit letters, e.g. 0s, 1m0s, 30s (one class, linear).
    if re.fullmatch(r"\d[0-9hms.µn]*s", default):
        return "duration"
    return "string"


# --------------------------------------------------------------------------
# etcd and etcdctl 3.4: their help is the reference too.

# An option line of etcdctl's help: indentation, optional "-x, ", "--name",
# then the default spelling up to the first tab ("[=false]", "=\"l\"", "=0").
# Each part is a single bounded class run, so the match is linear.
_ETCDCTL_OPTION_RE = re.compile(r"\s+(?:-([A-Za-z0-9]), )?--([a-z0-9][a-z0-9-]*)([^\t ]*)\t.*")
# An option line of etcd's help: indentation, "--name", optionally a default.
_ETCD_OPTION_RE = re.compile(r"\s+--([a-z0-9][a-z0-9-]*)(?: .*)?")


def parse_etcdctl_help(text: str) -> dict[str, tuple[str | None, str]]:
    """``{flag name: (short letter or None, default as printed)}`` from ``etcdctl ... --help``, ``[=`` and quotes off."""
    found: dict[str, tuple[str | None, str]] = {}
    for line in text.splitlines():
        match = _ETCDCTL_OPTION_RE.fullmatch(line)
        if match is None:
            continue
        printed = match.group(3)
        if printed.startswith("[=") and printed.endswith("]"):
            printed = printed[2:-1]
        elif printed.startswith("="):
            printed = printed[1:]
        found[match.group(2)] = (match.group(1), printed.strip('"'))
    return found


def etcdctl_commands(text: str) -> list[str]:
    """The subcommands listed under ``COMMANDS:`` in ``etcdctl --help`` (``"member add"``...)."""
    commands: list[str] = []
    inside = False
    for line in text.splitlines():
        if line.strip() == "COMMANDS:":
            inside = True
            continue
        if inside:
            if not line.startswith("\t"):
                break
            name = line.strip().split("\t", 1)[0].strip()
            if name and name != "help":
                commands.append(name)
    return commands


def etcd_flag_names(text: str) -> set[str]:
    """The flags ``etcd --help`` prints (usage lines such as ``etcd --config-file`` included)."""
    names = set()
    for line in text.splitlines():
        match = _ETCD_OPTION_RE.fullmatch(line.replace("  etcd --", "  --", 1))
        if match is not None:
            names.add(match.group(1))
    return names
