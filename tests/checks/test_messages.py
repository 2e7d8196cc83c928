"""What the checks say: every violation ends with what to do, and no message quotes a credential."""

from __future__ import annotations

import functools

import pytest

from flagref.catalog import load_catalog
from flagref.checks import check_post
from flagref.checks.evaluate import evaluate_post
from flagref.checks.rules import KINDS, load_rules, parse_rules
from flagref.checks.secrets import MASK, mask_values
from flagref.parse import parse_post

pytestmark = pytest.mark.unit

CATALOG = load_catalog()

# One post that breaks every rule kind once, and states a wrong value in its text and in a table.
EVERY_KIND = """---
title: t
---
The API server reads etcd at --etcd-servers=https://127.0.0.1:2390.

| Component | Flag | Value |
|---|---|---|
| kube-apiserver | `--secure-port` | `6444` |

```yaml
apiVersion: v1
kind: Pod
metadata:
  name: etcd
spec:
  containers:
  - command:
    - etcd
    - --name=master
    - --listen-client-urls=https://127.0.0.1:2379
    - --advertise-client-urls=https://10.0.0.9:2379
    - --listen-peer-urls=https://10.0.0.1:2380
    - --initial-advertise-peer-urls=https://10.0.0.1:2380
    - --initial-cluster=master=https://10.0.0.2:2380
    - --client-cert-auth=true
    - --trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt
  - command:
    - kube-apiserver
    - --etcd-servers=https://127.0.0.1:2380
    - --etcd-cafile=/etc/kubernetes/pki/ca.crt
    - --service-cluster-ip-range=10.96.0.0/12
    - --secure-port=6443
    livenessProbe:
      httpGet:
        port: 8443
        scheme: HTTPS
  - command:
    - kube-controller-manager
    - --service-cluster-ip-range=10.96.0.0/16
```
"""

# The verbs an instruction starts with: the author is told what to change.
VERBS = ("make ", "add ", "change ", "correct ", "advertise ")


@functools.lru_cache(maxsize=8)
def _violations(text: str, rules=None) -> dict[str, list[str]]:
    post = parse_post("posts/t.md", text, catalog=CATALOG)
    found: dict[str, list[str]] = {}
    for relation in evaluate_post(post, load_rules() if rules is None else rules, CATALOG):
        if relation.status == "violation":
            found.setdefault(relation.kind, []).append(relation.explanation)
    return found


def test_every_kind_of_violation_ends_with_what_to_do():
    found = _violations(EVERY_KIND)
    assert set(found) == {*KINDS, "prose", "table"}
    for kind, messages in found.items():
        for message in messages:
            wrong, todo = message.rsplit("; ", 1)
            # What is wrong names the other side's place; what to do comes after it, last.
            assert " at posts/t.md:" in wrong, (kind, message)
            assert todo.startswith(VERBS), (kind, message)
            assert "posts/t.md" not in todo, (kind, message)


@pytest.mark.parametrize(
    "kind, todo",
    [
        ("endpoint", "make --etcd-servers name a URL that --listen-client-urls serves, or add the URL to "
         "--listen-client-urls"),
        ("subset", "advertise only URLs that --listen-client-urls serves, or add the URL to --listen-client-urls"),
        ("membership", "make the master= entry of --initial-cluster list exactly the URLs of "
         "--initial-advertise-peer-urls"),
        ("same-file", "make --etcd-cafile and etcd --trusted-ca-file name the same file"),
        ("same-value", "make --service-cluster-ip-range and kube-apiserver --service-cluster-ip-range hold the same "
         "value"),
        ("requires", "add --etcd-certfile to Pod etcd"),
        ("probe-port", "change the probe's port to 6443 or the flag to 8443"),
        ("prose", "correct the value in the text, or the manifest if the text is right"),
        ("table", "correct the value in the table, or the manifest if the table is right"),
    ],
)  # fmt: skip
def test_instruction_of_each_kind(kind, todo):
    assert todo in [m.rsplit("; ", 1)[1] for m in _violations(EVERY_KIND)[kind]]


TOKENS = """---
title: t
---
Join with --token=abcdef.0123456789abcdef as below.

```
root@master:~# kubeadm init --token=qwerty.0123456789qwerty
root@node1:~# kubeadm join 10.0.0.1:6443 --discovery-token=zzzzzz.0123456789zzzzzz
```
"""
# A rule between two credential flags: its messages must name them without their values.
JOIN_RULE = """rules:
  - id: join-token
    kind: same-value
    explanation: The node joins with the token the control plane made.
    a:
      component: kubeadm
      flag: --discovery-token
      shows: the token of kubeadm init
    b:
      component: kubeadm
      flag: --token
      shows: the token kubeadm join uses
"""
SECRETS = ("abcdef.0123456789abcdef", "qwerty.0123456789qwerty", "zzzzzz.0123456789zzzzzz")


def test_warnings_quote_no_credential():
    post = parse_post("posts/t.md", TOKENS, catalog=CATALOG)
    relations, diagnostics = check_post(post, CATALOG, parse_rules(JOIN_RULE, "r.yaml"))
    assert [str(d) for d in diagnostics] == [
        f"posts/t.md:4: the text says kubeadm --token={MASK}, but the kubeadm command sets --token={MASK} at "
        "posts/t.md:7; correct the value in the text, or the command if the text is right",
        f"posts/t.md:8: kubeadm --discovery-token={MASK} is not the same as kubeadm --token ({MASK}) at posts/t.md:7; "
        "make --discovery-token and kubeadm --token hold the same value",
    ]
    assert not any(secret in r.explanation for r in relations for secret in SECRETS)


def test_a_credential_that_agrees_is_masked_too():
    text = TOKENS.replace("zzzzzz.0123456789zzzzzz", "qwerty.0123456789qwerty")
    relations, diagnostics = check_post(
        parse_post("posts/t.md", text, catalog=CATALOG), CATALOG, parse_rules(JOIN_RULE, "r.yaml")
    )
    (joined,) = [r for r in relations if r.rule.id == "join-token"]
    assert joined.status == "ok" and MASK in joined.explanation
    assert not any(secret in r.explanation for r in relations for secret in SECRETS)


def _pairs(n: int, certfile: bool = True) -> str:
    """``n`` etcd Pods with client certificates required and ``n`` API servers (with or without a certificate)."""
    parts = ["---\ntitle: t\n---\n"]
    for i in range(n):
        parts.append(
            f"```yaml\nkind: Pod\nmetadata:\n  name: etcd-{i}\nspec:\n  containers:\n  - command:\n    - etcd\n"
            "    - --client-cert-auth=true\n```\n"
            f"```yaml\nkind: Pod\nmetadata:\n  name: kube-apiserver-{i}\nspec:\n  containers:\n  - command:\n"
            "    - kube-apiserver\n    - --etcd-servers=https://127.0.0.1:2379\n"
            + ("    - --etcd-certfile=/c.crt\n" if certfile else "")
            + "```\n"
        )
    return "".join(parts)


def test_requires_details_the_first_server_and_summarises_the_others():
    relations = evaluate_post(parse_post("posts/t.md", _pairs(3, certfile=False), catalog=CATALOG), load_rules())
    certfile = [r for r in relations if r.rule.id == "etcd-client-cert-auth-certfile"]
    # The first etcd: one verdict per API server; the two others: one each, naming the first at fault.
    assert [r.status for r in certfile] == ["violation"] * 5
    assert [r.explanation.split(" requires ")[1] for r in certfile[3:]] == [
        "kube-apiserver --etcd-certfile, which Pod kube-apiserver-0 does not set at posts/t.md:20, nor do 2 more; "
        "add --etcd-certfile to Pod kube-apiserver-0 and the 2 others"
    ] * 2
    ok = evaluate_post(parse_post("posts/t.md", _pairs(3), catalog=CATALOG), load_rules())
    assert [r.status for r in ok if r.rule.id == "etcd-client-cert-auth-certfile"] == ["ok"] * 5


def test_listed_places_stop_after_three():
    text = _pairs(5).replace("    - --client-cert-auth=true\n", "    - --listen-client-urls=https://10.0.0.1:2379\n")
    found = _violations(text)
    message = found["endpoint"][0]
    assert message.count(" at posts/t.md:") == 3 and ", nor 2 more; " in message


@pytest.mark.parametrize("port", ["'²'", "'٣'", "9" * 5000, "'0x1A'"])
def test_a_probe_port_that_is_not_a_number_is_not_checked(port):
    text = EVERY_KIND.replace("port: 8443", f"port: {port}")
    post = parse_post("posts/t.md", text, catalog=CATALOG)
    (probe,) = [r for r in evaluate_post(post, load_rules(), CATALOG) if r.kind == "probe-port"]
    assert probe.status == "unknown"
    assert probe.explanation.endswith("the probe names a port rather than giving its number")


@pytest.mark.unit
def test_a_command_line_shows_no_part_of_a_credential():
    line = "kubeadm join --token abcdef.0123456789abcdef --discovery-token abcdef.0123456789abcdef0"
    masked = mask_values(line, ["abcdef.0123456789abcdef", "abcdef.0123456789abcdef0", None, ""])
    # The longer value first: the shorter one inside it leaves no trailing "0" behind.
    assert masked == f"kubeadm join --token {MASK} --discovery-token {MASK}"
