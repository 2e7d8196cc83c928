"""From a post's text to its model: every flag use, with nothing lost."""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..catalog import Catalog, load_catalog
from ..model import Diagnostic, Document, FlagUse, Origin, Post
from .audit import audit_blocks
from .blocks import BlockReader
from .fences import find_fences
from .frontmatter import fallback_title, parse_front_matter, slug_from_filename
from .identity import Identifier
from .programs import Programs, load_programs
from .prose import END_OF_POST, long_line_warnings, read_prose
from .snippets import SnippetSource, expand_snippets
from .tables import find_table_claims

# A list item or a numbered item at the start of a line: the first paragraph has ended.
_LIST_START = re.compile(r"^(?:[*+-]|\d+\.)\s")
# Inline code and links, reduced to their text in the excerpt.
_CODE_SPAN = re.compile(r"`+([^`]*)`+")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def parse_post(
    path: str,
    text: str,
    *,
    snippets: SnippetSource | None = None,
    catalog: Catalog | None = None,
    programs: Programs | None = None,
) -> Post:
    """Read the post at ``path`` (a display path) whose file content is ``text``.

    Never raises on content: problems become diagnostics, flags that cannot
    be read become ``unparsed`` records.
    """
    catalog = catalog if catalog is not None else load_catalog()
    programs = programs if programs is not None else load_programs()
    ident = Identifier(catalog)
    front, body, first_line, diagnostics = parse_front_matter(path, text)
    document, snippet_problems = expand_snippets(path, body.splitlines(), first_line, snippets)
    diagnostics.extend(snippet_problems)
    fences = find_fences(document)
    blocks = BlockReader(catalog, programs, ident)
    for fence in fences:
        blocks.read(fence)
    code_lines = {i for f in fences for i in range(f.start, f.end + 1)}
    uses = blocks.uses + read_prose(document, code_lines, blocks.uses, catalog, ident, blocks.code_span_flags)
    claims = find_table_claims(document, code_lines, uses, ident)
    unparsed = blocks.unparsed + audit_blocks(fences, uses, blocks.unparsed)
    diagnostics.extend(secret_warnings(uses))
    diagnostics.extend(long_line_warnings(document, code_lines))
    return Post(
        path=path,
        slug=slug_from_filename(path),
        front=front,
        title=front.title or fallback_title(path, body),
        document=document,
        fences=fences,
        commands=tuple(blocks.commands),
        manifests=tuple(blocks.manifests),
        uses=tuple(sorted(uses, key=lambda u: (u.path != path, u.path, u.line))),
        claims=tuple(claims),
        unparsed=tuple(sorted(unparsed, key=lambda u: (u.path, u.line))),
        diagnostics=tuple(diagnostics),
        excerpt=excerpt(document, code_lines),
    )


def empty_post(path: str, text: str, problem: Diagnostic) -> Post:
    """A post with no flags: its front matter and text only, for when the engine could not read it."""
    front, body, first_line, diagnostics = parse_front_matter(path, text)
    lines = tuple(body.splitlines())
    document = Document(path, lines, tuple(Origin(path, first_line + i) for i in range(len(lines))))
    return Post(
        path=path,
        slug=slug_from_filename(path),
        front=front,
        title=front.title or fallback_title(path, body),
        document=document,
        diagnostics=(*diagnostics, problem),
        failed=True,
    )


def secret_warnings(uses: Iterable[FlagUse]) -> list[Diagnostic]:
    """A warning at each secret value a post shows: the site masks it, the source still holds it."""
    out = []
    for use in uses:
        if use.secret:
            who = f"{use.component} {use.flag}" if use.component else use.flag
            out.append(
                Diagnostic(
                    use.path,
                    use.line,
                    f"{who} holds what looks like a secret; the site masks it in tables, the reference and "
                    "search, but it is in the post's source: if it is real, revoke it and write a placeholder",
                )
            )
    return out


# How much of the first paragraph, in multiples of the excerpt's length, the excerpt is made from.
_EXCERPT_INPUT = 4


def excerpt(document: Document, code_lines: Iterable[int], limit: int = 300) -> str:
    """The first paragraph of prose, as plain text."""
    skip = set(code_lines)
    words: list[str] = []
    for i, line in enumerate(document.lines):
        stripped = line.strip()
        if i in skip or END_OF_POST.match(line) or stripped.startswith(("#", "<", "!!!", "???", "--8<--")):
            if words:
                break
            continue
        if not stripped:
            if words:
                break
            continue
        if _LIST_START.match(stripped) and words:
            break
        words.append(stripped)
    # Only the start of the paragraph can reach the excerpt: the patterns below backtrack on long runs
    # of "[" or "`" (a 60,000-character line took 27 s), so they see a bounded prefix.
    text = _LINK.sub(r"\1", _CODE_SPAN.sub(r"\1", " ".join(words)[: _EXCERPT_INPUT * limit]))
    if len(text) > limit:
        text = text[: limit - 1].rsplit(" ", 1)[0] + "…"
    return text
