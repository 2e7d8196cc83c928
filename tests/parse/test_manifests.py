"""Kubernetes objects and kubeadm configuration in code blocks: whole, cut, or broken."""

from __future__ import annotations

import pytest

from conftest import FIXTURE_DOCS, parse
from flagref.model import Origin
from flagref.parse.manifests import looks_like_yaml, parse_manifests

pytestmark = pytest.mark.unit


def _lines(text: str) -> list[tuple[Origin, str]]:
    return [(Origin("m.yaml", i + 1), line) for i, line in enumerate(text.splitlines())]


def test_manifest_values_other_checks_need():
    path = "posts/parsing/2020-01-10-truncated-manifests.md"
    post = parse(path, (FIXTURE_DOCS / path).read_text(encoding="utf-8"))
    scheduler, controller = post.manifests
    assert (scheduler.kind, scheduler.name, scheduler.namespace, scheduler.truncated) == (
        "Pod",
        "kube-scheduler",
        "kube-system",
        True,
    )
    assert scheduler.host_network is True
    (container,) = scheduler.containers
    assert container.image == "k8s.gcr.io/kube-scheduler:v1.16.4"
    assert [(p.kind, p.host, p.port, p.scheme) for p in container.probes] == [
        ("livenessProbe", "127.0.0.1", "10259", "HTTPS")
    ]
    # The controller manager's flags lost their "command:" to a cut and still belong to it.
    assert [c.component for c in controller.containers] == ["kube-controller-manager", "kube-controller-manager"]


def test_host_paths_and_multiple_documents():
    text = """---
title: t
---
```
networkandcode@master:~$ cat etcd.yaml
apiVersion: v1
kind: Pod
metadata:
  name: etcd-master
spec:
  hostNetwork: true
  containers:
  - command: ["etcd", "--data-dir=/var/lib/etcd"]
  volumes:
  - hostPath:
      path: /var/lib/etcd
      type: DirectoryOrCreate
    name: etcd-data
---
apiVersion: v1
kind: Pod
metadata:
  name: kube-scheduler-master
spec:
  containers:
  - command:
    - kube-scheduler
    - --port=0
```
"""
    post = parse("posts/2020-01-01-t.md", text)
    etcd, scheduler = post.manifests
    assert etcd.host_paths == ("/var/lib/etcd",) and etcd.host_network is True and etcd.source == "cat"
    assert [(u.component, u.flag, u.value, u.line) for u in post.uses if u.kind == "manifest"] == [
        ("etcd", "--data-dir", "/var/lib/etcd", 13),
        ("kube-scheduler", "--port", "0", 28),
    ]
    assert scheduler.label == "Pod kube-scheduler-master"


def _manifest_uses(post) -> list[tuple[int, str | None, str, str | None]]:
    return [(u.line, u.component, u.flag, u.value) for u in post.uses if u.kind == "manifest"]


_ARGS_ONLY = """---
title: t
---
```yaml
spec:
  containers:
  - name: metrics-server
    image: registry.k8s.io/metrics-server/metrics-server:v0.6.4
    args: ["--cert-dir=/tmp", "--secure-port=4443"]
  - name: minio
    image: minio/minio:latest
    args:
    - server
    - --console-address=:9001
  - name: etcd
    image: registry.k8s.io/etcd:3.5.9-0
    args:
    - --name=m1
    command:
    - /usr/local/bin/etcd
```

```yaml
--TRUNCATED--
  containers:
  - args:
    - --cert-dir=/tmp
    image: registry.k8s.io/metrics-server/metrics-server:v0.6.4
--TRUNCATED--
  - command:
    - kube-scheduler
    - --bind-address=127.0.0.1
--TRUNCATED--
```
"""


def test_a_container_without_command_runs_its_image():
    """``args:`` alone are handed to the image's entrypoint: their first word names no program.

    ``--cert-dir=/tmp`` first once made the program ``tmp``, and ``server`` first made it ``server``.
    Written after ``args:``, the ``command:`` still comes first; a cut manifest is read the same way.
    """
    post = parse("posts/2020-01-01-t.md", _ARGS_ONLY)
    assert _manifest_uses(post) == [
        (9, "metrics-server", "--cert-dir", "/tmp"),
        (9, "metrics-server", "--secure-port", "4443"),
        (14, "minio", "--console-address", ":9001"),
        (18, "etcd", "--name", "m1"),
        (27, "metrics-server", "--cert-dir", "/tmp"),
        (32, "kube-scheduler", "--bind-address", "127.0.0.1"),
    ]
    whole, cut = post.manifests
    assert [c.command for c in whole.containers] == [False, False, True]
    assert [c.command for c in cut.containers] == [False, True]
    assert "server" not in {u.component for u in post.uses}


_PROBED = """---
title: t
---
```yaml
apiVersion: v1
kind: Pod
metadata:
  name: etcd-master
spec:
  containers:
  - command:
    - /bin/sh
    - -ec
    - exec etcd --data-dir=/var/lib/etcd
    image: k8s.gcr.io/etcd:3.3.15-0
    livenessProbe:
      exec:
        command:
        - /bin/sh
        - -ec
        - ETCDCTL_API=3 etcdctl --endpoints=https://[127.0.0.1]:2379 --cacert=/etc/kubernetes/pki/etcd/ca.crt
          --cert=/etc/kubernetes/pki/etcd/healthcheck-client.crt --key=/etc/kubernetes/pki/etcd/healthcheck-client.key
          get foo
    readinessProbe:
      exec:
        command: ["grpc_health_probe", "-addr=:2379"]
    startupProbe:
      httpGet:
        port: 2381
        path: /health
    name: etcd
```
"""


def test_a_probe_command_is_a_command_line_of_its_own():
    """``livenessProbe: exec: command:`` is run by the kubelet in the container: its program's flags are read.

    kubectl prints a long string folded over lines (etcd's probe in kubeadm before 1.16): each flag
    keeps the line it is written on. ``-ec`` is a shell's ``-c`` too.
    """
    post = parse("posts/2020-01-01-t.md", _PROBED)
    assert _manifest_uses(post) == [
        (14, "etcd", "--data-dir", "/var/lib/etcd"),
        (21, "etcdctl", "--endpoints", "https://[127.0.0.1]:2379"),
        (21, "etcdctl", "--cacert", "/etc/kubernetes/pki/etcd/ca.crt"),
        (22, "etcdctl", "--cert", "/etc/kubernetes/pki/etcd/healthcheck-client.crt"),
        (22, "etcdctl", "--key", "/etc/kubernetes/pki/etcd/healthcheck-client.key"),
        (26, "grpc_health_probe", "-addr", ":2379"),
    ]
    assert post.unparsed == ()
    (container,) = post.manifests[0].containers
    assert [p.port for p in container.probes] == ["2381"]  # the probe the wiring checks read: HTTP only


@pytest.mark.parametrize(
    ("words", "at"),
    [
        (["/bin/sh", "-c", "x"], 1),
        (["sh", "-ec", "x"], 1),
        (["bash", "-o", "pipefail", "-xc", "x"], 3),
        (["sh", "--c", "x"], None),
        (["sh", "-e", "x"], None),
        (["etcd", "-c", "x"], None),
        (["sh", "-" + "c" * 100_000 + "!", "x"], None),  # one pass over the word, however long
    ],
)
def test_where_a_shell_takes_its_command_string(words, at):
    from flagref.parse.objects import _shell_string

    assert _shell_string([(Origin("p.md", 1), w) for w in words]) == at


def test_a_string_found_nowhere_in_the_block_keeps_its_own_line():
    """The words of a shell string are looked for in the block from the string's line, a window at a time."""
    from flagref.parse.objects import _WordLines

    lines = [
        (Origin("p.md", n), text) for n, text in [(4, "x"), (5, "- etcd --a=1"), (6, "  --b=2 " + " " * 1000 + "--c")]
    ]
    finder = _WordLines(Origin("p.md", 5), lines)
    assert [finder.find(w).line for w in ("etcd", "--a=1", "--b=2", "--c", "--gone")] == [5, 5, 6, 6, 6]
    assert _WordLines(Origin("other.md", 5), lines).find("etcd") == Origin("other.md", 5)


def test_each_argv_item_keeps_its_line_and_a_cut_is_noted():
    (obj,) = parse_manifests(
        _lines(
            "kind: Pod\n"
            "metadata:\n"
            "  name: etcd-master\n"
            "spec:\n"
            "  containers:\n"
            "  - command:\n"
            "    - etcd\n"
            "    --TRUNCATED--\n"
            "    - --name=master\n"
        )
    )
    assert (obj.kind, obj.name, obj.truncated) == ("Pod", "etcd-master", True)
    (container,) = obj.containers
    assert [(o.line, w) for o, w in container.argv] == [(7, "etcd"), (9, "--name=master")]


def test_yaml_that_does_not_load_is_read_line_by_line():
    # A tab and an unclosed quote: PyYAML gives up, the line reader does not.
    (obj,) = parse_manifests(
        _lines(
            "kind: Pod\nspec:\n  containers:\n  - command:\n    - kube-apiserver\n\t- '--v=2\n    - --secure-port=6443\n"
        )
    )
    (container,) = obj.containers
    assert ("--secure-port=6443" in [w for _, w in container.argv]) and obj.kind == "Pod"


def test_kubeadm_extra_args_are_settings_of_their_component():
    (obj,) = parse_manifests(
        _lines(
            "apiVersion: kubeadm.k8s.io/v1beta2\n"
            "kind: ClusterConfiguration\n"
            "apiServer:\n"
            "  extraArgs:\n"
            "    authorization-mode: Node,RBAC\n"
        )
    )
    assert [(s.component, s.name, s.value, s.origin.line) for s in obj.settings] == [
        ("kube-apiserver", "authorization-mode", "Node,RBAC", 5)
    ]


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["apiVersion: v1"], True),
        (["  - command:"], True),
        (["extraArgs:"], True),
        (["NAME   READY   STATUS"], False),
        (["kubectl get po -o yaml"], False),
    ],
)
def test_looks_like_yaml(lines, expected):
    assert looks_like_yaml(lines) is expected


@pytest.mark.parametrize(
    "text", ["", "---\n---\n", "- a\n- b\n", "just: [unclosed\n", "kind: Pod\nspec: 3\n", "\t\t:\n"]
)
def test_odd_yaml_never_raises(text):
    for obj in parse_manifests(_lines(text)):
        assert obj.origin.path == "m.yaml"
