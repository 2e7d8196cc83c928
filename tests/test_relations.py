"""Relation rules and consistency checks: each kind satisfied by a fixture post and violated by a mutated copy.

A mutated fixture must fail in three places, each asserted with the exact
message: ``flagref check`` (exit 1, text and ``--json``), a strict in-process
MkDocs build (the warning lines), and pytest (the content suite's own check).
Fixture posts live in ``tests/fixtures/relations/``: ``ok/`` satisfies the
rules, ``violations/`` holds the mutated copies (the seed mutations differ
from ``docs/`` by one line), ``cross-post/`` two posts that only relate
across posts.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort
from test_content import assert_consistent

from conftest import CONFIG, ROOT, SEED
from flagref.catalog import load_catalog
from flagref.checks import check_post
from flagref.checks.evaluate import evaluate_post
from flagref.checks.facts import PostFacts
from flagref.checks.rules import DEFAULT_RULES, RuleError, load_rules, parse_rules, rule_problems
from flagref.checks.values import normalise_value, parse_address, serves
from flagref.checks.verdicts import Relation
from flagref.model import FlagUse, Origin
from flagref.parse import parse_post
from flagref.parse.snippets import SnippetSource
from flagref.render.diagram import render_wiring, wiring_block
from flagref.render.relations import ALSO_SEEN_LIMIT, also_seen
from flagref.scan import scan_docs

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "relations"
SNIPPETS = ROOT / "snippets"
ETCD_SNIPPET = "snippets/manifests/etcd-kubeadm.yaml"
SERVED = "(https://127.0.0.1:2379,https://10.128.15.226:2379)"
# What each warning tells the author to do, after its last "; ".
ENDPOINT_ADVICE = (
    "; make --etcd-servers name a URL that --listen-client-urls serves, or add the URL to --listen-client-urls"
)
TEXT_ADVICE = "; correct the value in the text, or the manifest if the text is right"

# Mutated fixture -> (the fixture it mutates, the exact warnings; {post} is the post's display path).
VIOLATIONS: dict[str, tuple[Path, list[str]]] = {
    "2019-10-24-etcd-servers-peer-port.md": (
        SEED,
        [
            "{post}:36: kube-apiserver --etcd-servers=https://127.0.0.1:2380 is not served by etcd "
            f"--listen-client-urls {SERVED} at {{post}}:66{ENDPOINT_ADVICE}",
            # The post's own text still says 2379: the prose claim catches the edit too.
            "{post}:47: the text says kube-apiserver --etcd-servers=https://127.0.0.1:2379, but "
            "Pod kube-apiserver-master (kube-system) sets --etcd-servers=https://127.0.0.1:2380 at {post}:36"
            f"{TEXT_ADVICE}",
        ],
    ),
    "2019-10-24-etcd-cafile-cluster-ca.md": (
        SEED,
        [
            "{post}:33: kube-apiserver --etcd-cafile=/etc/kubernetes/pki/ca.crt is not the same file as etcd "
            "--trusted-ca-file (/etc/kubernetes/pki/etcd/ca.crt) at {post}:75; make --etcd-cafile and etcd "
            "--trusted-ca-file name the same file",
        ],
    ),
    "2019-10-24-etcd-initial-cluster-without-master.md": (
        SEED,
        [
            "{post}:63: etcd --initial-advertise-peer-urls=https://10.128.15.226:2380 is not the --initial-cluster "
            "entry for --name=master (no master= entry in etcd-b=https://10.128.15.227:2380,"
            "etcd-c=https://10.128.15.228:2380; add master=https://10.128.15.226:2380) at {post}:64; add the entry "
            "to --initial-cluster or correct --name",
        ],
    ),
    "2019-10-24-etcd-advertise-elsewhere.md": (
        SEED,
        [
            "{post}:59: etcd --advertise-client-urls=https://10.128.15.227:2379 is not within etcd "
            f"--listen-client-urls {SERVED} at {{post}}:66; advertise only URLs that --listen-client-urls serves, "
            "or add the URL to --listen-client-urls",
        ],
    ),
    "2019-10-24-etcd-prose-claim.md": (
        SEED,
        [
            "{post}:47: the text says kube-apiserver --etcd-servers=https://127.0.0.1:2380, but "
            "Pod kube-apiserver-master (kube-system) sets --etcd-servers=https://127.0.0.1:2379 at {post}:36"
            f"{TEXT_ADVICE}",
        ],
    ),
    "2020-03-01-kubeadm-etcd-snippet-no-client-cert.md": (
        FIXTURES / "ok/2020-03-01-kubeadm-etcd-snippet.md",
        [
            # The violation is inside the included manifest, so it names the snippet's own line.
            f"{ETCD_SNIPPET}:15: etcd --client-cert-auth=true requires kube-apiserver --etcd-certfile, "
            "which Pod kube-apiserver (kube-system) does not set at {post}:21; add --etcd-certfile to "
            "Pod kube-apiserver (kube-system)",
            f"{ETCD_SNIPPET}:15: etcd --client-cert-auth=true requires kube-apiserver --etcd-keyfile, "
            "which Pod kube-apiserver (kube-system) does not set at {post}:21; add --etcd-keyfile to "
            "Pod kube-apiserver (kube-system)",
        ],
    ),
    "2020-03-02-etcd-flags-table.md": (
        FIXTURES / "ok/2020-03-02-etcd-flags-table.md",
        [
            "{post}:24: the table says kube-apiserver --etcd-servers=https://127.0.0.1:2380, but "
            "Pod kube-apiserver-master (kube-system) sets --etcd-servers=https://127.0.0.1:2379 at {post}:16; "
            "correct the value in the table, or the manifest if the table is right",
        ],
    ),
    "2020-03-03-cluster-networks.md": (
        FIXTURES / "ok/2020-03-03-cluster-networks.md",
        [
            "{post}:23: kube-controller-manager --service-cluster-ip-range=10.96.0.0/16 is not the same as "
            "kube-apiserver --service-cluster-ip-range (10.96.0.0/12) at {post}:8; make --service-cluster-ip-range "
            "and kube-apiserver --service-cluster-ip-range hold the same value",
        ],
    ),
    "2020-03-04-apiserver-probe.md": (
        FIXTURES / "ok/2020-03-04-apiserver-probe.md",
        [
            "{post}:24: kube-apiserver livenessProbe port 8443 (HTTPS) is not the port kube-apiserver "
            "--secure-port opens (6443) at {post}:17; change the probe's port to 6443 or the flag to 8443",
        ],
    ),
}
OK_POSTS = sorted((FIXTURES / "ok").glob("*.md"))


def _docs_with(tmp_path: Path, *posts: Path) -> Path:
    docs = tmp_path / "docs"
    (docs / "posts").mkdir(parents=True)
    for post in posts:
        shutil.copy(post, docs / "posts" / post.name)
    return docs


def _expected(name: str, post: str) -> list[str]:
    return [line.format(post=post) for line in VIOLATIONS[name][1]]


def _parse(path: Path, display: str | None = None):
    source = SnippetSource((SNIPPETS,), display_root=ROOT)
    return parse_post(
        display or f"posts/{path.name}", path.read_text(encoding="utf-8"), snippets=source, catalog=CATALOG
    )


CATALOG = load_catalog()


# --------------------------------------------------------------------------
# The fixtures themselves


def test_every_violation_fixture_is_listed_and_mutates_one_thing():
    assert sorted(p.name for p in (FIXTURES / "violations").glob("*.md")) == sorted(VIOLATIONS)
    for name, (original, _) in VIOLATIONS.items():
        bad = (FIXTURES / "violations" / name).read_text(encoding="utf-8").splitlines()
        good = original.read_text(encoding="utf-8").splitlines()
        changed = [i for i, (x, y) in enumerate(zip(good, bad)) if x != y and not x.startswith("title:")]
        # One line edited, or lines only removed (the client certificate case).
        assert len(changed) == 1 or (len(bad) < len(good) and set(bad) <= set(good) | {bad[1]}), name


@pytest.mark.parametrize("post", [SEED, *OK_POSTS], ids=lambda p: p.name)
def test_satisfying_fixtures_have_no_violation(post):
    relations, diagnostics = check_post(_parse(post), CATALOG)
    assert diagnostics == []
    assert all(r.status != "violation" for r in relations)


@pytest.mark.parametrize(
    "post, kinds",
    [
        (SEED, {"endpoint", "same-file", "subset", "membership", "requires", "prose"}),
        (
            FIXTURES / "ok/2020-03-01-kubeadm-etcd-snippet.md",
            {"endpoint", "same-file", "requires", "probe-port", "table"},
        ),
        (FIXTURES / "ok/2020-03-02-etcd-flags-table.md", {"table"}),
        (FIXTURES / "ok/2020-03-03-cluster-networks.md", {"same-value"}),
        (FIXTURES / "ok/2020-03-04-apiserver-probe.md", {"probe-port"}),
    ],
    ids=lambda x: x.name if isinstance(x, Path) else "",
)
def test_satisfying_fixtures_show_each_kind_ok(post, kinds):
    relations, _ = check_post(_parse(post), CATALOG)
    assert kinds <= {r.kind for r in relations if r.status == "ok"}


# --------------------------------------------------------------------------
# Each violation, in the three places


@pytest.mark.parametrize("name", sorted(VIOLATIONS))
def test_violation_found_by_pytest(name, tmp_path):
    docs = _docs_with(tmp_path, FIXTURES / "violations" / name)
    with pytest.raises(AssertionError) as failed:
        assert_consistent(docs, SNIPPETS)
    for line in _expected(name, f"posts/{name}"):
        assert line in str(failed.value)
    relations, diagnostics = check_post(_parse(FIXTURES / "violations" / name), CATALOG)
    assert [str(d) for d in diagnostics] == sorted(_expected(name, f"posts/{name}"), key=_by_place)


@pytest.mark.parametrize("name", sorted(VIOLATIONS))
def test_violation_fails_flagref_check(name, tmp_path):
    docs = _docs_with(tmp_path, FIXTURES / "violations" / name)
    expected = sorted(_expected(name, f"posts/{name}"), key=_by_place)
    text = _flagref("check", str(docs), "--snippets", str(SNIPPETS))
    assert text.returncode == 1, text.stderr
    assert text.stdout.splitlines() == expected
    assert text.stderr.strip() == f"{len(expected)} violation(s) in 1 posts"
    as_json = _flagref("check", str(docs), "--snippets", str(SNIPPETS), "--json")
    assert as_json.returncode == 1
    found = json.loads(as_json.stdout)["violations"]
    assert [f"{v['path']}:{v['line']}: {v['message']}" for v in found] == expected


@pytest.mark.parametrize("name", sorted(VIOLATIONS))
def test_violation_fails_strict_mkdocs_build(name, tmp_path, caplog):
    docs = _docs_with(tmp_path, FIXTURES / "violations" / name)
    # The hook shows a post by its path from the project, as `mkdocs build` prints it.
    post = Path(os.path.relpath(docs / "posts" / name, ROOT)).as_posix()
    cfg = load_config(config_file=str(CONFIG), docs_dir=str(docs), site_dir=str(tmp_path / "site"), strict=True)
    with caplog.at_level(logging.WARNING, logger="mkdocs"), pytest.raises(Abort):
        build(cfg)
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert warnings == [f"flagref: {line}" for line in sorted(_expected(name, post), key=_by_place)]


def test_satisfying_fixtures_build_strict_together(tmp_path, caplog):
    docs = _docs_with(tmp_path, *OK_POSTS, *sorted((FIXTURES / "cross-post").glob("*.md")))
    cfg = load_config(config_file=str(CONFIG), docs_dir=str(docs), site_dir=str(tmp_path / "site"), strict=True)
    with caplog.at_level(logging.WARNING, logger="mkdocs"):
        build(cfg)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert _flagref("check", str(docs), "--snippets", str(SNIPPETS)).returncode == 0


def _flagref(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flagref.cli", *args], capture_output=True, text=True, timeout=120, check=False
    )


def _by_place(line: str) -> tuple:
    path, number, _ = line.split(":", 2)
    return path, int(number), line


# --------------------------------------------------------------------------
# Unknown is not a violation


def test_truncated_side_is_unknown_not_a_violation():
    post = _parse(FIXTURES / "ok/2020-03-05-truncated-etcd.md")
    relations, diagnostics = check_post(post, CATALOG)
    assert diagnostics == []
    (served,) = [r for r in relations if r.rule.id == "apiserver-etcd-servers"]
    assert served.status == "unknown" and served.b is None
    assert served.explanation == (
        "kube-apiserver --etcd-servers=https://127.0.0.1:2379: not checked (served by etcd --listen-client-urls): "
        "Pod etcd-master (kube-system) at posts/2020-03-05-truncated-etcd.md:25 is truncated and does not show "
        "--listen-client-urls"
    )


def test_truncated_client_is_unknown_for_requires():
    text = SEED.read_text(encoding="utf-8").replace(
        "    - --etcd-certfile=/etc/kubernetes/pki/apiserver-etcd-client.crt\n", ""
    )
    relations, diagnostics = check_post(parse_post("posts/x.md", text, catalog=CATALOG), CATALOG)
    assert diagnostics == []  # the kube-apiserver manifest is cut: its certfile may be in the cut
    (certfile,) = [r for r in relations if r.rule.id == "etcd-client-cert-auth-certfile"]
    assert certfile.status == "unknown"


def test_across_posts_no_violation_only_also_seen(tmp_path):
    docs = _docs_with(tmp_path, *sorted((FIXTURES / "cross-post").glob("*.md")))
    result = scan_docs(docs, SNIPPETS)
    assert result.build.violations == []
    (served,) = [
        r
        for r in result.build.relations["posts/2020-03-06-apiserver-remote-etcd.md"]
        if r.rule.id == "apiserver-etcd-servers"
    ]
    assert served.status == "unknown"
    assert served.explanation.endswith("no etcd in this post")
    html = result.build.post_html("posts/2020-03-06-apiserver-remote-etcd.md", _pre_blocks(1))
    assert (
        '<a href="../../flags/etcd/#listen-client-urls">served by etcd <span class="flagref-flagname">'
        "--listen-client-urls</span>: not in this post</a>" in html
    )
    assert (
        '<a href="../2020-03-07-etcd-on-its-own/#flagref-block-0">also seen in kubernetes &gt; etcd listening on the '
        "loopback only</a>" in html
    )
    page = result.build.generated_pages()[0]["flags/kube-apiserver.md"]
    assert "etcd --listen-client-urls also seen in" in page
    assert "2020-03-07-etcd-on-its-own/#flagref-block-0" in page


def test_a_cell_names_the_first_three_posts_that_show_the_other_side(tmp_path):
    """However many posts show the other side, a cell names the first three, as the reference names them first."""
    etcd = (FIXTURES / "cross-post" / "2020-03-07-etcd-on-its-own.md").read_text(encoding="utf-8")
    docs = _docs_with(tmp_path, FIXTURES / "cross-post" / "2020-03-06-apiserver-remote-etcd.md")
    for n in range(6):
        (docs / "posts" / f"2021-01-0{n + 1}-etcd-copy-{n}.md").write_text(
            etcd.replace("title: ", f"title: copy {n} of ", 1), encoding="utf-8"
        )
    build = scan_docs(docs, SNIPPETS).build
    html = build.post_html("posts/2020-03-06-apiserver-remote-etcd.md", _pre_blocks(1))
    named = re.findall(r'<a href="\.\./([^/"]+)/#flagref-block-0">also seen in', html)
    (served,) = [
        r for r in build.relations["posts/2020-03-06-apiserver-remote-etcd.md"] if r.rule.id == "apiserver-etcd-servers"
    ]
    everyone = [item.src_uri for item, _ in also_seen(build.index, served.rule.b)]
    assert len(everyone) == 6
    assert named == [Path(uri).stem for uri in everyone[:ALSO_SEEN_LIMIT]]
    page = build.generated_pages()[0]["flags/kube-apiserver.md"]
    assert f"and {len(everyone) - ALSO_SEEN_LIMIT} more" in page


def _pre_blocks(n: int) -> str:
    return "".join("<pre><code>x</code></pre>" for _ in range(n))


# --------------------------------------------------------------------------
# More mutations of the seed, in-process


def _seed_with(old: str, new: str) -> list[Relation]:
    text = SEED.read_text(encoding="utf-8")
    assert old in text
    # The first occurrence: the manifest line (the prose repeats some values later).
    return evaluate_post(parse_post("posts/x.md", text.replace(old, new, 1), catalog=CATALOG), load_rules(), CATALOG)


def _violations(relations: list[Relation]) -> list[str]:
    return [str(d) for d in (r.diagnostic() for r in relations) if d]


@pytest.mark.parametrize(
    "old, new, expected",
    [
        (
            "--initial-cluster=master=https://10.128.15.226:2380",
            "--initial-cluster=master=https://10.128.15.227:2380",
            "posts/x.md:63: etcd --initial-advertise-peer-urls=https://10.128.15.226:2380 is not the --initial-cluster "
            "entry for --name=master (master=https://10.128.15.227:2380) at posts/x.md:64; make the master= entry of "
            "--initial-cluster list exactly the URLs of --initial-advertise-peer-urls",
        ),
        (
            "--name=master",
            "--name=mastr",
            "posts/x.md:63: etcd --initial-advertise-peer-urls=https://10.128.15.226:2380 is not the --initial-cluster "
            "entry for --name=mastr (no mastr= entry in master=https://10.128.15.226:2380; did you mean "
            "--name=master?) at posts/x.md:64; add the entry to --initial-cluster or correct --name",
        ),
        (
            "--listen-peer-urls=https://10.128.15.226:2380",
            "--listen-peer-urls=http://10.128.15.226:2380",
            "posts/x.md:63: etcd --initial-advertise-peer-urls=https://10.128.15.226:2380 is not within etcd "
            "--listen-peer-urls (http://10.128.15.226:2380) at posts/x.md:68; advertise only URLs that "
            "--listen-peer-urls serves, or add the URL to --listen-peer-urls",
        ),
        (
            "--etcd-servers=https://127.0.0.1:2379",
            "--etcd-servers=https://127.0.0.1:2379,https://10.128.15.227:2379",
            "posts/x.md:36: kube-apiserver --etcd-servers=https://127.0.0.1:2379,https://10.128.15.227:2379: "
            f"https://10.128.15.227:2379 is not served by etcd --listen-client-urls {SERVED} at posts/x.md:66"
            f"{ENDPOINT_ADVICE}",
        ),
    ],
    ids=["peer-url-differs", "name-typo", "scheme-differs", "one-of-two-servers"],
)
def test_seed_mutation_message(old, new, expected):
    assert expected in _violations(_seed_with(old, new))


@pytest.mark.parametrize(
    "old, new",
    [
        # Same meaning, other spelling: no violation.
        ("--etcd-servers=https://127.0.0.1:2379", "--etcd-servers=https://127.0.0.1:2379/"),
        ("--etcd-cafile=/etc/kubernetes/pki/etcd/ca.crt", "--etcd-cafile=/etc/kubernetes//pki/./etcd/ca.crt"),
        ("--client-cert-auth=true", "--client-cert-auth=1"),
        # The decision documented in rules/relations.yaml: localhost is the loopback address.
        ("--etcd-servers=https://127.0.0.1:2379", "--etcd-servers=https://localhost:2379"),
        # Listening on every address serves every host of the port.
        (
            "--listen-client-urls=https://127.0.0.1:2379,https://10.128.15.226:2379",
            "--listen-client-urls=https://0.0.0.0:2379",
        ),
    ],
)
def test_seed_respellings_are_not_violations(old, new):
    violations = _violations(_seed_with(old, new))
    # No rule between components sees a difference...
    assert [v for v in violations if "the text says" not in v] == []
    # ...and the text, which states --etcd-servers=https://127.0.0.1:2379, disagrees only with another host:
    # a trailing slash is the same URL, but a claim is about the host as written (localhost is not 127.0.0.1).
    claims = [v for v in violations if "the text says" in v]
    assert len(claims) == (1 if "localhost" in new else 0), claims


def test_seed_relations_with_respelt_server_url_are_ok():
    relations = _seed_with("--etcd-servers=https://127.0.0.1:2379", "--etcd-servers=https://localhost:2379")
    (served,) = [r for r in relations if r.rule.id == "apiserver-etcd-servers"]
    assert served.status == "ok"
    # A prose claim is about the value as written: localhost is not what the manifest says.
    (claim,) = [r for r in relations if r.kind == "prose"]
    assert claim.status == "violation"


def test_host_name_against_addresses_is_unknown():
    relations = _seed_with("--etcd-servers=https://127.0.0.1:2379", "--etcd-servers=https://etcd.example.com:2379")
    (served,) = [r for r in relations if r.rule.id == "apiserver-etcd-servers"]
    assert served.status == "unknown"
    assert "etcd.example.com:2379 is a host name" in served.explanation


def _post(text: str, path: str = "posts/p.md"):
    return parse_post(path, text, catalog=CATALOG)


def test_etcdctl_cacert_and_cluster_cidr_mismatches():
    text = """---
title: t
---
```
networkandcode@master:~$ sudo ETCDCTL_API=3 etcdctl --endpoints=https://127.0.0.1:2379 --cacert=/etc/kubernetes/pki/ca.crt member list
```
```yaml
apiVersion: v1
kind: Pod
metadata:
  name: etcd
spec:
  containers:
  - command:
    - etcd
    - --listen-client-urls=https://127.0.0.1:2379
    - --trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt
  - command:
    - kube-controller-manager
    - --cluster-cidr=10.244.0.0/16
```
```
networkandcode@node1:~$ ps -ef | grep kube-proxy
root  12  1  0 10:00 ?  00:00:01 /usr/local/bin/kube-proxy --cluster-cidr=10.244.0.0/24
```
"""
    assert _violations(evaluate_post(_post(text), load_rules(), CATALOG)) == [
        "posts/p.md:5: etcdctl --cacert=/etc/kubernetes/pki/ca.crt is not the same file as etcd --trusted-ca-file "
        "(/etc/kubernetes/pki/etcd/ca.crt) at posts/p.md:17; make --cacert and etcd --trusted-ca-file name the same "
        "file",
        "posts/p.md:24: kube-proxy --cluster-cidr=10.244.0.0/24 is not the same as kube-controller-manager "
        "--cluster-cidr (10.244.0.0/16) at posts/p.md:20; make --cluster-cidr and kube-controller-manager "
        "--cluster-cidr hold the same value",
    ]


def test_probe_ports_scheme_and_names():
    text = """---
title: t
---
```yaml
apiVersion: v1
kind: Pod
metadata:
  name: kube-scheduler
spec:
  containers:
  - command:
    - kube-scheduler
    - --port=0
    - --secure-port=10259
    livenessProbe:
      httpGet:
        port: 10251
  - command:
    - kube-controller-manager
    - --secure-port=10257
    readinessProbe:
      httpGet:
        port: healthz
        scheme: HTTPS
```
"""
    relations = evaluate_post(_post(text), load_rules(), CATALOG)
    # No scheme means HTTP: the scheduler's insecure port, closed by --port=0.
    assert _violations(relations) == [
        "posts/p.md:17: kube-scheduler livenessProbe port 10251 (HTTP) is not the port kube-scheduler --port "
        "opens (0) at posts/p.md:13; make --port open port 10251, or change the probe"
    ]
    (named,) = [r for r in relations if r.rule.id == "kube-controller-manager-probe-https"]
    assert named.status == "unknown"


def test_table_rows_use_the_value_column_and_skip_defaults():
    text = """---
title: t
---
```
networkandcode@master:~$ kube-apiserver --etcd-servers=https://127.0.0.1:2379 --secure-port=6443
```

| Component | Flag | Default | Value |
|---|---|---|---|
| kube-apiserver | `--secure-port` | 6443 | `6444` |
| kube-apiserver | `--etcd-servers` | none | see the manifest |

| Flag | Default |
|---|---|
| `--secure-port` | 6443 |
"""
    post = _post(text)
    assert [(c.path, c.line, c.kind, c.component, c.flag, c.name, c.value) for c in post.claims] == [
        ("posts/p.md", 10, "prose", "kube-apiserver", "--secure-port", "secure-port", "6444")
    ]
    assert _violations(evaluate_post(post, load_rules(), CATALOG)) == [
        "posts/p.md:10: the table says kube-apiserver --secure-port=6444, but the kube-apiserver command sets "
        "--secure-port=6443 at posts/p.md:5; correct the value in the table, or the command if the table is right"
    ]


def test_instances_keep_containers_apart():
    post = _parse(FIXTURES / "ok/2020-03-01-kubeadm-etcd-snippet.md")
    facts = PostFacts(post, CATALOG)
    labels = [(i.component, i.label, i.truncated) for i in facts.instances if i.component != "sudo"]
    assert ("etcd", "Pod etcd (kube-system)", False) in labels
    assert ("kube-apiserver", "Pod kube-apiserver (kube-system)", False) in labels
    (etcd,) = facts.of("etcd")
    assert etcd.flags["listen-client-urls"].path == ETCD_SNIPPET
    assert [p.port for p in etcd.probes] == ["2381"]


# --------------------------------------------------------------------------
# Values


@pytest.mark.parametrize(
    "listener, client, expected",
    [
        ("https://127.0.0.1:2379", "https://127.0.0.1:2379/", True),
        ("https://127.0.0.1:2379", "https://127.0.0.1:2380", False),
        ("https://127.0.0.1:2379", "http://127.0.0.1:2379", False),
        ("https://0.0.0.0:2379", "https://10.0.0.7:2379", True),
        ("https://[::]:2379", "https://10.0.0.7:2379", True),
        ("https://127.0.0.1:2379", "https://localhost:2379", True),
        ("https://[::1]:2379", "https://localhost:2379", True),
        ("https://localhost:2379", "https://127.0.0.1:2379", True),
        ("https://localhost:2379", "https://[::1]:2379", None),
        ("https://10.0.0.1:2379", "https://localhost:2379", False),
        ("https://127.0.0.1:2379", "https://127.0.0.2:2379", False),
        ("https://10.0.0.1:2379", "https://etcd-0.etcd:2379", None),
        ("https://10.0.0.1", "https://10.0.0.1:443", True),
        ("https://[0:0::1]:2379", "https://[::1]:2379", True),
    ],
)
def test_serves(listener, client, expected):
    assert serves(parse_address(listener), parse_address(client)) is expected


@pytest.mark.parametrize(
    "a, b, type_, same",
    [
        ("10.96.0.0/12", "10.96.0.0/12", "cidr", True),
        ("10.96.0.1/12", "10.96.0.0/12", "cidr", True),
        ("10.96.0.0/12", "10.96.0.0/16", "cidr", False),
        ("10.96.0.0/12,fd00::/108", "10.96.0.0/12,fd00:0::/108", "cidr", True),
        ("true", "yes", "bool", True),
        ("1", "true", "bool", True),
        ("false", "true", "bool", False),
        ("/etc/a//b/", "/etc/a/b", "path", True),
        ("'/etc/a/b'", "/etc/a/b", "path", True),
        ("https://a:1,https://b:2", "https://b:2/,https://a:1", "url-list", True),
        ("6443", "06443", "port", True),
        ("https://127.0.0.1:2379", "https://127.0.0.1:2379/", None, True),
    ],
)
def test_normalise_value(a, b, type_, same):
    assert (normalise_value(a, type_) == normalise_value(b, type_)) is same


# --------------------------------------------------------------------------
# The rules file


def test_rules_file_loads_and_matches_the_catalog():
    rules = load_rules()
    assert {r.kind for r in rules} == {
        "endpoint", "subset", "membership", "same-file", "same-value", "requires", "probe-port",
    }  # fmt: skip
    assert rule_problems(rules, CATALOG) == []
    assert load_rules() is rules  # cached while the file is unchanged


_GOOD_RULE = """rules:
  - id: one
    kind: endpoint
    explanation: Why.
    a:
      component: kube-apiserver
      flag: --etcd-servers
      shows: served by etcd --listen-client-urls
    b:
      component: etcd
      flag: --listen-client-urls
      shows: serves kube-apiserver --etcd-servers
"""


@pytest.mark.parametrize(
    "old, new, error",
    [
        ("kind: endpoint", "kind: endpiont", "r.yaml:3: rule one: kind 'endpiont' is not one of"),
        (
            "    explanation: Why.",
            "    explain: Why.",
            "r.yaml:4: unknown key 'explain' in a rule; did you mean `explanation`?",
        ),
        (
            "      flag: --etcd-servers",
            "      flag: etcd-servers",
            "r.yaml:7: rule one: a.flag 'etcd-servers' must be a long flag",
        ),
        ("      shows: serves kube-apiserver --etcd-servers\n", "", "r.yaml:10: rule one: b is missing `shows:`"),
        ("  - id: one", "  - id: One", "r.yaml:2: id 'One' must be lower-case words"),
        ("kind: endpoint", "kind: subset", "r.yaml:10: rule one: a subset rule relates flags of one program"),
        ("kind: endpoint", "kind: membership", "r.yaml:2: rule one: a membership rule needs `key:`"),
        (
            "      component: etcd\n",
            "      component: etcd\n      scheme: HTTP\n",
            "r.yaml:11: rule one: b: `scheme:` does not apply",
        ),
        ("rules:", "rulez:", "r.yaml:1: unknown key 'rulez' in the rules file; did you mean `rules`?"),
        ("kind: endpoint", "kind: [endpoint]", "r.yaml:3: rule one: kind must be a non-empty single value"),
    ],
)
def test_rule_errors_name_file_and_line(old, new, error):
    assert old in _GOOD_RULE
    with pytest.raises(RuleError) as raised:
        parse_rules(_GOOD_RULE.replace(old, new, 1), "r.yaml")
    assert str(raised.value).startswith(error)


def test_duplicate_rule_ids_are_refused():
    text = _GOOD_RULE + _GOOD_RULE.split("\n", 1)[1]
    with pytest.raises(RuleError, match=r"^r.yaml:13: duplicate rule id 'one' \(first at line 2\)"):
        parse_rules(text, "r.yaml")


def test_default_rules_file_is_package_data():
    assert DEFAULT_RULES.name == "relations.yaml" and DEFAULT_RULES.parent.name == "rules"
    assert "checks/rules/*.yaml" in (ROOT / "pyproject.toml").read_text(encoding="utf-8")


# --------------------------------------------------------------------------
# Rendering: the site shows the relations


def test_seed_page_related_cells_and_wiring(seed_site):
    article = seed_site.article("posts/kubernetes/components/2019-10-24-etcd/")
    rows = {
        row.td.get_text(strip=True): row.find_all("td")[-1]
        for row in article.select("details.flagref-table tr")
        if row.td is not None
    }
    links = [(a.get_text(), a["href"]) for a in rows["--etcd-servers"].find_all("a")]
    assert ("✓ served by etcd --listen-client-urls in this post", "#flagref-block-3") in links
    assert "✓ as the text says (line 47)" in rows["--etcd-servers"].get_text()
    assert ("✓ same CA as kube-apiserver --etcd-cafile in this post", "#flagref-block-1") in [
        (a.get_text(), a["href"]) for a in rows["--trusted-ca-file"].find_all("a")
    ]
    figure = article.select_one("figure.flagref-wiring")
    # After the etcd manifest, the block that completes the relations it draws.
    assert figure.find_previous("span", class_="flagref-anchor")["id"] == "flagref-block-3"
    texts = [t.get_text() for t in figure.select("svg text")]
    assert texts[-2:] == ["etcd", "kube-apiserver"] or texts[-2:] == ["kube-apiserver", "etcd"]
    assert "--etcd-servers served by etcd --listen-client-urls ✓" in " ".join(texts)
    assert figure.select("svg a, svg span") == []  # prose linking leaves the drawing alone


def test_reference_entry_lists_rules_and_posts(seed_site):
    page = seed_site.page("flags/etcd/")
    entry = page.find(id="listen-client-urls").find_next("div", class_="flagref-relations")
    text = entry.get_text(" ", strip=True)
    assert "serves kube-apiserver --etcd-servers (endpoint)" in text
    assert "Checked in kubernetes > etcd as a component in the cluster ✓" in text
    assert "../kube-apiserver/#etcd-servers" in [a["href"] for a in entry.find_all("a")]


def test_wiring_escapes_text_from_posts():
    rules = load_rules()
    rule = next(r for r in rules if r.id == "apiserver-etcd-servers")
    a = FlagUse("p.md", 3, 0, "manifest", "<script>x</script>", "--etcd-servers", "https://a:1")
    b = FlagUse("p.md", 9, 1, "manifest", "etcd&co", "--listen-client-urls", "https://a:1")
    svg = render_wiring([Relation(rule, rule.kind, a, b, "ok", "")])
    assert "<script>" not in svg and "&lt;script&gt;x&lt;/script&gt;" in svg and "etcd&amp;co" in svg
    assert wiring_block([Relation(rule, rule.kind, a, b, "ok", "")]) == 1
    assert render_wiring([Relation(rule, rule.kind, a, None, "unknown", "")]) == ""


def test_included_manifest_gets_its_table_and_links(tmp_path):
    docs = _docs_with(tmp_path, FIXTURES / "ok/2020-03-01-kubeadm-etcd-snippet.md")
    result = scan_docs(docs, SNIPPETS)
    item = result.build.posts[0]
    uses = [u for u in item.post.uses if u.path == ETCD_SNIPPET]
    assert len(uses) == 17 and uses[0].origin == Origin(ETCD_SNIPPET, 13)
    html = result.build.post_html(item.src_uri, _pre_blocks(len(item.post.fences)))
    assert "etcd — Pod etcd (kube-system), 17 flags" in html
    assert (
        '<a href="#flagref-block-1">✓ serves kube-apiserver <span class="flagref-flagname">--etcd-servers</span> '
        "in this post</a>" in html
    )
