"""Lifecycle data: the loader's schema for it, the answers FlagSpec gives, and the target-version check."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import SEED
from flagref.catalog import CatalogError, FlagSpec, load_catalog, version_key
from flagref.checks.lifecycle import check_target_version
from flagref.model import FlagUse

pytestmark = pytest.mark.unit

HEAD = """\
component: demo
title: Demo
kind: server
summary: A made-up server.
versions: kubernetes
pages: {first: "1.10", last: "1.31"}
docs:
  page: https://example.org/demo/
flags:
"""

OLD = """\
  old-port:
    meaning: A port that went away.
    type: port
    default: "8080"
    introduced: "1.10"
    last_listed: "1.23"
    deprecated: {release: "1.10", source: "#59018"}
    removed: {release: "1.24", source: "#106859"}
    replacement: --new-port
"""

GRACE = """\
  grace:
    meaning: A default that grew.
    type: duration
    default: 50s
    defaults:
      - {release: "1.32", from: 40s, to: 50s, source: "#126287"}
    introduced: "1.10"
    last_listed: "1.31"
"""


def _catalog(tmp_path: Path, flags: str):
    (tmp_path / "demo.yaml").write_text(HEAD + flags, encoding="utf-8")
    return load_catalog(tmp_path)


def _error(tmp_path: Path, flags: str) -> str:
    path = tmp_path / "demo.yaml"
    path.write_text(HEAD + flags, encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        load_catalog(tmp_path)
    return str(caught.value).removeprefix(f"{path}:")


@pytest.mark.parametrize(
    ("older", "newer"),
    [("1.9", "1.10"), ("1.10", "1.24"), ("1.24", "1.24.1"), ("v1.2", "1.11"), ("3.4", "3.10")],
)
def test_releases_compare_numerically(older, newer):
    assert version_key(older) < version_key(newer)


def test_timeline_and_status(tmp_path):
    spec = _catalog(tmp_path, OLD).components["demo"].flags["old-port"]
    assert spec.timeline() == "listed 1.10–1.23 · deprecated 1.10 (#59018) · removed 1.24 (#106859)"
    assert [spec.status_at(r) for r in ("1.9", "1.10", "1.23", "1.24", "1.31")] == [
        "unknown",
        "deprecated",
        "deprecated",
        "removed",
        "removed",
    ]
    assert spec.replacement == "--new-port"


def test_default_changes(tmp_path):
    spec = _catalog(tmp_path, GRACE).components["demo"].flags["grace"]
    assert spec.timeline() == "listed 1.10–1.31 · default 40s → 50s in 1.32 (#126287)"
    assert (spec.default_at("1.31"), spec.default_at("1.32"), spec.default_at("1.40")) == ("40s", "50s", "50s")
    # Still on the newest page covered and never removed: valid after it too.
    assert spec.status_at("1.37") == "ok"


def test_a_flag_dropped_from_the_pages_without_a_recorded_removal_is_unknown():
    spec = FlagSpec("demo", "gone", None, "bool", None, introduced="1.10", last_listed="1.20", pages_until="1.31")
    assert (spec.status_at("1.20"), spec.status_at("1.21")) == ("ok", "unknown")
    assert FlagSpec("demo", "x", None, "bool", None).status_at("1.30") == "unknown"
    assert FlagSpec("demo", "x", None, "bool", None).timeline() == ""


def test_meaning_may_be_missing(tmp_path):
    spec = _catalog(tmp_path, "  bare:\n    type: bool\n").components["demo"].flags["bare"]
    assert spec.meaning is None


@pytest.mark.parametrize(
    ("flags", "line", "hint"),
    [
        pytest.param(OLD.replace('source: "#106859"', "sauce: x"), 17, "unknown key 'sauce'", id="event-key"),
        pytest.param(OLD.replace(', source: "#106859"', ""), 17, "needs `release:` and `source:`", id="no-source"),
        pytest.param(OLD.replace('"1.24", source', '"soon", source'), 17, "must be a version", id="event-version"),
        pytest.param(
            OLD.replace('release: "1.24"', 'release: "1.9"'), 17, "removed 1.9 before deprecated 1.10", id="order"
        ),
        pytest.param(
            OLD.replace('introduced: "1.10"', 'introduced: "1.30"'), 15, "comes before introduced", id="listed"
        ),
        pytest.param(
            OLD.replace('    introduced: "1.10"\n', ""), 14, "last_listed needs `introduced:`", id="last-only"
        ),
        pytest.param(
            GRACE.replace("default: 50s", "default: 60s"), 14, "`default:` is the newest default", id="default"
        ),
        pytest.param(GRACE.replace("from: 40s, ", ""), 15, "needs release, from, to and source", id="change-keys"),
        pytest.param(
            GRACE.replace(
                "    introduced", '      - {release: "1.30", from: 30s, to: 40s, source: "#1"}\n    introduced'
            ),
            16,
            "release order",
            id="change-order",
        ),
        pytest.param(
            OLD.replace("replacement: --new-port", "replacment: x"), 18, "did you mean `replacement`", id="typo"
        ),
        pytest.param(
            OLD.replace('{release: "1.24", source: "#106859"}', '"1.24"'), 17, "needs the evidence", id="bare-removal"
        ),
    ],
)
def test_lifecycle_schema_errors_name_file_and_line(tmp_path, flags, line, hint):
    message = _error(tmp_path, flags)
    assert message.startswith(f"{line}: "), message
    assert hint in message


def test_component_schema_errors(tmp_path):
    (tmp_path / "demo.yaml").write_text(HEAD.replace("versions: kubernetes", "versions: etcd") + GRACE)
    with pytest.raises(CatalogError, match=r"demo\.yaml:5: versions 'etcd' is not one of kubernetes"):
        load_catalog(tmp_path)
    (tmp_path / "demo.yaml").write_text(HEAD.replace('last: "1.31"', 'last: "1.2"') + GRACE)
    with pytest.raises(CatalogError, match=r"demo\.yaml:6: pages: last 1.2 comes before first 1.10"):
        load_catalog(tmp_path)


def _use(flag: str, component: str = "kube-apiserver", line: int = 7, kind: str = "manifest") -> FlagUse:
    return FlagUse("posts/x.md", line, 0, kind, component, flag, None)


def test_target_version_warns_on_removed_and_informs_on_deprecated():
    catalog = load_catalog()
    uses = [
        _use("--insecure-port=0", line=7),
        _use("--etcd-servers", line=8),
        _use("--apiserver-count", line=9),
        _use("--data-dir", component="etcd", line=10),  # etcd's own releases: not judged
        _use("--made-up", line=11),
        _use("--pod-infra-container-image", component="kubelet", line=12, kind="command"),
    ]
    found = check_target_version(uses, catalog, "1.24")
    assert [(d.line, d.level) for d in found] == [(7, "warning"), (9, "info"), (12, "info")]
    assert found[0].message == (
        "kube-apiserver --insecure-port was removed in 1.24 (#106859); remove it from the manifest"
        " (replaced by --secure-port)"
    )
    assert "deprecated since 1.24 (#108062)" in found[1].message
    assert found[2].message.endswith("before it is removed")
    later = check_target_version(uses, catalog, "v1.35.2")
    assert (later[-1].level, "removed in 1.35 (#133779)" in later[-1].message) == ("warning", True)
    assert check_target_version(uses, catalog, "1.23")[0].level == "info"


def test_removed_flag_without_replacement_says_to_remove_it():
    catalog = load_catalog()
    [found] = check_target_version([_use("--target-ram-mb=1")], catalog, "1.31")
    assert found.message.endswith("; remove it from the manifest")


@pytest.mark.parametrize("target", ["", "latest", "1", "1.x", "1.24" * 50])
def test_a_bad_target_is_one_warning(target):
    [found] = check_target_version([_use("--insecure-port")], load_catalog(), target)
    assert found.level == "warning" and "not a release" in found.message


def test_seed_with_insecure_port_warns_at_its_line(tmp_path):
    # The acceptance check: a copy of the seed with `- --insecure-port=0`
    # in the kube-apiserver manifest, checked against 1.24.
    from flagref.scan import scan_docs

    posts = tmp_path / "docs" / "posts"
    posts.mkdir(parents=True)
    copy = posts / SEED.name
    shutil.copy(SEED, copy)
    lines = copy.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, text in enumerate(lines) if "- --etcd-servers" in text)
    indent = lines[at][: len(lines[at]) - len(lines[at].lstrip())]
    lines.insert(at + 1, indent + "- --insecure-port=0\n")
    copy.write_text("".join(lines), encoding="utf-8")
    result = scan_docs(tmp_path / "docs")
    uses = [use for post in result.posts for use in post.uses]
    found = [d for d in check_target_version(uses, load_catalog(), "1.24") if d.level == "warning"]
    assert [(Path(d.path).name, d.line) for d in found] == [(SEED.name, at + 2)]
    assert "removed in 1.24" in found[0].message


def test_the_seed_flags_have_timelines():
    from flagref.scan import scan_docs

    catalog = load_catalog()
    result = scan_docs(SEED.parents[3])
    used = {(use.component, use.flag) for post in result.posts for use in post.uses if use.component}
    assert len(used) >= 21
    missing = [
        f"{component} {flag}"
        for component, flag in sorted(used)
        if not (spec := catalog.lookup(component, flag)) or not spec.timeline()
    ]
    assert missing == []


def test_accepted_releases_shape_timeline_and_status():
    spec = FlagSpec("demo", "x", None, "bool", None, accepted=("1.37", "1.27", "1.28", "1.29"), removed="1.40")
    assert spec.timeline() == "accepted in 1.27–1.29 and 1.37 · removed 1.40"
    # Between the first and last release seen to accept it, the flag is valid.
    assert [spec.status_at(r) for r in ("1.26", "1.27", "1.33", "1.37", "1.38", "1.40")] == [
        "unknown",
        "ok",
        "ok",
        "ok",
        "unknown",
        "removed",
    ]
    assert FlagSpec("etcd", "name", None, "string", None, accepted=("3.4",)).timeline() == "accepted in 3.4"
