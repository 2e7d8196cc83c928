"""The membership and endpoint rules against a real etcd 3.4 (Debian's etcd-server).

What our checker calls a violation must be what etcd itself refuses, and a
configuration it calls consistent must start and serve its client URL. Each
case writes one etcd command line twice: into a post (as a static Pod
manifest the checker reads) and onto a real ``etcd`` process, on free
127.0.0.1 ports, bounded in time and always stopped. A missing binary fails
the test with the apt-get line to fix it; it never skips.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from flagref.catalog import load_catalog
from flagref.checks import check_post
from flagref.parse import parse_post
from processes import free_ports, stop

pytestmark = pytest.mark.etcd

START_DEADLINE = 30.0  # seconds for etcd to answer on its client URL
EXIT_DEADLINE = 30.0  # seconds for a refused configuration to make etcd exit
STOP_TIMEOUT = 10.0
CATALOG = load_catalog()


def _binary(name: str, package: str) -> str:
    found = shutil.which(name) or (f"/usr/bin/{name}" if os.path.exists(f"/usr/bin/{name}") else None)
    if found is None:
        pytest.fail(f"{name} not found: run `apt-get install -y {package}` (Debian's etcd 3.4)")
    return found


@pytest.fixture(scope="module")
def etcd() -> str:
    return _binary("etcd", "etcd-server")


@pytest.fixture(scope="module")
def etcdctl() -> str:
    return _binary("etcdctl", "etcd-client")


def _post(args: list[str], transcript: str = "") -> str:
    """A post showing ``etcd args`` as a static Pod manifest, as the author's posts do."""
    items = "\n".join(f"    - {a}" for a in args)
    return (
        "---\ntitle: kubernetes > a local etcd\ncategories: kubernetes\n---\n"
        "The etcd static Pod\n```yaml\napiVersion: v1\nkind: Pod\nmetadata:\n  name: etcd\n  namespace: kube-system\n"
        f"spec:\n  containers:\n  - command:\n    - etcd\n{items}\n    name: etcd\n```\n{transcript}"
    )


def _check(text: str):
    return check_post(parse_post("posts/etcd.md", text, catalog=CATALOG), CATALOG)


def _env() -> dict[str, str]:
    # ETCD_* variables in the caller's environment would change the configuration under test.
    return {k: v for k, v in os.environ.items() if not k.startswith("ETCD")}


def _run_until_exit(etcd: str, args: list[str], data: Path) -> tuple[int | None, str]:
    """Run etcd; its exit code and output if it exits within the deadline, else (None, output)."""
    proc = subprocess.Popen(
        [etcd, f"--data-dir={data}", *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=_env()
    )
    try:
        out, _ = proc.communicate(timeout=EXIT_DEADLINE)
        return proc.returncode, out
    except subprocess.TimeoutExpired:
        return None, ""
    finally:
        stop(proc, STOP_TIMEOUT)


def _args(name: str, peer: int, cluster: str, client: int) -> list[str]:
    return [
        f"--name={name}",
        f"--initial-advertise-peer-urls=http://127.0.0.1:{peer}",
        f"--listen-peer-urls=http://127.0.0.1:{peer}",
        f"--initial-cluster={cluster}",
        f"--listen-client-urls=http://127.0.0.1:{client}",
        f"--advertise-client-urls=http://127.0.0.1:{client}",
    ]


def test_peer_url_not_in_initial_cluster_entry_is_refused_by_both(etcd, tmp_path):
    peer, other, client = free_ports(3)
    args = _args("master", peer, f"master=http://127.0.0.1:{other}", client)
    _, diagnostics = _check(_post(args))
    assert [str(d) for d in diagnostics] == [
        f"posts/etcd.md:17: etcd --initial-advertise-peer-urls=http://127.0.0.1:{peer} is not the --initial-cluster "
        f"entry for --name=master (master=http://127.0.0.1:{other}) at posts/etcd.md:19; make the master= entry of "
        "--initial-cluster list exactly the URLs of --initial-advertise-peer-urls"
    ]
    code, out = _run_until_exit(etcd, args, tmp_path / "data")
    assert code is not None and code != 0, f"etcd started although the checker refused it:\n{out}"
    assert (
        f"--initial-cluster has master=http://127.0.0.1:{other} but missing from --initial-advertise-peer-urls" in out
    )


def test_name_missing_from_initial_cluster_is_refused_by_both(etcd, tmp_path):
    peer, client = free_ports(2)
    args = _args("master", peer, f"etcd-b=http://127.0.0.1:{peer}", client)
    _, diagnostics = _check(_post(args))
    assert [str(d) for d in diagnostics] == [
        f"posts/etcd.md:17: etcd --initial-advertise-peer-urls=http://127.0.0.1:{peer} is not the --initial-cluster "
        f"entry for --name=master (no master= entry in etcd-b=http://127.0.0.1:{peer}; add "
        f"master=http://127.0.0.1:{peer}) at posts/etcd.md:19; add the entry to --initial-cluster or correct --name"
    ]
    code, out = _run_until_exit(etcd, args, tmp_path / "data")
    assert code is not None and code != 0, f"etcd started although the checker refused it:\n{out}"
    assert 'couldn\'t find local name "master" in the initial cluster configuration' in out


def test_consistent_configuration_starts_and_serves_its_client_url(etcd, etcdctl, tmp_path):
    peer, client, closed = free_ports(3)
    args = _args("master", peer, f"master=http://127.0.0.1:{peer}", client)
    # Two etcdctl commands: one at the client URL, one at a port nothing listens on.
    transcript = (
        "Check it\n```\n"
        f"networkandcode@master:~$ etcdctl --endpoints=http://127.0.0.1:{client} endpoint health\n"
        f"networkandcode@master:~$ etcdctl --endpoints=http://127.0.0.1:{closed} endpoint health\n```\n"
    )
    relations, diagnostics = _check(_post(args, transcript))
    verdicts = {(r.rule.id, r.a.value): r.status for r in relations}
    assert verdicts == {
        ("etcd-initial-cluster-member", f"http://127.0.0.1:{peer}"): "ok",
        ("etcd-advertise-peer-urls", f"http://127.0.0.1:{peer}"): "ok",
        ("etcd-advertise-client-urls", f"http://127.0.0.1:{client}"): "ok",
        ("etcdctl-endpoints", f"http://127.0.0.1:{client}"): "ok",
        ("etcdctl-endpoints", f"http://127.0.0.1:{closed}"): "violation",
    }
    assert [str(d) for d in diagnostics] == [
        f"posts/etcd.md:27: etcdctl --endpoints=http://127.0.0.1:{closed} is not served by etcd --listen-client-urls "
        f"(http://127.0.0.1:{client}) at posts/etcd.md:20; make --endpoints name a URL that --listen-client-urls "
        "serves, or add the URL to --listen-client-urls"
    ]

    proc = subprocess.Popen(
        [etcd, f"--data-dir={tmp_path / 'data'}", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=_env(),
    )
    try:
        health = _wait_for_health(proc, f"http://127.0.0.1:{client}/health")
        assert '"health":"true"' in health.replace(" ", "")
        served = _etcdctl(etcdctl, f"http://127.0.0.1:{client}")
        assert served.returncode == 0 and "is healthy" in served.stdout + served.stderr
        unserved = _etcdctl(etcdctl, f"http://127.0.0.1:{closed}")
        assert unserved.returncode != 0
    finally:
        stop(proc, STOP_TIMEOUT)


def _wait_for_health(proc: subprocess.Popen, url: str) -> str:
    deadline = time.monotonic() + START_DEADLINE
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"etcd exited with {proc.returncode} although the checker found the configuration consistent")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read().decode()
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.2)
    pytest.fail(f"etcd did not answer on {url} within {START_DEADLINE}s")


def _etcdctl(etcdctl: str, endpoint: str) -> subprocess.CompletedProcess:
    env = {**_env(), "ETCDCTL_API": "3"}
    return subprocess.run(
        [etcdctl, f"--endpoints={endpoint}", "--dial-timeout=2s", "--command-timeout=4s", "endpoint", "health"],
        capture_output=True,
        text=True,
        timeout=30,
        env=env,
        check=False,
    )
