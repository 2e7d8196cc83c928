"""A flag's life across Kubernetes releases, as the reader sees it: timelines, badges, the release filter."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser  # the seed site and Chromium come from test_browser's fixtures

from test_browser import browser, open_reader, reader, seed_base  # noqa: E402,F401  (fixtures)


def test_entries_show_their_timeline_and_carry_their_releases(seed_site):
    page = seed_site.page("flags/kube-apiserver/")
    insecure = page.find(id="insecure-port").find_next(class_="flagref-entry")
    assert insecure["data-removed"] == "1.24"
    facts = {dt.get_text(): dd.get_text() for dt, dd in zip(insecure.select("dt"), insecure.select("dd"))}
    assert "removed 1.24" in facts["Releases"]
    badge = insecure.select_one(".flagref-badge--removed")
    assert badge is not None and badge.get_text().startswith("removed in 1.24")
    options = [o["value"] for o in page.select("select[data-flagref-release] option")]
    assert "1.24" in options and "1.10" in options and options[0] == ""


def test_the_release_filter_hides_the_flags_a_release_does_not_have(reader, seed_base):  # noqa: F811
    reader.open(f"{seed_base}flags/kube-apiserver/")
    page = reader.page
    insecure = page.locator("#insecure-port")
    servers = page.locator("#etcd-servers")
    assert insecure.is_visible() and servers.is_visible()
    page.select_option("select[data-flagref-release]", "1.24")
    assert not insecure.is_visible() and servers.is_visible()
    page.select_option("select[data-flagref-release]", "1.23")
    assert insecure.is_visible()
    page.select_option("select[data-flagref-release]", "")
    assert insecure.is_visible() and servers.is_visible()
