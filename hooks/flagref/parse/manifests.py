"""Kubernetes objects and kubeadm configuration pasted into posts.

Posts carry YAML as printed by ``kubectl get -o yaml`` or ``cat``, often cut
with ``--TRUNCATED--`` lines and sometimes mis-indented. Markers are removed
first; the rest is read with PyYAML's composer (which keeps line numbers) and,
when that fails, with an indentation-aware line reader that still finds every
container and its ``command:`` / ``args:`` list.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass

import yaml

from ..model import Container, Origin, Probe
from .argv import is_truncation, unquote
from .yamltext import YamlProblem, compose, to_python

# libyaml's loader, where installed, reads the same nodes (line marks included) in half the time.
PROBES = ("livenessProbe", "readinessProbe", "startupProbe")
# kubeadm ClusterConfiguration sections and the component each configures.
KUBEADM_SECTIONS = {
    "apiServer": "kube-apiserver",
    "controllerManager": "kube-controller-manager",
    "scheduler": "kube-scheduler",
}
_KEY = re.compile(r"^(?P<indent>\s*)(?P<dash>-\s+)?(?P<key>[A-Za-z_][\w.-]*)\s*:(?:\s+(?P<value>.*?))?\s*$")
_ITEM = re.compile(r"^(?P<indent>\s*)-\s+(?P<value>.*?)\s*$")
_DOC_SPLIT = re.compile(r"^---\s*$")
# What every line argv.is_truncation accepts holds: TRUNCATED, truncated, Truncated, snip, SNIP or "...".
_CUT_WORDS = ("RUNCATED", "runcated", "snip", "SNIP", "...")
YAML_HINT = re.compile(r"^\s*(?:-\s+)?(?:apiVersion|kind|metadata|spec|containers|command|args|extraArgs)\s*:")


@dataclass(frozen=True)
class Setting:
    """A flag given in another spelling: kubeadm ``extraArgs``."""

    origin: Origin
    component: str
    name: str  # without dashes
    value: str | None
    spelling: str


@dataclass(frozen=True)
class ParsedObject:
    """One object of a YAML document: its kind, name, namespace, containers and settings."""

    origin: Origin
    kind: str | None
    name: str | None
    namespace: str | None
    truncated: bool
    containers: tuple[Container, ...]
    settings: tuple[Setting, ...]
    host_network: bool | None
    host_paths: tuple[str, ...]
    tolerant: bool  # read by the line reader because PyYAML could not load it


def looks_like_yaml(lines: Sequence[str]) -> bool:
    """Whether a line starts with a manifest key (``apiVersion:``, ``kind:``, ``spec:``, ``args:``...)."""
    return any(YAML_HINT.match(line) for line in lines)


def parse_manifests(lines: Sequence[tuple[Origin, str]]) -> list[ParsedObject]:
    """Every object in ``lines`` (one or more YAML documents)."""
    objects = []
    for doc in _documents(lines):
        # A cut line holds one of these words (argv.TRUNCATION): without any, no line is one.
        text = "\n".join(t for _, t in doc)
        cut = any(word in text for word in _CUT_WORDS)
        kept = [(o, t) for o, t in doc if not is_truncation(t)] if cut else doc
        truncated = len(kept) != len(doc)
        if not any(t.strip() for _, t in kept):
            continue
        obj = _compose(kept, truncated)
        if obj is None:
            obj = _read_lines(kept, truncated)
        if obj is not None:
            objects.append(obj)
    return objects


def _documents(lines: Sequence[tuple[Origin, str]]) -> list[list[tuple[Origin, str]]]:
    docs: list[list[tuple[Origin, str]]] = [[]]
    for origin, text in lines:
        if text.startswith("---") and _DOC_SPLIT.match(text):
            docs.append([])
        else:
            docs[-1].append((origin, text))
    return [d for d in docs if d]


# --- PyYAML path -----------------------------------------------------------


def _compose(lines: list[tuple[Origin, str]], truncated: bool) -> ParsedObject | None:
    text = "\n".join(t for _, t in lines)
    try:
        root = compose(text)
    except YamlProblem:
        return None
    if not isinstance(root, yaml.MappingNode):
        return None

    def at(node: yaml.Node) -> Origin:
        return lines[min(node.start_mark.line, len(lines) - 1)][0]

    kind = _scalar(_get(root, "kind"))
    metadata = _get(root, "metadata")
    found = _find_keys(root, _SEARCHED)
    # Found wherever they are: a mis-indented "containers:" lands at the top level.
    lists = [v for key in ("containers", "initContainers") for v in found[key] if isinstance(v, yaml.SequenceNode)]
    containers = tuple(_container(c, at) for v in lists for c in v.value if isinstance(c, yaml.MappingNode))
    settings = tuple(_kubeadm_settings(root, at))
    host_network = next((text for v in found["hostNetwork"] if (text := _scalar(v)) is not None), None)
    host_paths = tuple(p for hp in found["hostPath"] if (p := _scalar(_get(hp, "path"))) is not None)
    return ParsedObject(
        origin=lines[0][0],
        kind=kind,
        name=_scalar(_get(metadata, "name")),
        namespace=_scalar(_get(metadata, "namespace")),
        truncated=truncated,
        containers=containers,
        settings=settings,
        host_network=None if host_network is None else host_network.lower() == "true",
        host_paths=host_paths,
        tolerant=False,
    )


def _get(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    for k, v in node.value:
        if isinstance(k, yaml.ScalarNode) and k.value == key:
            return v
    return None


def _scalar(node: yaml.Node | None) -> str | None:
    if isinstance(node, yaml.ScalarNode) and node.tag != "tag:yaml.org,2002:null":
        return node.value
    return None


def _find_keys(node: yaml.Node, keys: frozenset[str]) -> dict[str, list[yaml.Node]]:
    """The values of each of ``keys`` anywhere under ``node``, in document order, in one walk of the tree.

    A stack, not nested generators. A value found for a key is not searched
    for that key again (a ``containers:`` list is not searched for more
    ``containers:``), but it is searched for the other keys.
    """
    found: dict[str, list[yaml.Node]] = {key: [] for key in keys}
    nothing: frozenset[str] = frozenset()
    # (node, the key it is a value of, or None; the keys not searched for below it)
    stack: list[tuple[yaml.Node, str | None, frozenset[str]]] = [(node, None, nothing)]
    while stack:
        current, key, blocked = stack.pop()
        if key is not None:
            found[key].append(current)
            blocked = blocked | {key}
        if isinstance(current, yaml.MappingNode):  # pushed in reverse: popped in document order
            for k, v in reversed(current.value):
                name = k.value if isinstance(k, yaml.ScalarNode) else None
                hit = name if name in keys and name not in blocked else None
                stack.append((v, hit, blocked))
        elif isinstance(current, yaml.SequenceNode):
            stack.extend((item, None, blocked) for item in reversed(current.value))
    return found


_SEARCHED = frozenset({"containers", "initContainers", "hostNetwork", "hostPath"})


def _argv(node: yaml.Node | None, at) -> list[tuple[Origin, str]]:
    if isinstance(node, yaml.SequenceNode):
        return [(at(item), item.value) for item in node.value if isinstance(item, yaml.ScalarNode)]
    if isinstance(node, yaml.ScalarNode) and node.value:
        return [(at(node), word) for word in _split_words(node.value)]
    return []


def _container(node: yaml.MappingNode, at) -> Container:
    env = []
    env_node = _get(node, "env")
    if isinstance(env_node, yaml.SequenceNode):
        for item in env_node.value:
            name = _scalar(_get(item, "name"))
            if name:
                env.append((at(item), name, _scalar(_get(item, "value"))))
    probes = []
    execs = []
    for key, probe in node.value:
        if key.value not in PROBES:
            continue
        http = _get(probe, "httpGet")
        if http is not None:
            host, port, scheme = (_scalar(_get(http, k)) for k in ("host", "port", "scheme"))
            # A probe is checked by its port: point at that line (as the line reader does).
            where = _get(http, "port") or key
            probes.append(Probe(key.value, host, port, scheme, at(where)))
        if argv := _argv(_get(_get(probe, "exec"), "command"), at):  # run in the container by the kubelet
            execs.append(tuple(argv))
    command = _argv(_get(node, "command"), at)
    return Container(
        name=_scalar(_get(node, "name")),
        component=None,
        image=_scalar(_get(node, "image")),
        argv=tuple(command + _argv(_get(node, "args"), at)),
        env=tuple(env),
        probes=tuple(probes),
        origin=at(node),
        command=bool(command),
        execs=tuple(execs),
    )


def _kubeadm_settings(root: yaml.MappingNode, at):
    sections = [(_get(root, key), component) for key, component in KUBEADM_SECTIONS.items()]
    sections.append(
        (_get(_get(_get(root, "etcd"), "local"), "extraArgs") and _get(_get(root, "etcd"), "local"), "etcd")
    )
    for section, component in sections:
        yield from _extra_args(_get(section, "extraArgs"), component, "extraArgs", at)
    registration = _get(root, "nodeRegistration")
    yield from _extra_args(_get(registration, "kubeletExtraArgs"), "kubelet", "kubeletExtraArgs", at)


def _extra_args(node: yaml.Node | None, component: str, spelling: str, at):
    if isinstance(node, yaml.MappingNode):  # v1beta3 and earlier: a map
        for k, v in node.value:
            yield Setting(at(k), component, str(k.value).lstrip("-"), _scalar(v), spelling)
    elif isinstance(node, yaml.SequenceNode):  # v1beta4: a list of {name, value}
        for item in node.value:
            name = _scalar(_get(item, "name"))
            if name:
                yield Setting(at(item), component, name.lstrip("-"), _scalar(_get(item, "value")), spelling)


def _split_words(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError:
        return text.split()


# --- tolerant line reader --------------------------------------------------


class _Builder:
    def __init__(self) -> None:
        self.name: str | None = None
        self.image: str | None = None
        self.argv: list[tuple[Origin, str]] = []
        self.env: list[tuple[Origin, str, str | None]] = []
        self.probes: list[Probe] = []
        self.origin: Origin | None = None
        # The key that first filled argv ("command", "args"); None: items whose key was cut, and then
        # a first word that is no flag is taken for the command.
        self.first_key: str | None = None

    def build(self) -> Container:
        if self.first_key is not None:
            command = self.first_key == "command"
        else:
            command = bool(self.argv and not self.argv[0][1].startswith("-"))
        return Container(
            self.name, None, self.image, tuple(self.argv), tuple(self.env), tuple(self.probes), self.origin, command
        )


def _read_lines(lines: list[tuple[Origin, str]], truncated: bool) -> ParsedObject | None:
    kind = name = namespace = None
    in_metadata = False
    host_network = None
    host_paths: list[str] = []
    containers: list[_Builder] = []
    current: _Builder | None = None
    container_indent = -1
    in_containers = False
    list_key: str | None = None  # command | args | env | other sequence key
    list_indent = -1
    probe: tuple[str, int, dict, Origin] | None = None
    want_host_path = False
    settings: list[Setting] = []
    extra: tuple[str, int] | None = None
    section: str | None = None

    def close_probe() -> None:
        nonlocal probe
        if probe and current is not None:
            kind_, _, data, origin = probe
            current.probes.append(Probe(kind_, data.get("host"), data.get("port"), data.get("scheme"), origin))
        probe = None

    for origin, text in lines:
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        key_m = _KEY.match(text)
        item_m = _ITEM.match(text)
        indent = len(text) - len(text.lstrip())
        if key_m:
            key, value = key_m.group("key"), (key_m.group("value") or "")
            dash = key_m.group("dash")
            key_indent = indent + (len(dash) if dash else 0)
            if extra and key_indent > extra[1] and not dash:
                settings.append(Setting(origin, extra[0], key.lstrip("-"), unquote(value) or None, "extraArgs"))
                continue
            extra = None
            if probe and key_indent <= probe[1]:
                close_probe()
            if probe and key in ("host", "port", "scheme"):
                probe[2][key] = unquote(value)
                if key == "port":
                    probe = (probe[0], probe[1], probe[2], origin)
                continue
            if list_key and (key_indent <= list_indent or (list_key in ("command", "args") and not dash)):
                if not (list_key == "env" and key_indent > list_indent):
                    list_key = None
            if indent == 0 and not dash:
                in_metadata = key == "metadata"
                if key not in ("spec", "metadata"):
                    in_containers = key in ("containers", "initContainers")
            if key == "kind" and kind is None and indent == 0:
                kind = unquote(value)
            elif in_metadata and key == "name" and name is None and indent <= 2:
                name = unquote(value)
            elif in_metadata and key == "namespace" and namespace is None:
                namespace = unquote(value)
            elif key == "hostNetwork":
                host_network = value.strip().lower() == "true"
            elif key == "hostPath":
                want_host_path = True
            elif key == "path" and want_host_path:
                host_paths.append(unquote(value))
                want_host_path = False
            if key in KUBEADM_SECTIONS:
                section = KUBEADM_SECTIONS[key]
            elif key == "local":
                section = "etcd"
            elif key == "nodeRegistration":
                section = "kubelet"
            if key in ("extraArgs", "kubeletExtraArgs") and section and not value:
                extra = (section, key_indent)
                continue
            if key in ("containers", "initContainers"):
                in_containers = True
                container_indent = -1
                continue
            starts_container = (
                in_containers
                and dash
                and list_key is None
                and (current is None or indent <= container_indent or container_indent < 0)
            )
            if starts_container:
                close_probe()
                current = _Builder()
                current.origin = origin
                containers.append(current)
                container_indent = indent
            if list_key == "env" and current is not None:
                if key == "name" and dash:
                    current.env.append((origin, unquote(value), None))
                elif key == "value" and current.env:
                    o, n, _ = current.env[-1]
                    current.env[-1] = (o, n, unquote(value))
                continue
            if current is None:
                continue
            if key in ("command", "args"):
                current.first_key = current.first_key or key
                if value.startswith("["):
                    try:
                        items = to_python(compose(value)) or []
                    except YamlProblem:
                        items = [v.strip().strip("'\"") for v in value.strip("[]").split(",")]
                    items = items if isinstance(items, list) else [items]
                    current.argv.extend((origin, str(v)) for v in items)
                elif value:
                    current.argv.extend((origin, w) for w in _split_words(unquote(value)))
                else:
                    list_key, list_indent = key, key_indent
            elif key == "env" and not value:
                list_key, list_indent = "env", key_indent
            elif key in PROBES:
                probe = (key, key_indent, {}, origin)
            elif key == "image" and current.image is None:
                current.image = unquote(value)
            elif key == "name" and current.name is None and (dash or indent <= container_indent + 2):
                current.name = unquote(value)
            elif not value and key not in ("httpGet",):
                list_key, list_indent = "other", key_indent
        elif item_m and current is not None and list_key in ("command", "args"):
            current.argv.append((origin, unquote(item_m.group("value"))))
        elif item_m and extra is None and list_key is None and item_m.group("value").startswith("-"):
            # A flag item that lost its "command:" line to a cut: still a container's
            # (a new one when it comes before any container of the object).
            if current is None or not in_containers:
                current = _Builder()
                current.origin = origin
                containers.append(current)
            current.argv.append((origin, unquote(item_m.group("value"))))
    close_probe()
    if not containers and not settings and kind is None:
        return None
    return ParsedObject(
        origin=lines[0][0],
        kind=kind,
        name=name,
        namespace=namespace,
        truncated=truncated,
        containers=tuple(c.build() for c in containers),
        settings=tuple(settings),
        host_network=host_network,
        host_paths=tuple(host_paths),
        tolerant=True,
    )
