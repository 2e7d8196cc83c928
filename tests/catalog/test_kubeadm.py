"""The kubeadm part of the catalog: shared flags, short letters, and lifecycle held to the release notes.

kubeadm has no reference-page data in ``../shared/upstream``; its deprecations,
removals and default changes are read from ``release-notes/1.NN.md`` there.
These tests check that every source the catalog cites says what is claimed:
the pull request is in the named release's notes, in an entry naming the flag.
A missing notes folder fails, as in the other fact tests.
"""

from __future__ import annotations

import functools
import re

import pytest

from conftest import ROOT
from flagref.catalog import load_catalog
from flagref.catalog.upstream import upstream_path
from flagref.checks.lifecycle import check_target_version
from flagref.model import FlagUse

pytestmark = pytest.mark.unit

NOTES = upstream_path(ROOT).parent / "release-notes"

# kubeadm's top-level commands; "alpha" held certs until 1.21.
SUBCOMMANDS = {"init", "join", "reset", "token", "certs", "upgrade", "config", "alpha"}

# "1.23 (#103027)" in a note: a release and the pull request it cites (digits only, linear).
_CITED_RE = re.compile(r"(\d+\.\d+) \(#(\d+)\)")
# "#103027" anywhere in a note.
_PR_RE = re.compile(r"#(\d+)")


@pytest.fixture(scope="module")
def kubeadm():
    return load_catalog().components["kubeadm"]


@functools.cache
def _entries(release: str) -> tuple[str, ...]:
    """The bulleted entries of one release's notes, each with its continuation lines joined."""
    path = NOTES / f"{release}.md"
    if not path.is_file():
        pytest.fail(f"{path} not found: the kubeadm fact tests need ../shared/upstream beside the repository")
    entries: list[str] = []
    current: list[str] | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if stripped.startswith(("- ", "* ")):
            if current:
                entries.append(" ".join(current))
            current = [stripped]
        elif not stripped or stripped.startswith("#"):
            if current:
                entries.append(" ".join(current))
            current = None
        elif current is not None:
            current.append(stripped)
    if current:
        entries.append(" ".join(current))
    return tuple(entries)


def _citing(release: str, number: str) -> list[str]:
    """The entries of ``release``'s notes that link pull request ``number``."""
    return [e for e in _entries(release) if f"[#{number}]" in e or f"/pull/{number})" in e]


def _releases() -> list[str]:
    return sorted((p.stem for p in NOTES.glob("1.*.md")), key=lambda r: tuple(int(x) for x in r.split(".")))


def test_every_kubeadm_flag_has_a_meaning_of_its_own(kubeadm):
    bad = [
        f"{spec.flag} ({spec.source})"
        for spec in kubeadm.flags.values()
        if not spec.meaning
        or len(spec.meaning) >= 200
        or spec.meaning.rstrip(".").lower() == spec.name.replace("-", " ")
    ]
    assert bad == []


def test_commands_are_kubeadm_subcommands(kubeadm):
    unknown = [
        f"{spec.flag}: {command!r}"
        for spec in kubeadm.flags.values()
        for command in spec.commands
        if command.split()[0] not in SUBCOMMANDS
    ]
    assert unknown == []


@pytest.mark.parametrize(
    ("name", "tops"),
    [
        ("config", {"init", "join", "reset", "token", "certs", "upgrade", "config"}),
        ("kubeconfig", {"init", "reset", "token", "certs", "upgrade", "config"}),
        ("dry-run", {"init", "join", "reset", "upgrade", "token"}),
        ("cert-dir", {"init", "reset", "certs"}),
        ("cri-socket", {"init", "join", "reset", "config"}),
        ("ignore-preflight-errors", {"init", "join", "reset", "upgrade"}),
        ("patches", {"init", "join", "upgrade"}),
        ("output", {"token", "certs", "upgrade", "config"}),
    ],
)
def test_shared_names_are_one_entry_listing_their_subcommands(kubeadm, name, tops):
    spec = kubeadm.flags[name]
    assert tops <= {command.split()[0] for command in spec.commands}, spec.commands


@pytest.mark.parametrize(
    ("written", "command", "name"),
    [
        ("-f", "reset", "force"),
        ("-f", "upgrade", "force"),
        ("-y", "upgrade", "yes"),
        ("-o", "token", "output"),
        ("-o", "certs", "output"),
        ("-o", "upgrade", "output"),
        ("-o", "config", "output"),
        ("-c", "upgrade", "context-lines"),
        ("-v", None, "v"),
        ("-v", "init", "v"),
        ("-v=5", "join", "v"),
    ],
)
def test_short_letters_resolve_with_the_first_word_as_subcommand(written, command, name):
    # A command line gives its flags the first word after kubeadm as subcommand.
    spec = load_catalog().lookup("kubeadm", written, command)
    assert spec is not None and spec.name == name


@pytest.mark.parametrize(("written", "command"), [("-f", "init"), ("-y", "reset"), ("-o", "join"), ("-c", "init")])
def test_short_letters_do_not_leak_into_other_subcommands(written, command):
    assert load_catalog().lookup("kubeadm", written, command) is None


@pytest.mark.parametrize(
    ("flag", "deprecated", "removed"),
    [
        ("--experimental-upload-certs", "1.15", None),
        ("--experimental-control-plane", "1.15", None),
        ("--experimental-kustomize", "1.19", "1.20"),
        ("--experimental-patches", "1.22", "1.23"),
        ("--experimental-output", "1.31", "1.32"),
        ("--use-api", "1.18", "1.19"),
        ("--csr-only", "1.22", "1.23"),
        ("--image-pull-timeout", "1.19", "1.22"),
        ("--api-server-manifest", "1.31", "1.32"),
        ("--skip-preflight-checks", None, "1.12"),
        ("--log-file", None, "1.31"),
        ("--discovery-token-unsafe-skip-ca-verification", None, None),
        ("--force", None, None),
    ],
)
def test_known_kubeadm_lifecycle(kubeadm, flag, deprecated, removed):
    spec = kubeadm.flags[flag.removeprefix("--")]
    assert (spec.deprecated, spec.removed) == (deprecated, removed)


def test_image_repository_default_changed_in_125():
    spec = load_catalog().lookup("kubeadm", "--image-repository")
    assert (spec.default_at("1.24"), spec.default_at("1.25")) == ("k8s.gcr.io", "registry.k8s.io")


def test_lifecycle_sources_are_in_the_named_release_notes(kubeadm):
    wrong = []
    for spec in kubeadm.flags.values():
        events = [("deprecated", spec.deprecation, spec.name), ("removed", spec.removal, spec.name)]
        events += [("default", change, change.new) for change in spec.defaults]
        for what, event, mentioned in events:
            if event is None:
                continue
            where = f"{spec.flag} {what} {event.release} ({event.source})"
            if event.source.startswith("#"):
                cited = _citing(event.release, event.source[1:])
                if not cited:
                    wrong.append(f"{where}: the {event.release} notes do not cite {event.source}")
                elif not any(mentioned in entry for entry in cited):
                    wrong.append(f"{where}: the {event.release} entry of {event.source} does not name {mentioned!r}")
            elif event.source == f"{event.release} release notes":
                if not any(mentioned in entry for entry in _entries(event.release)):
                    wrong.append(f"{where}: the {event.release} notes do not name {mentioned!r}")
            else:
                wrong.append(f"{where}: cite a pull request or the release notes")
    assert wrong == []


def test_pull_requests_cited_in_notes_are_in_the_release_notes(kubeadm):
    # "join from 1.23 (#103027)": in the 1.23 notes; a bare "#N": in some release's notes.
    wrong = []
    for spec in kubeadm.flags.values():
        if not spec.note:
            continue
        dated = {number: release for release, number in _CITED_RE.findall(spec.note)}
        for number in _PR_RE.findall(spec.note):
            releases = [dated[number]] if number in dated else _releases()
            if not any(_citing(release, number) for release in releases):
                wrong.append(f"{spec.flag}: #{number} not in the {' / '.join(releases)} notes")
    assert wrong == []


def test_replacements_name_kubeadm_flags(kubeadm):
    missing = [
        f"{spec.flag} -> {spec.replacement}"
        for spec in kubeadm.flags.values()
        if spec.replacement
        and spec.replacement.startswith("--")
        and spec.replacement.split("=")[0].split()[0].removeprefix("--") not in kubeadm.flags
    ]
    assert missing == []


def test_target_version_warns_about_removed_kubeadm_flags():
    uses = [
        FlagUse("posts/x.md", 4, 0, "command", "kubeadm", "--experimental-patches", "/tmp/patches"),
        FlagUse("posts/x.md", 5, 0, "command", "kubeadm", "--control-plane", None),
        FlagUse("posts/x.md", 6, 0, "command", "kubeadm", "--experimental-control-plane", None),
    ]
    found = check_target_version(uses, load_catalog(), "1.23")
    assert [(d.line, d.level) for d in found] == [(4, "warning"), (6, "info")]
    assert found[0].message == (
        "kubeadm --experimental-patches was removed in 1.23 (#104065); remove it from the command line"
        " (replaced by --patches)"
    )
