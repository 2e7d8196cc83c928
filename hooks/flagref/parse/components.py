"""Which program a container or a typed command is."""

from __future__ import annotations

import functools
import re
import types
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..model import Container

_DATA = Path(__file__).resolve().parent.parent / "data" / "kubernetes.yaml"
# An image's tag or digest: everything from the first ':' or '@'.
_TAG = re.compile(r"[:@].*$")


@dataclass(frozen=True)
class KubernetesNames:
    """``data/kubernetes.yaml``: control-plane program names and kubectl resource names."""

    components: tuple[str, ...]
    kubectl_kinds: Mapping[str, str]  # resource or short name -> kind


@functools.cache
def _parse(text: str) -> KubernetesNames:
    data = yaml.safe_load(text)
    components = tuple(str(c) for c in data["components"])
    kinds = {str(name): str(kind) for kind, names in data["kubectl_kinds"].items() for name in names}
    return KubernetesNames(tuple(sorted(components, key=len, reverse=True)), types.MappingProxyType(kinds))


def kubernetes_names() -> KubernetesNames:
    """The data file, read now (cheap) and parsed once per content."""
    return _parse(_DATA.read_text(encoding="utf-8"))


def executable(word: str) -> str | None:
    """The program a command's first word runs (``/usr/local/bin/etcd`` -> ``etcd``); ``None`` for an option."""
    word = word.strip()
    return None if word.startswith("-") else word.rsplit("/", 1)[-1] or None


def component_of_container(container: Container, pod_name: str | None) -> str | None:
    """From the executable (its ``command:``), else the image, else the Pod name, else the container name."""
    if container.command and container.argv and (exe := executable(container.argv[0][1])):
        return exe
    if container.image:
        image = _TAG.sub("", container.image.rsplit("/", 1)[-1])
        if image:
            return known_component(image) or image
    if pod_name and (known := known_component(pod_name)):
        return known
    return container.name


def known_component(name: str, names: KubernetesNames | None = None) -> str | None:
    """The control-plane program ``name`` is named after, if any (``names``: the data file, read by the caller)."""
    return _known_in((names or kubernetes_names()).components, name)


@functools.lru_cache(maxsize=4096)
def _known_in(components: tuple[str, ...], name: str) -> str | None:
    # etcd-master is etcd on node master; kube-apiserver-amd64 is kube-apiserver.
    # Cached on the names and the word: a post asks about the same words many times.
    for known in components:
        if name == known or name.startswith(known + "-"):
            return known
    return None


def kubectl_target(
    args: tuple[str, ...], flags: dict[str, str | None], names: KubernetesNames | None = None
) -> tuple[str | None, str | None, str | None]:
    """(kind, name, namespace) of ``kubectl get po NAME -n NS -o yaml``."""
    words = list(args)
    namespace = flags.get("namespace", flags.get("n"))
    if not words or words[0] not in ("get", "edit", "describe"):
        return None, None, namespace
    kind = name = None
    rest = words[1:]
    if rest:
        resource = rest[0]
        if "/" in resource:
            resource, _, name = resource.partition("/")
        kind = (names or kubernetes_names()).kubectl_kinds.get(resource.split(".")[0].lower(), resource)
        if name is None and len(rest) > 1:
            name = rest[1]
    return kind, name, namespace
