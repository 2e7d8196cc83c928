"""Add the flag layer to a rendered post in one pass: links in code, tables under blocks, links in prose.

Works on the HTML MkDocs produced from ``render.markdown``: the n-th ``<pre>``
is the n-th block the parser found (a test holds this for every post). The
HTML is split once into tags and text (``render.html``) and walked once:

* in a block, each line is linked from the flag uses the parser read on that
  line, and a secret value is masked (the only change to code text, so what a
  reader copies is what the author wrote);
* after a block, its flag tables (and any extra markup, such as the wiring
  diagram) are written;
* in prose, a flag is linked when the parser found it mentioned in the text
  (``use.kind == "prose"``): in a text node or an ``<code>`` span of its own,
  never inside a tag or an attribute, a link, a heading, a drawing or a script.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence

from ..index import FlagIndex
from ..model import Fence, FlagUse, Post
from .code import link_code_line
from .html import Token, tokenize
from .markdown import TAB_MARK
from .prose import link_prose, mention_link, unwrap_abbr_in_flags
from .routes import (
    block_anchor,
    component_pages,
    flag_url,
)
from .tables import FlagLink, RelationCells, render_block_tables

__all__ = [
    "RelationCells",
    "anchor_span",
    "decorate_post",
]

# The whole text of an inline code span that shows a flag: "--name", then
# nothing, or "=value" / a space and anything (the two classes are disjoint).
_CODE_FLAG = re.compile(r"(--[A-Za-z0-9][A-Za-z0-9_.-]*)([=\s].*)?", re.S)
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# Elements whose text is never prose to link: links, headings, drawings, raw text.
_NO_TEXT = frozenset({"a", "svg", "script", "style", "textarea"})
_NO_PROSE = _NO_TEXT | _HEADINGS
# Markup in a code block that the line-at-a-time reading leaves to the tokens: an element that changes how
# text is read, a nested block, a comment or a declaration. A name, then what may follow a tag name: linear.
_NOT_LINE_BY_LINE = re.compile(r"<(?:/?(?:a|svg|script|style|textarea|h[1-6]|pre|code)[\s/>]|[!?])", re.I)


def anchor_span(block: int) -> str:
    """The empty element placed before the n-th code block, which links to the block target."""
    return f'<span class="flagref-anchor" id="{block_anchor(block)}"></span>'


def decorate_post(
    html: str,
    post: Post,
    index: FlagIndex,
    page_url: str,
    directory_urls: bool = True,
    relations: RelationCells | None = None,
    extra_after_block: dict[int, str] | None = None,
) -> str:
    """The post's HTML with flags linked, and a flag table (plus ``extra_after_block[n]``) under block n."""
    pages = component_pages(index)

    links: dict[tuple[str | None, str], tuple[str, str]] = {}

    def link(use: FlagUse) -> tuple[str, str]:
        # A post links each flag from its code, its table and its text: made once per entry.
        made = links.get(use.key)
        if made is None:
            entry = index.entry(use)
            made = links[use.key] = (flag_url(page_url, use.component, use.name, directory_urls, pages), entry.tooltip)
        return made

    by_line: dict[tuple[str, int], list[FlagUse]] = defaultdict(list)
    by_block: dict[int, list[FlagUse]] = defaultdict(list)
    mentions: dict[str, FlagUse] = {}
    for use in post.uses:
        if use.block is not None:
            by_line[(use.path, use.line)].append(use)
            by_block[use.block].append(use)
        if use.kind == "prose":
            mentions.setdefault(use.flag, use)
    truncated = {(m.block, m.label) for m in post.manifests if m.truncated}

    def after_block(n: int) -> str:
        tables = render_block_tables(by_block.get(n, []), index, link, relations, truncated)
        return tables + (extra_after_block or {}).get(n, "")

    walker = _Walker(html, post.fences, by_line, mentions, link, after_block)
    at = 0
    while True:
        for token in tokenize(html, at):
            walker.feed(token)
            if walker.resume is not None:  # the walker read a stretch of the input itself
                break
        else:
            return walker.finish()
        at, walker.resume = walker.resume, None


class _Walker:
    """The one pass: tokens in, decorated HTML out, with the state of where each token stands."""

    def __init__(
        self, html: str, fences: Sequence[Fence], by_line, mentions: dict[str, FlagUse], link: FlagLink, after_block
    ):
        self.html = html
        self.resume: int | None = None  # where tokens start again, after a stretch read whole (``_read_code``)
        self.fences = fences
        self.by_line = by_line
        self.mentions = mentions
        self.link = link
        self.after_block = after_block
        self.out: list[str] = []
        self.open: dict[str, int] = defaultdict(int)  # depth of each element that changes how text is read
        # Elements open now among _NO_PROSE, _NO_TEXT and _HEADINGS: read for every token, so counted as they open.
        self.no_prose = self.no_text = self.headings = 0
        self.pres = 0  # <pre> elements met so far
        self.fence: Fence | None = None  # the block being walked, when its <pre> is one the parser found
        self.linking = False  # in the code text of that block
        self.code_seen = False
        self.line = 0
        self.segments: list[tuple[bool, str]] = []  # the current code line: (is_text, html)
        self.pending: str | None = None  # markup to write after the block's wrapper closes
        self.run: list[Token] = []  # prose text (and <abbr> tags in it) not written yet
        self.heading: list[Token] = []  # heading text (and <abbr> tags in it) not written yet
        self.code: list[Token] | None = None  # an inline <code> span of prose, not written yet

    # -- dispatch ---------------------------------------------------------

    def feed(self, token: Token) -> None:
        if self.pending is not None and self._place_pending(token):
            return
        if self.open["pre"]:
            self._in_pre(token)
        elif self.code is not None:
            self._in_code(token)
        elif self._in_prose() and (token.kind == "text" or token.name == "abbr"):
            self.run.append(token)
        elif self._in_prose() and token.kind == "start" and token.text == "<code>":
            self._flush_run()
            self.code = [token]
        elif self._in_heading() and (token.kind == "text" or token.name == "abbr"):
            self.heading.append(token)
        else:
            self._flush_run()
            self._flush_heading()
            if token.kind == "start" and token.name == "pre":
                self._open_pre(token)
                return
            self._track(token)
            self.out.append(token.text)

    def finish(self) -> str:
        self._flush_line()
        self._flush_code()
        self._flush_run()
        self._flush_heading()
        if self.pending is not None:
            self.out.append(self.pending)
        return "".join(self.out)

    def _in_prose(self) -> bool:
        return not self.no_prose

    def _in_heading(self) -> bool:
        """In the text of a heading: not linked, but a flag name in it is kept whole."""
        return self.headings > 0 and not self.no_text

    def _track(self, token: Token) -> None:
        name = token.name
        if token.kind == "start" and not token.text.endswith("/>"):
            step = 1
        elif token.kind == "end" and self.open[name]:
            step = -1
        else:
            return
        self.open[name] += step
        if name in _NO_PROSE:
            self.no_prose += step
            if name in _HEADINGS:
                self.headings += step
            else:
                self.no_text += step

    def _place_pending(self, token: Token) -> bool:
        """Tables go after the block's wrapper (``</pre></div>``), or right after ``</pre>``."""
        if token.kind == "text" and token.text.isspace():
            self.out.append(token.text)
            return True
        if token.kind == "end" and token.name == "div":
            self._track(token)
            self.out.extend((token.text, self.pending or ""))
            self.pending = None
            return True
        self.out.append(self.pending or "")
        self.pending = None
        return False

    # -- code blocks ------------------------------------------------------

    def _open_pre(self, token: Token) -> None:
        n = self.pres
        self.pres += 1
        self.open["pre"] = 1
        self.fence = self.fences[n] if n < len(self.fences) else None  # more <pre> than blocks: left as rendered
        if self.fence is not None:
            self.out.append(anchor_span(n))
        self.out.append(token.text)
        self.linking = self.fence is not None
        self.code_seen = False
        self.line = 0
        self.segments = []

    def _in_pre(self, token: Token) -> None:
        if token.kind == "text":
            if TAB_MARK in token.text:  # a TAB of the author's code (render.markdown)
                token = Token("text", token.text.replace(TAB_MARK, "\t"), token.offset)
            if not self.linking:
                self.out.append(token.text)
                return
            first, *rest = token.text.split("\n")
            self.segments.append((True, first))
            for piece in rest:
                self._flush_line()
                self.out.append("\n")
                self.line += 1
                self.segments.append((True, piece))
            return
        if token.kind == "end" and token.name == "pre" and self.open["pre"] == 1:
            self._flush_line()
            self.open["pre"] = 0
            self.out.append(token.text)
            if self.fence is not None:
                self.pending = self.after_block(self.fence.index)
            self.fence = None
            self.linking = False
            return
        self._track(token)
        if self.fence is not None and token.kind == "start" and token.name == "code" and not self.code_seen:
            # Lines are counted from the start of the code: what comes before it is not code text.
            self.code_seen = True
            self.segments.append((False, token.text))
            self._flush_line(link=False)
            self.line = 0
            self._read_code(token.offset + len(token.text))
            return
        if self.fence is not None and token.kind == "end" and token.name == "code" and self.linking:
            self._flush_line()
            self.linking = False  # after </code>: markup, not code text
        if self.linking:
            self.segments.append((False, token.text))
        else:
            self.out.append(token.text)

    def _read_code(self, start: int) -> None:
        """Read the block's code text from ``start`` to its ``</code>`` a line at a time, when that reads the same.

        Most of a post's tags are the highlighter's, in its code blocks, and most
        code lines use no flag: such a line is written as it is, and only a line
        with uses is split into tags and text to link. Token by token, the
        walker read them all: the decoration of the 1,000-post corpus takes a
        quarter less time line by line. Left to the tokens when the code
        holds markup that changes how text is read (links, headings, raw text,
        nested blocks, comments) or a tag that runs over a line's end.
        """
        end = self.html.find("</code>", start)
        if end < 0:
            return
        code = self.html[start:end]
        if _NOT_LINE_BY_LINE.search(code):
            return
        lines = code.split("\n")
        if any(line.rfind("<") > line.rfind(">") for line in lines):  # a tag cut by the line's end
            return
        fence = self.fence
        assert fence is not None
        origins = fence.origins
        out = self.out
        for n, line in enumerate(lines):
            if n:
                out.append("\n")
            if TAB_MARK in line:  # a TAB of the author's code (render.markdown); never in a tag
                line = line.replace(TAB_MARK, "\t")
            uses = self.by_line.get((origins[n].path, origins[n].line)) if n < len(origins) else None
            if not uses:
                out.append(line)
                continue
            segments = [(token.kind == "text", token.text) for token in tokenize(line)]
            out.extend(part for _, part in link_code_line(segments, uses, self.link))
        self.line = len(lines) - 1
        self.resume = end

    def _flush_line(self, link: bool = True) -> None:
        if not self.segments:
            return
        segments, self.segments = self.segments, []
        fence = self.fence
        uses = None
        if link and fence is not None and self.line < len(fence.origins):
            origin = fence.origins[self.line]
            uses = self.by_line.get((origin.path, origin.line))
        if uses:
            segments = link_code_line(segments, uses, self.link)
        self.out.extend(part for _, part in segments)

    # -- prose ------------------------------------------------------------

    def _in_code(self, token: Token) -> None:
        assert self.code is not None
        if token.kind == "text":
            self.code.append(token)
            return
        if token.kind == "end" and token.name == "code":
            self.code.append(token)
            self._flush_code(closed=True)
            return
        # Markup inside the span: not a flag of its own; write it and go on.
        self._flush_code()
        self.feed(token)

    def _flush_code(self, closed: bool = False) -> None:
        if self.code is None:
            return
        tokens, self.code = self.code, None
        text = "".join(t.text for t in tokens[1:-1] if t.kind == "text") if closed else ""
        m = _CODE_FLAG.fullmatch(text) if closed else None
        use = self.mentions.get(m.group(1)) if m else None
        if use is None:
            self.out.extend(t.text for t in tokens)
            return
        href, title = self.link(use)
        inner = f'<code><span class="flagref-flagname">{m.group(1)}</span>{m.group(2) or ""}</code>'
        self.out.append(mention_link(href, title, inner))

    def _flush_heading(self) -> None:
        if self.heading:
            tokens, self.heading = self.heading, []
            self.out.append(unwrap_abbr_in_flags(tokens))

    def _flush_run(self) -> None:
        if not self.run:
            return
        tokens, self.run = self.run, []
        self.out.append(link_prose(tokens, self.mentions, self.link))
