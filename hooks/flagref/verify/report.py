"""Reading the posts named on the command line, and printing what verification found."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from ..model import Post
from ..parse import parse_post
from ..parse.snippets import SnippetSource
from .model import VerifyResult


def read_posts(paths: Iterable[Path], catalog) -> list[Post]:
    """The posts in ``paths``: a folder is read as a docs folder, a file as one post.

    A post file inside a ``docs`` folder gets that folder's ``snippets/``.
    Raises ``FileNotFoundError`` for a path that does not exist.
    """
    posts: list[Post] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            # scan pulls in the whole site build; only a folder needs it.
            from ..scan import scan_docs

            posts += scan_docs(path, catalog=catalog).posts
            continue
        if not path.is_file():
            raise FileNotFoundError(f"{path}: no such file or folder")
        text = path.read_text(encoding="utf-8", errors="replace")
        posts.append(parse_post(str(path), text, snippets=_snippets_for(path), catalog=catalog))
    return posts


def _snippets_for(path: Path) -> SnippetSource | None:
    for parent in path.resolve().parents:
        # The project's layout: snippets/ beside docs/ (as scan.default_snippets_dir).
        found = parent.parent / "snippets"
        if parent.name == "docs" and found.is_dir():
            return SnippetSource((found,), display_root=parent.parent)
    return None


def render_text(results: Mapping[str, VerifyResult]) -> str:
    """Each post: its summary, each claim proven or failed, the rewrites made and the notes."""
    out = []
    for path, result in results.items():
        out.append(f"{path}: {result.summary}")
        out += [f"  {'ok  ' if c.ok else 'FAIL'} {c}" for c in result.claims]
        if result.rewrites:
            out.append("  rewritten to run here:")
            out += [f"    {r}" for r in result.rewrites]
        if result.notes:
            out.append("  notes:")
            out += [f"    {n}" for n in result.notes]
    return "\n".join(out)
