"""Prompts of every shape a terminal shows, and the command/output rule for blocks without them."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flagref.parse.programs import load_programs
from flagref.parse.prompts import (
    classify_block,
    is_continuation,
    looks_like_command,
    split_prompt,
    strip_continuation,
)

# Hypothesis properties and timing checks are left out of the fast `unit` tier; they run in the full suite.

PROGRAMS = load_programs()
CATALOG_NAMES = frozenset({"kubectl", "kubeadm", "etcd", "etcdctl", "kubelet", "kube-apiserver"})

# (line, prompt, command, host, user)
PROMPTS = [
    (
        "networkandcode@master:~$ kubectl get po",
        "networkandcode@master:~$ ",
        "kubectl get po",
        "master",
        "networkandcode",
    ),
    ("user@host:/etc/kubernetes# ls", "user@host:/etc/kubernetes# ", "ls", "host", "user"),
    ("user@host:~/k8s$ ls", "user@host:~/k8s$ ", "ls", "host", "user"),
    ("user@host ~ % kubectl get po", "user@host ~ % ", "kubectl get po", "host", "user"),
    ("[root@node1 ~]# kubeadm reset", "[root@node1 ~]# ", "kubeadm reset", "node1", "root"),
    ("[user@host dir]$ ls", "[user@host dir]$ ", "ls", "host", "user"),
    ("[vagrant@k8s-master ~]$ sudo -i", "[vagrant@k8s-master ~]$ ", "sudo -i", "k8s-master", "vagrant"),
    ("name: $ kubectl get po", "name: $ ", "kubectl get po", "name", None),
    ("controlplane:~$ kubectl get no", "controlplane:~$ ", "kubectl get no", "controlplane", None),
    ("$ kubectl get po", "$ ", "kubectl get po", None, None),
    ("$", "$", "", None, None),
    (
        "# kubeadm init --pod-network-cidr=10.244.0.0/16",
        "# ",
        "kubeadm init --pod-network-cidr=10.244.0.0/16",
        None,
        None,
    ),
    ("# systemctl restart kubelet", "# ", "systemctl restart kubelet", None, None),
    ("(venv) user@host$ pip install x", "(venv) user@host$ ", "pip install x", "host", "user"),
    ("(base) user@host:~$ conda list", "(base) user@host:~$ ", "conda list", "host", "user"),
    (
        "I have no name!@pod-5cd6:/usr/src/app$ id",
        "I have no name!@pod-5cd6:/usr/src/app$ ",
        "id",
        "pod-5cd6",
        "I have no name!",
    ),
    ("root@etcd-master:/# etcdctl member list", "root@etcd-master:/# ", "etcdctl member list", "etcd-master", "root"),
    ("bash-5.1$ ls", "bash-5.1$ ", "ls", None, None),
    ("sh-4.4# ls /etc", "sh-4.4# ", "ls /etc", None, None),
    ("PS C:\\> kubectl get po", "PS C:\\> ", "kubectl get po", None, None),
    ("PS C:\\Users\\me> kubectl get po", "PS C:\\Users\\me> ", "kubectl get po", None, None),
    ("PS /home/u> ls", "PS /home/u> ", "ls", None, None),
    ("controlplane $ kubectl get po", "controlplane $ ", "kubectl get po", "controlplane", None),
    ("master $ kubeadm token list", "master $ ", "kubeadm token list", "master", None),
    ("node01 $ systemctl status kubelet", "node01 $ ", "systemctl status kubelet", "node01", None),
]


@pytest.mark.unit
@pytest.mark.parametrize(("line", "prompt", "command", "host", "user"), PROMPTS, ids=[p[1] or "bare" for p in PROMPTS])
def test_prompts(line: str, prompt: str, command: str, host: str | None, user: str | None) -> None:
    found = split_prompt(line, PROGRAMS, CATALOG_NAMES)
    assert found is not None
    assert (found.prompt, found.command, found.host, found.user) == (prompt, command, host, user)


@pytest.mark.unit
@pytest.mark.parametrize(
    "line",
    [
        "# comment",
        "# install the packages",
        "# Install kubeadm on every node.",
        "# kubectl is the client, kubeadm the installer",
        "# run this on the master:",
        "$HOME/bin",
        "key: $value",
        "  value: $(VAR)",
        ">>> print('hi')",
        "... continued",
        "> continued line",
        "NAME   READY   STATUS",
        "kubectl get po",
        "",
        "#",
        "apiVersion: v1",
        "user@example.com wrote:",
        "git@github.com: Permission denied (publickey).",
    ],
)
def test_not_prompts(line: str) -> None:
    assert split_prompt(line, PROGRAMS, CATALOG_NAMES) is None


@pytest.mark.unit
def test_default_names_come_from_the_catalog() -> None:
    # Without `extra`, a root prompt followed by a catalog component is still recognised.
    found = split_prompt("# kubeadm init")
    assert found is not None and found.command == "kubeadm init"


@pytest.mark.unit
@pytest.mark.parametrize(
    ("line", "expected"),
    [("> --flag \\", True), (">", True), ("> ", True), (">>> x", False), ("x > y", False), (">x", False)],
)
def test_continuation(line: str, expected: bool) -> None:
    assert is_continuation(line) is expected


@pytest.mark.unit
def test_strip_continuation() -> None:
    assert strip_continuation(">   --pod-network-cidr=x") == "  --pod-network-cidr=x"
    assert strip_continuation("--x") == "--x"


@pytest.mark.unit
@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("kubectl get po", True),
        ("sudo kubeadm init", True),
        ("sudo -u root kubeadm init", True),
        ("sudo -E env A=b etcd --name x", True),
        ("ETCDCTL_API=3 etcdctl get /", True),
        ("export KUBECONFIG=/etc/kubernetes/admin.conf", True),
        ("TOKEN=abc", True),
        ("cd /tmp", True),
        ("for i in 1 2; do echo $i; done", True),
        ("if [ -f x ]; then rm x; fi", True),
        ("[ -f x ] && echo yes", True),
        ("./install.sh --yes", True),
        ("/usr/local/bin/etcd --version", True),
        ("~/bin/tool run", True),
        ("systemctl restart kubelet", True),
        ("  tar -xzf etcd.tgz", True),
        ("NAME      READY   STATUS    RESTARTS   AGE", False),
        ("nginx-7c5ddbdf54-2xvqm   1/1     Running   0          3m", False),
        ("etcd-master   1/1   Running", False),
        ("apiVersion: v1", False),
        ("- name: etcd", False),
        ('{"kind": "Pod"}', False),
        ("[Service]", False),
        ("]", False),
        ("I0102 10:00:00.123456   1234 server.go:42] started", False),
        ("2024-01-02T10:00:00Z INFO started", False),
        ("Jan  2 10:00:00 node kubelet[123]: started", False),
        ("# a comment", False),
        ("", False),
        ("node/worker-1 cordoned", False),
        ("Your Kubernetes control-plane has initialized successfully!", False),
        ("unknowncommand --flag", False),
        ("sudo unknowncommand", False),
    ],
)
def test_looks_like_command(line: str, expected: bool) -> None:
    assert looks_like_command(line, PROGRAMS, CATALOG_NAMES) is expected


@pytest.mark.unit
def test_classify_block_continuations_and_heredocs() -> None:
    lines = [
        "cat <<EOF | sudo tee /etc/modules-load.d/k8s.conf",
        "overlay",
        "br_netfilter",
        "EOF",
        "NAME READY",
        "kubeadm init \\",
        "  --pod-network-cidr=10.244.0.0/16 \\",
        "  --cri-socket=unix:///run/containerd/containerd.sock",
        "Your Kubernetes control-plane has initialized successfully!",
        "  kubeadm join 10.0.0.1:6443 --token abc",
        'echo "multi',
        'line"',
        "pod-1   1/1   Running   0   1m",
    ]
    assert classify_block(lines, PROGRAMS, CATALOG_NAMES) == [
        True,
        True,
        True,
        True,
        False,
        True,
        True,
        True,
        False,
        True,
        True,
        True,
        False,
    ]


@pytest.mark.unit
def test_classify_block_heredoc_body_looks_like_output() -> None:
    lines = ["cat > kubeadm.yaml <<EOF", "apiVersion: kubeadm.k8s.io/v1beta3", "kind: ClusterConfiguration", "EOF"]
    assert classify_block(lines, PROGRAMS) == [True, True, True, True]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_never_raises(line: str) -> None:
    split_prompt(line, PROGRAMS, CATALOG_NAMES)
    looks_like_command(line, PROGRAMS, CATALOG_NAMES)
    is_continuation(line)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(max_size=60), max_size=8))
def test_classify_block_covers_every_line(lines: list[str]) -> None:
    assert len(classify_block(lines, PROGRAMS)) == len(lines)


@pytest.mark.parametrize(
    "line",
    [
        "[x@" + "a" * 200_000,
        "[x@a" + " " * 200_000,
        "-" * 1_000_000,
        "." * 100_000,
        "a@" * 100_000,
        "# " + "x " * 100_000,
        "(" * 100_000,
        "user@host:" + "~" * 200_000,
        "$" * 200_000,
    ],
    ids=["bracket", "bracket-blanks", "dashes", "dots", "ats", "root-words", "parens", "path", "dollars"],
)
def test_prompt_patterns_are_fast(line: str) -> None:
    start = time.perf_counter()
    split_prompt(line, PROGRAMS, CATALOG_NAMES)
    looks_like_command(line, PROGRAMS, CATALOG_NAMES)
    is_continuation(line)
    assert time.perf_counter() - start < 0.1


def test_classify_block_is_linear() -> None:
    block = ["kubectl get po -n kube-system", "NAME   READY   STATUS", "etcd-0   1/1   Running"]

    def timed(count: int) -> float:
        start = time.perf_counter()
        classify_block(block * count, PROGRAMS)
        return time.perf_counter() - start

    small, large = min(timed(300) for _ in range(3)), min(timed(3000) for _ in range(3))
    assert large / max(small, 1e-3) <= 20
