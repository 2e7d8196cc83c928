"""Nothing is lost: parsing never raises, and every flag-like line in a block is accounted for.

Checked on every post and fixture, and on arbitrary text with hypothesis.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import DOCS, FIXTURE_DOCS, FIXTURES, parse
from flagref.parse.argv import is_truncation
from flagref.parse.prompts import split_prompt

# The hypothesis property is left out of the fast `unit` tier; it runs in the full suite.

# A long flag: two dashes and a letter or digit, at the start or after a blank, quote, bracket, comma or "=".
_LONG = re.compile(r"(?:^|[\s\"'`(\[,=])--[A-Za-z0-9]")
# A YAML list item holding a long flag: "  - --name".
_DASH_ITEM = re.compile(r"^\s*-\s+--")
# A short option in a typed command: a dash and a letter at the start or after a blank.
_SHORT = re.compile(r"(?:^|\s)-[A-Za-z]")


def flag_like_lines(post):
    """The lines of the post's blocks that hold a flag-like token (the invariant's subject)."""
    for fence in post.fences:
        for origin, text in zip(fence.origins, fence.body):
            if is_truncation(text):
                continue
            prompt = split_prompt(text)
            if _LONG.search(text) or _DASH_ITEM.match(text) or (prompt and _SHORT.search(prompt.command)):
                yield origin, text


def assert_accounted(post):
    covered = {(u.path, u.line) for u in post.uses} | {(u.path, u.line) for u in post.unparsed}
    missing = [f"{o}: {t!r}" for o, t in flag_like_lines(post) if (o.path, o.line) not in covered]
    assert not missing, "flag-like lines neither parsed nor reported:\n" + "\n".join(missing)


ALL_POSTS = sorted(
    p for base in (DOCS, FIXTURE_DOCS, FIXTURES) for p in base.rglob("*") if p.suffix in (".md", ".markdown")
)


@pytest.mark.unit
@pytest.mark.parametrize("path", ALL_POSTS, ids=lambda p: p.name)
def test_every_post_and_fixture(path):
    post = parse(path.name, path.read_text(encoding="utf-8"))
    assert_accounted(post)


_LINE = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60),
    st.sampled_from(
        [
            "```",
            "~~~",
            "```yaml",
            "---",
            "spec:",
            "  containers:",
            "  - command:",
            "    - kube-apiserver",
            "    - --etcd-servers=https://127.0.0.1:2379",
            "    --TRUNCATED--",
            "--TRUNCATED--",
            "containers:",
            "- --x",
            "    args: [--a=1, '--b']",
            "    env:",
            "    - name: ETCD_DATA_DIR",
            "      value: /var/lib/etcd",
            "user@host:~$ kubectl get po -n kube-system -o yaml",
            "$ sudo ETCDCTL_API=3 etcdctl --endpoints=https://127.0.0.1:2379 \\",
            "  --cacert=/x 'unclosed",
            "root@m:~# ps -ef | grep etcd",
            "root 1 0 kube-apiserver --v=2 --x",
            "apiServer:",
            "  extraArgs:",
            "    authorization-mode: Node,RBAC",
            "  - name: bind-address",
            "    value: 0.0.0.0",
            "Text with --flag=value and `--code`",
            '--8<-- "missing.md"',
            "    indented code --flag",
            "- list item",
            "!!! note",
        ]
    ),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_LINE, max_size=40), st.booleans())
def test_arbitrary_text_never_raises_and_loses_nothing(lines, front):
    text = ("---\ntitle: t\n---\n" if front else "") + "\n".join(lines)
    post = parse("posts/2020-01-01-x.md", text)
    assert_accounted(post)
    for use in post.uses:
        assert use.line >= 1 and use.flag.startswith("-")
