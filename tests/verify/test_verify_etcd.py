"""Executable docs: each post's etcd wiring proven against the real etcd 3.4 (Debian's etcd-server and etcd-client).

The seed and every post of docs/ with an etcd member must be proven; the
three-member fixture must form its cluster; each mutated copy of the seed
must fail for its own reason, at its own line. A missing etcd fails these
tests with the apt-get line to fix it; it never skips them.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from flagref.catalog import load_catalog
from flagref.catalog.model import FlagSpec
from flagref.cli import main
from flagref.parse import parse_post
from flagref.verify import Unavailable, find_binaries, proofs, verify_posts
from flagref.verify import etcd as verify_etcd
from flagref.verify.wiring import check_flags, read_wiring

pytestmark = pytest.mark.etcd

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
SEED_PATH = "posts/kubernetes/components/2019-10-24-etcd.md"
SEED = (DOCS / SEED_PATH).read_text(encoding="utf-8")
HA = ROOT / "tests/fixtures/verify/posts/2020-06-01-ha-etcd.md"
CATALOG = load_catalog()
TODAY = "2026-12-01"


@pytest.fixture(scope="module")
def binaries():
    try:
        return find_binaries()
    except Unavailable as exc:
        pytest.fail(f"{exc} (Debian's etcd 3.4: apt-get install -y etcd-server etcd-client)")


def _verify(path: str, text: str, binaries, workdir: Path, **options):
    post = parse_post(path, text, catalog=CATALOG)
    results = verify_posts([post], CATALOG, binaries=binaries, today=TODAY, workdir=workdir, **options)
    assert list(results) == [path]
    return results[path]


def _left_behind(folder: Path) -> tuple[list[str], list[int]]:
    """Files left in ``folder``, and processes whose command line mentions it."""
    files = [str(p) for p in folder.rglob("*")]
    pids = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().decode("utf-8", "replace")
        except OSError:
            continue
        if str(folder) in cmdline and int(proc.name) != os.getpid():
            pids.append(int(proc.name))
    return files, pids


def _docs_posts_with_etcd() -> list[tuple[str, str]]:
    found = []
    for path in sorted((DOCS / "posts").rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        relative = path.relative_to(DOCS).as_posix()
        if read_wiring(parse_post(relative, text, catalog=CATALOG)).members:
            found.append((relative, text))
    return found


def test_docs_has_posts_with_etcd():
    assert SEED_PATH in [path for path, _ in _docs_posts_with_etcd()]


def test_every_post_with_etcd_in_docs_is_proven_by_the_command(capsys):
    paths = [str(DOCS / path) for path, _ in _docs_posts_with_etcd()]
    assert main(["verify", "etcd", *paths, "--json"]) == 0
    posts = json.loads(capsys.readouterr().out)["posts"]
    assert [p["path"] for p in posts] == paths
    for post in posts:
        assert post["ok"], [c for c in post["claims"] if not c["ok"]]
        assert post["summary"].startswith("proven against etcd 3.4.")


def test_the_seed_claims_are_each_proven(binaries, tmp_path):
    result = _verify(SEED_PATH, SEED, binaries, tmp_path)
    assert binaries.version.startswith("3.4.")
    assert [(c.line, c.text, c.ok) for c in result.claims] == [
        (57, f"etcd {binaries.version} accepts the 17 flags of member master (Pod etcd-master (kube-system))", True),
        (57, "etcd member master (Pod etcd-master (kube-system)) starts and serves its client URLs", True),
        (
            36,
            "Pod kube-apiserver-master (kube-system) writes and reads a key through --etcd-servers=https://127.0.0.1:2379",
            True,
        ),
        (61, "etcd --client-cert-auth=true refuses a client whose certificate another CA issued", True),
        (61, "etcd --client-cert-auth=true refuses a client without a certificate", True),
    ]
    rewrites = {(r.line, r.flag): r for r in result.rewrites}
    port = result.rewrites[0].after.rsplit(":", 1)[1]
    assert rewrites[(59, "--advertise-client-urls")].after == f"https://127.0.0.2:{port}"
    assert "10.128.15.226 -> 127.0.0.2" in rewrites[(59, "--advertise-client-urls")].reason
    assert rewrites[(66, "--listen-client-urls")].after == f"https://127.0.0.1:{port},https://127.0.0.2:{port}"
    assert rewrites[(36, "--etcd-servers")].after == f"https://127.0.0.1:{port}"
    assert rewrites[(62, "--data-dir")].after == "<tmp>/1-master/var/lib/etcd"
    assert rewrites[(33, "--etcd-cafile")].after == "<tmp>/1-master/etc/kubernetes/pki/etcd/ca.crt"
    notes = [str(n) for n in result.notes]
    assert any(
        "wrote /etc/kubernetes/pki/etcd/server.crt: etcd server certificate" in n and "IP:127.0.0.2" in n for n in notes
    )
    assert _left_behind(tmp_path) == ([], [])


def test_the_three_member_fixture_forms_its_cluster(binaries, tmp_path):
    result = _verify("posts/2020-06-01-ha-etcd.md", HA.read_text(encoding="utf-8"), binaries, tmp_path)
    assert result.ok, "\n".join(str(c) for c in result.failures)
    claims = {c.text: c for c in result.claims}
    cluster = claims["the 3 members of --initial-cluster form one cluster"]
    assert sorted(cluster.detail.removeprefix("etcdctl member list: ").removesuffix(" started").split(", ")) == [
        "etcd-a",
        "etcd-b",
        "etcd-c",
    ]
    assert claims["a key written at member etcd-a is read at member etcd-c"].ok
    apiserver = [c for c in result.claims if c.text.startswith("Pod kube-apiserver")]
    assert [c.line for c in apiserver] == [157]
    # Three processes on 127.0.0.1-3; each member's own 127.0.0.1 becomes a loopback of its own.
    advertised = [r.after.rsplit(":", 1)[0] for r in result.rewrites if r.flag == "--advertise-client-urls"]
    assert advertised == ["https://127.0.0.1", "https://127.0.0.2", "https://127.0.0.3"]
    listen = [r.after for r in result.rewrites if r.flag == "--listen-client-urls"]
    assert [url.split(",")[0].rsplit(":", 1)[0] for url in listen] == [
        "https://127.1.0.1",
        "https://127.1.0.2",
        "https://127.1.0.3",
    ]
    assert _left_behind(tmp_path) == ([], [])


MUTATIONS = {
    "client CA changed": (
        "--etcd-cafile=/etc/kubernetes/pki/etcd/ca.crt",
        "--etcd-cafile=/etc/kubernetes/pki/ca.crt",
        36,
        [
            "etcd's certificate does not verify: unable to get local issuer certificate",
            "--etcd-cafile=/etc/kubernetes/pki/ca.crt at posts/mutated.md:33 is not the CA of etcd's certificates "
            "(etcd --trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt at posts/mutated.md:75)",
        ],
    ),
    "misspelt flag": (
        "--snapshot-count=10000",
        "--snapshot-counts=10000",
        74,
        ["has no flag --snapshot-counts; did you mean --snapshot-count?"],
    ),
    "listen-client-urls without 127.0.0.1": (
        "--listen-client-urls=https://127.0.0.1:2379,https://10.128.15.226:2379",
        "--listen-client-urls=https://10.128.15.226:2379",
        36,
        [
            "https://127.0.0.1:2379 (run as https://127.0.0.1:",
            "nothing listens at 127.0.0.1:",
            "etcd --listen-client-urls=https://10.128.15.226:2379 at posts/mutated.md:66 does not serve it",
        ],
    ),
    "initial-cluster naming another member": (
        "--initial-cluster=master=https://10.128.15.226:2380",
        "--initial-cluster=worker1=https://10.128.15.226:2380",
        64,
        [
            "etcd exited with code 1",
            'couldn\'t find local name "master" in the initial cluster configuration',
            "(--initial-cluster=worker1=https://10.128.15.226:2380)",
        ],
    ),
}


@pytest.mark.parametrize("mutation", MUTATIONS)
def test_each_mutated_seed_fails_for_its_reason(mutation, binaries, tmp_path):
    old, new, line, reasons = MUTATIONS[mutation]
    assert SEED.count(old) == 1
    result = _verify("posts/mutated.md", SEED.replace(old, new), binaries, tmp_path)
    failures = result.failures
    assert [c.line for c in failures] == [line], "\n".join(str(c) for c in result.claims)
    for reason in reasons:
        assert reason in failures[0].reason
    assert result.summary.startswith(f"failed: posts/mutated.md:{line}: ")
    assert _left_behind(tmp_path) == ([], [])


def test_a_truncated_manifest_runs_with_etcd_defaults_and_says_which(binaries, tmp_path):
    text = SEED
    for flag in ("--data-dir", "--listen-peer-urls", "--initial-advertise-peer-urls", "--initial-cluster"):
        [line] = [line for line in SEED.splitlines(keepends=True) if line.startswith(f"    - {flag}=")]
        text = text.replace(line, "")
    result = _verify("posts/truncated.md", text, binaries, tmp_path)
    assert result.ok, "\n".join(str(c) for c in result.failures)
    said = "posts/truncated.md:57: etcd member master: the manifest is truncated before"
    assert [str(n) for n in result.notes[:4]] == [
        f"{said} --data-dir, which etcd needs; using etcd's default --data-dir=master.etcd",
        f"{said} --listen-peer-urls, which etcd needs; using etcd's default --listen-peer-urls=http://localhost:2380",
        f"{said} --initial-advertise-peer-urls, which etcd needs; "
        "using etcd's default --initial-advertise-peer-urls=http://localhost:2380",
        f"{said} --initial-cluster, which etcd needs; "
        "left to etcd, which builds it from --name and --initial-advertise-peer-urls",
    ]
    peer = [r for r in result.rewrites if r.flag == "--listen-peer-urls"]
    assert [(r.line, r.before, r.after.rsplit(":", 1)[0]) for r in peer] == [
        (57, "http://localhost:2380", "http://localhost")
    ]
    assert _left_behind(tmp_path) == ([], [])


def test_a_removed_flag_says_so_not_typo(binaries, tmp_path):
    text = SEED.replace("--snapshot-count=10000", "--ca-file=/etc/kubernetes/pki/etcd/ca.crt")
    result = _verify("posts/old.md", text, binaries, tmp_path)
    assert [(c.line, c.reason) for c in result.failures] == [
        (74, "--ca-file was removed in etcd 3.4 (Use --trusted-ca-file.)")
    ]


class _OneFlagCatalog:
    def __init__(self, spec: FlagSpec) -> None:
        self._spec = spec

    def lookup(self, component, flag):
        return self._spec if flag == self._spec.flag else None


def test_a_flag_of_another_release_says_which():
    spec = FlagSpec("etcd", "experimental-snapshot-catchup-entries", None, "int", None, introduced="3.5")
    post = parse_post(
        "posts/new.md", SEED.replace("--snapshot-count=10000", "--experimental-snapshot-catchup-entries=5000")
    )
    member = read_wiring(post).members[0]
    accepted = [s.name for s in member.settings if s.line != 74]
    failures = check_flags(member, accepted, "3.4.23", _OneFlagCatalog(spec))
    assert [(c.line, c.reason) for c in failures] == [
        (74, "--experimental-snapshot-catchup-entries exists only in other etcd releases (listed 3.5), not in 3.4.23")
    ]


def test_ctrl_c_stops_etcd_and_removes_the_folder(binaries, tmp_path, monkeypatch):
    def interrupted(*args, **kwargs):
        assert _left_behind(tmp_path)[1], "etcd should be running when Ctrl-C comes"
        raise KeyboardInterrupt

    monkeypatch.setattr(proofs, "_apiserver", interrupted)
    with pytest.raises(KeyboardInterrupt):
        _verify(SEED_PATH, SEED, binaries, tmp_path)
    assert _left_behind(tmp_path) == ([], [])


def test_the_deadline_bounds_the_check(binaries, tmp_path):
    started = time.monotonic()
    result = _verify(SEED_PATH, SEED, binaries, tmp_path, timeout=0.3)
    assert time.monotonic() - started < 10
    assert not result.ok
    assert any("0.3 s" in c.reason for c in result.failures), [str(c) for c in result.claims]
    assert _left_behind(tmp_path) == ([], [])


def test_hostile_values_fail_as_claims_and_stay_in_the_folder(binaries, tmp_path):
    text = SEED.replace("--data-dir=/var/lib/etcd", "--data-dir=/../../../outside").replace(
        "--listen-peer-urls=https://10.128.15.226:2380", "--listen-peer-urls=not a url"
    )
    result = _verify("posts/hostile.md", text, binaries, tmp_path)
    assert not result.ok
    assert [r.after for r in result.rewrites if r.flag == "--data-dir"] == ["<tmp>/1-master/outside"]
    assert not (tmp_path.parent / "outside").exists()
    assert _left_behind(tmp_path) == ([], [])


def test_without_etcd_each_post_fails_with_the_install_line(monkeypatch):
    def missing():
        raise Unavailable("etcd not found: run `apt-get install -y etcd-server`")

    monkeypatch.setattr(verify_etcd, "find_binaries", missing)
    post = parse_post(SEED_PATH, SEED, catalog=CATALOG)
    result = verify_posts([post], CATALOG, today=TODAY)[SEED_PATH]
    assert result.summary == f"failed: {SEED_PATH}:57: etcd not found: run `apt-get install -y etcd-server`"


def test_posts_without_etcd_are_left_out():
    post = parse_post("posts/plain.md", "---\ntitle: t\n---\nNo etcd here\n", catalog=CATALOG)
    assert verify_posts([post], CATALOG) == {}


def test_cli_prints_json_and_exits_1_on_a_failed_claim(tmp_path, capsys):
    mutated = tmp_path / "2019-10-24-etcd.md"
    mutated.write_text(SEED.replace("--snapshot-count=10000", "--snapshot-counts=10000"), encoding="utf-8")
    assert main(["verify", "etcd", str(mutated), "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    [post] = data["posts"]
    assert post["ok"] is False
    assert [(c["line"], c["ok"]) for c in post["claims"]] == [(74, False)]


UNIT = ROOT / "tests/fixtures/verify/posts/2020-06-08-etcd-unit.md"


def test_an_etcd_unit_written_with_a_heredoc_is_proven(binaries, tmp_path):
    result = _verify("posts/2020-06-08-etcd-unit.md", UNIT.read_text(encoding="utf-8"), binaries, tmp_path)
    assert result.ok, "\n".join(str(c) for c in result.failures)
    started = [c for c in result.claims if "starts and serves its client URLs" in c.text]
    assert len(started) == 1 and "/etc/systemd/system/etcd.service" in started[0].text
    assert sum("refuses a client" in c.text for c in result.claims) == 2


def test_an_etcd_unit_without_peer_certificates_fails_at_start(binaries, tmp_path):
    text = UNIT.read_text(encoding="utf-8")
    broken = "".join(line for line in text.splitlines(keepends=True) if "--peer-" not in line)
    result = _verify("posts/2020-06-08-etcd-unit.md", broken, binaries, tmp_path)
    assert not result.ok
    assert any("KeyFile and CertFile are not presented" in c.reason for c in result.failures)
