"""The catalog agrees with the kubernetes.io reference pages, and its lifecycle data is sourced.

The page facts live outside the repository, in
``../shared/upstream/kube-component-flags.json``; CI has that folder beside
its clone, so a missing file fails here rather than skipping the comparison.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from conftest import ROOT
from flagref.catalog import load_catalog, version_key
from flagref.catalog.upstream import (
    COMPONENTS,
    PAGE_ERRATA,
    normalize_default,
    read_upstream,
    type_agrees,
    upstream_path,
)

pytestmark = pytest.mark.unit  # but for the tests marked slow (see tests/conftest.py)

# A lifecycle source: a pull request (#106859), or a check a reader can
# repeat, worded as the catalog README says (no nested quantifiers).
_SOURCE_RE = re.compile(
    r"#\d+|rejected by \S+ \d+\.\d+|marked deprecated on the \d+\.\d+ reference page|\d+\.\d+ release notes"
)


@pytest.fixture(scope="module")
def upstream():
    path = upstream_path(ROOT)
    if not path.is_file():
        pytest.fail(f"{path} not found: the fact tests need ../shared/upstream beside the repository")
    return read_upstream(path)


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def _disagreements(catalog, upstream, component: str) -> list[str]:
    found = []
    flags = catalog.components[component].flags
    for name, fact in upstream[component]["flags"].items():
        spec = flags.get(name)
        release = fact["last_listed"]
        where = f"{component} --{name} (page {release})"
        if spec is None:
            found.append(f"{where}: listed on the page, missing from the catalog")
            continue
        if not type_agrees(fact["type"], spec.type):
            found.append(f"{where}: type: catalog {spec.type!r}, page {fact['type']!r}")
        if (component, name, "default") not in PAGE_ERRATA:
            page_default = normalize_default(fact["default"], fact["type"])
            if spec.default_at(release) != page_default:
                found.append(f"{where}: default: catalog {spec.default_at(release)!r}, page {page_default!r}")
        if spec.short != fact["short"]:
            found.append(f"{where}: short: catalog {spec.short!r}, page {fact['short']!r}")
        if (spec.introduced, spec.last_listed) != (fact["first_listed"], fact["last_listed"]):
            found.append(
                f"{where}: listed: catalog {spec.introduced}–{spec.last_listed}, "
                f"page {fact['first_listed']}–{fact['last_listed']}"
            )
        marked = fact["deprecated_on_page_from"]
        if marked and (spec.deprecated is None or version_key(spec.deprecated) > version_key(marked)):
            found.append(f"{where}: the {marked} page marks it deprecated; catalog says {spec.deprecated!r}")
    return found


@pytest.mark.parametrize("component", COMPONENTS)
def test_catalog_agrees_with_the_reference_pages(catalog, upstream, component):
    assert _disagreements(catalog, upstream, component) == []


@pytest.mark.parametrize("component", COMPONENTS)
def test_components_say_which_pages_they_cover(catalog, upstream, component):
    spec = catalog.components[component]
    pages = upstream[component]["page_releases"]
    assert spec.versions == "kubernetes"
    assert spec.pages == (pages[0], pages[-1])


@pytest.mark.parametrize("component", COMPONENTS)
def test_every_flag_on_the_newest_page_has_a_meaning(catalog, upstream, component):
    newest = upstream[component]["page_releases"][-1]
    flags = catalog.components[component].flags
    missing = [
        f"--{name}"
        for name, fact in upstream[component]["flags"].items()
        if fact["last_listed"] == newest and not flags[name].meaning
    ]
    assert missing == []


def test_lifecycle_events_of_kubernetes_programs_have_sources(catalog):
    unsourced = []
    for component in catalog.components.values():
        if component.versions != "kubernetes":
            continue
        for spec in component.flags.values():
            for what, event in (("deprecated", spec.deprecation), ("removed", spec.removal)):
                if event is not None and not (event.source and _SOURCE_RE.fullmatch(event.source)):
                    unsourced.append(f"{component.name} {spec.flag}: {what} {event}")
            for change in spec.defaults:
                if not _SOURCE_RE.fullmatch(change.source):
                    unsourced.append(f"{component.name} {spec.flag}: {change}")
    assert unsourced == []


def test_a_flag_listed_after_its_removal_says_why(catalog):
    # The pages lag behind the release notes at times; the catalog keeps the
    # release notes and says so in a note.
    unexplained = [
        f"{spec.component} {spec.flag}: listed until {spec.last_listed}, removed {spec.removed}"
        for spec in catalog.flags()
        if spec.removed
        and spec.last_listed
        and version_key(spec.last_listed) >= version_key(spec.removed)
        and not (spec.note and "reference page" in spec.note)
    ]
    assert unexplained == []


@pytest.mark.parametrize(
    ("component", "flag", "deprecated", "removed"),
    [
        # Corrections named in issue 12, each checked against the release notes.
        ("kube-apiserver", "--cloud-provider", "1.29", "1.33"),
        ("kube-apiserver", "--cloud-config", "1.29", "1.33"),
        ("kube-apiserver", "--insecure-port", "1.10", "1.24"),
        ("kube-apiserver", "--apiserver-count", "1.24", None),
        ("kubelet", "--pod-infra-container-image", "1.24", "1.35"),
        ("kube-scheduler", "--port", "1.11", "1.24"),
        ("kube-scheduler", "--address", "1.11", "1.24"),
        ("kube-controller-manager", "--pod-eviction-timeout", "1.26", "1.27"),
        ("kubectl", "--delete-local-data", "1.20", "1.31"),
    ],
)
def test_known_lifecycle_facts(catalog, component, flag, deprecated, removed):
    spec = catalog.lookup(component, flag)
    assert (spec.deprecated, spec.removed) == (deprecated, removed)


def test_known_default_changes(catalog):
    grace = catalog.lookup("kube-controller-manager", "--node-monitor-grace-period")
    assert (grace.default_at("1.31"), grace.default_at("1.32"), grace.default) == ("40s", "50s", "50s")
    maxage = catalog.lookup("kube-apiserver", "--audit-log-maxage")
    assert (maxage.default_at("1.35"), maxage.default_at("1.36")) == ("0", "366")
    maxbackup = catalog.lookup("kube-apiserver", "--audit-log-maxbackup")
    assert (maxbackup.default_at("1.35"), maxbackup.default_at("1.36")) == ("0", "100")


def test_repeated_value_flags_are_typed_as_such(catalog):
    assert catalog.lookup("kube-apiserver", "--service-account-issuer").type == "string-list"
    assert "repeat" in catalog.lookup("kube-apiserver", "--service-account-key-file").meaning


def test_kubectl_corrections(catalog):
    assert catalog.lookup("kubectl", "-r", "scale") is None
    assert catalog.lookup("kubectl", "-r", "create deployment").name == "replicas"
    assert "30s for kubectl wait" in catalog.lookup("kubectl", "--timeout").note
    assert catalog.lookup("kubectl", "--generator", "run").removed == "1.21"


def test_a_disagreement_names_flag_release_and_both_values(catalog):
    fake = {
        "kube-proxy": {
            "flags": {
                "bind-address": {
                    "type": "string",
                    "default": "1.2.3.4",
                    "short": None,
                    "first_listed": "1.10",
                    "last_listed": "1.31",
                    "deprecated_on_page_from": None,
                }
            }
        }
    }
    assert _disagreements(catalog, fake, "kube-proxy") == [
        "kube-proxy --bind-address (page 1.31): default: catalog '0.0.0.0', page '1.2.3.4'"
    ]


@pytest.mark.slow
def test_the_import_script_has_nothing_left_to_write():
    # The committed YAML is what the script makes of the JSON: a hand edit of
    # a page fact, or a JSON update not imported, shows up here.
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "import-upstream-flags"), "--check"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
