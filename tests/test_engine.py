"""The extraction engine on the seed and on small cases, with hand-written expectations."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import DOCS, FIXTURE_DOCS, SEED
from flagref.model import Origin
from flagref.parse import parse_post
from flagref.parse.argv import is_truncation, parse_argv
from flagref.parse.transcripts import PROMPT, command_tool, split_stages, split_words
from flagref.scan import scan_docs

SEED_APISERVER = {
    "--etcd-cafile": "/etc/kubernetes/pki/etcd/ca.crt",
    "--etcd-certfile": "/etc/kubernetes/pki/apiserver-etcd-client.crt",
    "--etcd-keyfile": "/etc/kubernetes/pki/apiserver-etcd-client.key",
    "--etcd-servers": "https://127.0.0.1:2379",
}
SEED_ETCD = {
    "--advertise-client-urls": "https://10.128.15.226:2379",
    "--cert-file": "/etc/kubernetes/pki/etcd/server.crt",
    "--client-cert-auth": "true",
    "--data-dir": "/var/lib/etcd",
    "--initial-advertise-peer-urls": "https://10.128.15.226:2380",
    "--initial-cluster": "master=https://10.128.15.226:2380",
    "--key-file": "/etc/kubernetes/pki/etcd/server.key",
    "--listen-client-urls": "https://127.0.0.1:2379,https://10.128.15.226:2379",
    "--listen-metrics-urls": "http://127.0.0.1:2381",
    "--listen-peer-urls": "https://10.128.15.226:2380",
    "--name": "master",
    "--peer-cert-file": "/etc/kubernetes/pki/etcd/peer.crt",
    "--peer-client-cert-auth": "true",
    "--peer-key-file": "/etc/kubernetes/pki/etcd/peer.key",
    "--peer-trusted-ca-file": "/etc/kubernetes/pki/etcd/ca.crt",
    "--snapshot-count": "10000",
    "--trusted-ca-file": "/etc/kubernetes/pki/etcd/ca.crt",
}


@pytest.fixture(scope="module")
def seed():
    return parse_post("posts/kubernetes/components/2019-10-24-etcd.md", SEED.read_text(encoding="utf-8"))


def _manifest(post, component):
    return {u.flag: u.value for u in post.uses if u.kind == "manifest" and u.component == component}


def test_seed_manifest_flags_exactly(seed):
    assert _manifest(seed, "kube-apiserver") == SEED_APISERVER
    assert _manifest(seed, "etcd") == SEED_ETCD
    assert len([u for u in seed.uses if u.kind == "manifest"]) == 21
    assert seed.unparsed == ()


def test_seed_objects_come_from_the_kubectl_command(seed):
    labels = [(m.label, m.truncated, [c.component for c in m.containers]) for m in seed.manifests]
    assert labels == [
        ("Pod kube-apiserver-master (kube-system)", True, ["kube-apiserver"]),
        ("Pod etcd-master (kube-system)", True, ["etcd"]),
    ]
    apiserver = [u for u in seed.uses if u.component == "kube-apiserver" and u.kind == "manifest"]
    assert {u.object for u in apiserver} == {"Pod kube-apiserver-master (kube-system)"}
    assert {u.host for u in apiserver} == {"master"}
    assert [u.line for u in apiserver] == [33, 34, 35, 36]


def test_seed_kubectl_options(seed):
    kubectl = [(u.line, u.flag, u.value) for u in seed.uses if u.component == "kubectl"]
    assert kubectl == [
        (17, "-n", "kube-system"),
        (17, "-o", "wide"),
        (25, "-n", "kube-system"),
        (25, "-o", "yaml"),
        (51, "-n", "kube-system"),
        (51, "-o", "yaml"),
    ]
    assert [c.tool for c in seed.commands] == ["kubectl", "grep", "kubectl", "ls", "kubectl"]


def test_seed_prose_mentions(seed):
    prose = [(u.line, u.component, u.flag, u.value, u.ambiguous) for u in seed.uses if u.kind == "prose"]
    assert prose == [
        (21, "kube-apiserver", "--etcd-servers", None, False),
        (47, "kube-apiserver", "--etcd-servers", "https://127.0.0.1:2379", False),
        (49, "etcd", "--listen-client-urls", None, False),
        (49, "etcd", "--advertise-client-urls", None, False),
        (78, "etcd", "--listen-client-urls", None, False),
    ]


def test_seed_metadata(seed):
    assert seed.title == "kubernetes > etcd as a component in the cluster"
    assert seed.categories == ("kubernetes",)
    assert seed.date.isoformat() == "2019-10-24"
    assert [(f.origin.line, len(f.body)) for f in seed.fences] == [(17, 2), (25, 13), (42, 2), (51, 26)]


def test_cli_scan_json_gives_the_seed(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "flagref.cli", "scan", str(DOCS), "--json"], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    (post,) = [p for p in data["posts"] if p["path"] == "posts/kubernetes/components/2019-10-24-etcd.md"]
    assert post["title"] == "kubernetes > etcd as a component in the cluster"
    assert post["categories"] == ["kubernetes"] and post["date"] == "2019-10-24"
    manifest = {(f["component"], f["flag"]): f["value"] for f in post["flags"] if f["kind"] == "manifest"}
    expected = {("kube-apiserver", k): v for k, v in SEED_APISERVER.items()}
    expected.update({("etcd", k): v for k, v in SEED_ETCD.items()})
    assert manifest == expected
    assert {"line", "block", "kind", "component", "flag", "value"} <= set(post["flags"][0])
    assert post["unparsed"] == []


def test_cli_scan_fails_only_when_the_folder_cannot_be_read(tmp_path):
    missing = subprocess.run(
        [sys.executable, "-m", "flagref.cli", "scan", str(tmp_path / "nope")], capture_output=True, text=True
    )
    assert missing.returncode == 2 and "not a directory" in missing.stderr
    ok = subprocess.run(
        [sys.executable, "-m", "flagref.cli", "scan", str(FIXTURE_DOCS)], capture_output=True, text=True
    )
    assert ok.returncode == 0
    assert "UNPARSED" in ok.stdout  # the unparsed fixture lines are reported, not hidden


def test_cli_version_and_help():
    version = subprocess.run([sys.executable, "-m", "flagref.cli", "--version"], capture_output=True, text=True)
    assert version.stdout.startswith("flagref ")
    helptext = subprocess.run([sys.executable, "-m", "flagref.cli", "--help"], capture_output=True, text=True)
    assert "scan" in helptext.stdout and "check" in helptext.stdout and "catalog" in helptext.stdout


ORIGIN = Origin("t.md", 1)


def _items(*words):
    return [(Origin("t.md", i + 1), w) for i, w in enumerate(words)]


@pytest.mark.parametrize(
    ("words", "takes", "expected"),
    [
        (
            ("--initial-cluster=master=https://10.128.15.226:2380",),
            None,
            [("--initial-cluster", "master=https://10.128.15.226:2380")],
        ),
        (("--authorization-mode", "Node,RBAC"), None, [("--authorization-mode", "Node,RBAC")]),
        (("--allow-privileged", "--v=2"), None, [("--allow-privileged", None), ("--v", "2")]),
        (("-n", "kube-system", "-o", "yaml"), {"-n": True, "-o": True}, [("-n", "kube-system"), ("-o", "yaml")]),
        (("-i", "active"), {"-i": False}, [("-i", None)]),
        (("--tls-cipher-suites='A,B'",), None, [("--tls-cipher-suites", "A,B")]),
        (
            ("--feature-gates=A=true", "--feature-gates=B=false"),
            None,
            [("--feature-gates", "A=true"), ("--feature-gates", "B=false")],
        ),
        (("--", "--not-a-flag"), None, []),
        (("-v=2",), None, [("-v", "2")]),
    ],
)
def test_parse_argv(words, takes, expected):
    flags, _, unparsed = parse_argv(_items(*words), (lambda f: takes.get(f)) if takes else None)
    assert [(f.flag, f.value) for f in flags] == expected
    assert unparsed == []


def test_parse_argv_reports_malformed_flags():
    flags, _, unparsed = parse_argv(_items("--=broken"))
    assert flags == [] and [(u.line, u.text) for u in unparsed] == [(1, "--=broken")]


@pytest.mark.parametrize(
    "line",
    [
        "--TRUNCATED--",
        "    --TRUNCATED--",
        "-- TRUNCATED --",
        "---truncated---",
        "  # --TRUNCATED--",
        "...",
        "    - --TRUNCATED--",
    ],
)
def test_truncation_markers(line):
    assert is_truncation(line)


@pytest.mark.parametrize("line", ["--etcd-servers=x", "- --truncate-log", "TRUNCATED is a word here"])
def test_not_truncation_markers(line):
    assert not is_truncation(line)


@pytest.mark.parametrize(
    ("line", "command"),
    [
        ("networkandcode@master:~$ kubectl get po", "kubectl get po"),
        ("user@host:/etc/kubernetes$ ls", "ls"),
        ("root@master:~# kubeadm reset", "kubeadm reset"),
        ("$ etcdctl member list", "etcdctl member list"),
        ("[root@node1 ~]# systemctl restart kubelet", "systemctl restart kubelet"),
    ],
)
def test_prompts(line, command):
    assert PROMPT.match(line).group("command") == command


@pytest.mark.parametrize(
    ("text", "tools"),
    [
        ("sudo ETCDCTL_API=3 etcdctl member list", [("etcdctl", ["member", "list"])]),
        ("kubectl get po -o wide | grep etcd", [("kubectl", ["get", "po", "-o", "wide"]), ("grep", ["etcd"])]),
        ("sudo -u root /usr/local/bin/kubelet --v=2 && echo ok", [("kubelet", ["--v=2"]), ("echo", ["ok"])]),
    ],
)
def test_commands_and_pipelines(text, tools):
    words, problem = split_words(text)
    assert problem is None
    stages = split_stages([(ORIGIN, w) for w in words])
    assert [command_tool([w for _, w in s]) for s in stages] == tools


def test_fixture_scan_never_raises_and_reports_every_flag_line():
    result = scan_docs(FIXTURE_DOCS)
    assert len(result.posts) >= 10
    for post in result.posts:
        flagged = {(u.path, u.line) for u in post.uses} | {(u.path, u.line) for u in post.unparsed}
        for fence in post.fences:
            for origin, text in zip(fence.origins, fence.body):
                if (
                    "--" in text
                    and not is_truncation(text)
                    and any(
                        w.startswith("--") and len(w) > 2 and w[2].isalnum() for w in text.replace("=", " ").split()
                    )
                ):
                    assert (origin.path, origin.line) in flagged, f"{origin}: {text!r}"


def test_manifest_values_other_checks_need():
    result = scan_docs(FIXTURE_DOCS)
    post = {p.path: p for p in result.posts}["posts/parsing/2020-01-10-truncated-manifests.md"]
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
    post = parse_post("posts/2020-01-01-t.md", text)
    etcd, scheduler = post.manifests
    assert etcd.host_paths == ("/var/lib/etcd",) and etcd.host_network is True and etcd.source == "cat"
    assert [(u.component, u.flag, u.value, u.line) for u in post.uses if u.kind == "manifest"] == [
        ("etcd", "--data-dir", "/var/lib/etcd", 13),
        ("kube-scheduler", "--port", "0", 28),
    ]
    assert scheduler.label == "Pod kube-scheduler-master"


def test_bundled_short_options_are_one_use_each():
    text = "---\ntitle: t\n---\n```\n$ kubectl exec -it etcd-master -n kube-system -- sh\n$ ps -ef\n```\n"
    post = parse_post("posts/2020-01-01-t.md", text)
    uses = [(u.component, u.flag, u.value, u.spelling) for u in post.uses]
    assert uses == [
        ("kubectl", "-i", None, "-it"),
        ("kubectl", "-t", None, "-it"),
        ("kubectl", "-n", "kube-system", None),
        ("ps", "-e", None, "-ef"),
        ("ps", "-f", None, "-ef"),
    ]


def test_circular_snippet_include_is_reported(tmp_path):
    from flagref.parse.snippets import SnippetSource

    (tmp_path / "a.md").write_text('text\n--8<-- "a.md"\n')
    post = parse_post("posts/2020-01-01-t.md", '--8<-- "a.md"\n', snippets=SnippetSource((tmp_path,)))
    assert [str(d) for d in post.diagnostics] == [
        f"{tmp_path}/a.md:2: snippet 'a.md' includes itself; remove the circular include"
    ]
    assert post.document.lines == ("text",)
