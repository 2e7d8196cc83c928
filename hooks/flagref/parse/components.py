"""Which program a container or a typed command is."""

from __future__ import annotations

import re

from ..model import Container

# The control-plane programs a Pod may run; others are named by their executable.
KNOWN_COMPONENTS = (
    "kube-apiserver",
    "kube-controller-manager",
    "kube-scheduler",
    "kube-proxy",
    "kubelet",
    "etcd",
    "cloud-controller-manager",
    "coredns",
)
_TAG = re.compile(r"[:@].*$")
KUBECTL_KINDS = {
    "po": "Pod", "pod": "Pod", "pods": "Pod",
    "deploy": "Deployment", "deployment": "Deployment", "deployments": "Deployment",
    "ds": "DaemonSet", "daemonset": "DaemonSet", "daemonsets": "DaemonSet",
    "sts": "StatefulSet", "statefulset": "StatefulSet", "statefulsets": "StatefulSet",
    "rs": "ReplicaSet", "replicaset": "ReplicaSet", "replicasets": "ReplicaSet",
    "job": "Job", "jobs": "Job", "cj": "CronJob", "cronjob": "CronJob", "cronjobs": "CronJob",
    "cm": "ConfigMap", "configmap": "ConfigMap", "configmaps": "ConfigMap",
    "svc": "Service", "service": "Service", "services": "Service",
    "no": "Node", "node": "Node", "nodes": "Node",
}  # fmt: skip


def component_of_container(container: Container, pod_name: str | None) -> str | None:
    """From the executable, else the image, else the Pod name, else the container name."""
    for origin_text in container.argv[:1]:
        exe = origin_text[1].strip().rsplit("/", 1)[-1]
        if exe and not exe.startswith("-"):
            return exe
    if container.image:
        image = _TAG.sub("", container.image.rsplit("/", 1)[-1])
        if image:
            return _known_prefix(image) or image
    if pod_name and (known := _known_prefix(pod_name)):
        return known
    return container.name


def _known_prefix(name: str) -> str | None:
    # etcd-master is etcd on node master; kube-apiserver-amd64 is kube-apiserver.
    for known in sorted(KNOWN_COMPONENTS, key=len, reverse=True):
        if name == known or name.startswith(known + "-"):
            return known
    return None


def kubectl_target(args: tuple[str, ...], flags: dict[str, str | None]) -> tuple[str | None, str | None, str | None]:
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
        kind = KUBECTL_KINDS.get(resource.split(".")[0].lower(), resource)
        if name is None and len(rest) > 1:
            name = rest[1]
    return kind, name, namespace
