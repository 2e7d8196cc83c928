"""The content suite: every post in docs/ (snippets included) agrees with itself.

A post that contradicts itself (a client URL nobody serves, two CA files, a
value in the text that is not the one in the manifest...) fails here with the
same ``path:line`` messages ``mkdocs build --strict`` and ``flagref check``
print.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import DOCS, ROOT
from flagref.scan import scan_docs

pytestmark = pytest.mark.unit

SNIPPETS = ROOT / "snippets"
SEED_PATH = "posts/kubernetes/components/2019-10-24-etcd.md"


def assert_consistent(docs_dir: Path, snippets_dir: Path | None = SNIPPETS) -> None:
    """Fail, listing every violation, unless the posts under ``docs_dir`` are consistent."""
    violations = scan_docs(docs_dir, snippets_dir).build.violations
    assert not violations, f"{len(violations)} contradiction(s) in the posts:\n" + "\n".join(map(str, violations))


def test_every_post_is_consistent():
    assert_consistent(DOCS)


@pytest.fixture(scope="module")
def seed_relations():
    return scan_docs(DOCS, SNIPPETS).build.relations[SEED_PATH]


def _ok(relations, rule_id: str) -> list[tuple[int, int | None, str]]:
    return [
        (r.a.line, r.b.line if r.b else None, r.explanation)
        for r in relations
        if r.rule.id == rule_id and r.status == "ok"
    ]


@pytest.mark.parametrize(
    "rule_id, a_line, b_line, explanation",
    [
        (
            "apiserver-etcd-servers",
            36,
            66,
            "kube-apiserver --etcd-servers=https://127.0.0.1:2379 is served by etcd --listen-client-urls "
            f"(https://127.0.0.1:2379,https://10.128.15.226:2379) at {SEED_PATH}:66",
        ),
        (
            "apiserver-etcd-cafile",
            33,
            75,
            "kube-apiserver --etcd-cafile=/etc/kubernetes/pki/etcd/ca.crt is the same file as etcd --trusted-ca-file "
            f"(/etc/kubernetes/pki/etcd/ca.crt) at {SEED_PATH}:75",
        ),
        (
            "etcd-advertise-client-urls",
            59,
            66,
            "etcd --advertise-client-urls=https://10.128.15.226:2379 is within etcd --listen-client-urls "
            f"(https://127.0.0.1:2379,https://10.128.15.226:2379) at {SEED_PATH}:66",
        ),
        (
            "etcd-initial-cluster-member",
            63,
            64,
            "etcd --initial-advertise-peer-urls=https://10.128.15.226:2380 is the --initial-cluster entry for "
            f"--name=master at {SEED_PATH}:64",
        ),
        (
            "etcd-advertise-peer-urls",
            63,
            68,
            "etcd --initial-advertise-peer-urls=https://10.128.15.226:2380 is within etcd --listen-peer-urls "
            f"(https://10.128.15.226:2380) at {SEED_PATH}:68",
        ),
        (
            "prose-claim",
            47,
            36,
            "the text says kube-apiserver --etcd-servers=https://127.0.0.1:2379, as Pod kube-apiserver-master "
            f"(kube-system) sets --etcd-servers=https://127.0.0.1:2379 at {SEED_PATH}:36",
        ),
        (
            "etcd-client-cert-auth-certfile",
            61,
            34,
            "etcd --client-cert-auth=true, and Pod kube-apiserver-master (kube-system) sets --etcd-certfile "
            f"at {SEED_PATH}:34",
        ),
    ],
)
def test_seed_relations_found_ok(seed_relations, rule_id, a_line, b_line, explanation):
    assert _ok(seed_relations, rule_id) == [(a_line, b_line, explanation)]


def test_seed_has_no_violation_and_nothing_unchecked(seed_relations):
    assert {r.status for r in seed_relations} == {"ok"}
    assert len(seed_relations) == 8
