"""The rules file: read strictly, cached by its content (never by its modification time or size)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from flagref.checks.rules import DEFAULT_RULES, RuleError, load_rules

pytestmark = pytest.mark.unit

RULE = """rules:
  - id: {id}
    kind: endpoint
    explanation: Why.
    a:
      component: kube-apiserver
      flag: --etcd-servers
      shows: served by etcd --listen-client-urls
    b:
      component: etcd
      flag: --listen-client-urls
      shows: serves kube-apiserver --etcd-servers
"""


def test_unchanged_text_gives_the_same_rules():
    assert load_rules() is load_rules(DEFAULT_RULES)


def test_an_edit_that_keeps_size_and_mtime_is_seen(tmp_path: Path):
    path = tmp_path / "r.yaml"
    path.write_text(RULE.format(id="one"), encoding="utf-8")
    stat = path.stat()
    assert [r.id for r in load_rules(path)] == ["one"]
    # Same length, same modification time: only the content tells the two files apart.
    path.write_text(RULE.format(id="two"), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size and path.stat().st_mtime_ns == stat.st_mtime_ns
    assert [r.id for r in load_rules(path)] == ["two"]


def test_same_text_in_a_rewritten_file_is_not_read_again(tmp_path: Path):
    path = tmp_path / "r.yaml"
    path.write_text(RULE.format(id="one"), encoding="utf-8")
    first = load_rules(path)
    path.write_text(RULE.format(id="one"), encoding="utf-8")
    os.utime(path, ns=(0, 0))
    assert load_rules(path) is first


def test_unreadable_files_are_rule_errors(tmp_path: Path):
    with pytest.raises(RuleError, match=r"r\.yaml:0: cannot read the rules file"):
        load_rules(tmp_path / "r.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"rules:\n  - id: \xff\n")
    with pytest.raises(RuleError, match=r"bad\.yaml:2: not UTF-8 text"):
        load_rules(bad)
