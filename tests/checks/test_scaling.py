"""The checks take time in proportion to a post's size: many manifests in one post are not quadratic."""

from __future__ import annotations

import gc
import time

import pytest

from flagref.catalog import load_catalog
from flagref.checks import check_post
from flagref.checks.rules import load_rules
from flagref.parse import parse_post

CATALOG = load_catalog()
ETCD = """```yaml
apiVersion: v1
kind: Pod
metadata:
  name: etcd-{i}
  namespace: kube-system
spec:
  containers:
  - command:
    - etcd
    - --name=m{i}
    - --advertise-client-urls=https://{ip}:2379
    - --listen-client-urls=https://127.0.0.1:2379,https://{ip}:2379
    - --initial-advertise-peer-urls=https://{ip}:2380
    - --listen-peer-urls=https://{ip}:2380
    - --initial-cluster=m{i}=https://{ip}:2380
    - --client-cert-auth=true
    - --trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt
    name: etcd
```
"""
APISERVER = """```yaml
apiVersion: v1
kind: Pod
metadata:
  name: kube-apiserver-{i}
  namespace: kube-system
spec:
  containers:
  - command:
    - kube-apiserver
    - --etcd-servers=https://{server}:2379
    - --etcd-cafile=/etc/kubernetes/pki/etcd/ca.crt
    - --etcd-certfile=/etc/kubernetes/pki/apiserver-etcd-client.crt
    - --etcd-keyfile=/etc/kubernetes/pki/apiserver-etcd-client.key
    - --secure-port=6443
    livenessProbe:
      httpGet:
        port: 6443
        scheme: HTTPS
    name: kube-apiserver
```
"""


def _post(n: int, server: str | None = None) -> str:
    """``n`` etcd and ``n`` kube-apiserver manifests, each API server reading its own etcd (or ``server``)."""
    parts = ["---\ntitle: many manifests\n---\n"]
    for i in range(n):
        ip = f"10.{i // 250}.{i % 250}.1"
        parts.append(ETCD.format(i=i, ip=ip) + APISERVER.format(i=i, server=server or ip))
    return "".join(parts)


def _check_times(*texts: str, rounds: int = 7) -> list[tuple[float, int, int]]:
    """For each text, the best CPU time of ``check_post`` (the parse is not timed), its relation and warning counts.

    The texts are timed in turns, round after round, so that a busy machine slows them alike.
    """
    posts = [parse_post("posts/many.md", text, catalog=CATALOG) for text in texts]
    rules = load_rules()
    best = [float("inf")] * len(posts)
    counts = [(0, 0)] * len(posts)
    for _ in range(rounds):
        for i, post in enumerate(posts):
            # The collector's full passes cost in proportion to everything alive, not to this check: keep them out.
            gc.collect()
            gc.disable()
            try:
                start = time.process_time()
                relations, diagnostics = check_post(post, CATALOG, rules)
                best[i] = min(best[i], time.process_time() - start)
            finally:
                gc.enable()
            counts[i] = (len(relations), len(diagnostics))
    return [(seconds, *count) for seconds, count in zip(best, counts)]


@pytest.fixture(scope="module")
def timings() -> dict[int, tuple[float, int, int]]:
    return dict(zip((400, 800), _check_times(_post(400), _post(800))))


def test_four_hundred_pairs_are_checked_well_under_two_seconds(timings):
    seconds, relations, diagnostics = timings[400]
    assert diagnostics == 0
    assert seconds < 2.0


def test_twice_the_manifests_take_about_twice_the_time(timings):
    (small, small_count, _), (large, large_count, _) = timings[400], timings[800]
    # Each manifest gets a fixed number of relations (a quadratic check gave one per pair of manifests).
    assert large_count <= 2 * small_count + 10
    ratios = [large / small]
    # A quadratic check takes four times as long every time; a busy machine seldom misleads twice in a row.
    while ratios[-1] >= 2.5 and len(ratios) < 3:
        (small, _, _), (large, _, _) = _check_times(_post(400), _post(800))
        ratios.append(large / small)
    assert ratios[-1] < 2.5, ratios


def test_violations_stay_linear_in_count_and_length():
    # Every API server reads an etcd nobody serves: one warning each, naming at most three listeners.
    ((seconds, _, diagnostics),) = _check_times(_post(400, server="10.255.255.1"), rounds=1)
    assert diagnostics == 400 and seconds < 2.0
    post = parse_post("posts/many.md", _post(5, server="10.255.255.1"), catalog=CATALOG)
    _, found = check_post(post, CATALOG)
    assert all(d.message.count(" at posts/many.md:") == 3 for d in found)
