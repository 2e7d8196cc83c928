"""Golden HTML: the article of a decorated post and of a reference page, as the real build renders them.

The seed post (flag links, tables, block anchors, the wiring diagram) and the
etcd reference page are compared with tests/golden/html/*.html, a unified
diff on mismatch. After a deliberate change to the renderers, regenerate every
golden file and review the diff before committing:

    scripts/update-golden
"""

from __future__ import annotations

import re

import pytest

from conftest import GOLDEN, SEED_URL, Built, assert_golden

PAGES = {
    "seed-post.html": SEED_URL,
    "flags-etcd.html": "flags/etcd/",
}

# A <pre> element and everything in it, whose text must not be touched (lazy, up to the first </pre>).
_PRE = re.compile(r"<pre\b.*?</pre>", re.S)
# Two tags with nothing between them.
_ADJACENT = re.compile(r"><")


def normalise(html: str) -> str:
    """The article's HTML with one tag per line outside ``<pre>``, so that a diff points at the change.

    The build writes nothing specific to one run (no dates, no absolute paths)
    into the article; should it ever, this is where it would be stripped.
    """
    pieces = []
    at = 0
    for m in _PRE.finditer(html):
        pieces += [_ADJACENT.sub(">\n<", html[at : m.start()]), m.group(0)]
        at = m.end()
    pieces.append(_ADJACENT.sub(">\n<", html[at:]))
    out = pieces[0]
    for piece in pieces[1:]:
        # Two tags that meet where a <pre> starts or ends.
        out += ("\n" if out.endswith(">") and piece.startswith("<") else "") + piece
    return out.strip() + "\n"


@pytest.mark.parametrize("name", sorted(PAGES))
def test_article_matches_its_golden_html(seed_site: Built, name: str) -> None:
    article = seed_site.article(PAGES[name])
    assert article is not None, f"{PAGES[name]}: no <article class='md-content__inner'> in the built page"
    assert_golden(GOLDEN / "html" / name, normalise(article.decode_contents()))


def test_normalise_leaves_code_blocks_alone() -> None:
    html = '<div class="highlight"><pre><code><a href="#x">--a</a><b>x</b>\n</code></pre></div><p>t</p>'
    assert normalise(html) == (
        '<div class="highlight">\n<pre><code><a href="#x">--a</a><b>x</b>\n</code></pre>\n</div>\n<p>t</p>\n'
    )
