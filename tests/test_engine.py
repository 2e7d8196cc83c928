"""The whole parse (``parse_post``) on the seed and on small posts, with hand-written expectations.

Each stage has its own tests under tests/parse/ (and multi-case files under
tests/fixtures/cases/); the ``flagref`` command is tested in test_cli.py.
"""

from __future__ import annotations

import pytest

from conftest import FIXTURE_DOCS, SEED, parse, parse_folder
from flagref.parse.argv import is_truncation

pytestmark = pytest.mark.unit

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
    return parse("posts/kubernetes/components/2019-10-24-etcd.md", SEED.read_text(encoding="utf-8"))


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
    kubectl = [(u.line, u.flag, u.value) for u in seed.uses if u.component == "kubectl" and u.kind == "command"]
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
        # ```kubectl edit po kube-apiserver-master -n kube-system``` in the text: kubectl's -n.
        (40, "kubectl", "-n", "kube-system", False),
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


def test_fixture_scan_never_raises_and_reports_every_flag_line():
    posts = parse_folder(FIXTURE_DOCS)
    assert len(posts) >= 10
    for post in posts:
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


def test_bundled_short_options_are_one_use_each():
    text = "---\ntitle: t\n---\n```\n$ kubectl exec -it etcd-master -n kube-system -- sh\n$ ps -ef\n```\n"
    post = parse("posts/2020-01-01-t.md", text)
    uses = [(u.component, u.flag, u.value, u.spelling) for u in post.uses]
    assert uses == [
        ("kubectl", "-i", None, "-it"),
        ("kubectl", "-t", None, "-it"),
        ("kubectl", "-n", "kube-system", None),
        ("ps", "-e", None, "-ef"),
        ("ps", "-f", None, "-ef"),
    ]


@pytest.mark.parametrize(
    ("line", "flag", "name"),
    [
        # A subcommand of two words: create deployment's -r is --replicas (scale has no -r).
        ("kubectl create deployment web --image=nginx -r 3", "-r", "replicas"),
        ("kubectl scale deployment web -r 3", "-r", "r"),
        ("kubectl logs etcd-master -f", "-f", "follow"),
        ("kubectl apply -f pod.yaml", "-f", "filename"),
        # Options before the subcommand are passed over, with their values.
        ("kubectl -n kube-system logs -f etcd-master", "-f", "follow"),
        ("kubectl --namespace kube-system apply -f pod.yaml", "-f", "filename"),
    ],
)
def test_a_short_option_is_read_for_its_subcommand(line, flag, name):
    """The first run of words that are not options is the subcommand the catalog ties short options to."""
    post = parse("posts/2020-01-01-t.md", f"---\ntitle: t\n---\n```\n$ {line}\n```\n")
    (use,) = [u for u in post.uses if u.flag == flag]
    assert use.name == name
    assert (use.spec is not None) == (name != "r")  # scale's -r is no flag of the catalog


def test_the_grep_that_ps_lists_is_read_as_grep():
    """``ps -ef | grep kube-apiserver`` lists the grep itself: its options are grep's, not an unread line."""
    text = (
        "---\ntitle: t\n---\n```\n$ ps -ef | grep kube-apiserver\n"
        "root      2345  2300  5 10:00 ?        00:01:02 kube-apiserver --etcd-servers=https://127.0.0.1:2379\n"
        "user      9999  9000  0 10:05 pts/0    00:00:00 grep --color=auto kube-apiserver\n"
        "```\n\n```\n$ cat notes.txt\nrun grep --color=auto kube-apiserver to see it\n```\n"
    )
    post = parse("posts/2020-01-01-t.md", text)
    shown = [(u.line, u.component, u.flag, u.value) for u in post.uses if u.component in ("grep", "kube-apiserver")]
    assert shown == [(6, "kube-apiserver", "--etcd-servers", "https://127.0.0.1:2379"), (7, "grep", "--color", "auto")]
    # A line that is not a process of ps (no process id) names grep without running it: still reported.
    assert [u.line for u in post.unparsed] == [12]


def test_circular_snippet_include_is_reported(tmp_path):
    from flagref.parse.snippets import SnippetSource

    (tmp_path / "a.md").write_text('text\n--8<-- "a.md"\n')
    post = parse("posts/2020-01-01-t.md", '--8<-- "a.md"\n', snippets=SnippetSource((tmp_path,)))
    assert [str(d) for d in post.diagnostics if d.level == "warning"] == [
        f"{tmp_path}/a.md:2: snippet 'a.md' includes itself; remove the circular include"
    ]
    assert post.document.lines == ("text",)
