"""The ``flagref`` command: its output and exit codes, run in-process through ``cli.main(argv)``.

One test runs the installed console script, to prove the entry point works.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import DOCS, FIXTURE_DOCS, FIXTURES
from flagref.cli import main
from test_engine import SEED_APISERVER, SEED_ETCD

SEED_PATH = "posts/kubernetes/components/2019-10-24-etcd.md"
PEER_PORT = "2019-10-24-etcd-servers-peer-port.md"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of ``flagref ARGV``; argparse's own exits (--help) count as codes."""
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def _docs(tmp_path: Path, **posts: str) -> Path:
    """A docs folder holding ``posts/<name>`` for each keyword (``_`` for ``-``, ``__`` for ``.``)."""
    folder = tmp_path / "docs" / "posts"
    folder.mkdir(parents=True)
    for name, text in posts.items():
        (folder / name.replace("__", ".").replace("_", "-")).write_text(text, encoding="utf-8")
    return folder.parent


@pytest.mark.unit
def test_scan_json_gives_the_seed(capsys):
    code, out, err = run(capsys, "scan", str(DOCS), "--json")
    assert code == 0, err
    data = json.loads(out)
    (post,) = [p for p in data["posts"] if p["path"] == SEED_PATH]
    assert post["title"] == "kubernetes > etcd as a component in the cluster"
    assert post["categories"] == ["kubernetes"] and post["date"] == "2019-10-24"
    manifest = {(f["component"], f["flag"]): f["value"] for f in post["flags"] if f["kind"] == "manifest"}
    expected = {("kube-apiserver", k): v for k, v in SEED_APISERVER.items()}
    expected.update({("etcd", k): v for k, v in SEED_ETCD.items()})
    assert manifest == expected
    assert {"line", "block", "kind", "component", "flag", "value"} <= set(post["flags"][0])
    assert post["unparsed"] == []


@pytest.mark.unit
def test_scan_text_lists_each_use_and_the_totals(capsys):
    code, out, _ = run(capsys, "scan", str(DOCS))
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == f"{SEED_PATH}: kubernetes > etcd as a component in the cluster (2019-10-24; kubernetes)"
    row = "36 manifest kube-apiserver --etcd-servers=https://127.0.0.1:2379 [Pod kube-apiserver-master (kube-system)]"
    assert row.split() in [line.split() for line in lines]
    assert lines[-1].startswith("1 posts, ") and lines[-1].endswith(" flag uses")


@pytest.mark.unit
def test_scan_fails_only_when_the_folder_cannot_be_read(capsys, tmp_path):
    code, out, err = run(capsys, "scan", str(tmp_path / "nope"))
    assert (code, out) == (2, "") and err == f"flagref: {tmp_path / 'nope'}: not a directory\n"
    unparsed = FIXTURE_DOCS / "posts" / "parsing" / "2020-01-18-unparsed.md"
    docs = _docs(tmp_path, **{"2020_01_18_unparsed__md": unparsed.read_text(encoding="utf-8")})
    code, out, _ = run(capsys, "scan", str(docs))
    assert code == 0
    assert "UNPARSED" in out  # the unparsed lines are reported, not hidden


@pytest.mark.unit
def test_scan_masks_secrets_in_json(capsys, tmp_path):
    docs = _docs(tmp_path, **{"2020_01_01_t__md": "```\n$ kubectl get po --token=abcdef0123456789abcdef\n```\n"})
    code, out, _ = run(capsys, "scan", str(docs), "--json")
    assert code == 0 and "abcdef0123456789abcdef" not in out


@pytest.mark.unit
def test_check_exits_0_on_consistent_posts(capsys):
    code, out, err = run(capsys, "check", str(DOCS))
    assert (code, out, err) == (0, "", "0 violation(s) in 1 posts\n")


@pytest.mark.unit
def test_check_prints_each_violation_with_path_and_line_and_exits_1(capsys, tmp_path):
    docs = tmp_path / "docs"
    (docs / "posts").mkdir(parents=True)
    shutil.copy(FIXTURES / "relations" / "violations" / PEER_PORT, docs / "posts" / PEER_PORT)
    code, out, err = run(capsys, "check", str(docs))
    assert code == 1 and err == "2 violation(s) in 1 posts\n"
    assert [line.split(": ", 1)[0] for line in out.splitlines()] == [f"posts/{PEER_PORT}:36", f"posts/{PEER_PORT}:47"]
    assert "is not served by etcd --listen-client-urls" in out
    code, out, _ = run(capsys, "check", str(docs), "--json")
    assert code == 1
    violations = json.loads(out)["violations"]
    assert [(v["path"], v["line"]) for v in violations] == [(f"posts/{PEER_PORT}", 36), (f"posts/{PEER_PORT}", 47)]
    assert all(v["message"] for v in violations)


@pytest.mark.unit
def test_check_and_scan_take_unchanged_posts_from_the_post_store(capsys, tmp_path, monkeypatch):
    import flagref.site

    docs = tmp_path / "docs"
    (docs / "posts").mkdir(parents=True)
    shutil.copy(FIXTURES / "relations" / "violations" / PEER_PORT, docs / "posts" / PEER_PORT)
    monkeypatch.setenv("FLAGREF_CACHE_DIR", str(tmp_path / "cache"))
    first = run(capsys, "check", str(docs))
    assert first[0] == 1 and len(list((tmp_path / "cache" / "posts").glob("*.pack"))) == 1
    real = flagref.site._read_post
    monkeypatch.setattr(flagref.site, "_read_post", lambda *a: pytest.fail("a post was read again"))
    assert run(capsys, "check", str(docs)) == first
    scanned = run(capsys, "scan", str(docs), "--json")
    monkeypatch.setattr(flagref.site, "_read_post", real)
    (docs / "posts" / PEER_PORT).write_text("---\ntitle: emptied\n---\nNothing here.\n", encoding="utf-8")
    assert run(capsys, "check", str(docs)) == (0, "", "0 violation(s) in 1 posts\n")  # the edited post, read anew
    monkeypatch.setenv("FLAGREF_CACHE_DIR", str(tmp_path / "other"))
    assert run(capsys, "scan", str(docs), "--json", "--no-cache")[0] == 0
    assert scanned[0] == 0 and not (tmp_path / "other").exists(), "--no-cache keeps no post"


@pytest.mark.unit
def test_catalog_lists_components(capsys):
    code, out, _ = run(capsys, "catalog")
    assert code == 0
    names = [line.split()[0] for line in out.splitlines()]
    assert names == sorted(names) and {"etcd", "kube-apiserver", "kubectl"} <= set(names)
    (etcd,) = [line for line in out.splitlines() if line.split()[0] == "etcd"]
    assert etcd.split()[2] == "flags"


@pytest.mark.unit
def test_catalog_missing_lists_uses_without_an_entry(capsys, tmp_path):
    docs = _docs(tmp_path, **{"2020_01_01_t__md": "```\n$ etcd --no-such-flag=1 --name=master\n```\n"})
    code, out, err = run(capsys, "catalog", "--missing", str(docs))
    assert code == 0
    assert out == "posts/2020-01-01-t.md:2: etcd --no-such-flag has no catalog entry\n"
    assert err == "1 flag use(s) without a catalog entry\n"


@pytest.mark.unit
def test_version_help_and_no_command(capsys):
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.startswith("flagref ")
    code, out, _ = run(capsys, "--help")
    assert code == 0 and all(word in out for word in ("scan", "check", "catalog"))
    code, out, _ = run(capsys)
    assert code == 0 and out.startswith("usage: flagref")
    code, _, err = run(capsys, "no-such-command")
    assert code == 2 and "invalid choice" in err


def test_the_console_script_runs():
    script = Path(sys.executable).with_name("flagref")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "flagref.cli"]
    result = subprocess.run([*command, "--version"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stdout.startswith("flagref "), result.stderr


def test_check_target_version_warns_at_a_flag_the_release_removed(capsys, tmp_path):
    from conftest import SEED

    lines = SEED.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if "- --etcd-servers=" in line)
    indent = lines[at][: len(lines[at]) - len(lines[at].lstrip())]
    lines.insert(at + 1, f"{indent}- --insecure-port=0\n")
    docs = _docs(tmp_path, **{"2019-10-24-etcd.md": "".join(lines)})
    code, out, _ = run(capsys, "check", str(docs), "--target-version", "1.24")
    assert code == 1
    assert out.splitlines() == [
        f"posts/2019-10-24-etcd.md:{at + 2}: kube-apiserver --insecure-port was removed in 1.24 (#106859); "
        "remove it from the manifest (replaced by --secure-port)"
    ]
    # 1.23 still accepted it: no warning, and the check passes.
    code, out, _ = run(capsys, "check", str(docs), "--target-version", "1.23")
    assert (code, out) == (0, "")
