"""The decoration pass over a post's HTML, on hand-made HTML and a hand-made model.

Each case is the HTML MkDocs could produce and the flags the parser found in
the post; the assertion is on the decorated HTML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import SimpleNamespace

import pytest

from conftest import best_time
from flagref.checks.secrets import MASK
from flagref.index import FlagIndex
from flagref.model import Document, Fence, FlagUse, FrontMatter, Origin, Post
from flagref.render.post import decorate_post

pytestmark = pytest.mark.unit  # but for the tests marked slow (see tests/conftest.py)

PATH = "posts/x.md"
CATALOG = SimpleNamespace(components={})  # no catalog: every flag is "no description yet"


@dataclass
class Item:
    src_uri: str
    url: str
    post: Post


def prose(flag: str, line: int = 1, component: str | None = "kube-apiserver") -> FlagUse:
    return FlagUse(PATH, line, None, "prose", component, flag, None, name=flag.lstrip("-"))


def written(flag: str, line: int, block: int = 0, value: str | None = None, **kw) -> FlagUse:
    kw.setdefault("component", "etcd")
    return FlagUse(PATH, line, block, "manifest", kw.pop("component"), flag, value, name=flag.lstrip("-"), **kw)


def fence(index: int, lines: list[int]) -> Fence:
    return Fence(index, 0, 0, "", "", tuple("" for _ in lines), tuple(Origin(PATH, n) for n in lines))


def decorate(html: str, uses=(), fences=()) -> str:
    post = Post(PATH, "x", FrontMatter("t"), "t", Document(PATH, (), ()), fences=tuple(fences), uses=tuple(uses))
    index = FlagIndex(CATALOG, [Item("posts/x.md", "posts/x/", post)])
    return decorate_post(html, post, index, "posts/x/")


LINK = (
    '<a class="flagref-mention" href="../../flags/kube-apiserver/#etcd-servers" '
    'title="kube-apiserver --etcd-servers: no description yet"><span class="flagref-flagname">--etcd-servers</span></a>'
)


def test_a_prose_mention_is_linked():
    html = decorate("<p>Set --etcd-servers.</p>", [prose("--etcd-servers")])
    assert html == f"<p>Set {LINK}.</p>"


def test_flags_in_attributes_stay_untouched():
    # The old pass (regexes over the whole HTML) put a link inside the alt text.
    page = '<p><img alt="diagram of --etcd-servers" src="d.svg" title="--etcd-servers"> and --etcd-servers</p>'
    html = decorate(page, [prose("--etcd-servers")])
    assert html == f'<p><img alt="diagram of --etcd-servers" src="d.svg" title="--etcd-servers"> and {LINK}</p>'


@pytest.mark.parametrize(
    "page",
    [
        '<p><a href="x">--etcd-servers</a></p>',
        '<h2 id="x">About --etcd-servers</h2>',
        "<svg><text>--etcd-servers</text></svg>",
        "<script>var s = '--etcd-servers';</script>",
        "<!-- --etcd-servers -->",
        '<p data-x="--etcd-servers">text</p>',
        "<p>--etcd-servers-x</p>",  # another flag, that the parser did not find
        "<p>path/--etcd-servers</p>",
    ],
)
def test_no_link_where_the_text_is_not_prose(page):
    assert decorate(page, [prose("--etcd-servers")]) == page


def test_abbreviation_markup_inside_a_flag_name_is_dropped_from_the_link():
    abbr = '<abbr title="a key value store">etcd</abbr>'
    html = decorate(f"<p>The --{abbr}-servers flag names {abbr}.</p>", [prose("--etcd-servers")])
    assert html == f"<p>The {LINK} flag names {abbr}.</p>"
    assert "--<abbr" not in html


def test_abbreviation_around_a_flag_stays_around_its_link():
    html = decorate('<p><abbr title="t">--etcd-servers</abbr></p>', [prose("--etcd-servers")])
    assert html == f'<p><abbr title="t">{LINK}</abbr></p>'


def test_an_abbreviation_cut_by_the_end_of_the_flag_leaves_the_text_as_written():
    page = '<p>--etcd-<abbr title="t">servers x</abbr></p>'
    assert decorate(page, [prose("--etcd-servers")]) == page


def test_inline_code_with_a_flag_links_as_a_whole():
    html = decorate(
        "<p>Use <code>--etcd-servers=https://a:2379</code> or <code>x --etcd-servers</code></p>",
        [prose("--etcd-servers")],
    )
    assert html == (
        '<p>Use <a class="flagref-mention" href="../../flags/kube-apiserver/#etcd-servers" '
        'title="kube-apiserver --etcd-servers: no description yet"><code><span class="flagref-flagname">'
        "--etcd-servers</span>=https://a:2379</code></a> or <code>x --etcd-servers</code></p>"
    )


def test_code_lines_are_linked_from_their_uses_and_get_a_table_and_an_anchor():
    page = (
        '<div class="highlight"><pre><span></span><code>etcd <span class="nt">--name</span>=a\n'
        "  --data-dir=/var --name=b\n</code></pre></div><p>after</p>"
    )
    uses = [written("--name", 10, value="a"), written("--data-dir", 11, value="/var"), written("--name", 11, value="b")]
    html = decorate(page, uses, [fence(0, [10, 11])])
    assert html.startswith('<div class="highlight"><span class="flagref-anchor" id="flagref-block-0"></span><pre>')
    assert html.count('class="flagref-flag"') == 3
    assert '<span class="nt"><a class="flagref-flag" href="../../flags/etcd/#name"' in html
    assert '--data-dir=/var <a class="flagref-flag" href="../../flags/etcd/#name"' not in html  # the second --name
    assert "/var <a class" in html
    # The table goes after the block's wrapper, before the next paragraph.
    assert html.index("</pre></div><details") < html.index("<p>after</p>")
    assert html.count('<details class="abstract flagref-table"') == 1


def test_a_secret_is_masked_however_the_highlighter_escaped_it():
    page = '<pre><code>kubeadm join --token=<span class="s1">&#39;ab&quot;cd&#39;</span>\n</code></pre>'
    use = written("--token", 5, value="'ab\"cd'", component="kubeadm", secret=True)
    html = decorate(page, [use], [fence(0, [5])])
    assert "ab&quot;cd" not in html and MASK in html


def test_more_pre_than_blocks_are_left_as_rendered():
    page = "<pre><code>--name=a\n</code></pre><pre>--name=a</pre>"
    html = decorate(page, [written("--name", 3, value="a")], [fence(0, [3])])
    assert html.endswith("<pre>--name=a</pre>") and html.count("flagref-anchor") == 1


@pytest.mark.parametrize(
    "page",
    ["<pre><code>unclosed", "<p><code>--etcd-servers", "<a href='x'>never closed --etcd-servers", "<", "</pre></a>"],
)
def test_malformed_html_comes_back_whole(page):
    html = decorate(page, [prose("--etcd-servers"), written("--name", 1)], [fence(0, [1])])
    assert html.replace('<span class="flagref-anchor" id="flagref-block-0"></span>', "") == page


@pytest.mark.slow
@pytest.mark.parametrize("shape", ["--etcd-servers ", "--", "-", "--<abbr>a</abbr>", "<code>--etcd-servers</code>"])
def test_time_is_linear(shape):
    uses = [prose("--etcd-servers")]

    def timed(size: int) -> float:
        page = "<p>" + shape * (size // len(shape)) + "</p>"
        return best_time(lambda: decorate(page, uses))

    small, large = timed(10**4), timed(10**5)
    assert large / max(small, 1e-3) <= 20, (shape, small, large)


CODE_BLOCKS = [
    # The highlighter's usual output: a line with uses, a line without, a closing newline.
    '<div class="highlight"><pre><span></span><code>etcd <span class="nt">--name</span>=a\n'
    '<span class="c1"># no flag here</span>\n  --data-dir=/var --name=b\n</code></pre></div>',
    # A TAB of the author's (render.markdown marks it), a secret, and no closing newline.
    '<pre><code>etcd\ufdd0--name=a\n--token=<span class="s1">&#39;ab&quot;cd&#39;</span></code></pre>',
    # Markup that changes how text is read, and a tag cut by a line's end: left to the tokens.
    '<pre><code>etcd <a href="#x">--name</a>=a\n--data-dir=/var\n</code></pre>',
    '<pre><code>etcd --name=a<span\nclass="x">--data-dir</span>=/var\n</code></pre>',
    "<pre><code>etcd --name=a <!-- --data-dir -->\n--data-dir=/var\n</code></pre>",
    "<pre><code>etcd --name=a\n<pre>--data-dir=/var</pre>\n</code></pre>",
    # No end of the code: the tokens read to the end of the input.
    "<pre><code>etcd --name=a\n--data-dir=/var",
]


@pytest.mark.parametrize("page", CODE_BLOCKS)
def test_code_read_a_line_at_a_time_is_decorated_as_token_by_token(page, monkeypatch):
    uses = [
        written("--name", 1, value="a"),
        written("--token", 2, value='ab"cd', secret=True),
        written("--data-dir", 3, value="/var"),
        written("--name", 3, value="b"),
    ]
    blocks = [fence(0, [1, 2, 3])]
    by_line = decorate(page, uses, blocks)
    monkeypatch.setattr("flagref.render.post._NOT_LINE_BY_LINE", re.compile(""))  # every block: token by token
    assert by_line == decorate(page, uses, blocks)
    assert 'class="flagref-flag"' in by_line


@pytest.mark.slow
def test_a_long_code_line_of_flags_is_linear():
    def timed(n: int) -> float:
        uses = [written(f"--f{k}", 1, value=str(k)) for k in range(n)]
        page = "<pre><code>" + " ".join(f"--f{k}={k}" for k in range(n)) + "\n</code></pre>"
        return best_time(lambda: decorate(page, uses, [fence(0, [1])]))

    small, large = timed(500), timed(5000)
    assert large / max(small, 1e-3) <= 20, (small, large)


def test_a_table_shows_a_value_as_written_and_the_reference_as_received():
    from conftest import parse
    from flagref.render.tables import render_value

    post = parse("posts/2020-01-01-x.md", '```\n$ sudo kubeadm init --pod-network-cidr="10.244.0.0/16"\n```\n')
    (use,) = [u for u in post.uses if u.name == "pod-network-cidr"]
    assert use.value == "10.244.0.0/16" and use.written == '"10.244.0.0/16"'
    assert render_value(use) == "<code>&quot;10.244.0.0/<wbr>16&quot;</code>"
    assert "&quot;" not in render_value(use, as_written=False)
