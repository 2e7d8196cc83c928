"""The etcd part of the catalog checked against a real etcd 3.4 binary.

Debian's etcd-server package provides it (CI installs it with apt-get). A
missing binary fails these tests instead of skipping them: the catalog's etcd
data is only trustworthy while this comparison runs.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from processes import free_ports, stop

_HOOKS = str(Path(__file__).resolve().parents[1] / "hooks")
if _HOOKS not in sys.path:
    sys.path.insert(0, _HOOKS)

from flagref.catalog import env_variable, load_catalog  # noqa: E402
from flagref.catalog.upstream import etcdctl_commands, parse_etcdctl_help  # noqa: E402

pytestmark = [pytest.mark.etcd, pytest.mark.binary]

START_DEADLINE = 30.0  # seconds for etcd to answer on its client URL
STOP_TIMEOUT = 10.0

# `etcd --help` prints one default as a Go expression; the catalog stores the
# number a reader can use.
HELP_SPELLINGS = {"math.MaxUint32": str(2**32 - 1)}


@pytest.fixture(scope="module")
def etcd_binary() -> str:
    found = shutil.which("etcd") or ("/usr/bin/etcd" if os.path.exists("/usr/bin/etcd") else None)
    if found is None:
        pytest.fail("etcd binary not found: run `apt-get install etcd-server` (Debian's etcd 3.4)")
    return found


@pytest.fixture(scope="module")
def etcd_help(etcd_binary) -> str:
    result = subprocess.run([etcd_binary, "--help"], capture_output=True, text=True, timeout=30, check=False)
    text = result.stdout + result.stderr
    assert "--listen-client-urls" in text, f"unexpected `etcd --help` output:\n{text}"
    return text


@pytest.fixture(scope="module")
def etcd_spec():
    return load_catalog().components["etcd"]


def parse_help(text: str) -> dict[str, tuple[str | None, str]]:
    """``{flag name: (default or None when not stated, description)}``.

    Flags appear as ``  --name 'default'`` (quoted) or ``  --name 10`` (bare),
    the description on the following indented line(s); ``''`` is an empty
    default. Usage lines such as ``  etcd --config-file`` name a flag without
    a default.
    """
    flags: dict[str, tuple[str | None, str]] = {}
    lines = text.splitlines()
    for index, line in enumerate(lines):
        match = re.match(r"^\s+(?:etcd\s+)?--([a-z0-9][a-z0-9-]*)(?:\s+(.*))?$", line)
        if match is None:
            continue
        name, rest = match.group(1), (match.group(2) or "").strip()
        default: str | None = None
        if rest.startswith("'") and rest.endswith("'") and len(rest) >= 2:
            default = rest[1:-1]
        elif rest and not line.lstrip().startswith("etcd"):
            default = rest
        description = lines[index + 1].strip() if index + 1 < len(lines) else ""
        stated = default is not None
        if stated:
            default = HELP_SPELLINGS.get(default, default) or None
        flags.setdefault(name, (default if stated else _UNSTATED, description))
    return flags


_UNSTATED = "\0unstated"


def test_help_parser_reads_the_real_output(etcd_help):
    parsed = parse_help(etcd_help)
    assert parsed["name"][0] == "default"
    assert parsed["bcrypt-cost"][0] == "10"
    assert parsed["wal-dir"][0] is None  # printed as ''
    assert parsed["config-file"][0] == _UNSTATED
    assert len(parsed) >= 80


def test_catalog_flags_exist_in_etcd_help(etcd_help, etcd_spec):
    parsed = parse_help(etcd_help)
    missing = [spec.flag for spec in etcd_spec.flags.values() if not spec.removed and spec.name not in parsed]
    assert missing == [], f"in the catalog but not in `etcd --help`: {missing}"


def test_every_flag_in_etcd_help_is_catalogued(etcd_help, etcd_spec):
    missing = sorted(set(parse_help(etcd_help)) - set(etcd_spec.flags))
    assert missing == [], f"printed by `etcd --help`, missing from the catalog: {missing}"


def test_accepted_releases_match_the_binary(etcd_binary, etcd_help, etcd_spec):
    version = subprocess.run([etcd_binary, "--version"], capture_output=True, text=True, check=True).stdout
    release = ".".join(version.split("etcd Version:")[1].split()[0].split(".")[:2])
    parsed = parse_help(etcd_help)
    wrong = [spec.flag for spec in etcd_spec.flags.values() if (spec.name in parsed) != (release in spec.accepted)]
    assert wrong == [], f"`accepted:` disagrees with etcd {release} --help for {wrong}"
    assert etcd_spec.flags["listen-client-urls"].timeline() == f"accepted in {release}"


# --------------------------------------------------------------------------
# etcdctl (v3 API, and the three v2 spellings the catalog keeps)


def _etcdctl(*words: str, api: str = "3") -> str:
    binary = shutil.which("etcdctl") or "/usr/bin/etcdctl"
    env = {"ETCDCTL_API": api, "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    result = subprocess.run([binary, *words], capture_output=True, text=True, env=env, timeout=30, check=False)
    return result.stdout + result.stderr


@pytest.fixture(scope="module")
def etcdctl_helps() -> dict[str, dict]:
    top = _etcdctl("--help")
    if "--endpoints" not in top:
        pytest.fail("etcdctl not found or not 3.4: run `apt-get install etcd-client`")
    helps = {"": parse_etcdctl_help(top)}
    # Shell completion scripts are not part of working with etcd.
    for command in (c for c in etcdctl_commands(top) if not c.startswith("completion")):
        helps[command] = parse_etcdctl_help(_etcdctl(*command.split(), "--help"))
    return helps


def test_etcdctl_flags_match_the_binary(etcdctl_helps):
    spec = load_catalog().components["etcdctl"]
    printed = {name for flags in etcdctl_helps.values() for name in flags}
    v2 = _etcdctl("--help", api="2")
    wrong = []
    for flag in spec.flags.values():
        if flag.note and "ETCDCTL_API=2" in flag.note:
            if flag.flag not in v2:
                wrong.append(f"{flag.flag}: said to be a v2 flag, but `ETCDCTL_API=2 etcdctl --help` lacks it")
        elif flag.name not in printed:
            wrong.append(f"{flag.flag}: not printed by any `etcdctl <command> --help`")
        for command in flag.commands:
            if command in etcdctl_helps and flag.name not in etcdctl_helps[command]:
                wrong.append(f"etcdctl {command} --help does not list {flag.flag}")
    missing = sorted(printed - set(spec.flags))
    assert (wrong, missing) == ([], [])


def test_removed_flags_are_rejected(etcd_binary, etcd_spec, tmp_path):
    removed = [spec for spec in etcd_spec.flags.values() if spec.removed]
    assert removed, "expected removed etcd flags in the catalog (--ca-file)"
    for spec in removed:
        result = subprocess.run(
            [etcd_binary, f"{spec.flag}=x", f"--data-dir={tmp_path / 'unused'}"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert result.returncode != 0
        assert "flag provided but not defined" in result.stderr, result.stderr


def test_catalog_defaults_match_etcd_help(etcd_help, etcd_spec):
    parsed = parse_help(etcd_help)
    compared = 0
    mismatches = []
    for spec in etcd_spec.flags.values():
        if spec.removed or spec.name not in parsed:
            continue
        shown = parsed[spec.name][0]
        if shown == _UNSTATED:
            continue
        compared += 1
        if shown != spec.default:
            mismatches.append(f"{spec.flag}: catalog {spec.default!r}, etcd --help {shown!r}")
    assert mismatches == []
    # Guard against a parser that silently compares nothing.
    assert compared >= 75


def test_meanings_are_not_copied_from_help(etcd_help, etcd_spec):
    parsed = parse_help(etcd_help)

    def norm(text: str) -> str:
        return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()

    copied = [
        spec.flag
        for spec in etcd_spec.flags.values()
        if spec.name in parsed and norm(spec.meaning) == norm(parsed[spec.name][1])
    ]
    assert copied == []


# --------------------------------------------------------------------------
# A real member, configured once by flags and once by ETCD_* variables.


def _request(url: str, body: bytes | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=body, method="POST" if body is not None else "GET")
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.status, json.loads(response.read().decode())


def _run_etcd(argv: list[str], env: dict[str, str], log_path: Path, client_url: str) -> dict:
    """Start etcd, wait for ``/version``, return what the member reports; always stop it."""
    with log_path.open("wb") as log:
        process = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + START_DEADLINE
        version = None
        while time.monotonic() < deadline:
            if process.poll() is not None:
                break
            try:
                status, version = _request(client_url + "/version")
                if status == 200:
                    break
            except (OSError, urllib.error.URLError, ValueError):
                time.sleep(0.2)  # not listening yet
                continue
            time.sleep(0.2)
        else:
            version = None
        if version is None:
            state = (
                f"exited with {process.returncode}"
                if process.poll() is not None
                else f"no answer within {START_DEADLINE:.0f}s"
            )
            pytest.fail(f"etcd {state} on {client_url}\n--- log ---\n{_tail(log_path)}")
        _, health = _request(client_url + "/health")
        # The v3 JSON gateway: proves the name and URLs came through.
        _, members = _request(client_url + "/v3/cluster/member/list", b"{}")
        return {"version": version, "health": health, "members": members["members"]}
    finally:
        stop(process, STOP_TIMEOUT)


def _tail(path: Path, lines: int = 60) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError as exc:
        return f"(no log: {exc})"


@pytest.mark.parametrize("mode", ["flags", "env"])
def test_etcd_serves_with_catalog_configuration(etcd_binary, mode, tmp_path):
    catalog = load_catalog()
    etcd = catalog.components["etcd"]
    client_port, peer_port = free_ports(2)
    client_url = f"http://127.0.0.1:{client_port}"
    peer_url = f"http://127.0.0.1:{peer_port}"
    name = f"member-{mode}"
    settings = {
        "name": name,
        "data-dir": str(tmp_path / "data"),
        "listen-client-urls": client_url,
        "advertise-client-urls": client_url,
        "listen-peer-urls": peer_url,
        "initial-advertise-peer-urls": peer_url,
        "initial-cluster": f"{name}={peer_url}",
    }
    # Start from a clean environment so stray ETCD_* settings cannot leak in.
    env = {key: value for key, value in os.environ.items() if not key.startswith("ETCD")}
    argv = [etcd_binary]
    for flag_name, value in settings.items():
        spec = catalog.lookup("etcd", "--" + flag_name)
        assert spec is not None, f"--{flag_name} missing from the catalog"
        if mode == "flags":
            argv.append(f"{spec.flag}={value}")
        else:
            variable = env_variable(etcd.env_prefix, flag_name)
            assert variable == spec.env
            assert catalog.flag_for_env("etcd", variable) == spec.flag
            env[variable] = value

    report = _run_etcd(argv, env, tmp_path / "etcd.log", client_url)

    log = _tail(tmp_path / "etcd.log")
    assert report["version"]["etcdserver"].startswith("3.4"), log
    assert report["health"]["health"] == "true", log
    [member] = report["members"]
    assert member["name"] == name, log
    assert member["peerURLs"] == [peer_url], log
    assert member["clientURLs"] == [client_url], log
