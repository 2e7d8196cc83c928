"""Read a whole docs folder without MkDocs: for the CLI, the tests and the benchmarks."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .model import Diagnostic, Post
from .site import SiteBuild, read_sources
from .snippets import SnippetSource


@dataclass(frozen=True)
class ScanResult:
    docs_dir: Path
    posts: tuple[Post, ...]
    build: SiteBuild

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return self.build.diagnostics


def default_snippets_dir(docs_dir: Path) -> Path | None:
    """``snippets/`` beside the docs folder, as the project lays it out."""
    candidate = docs_dir.resolve().parent / "snippets"
    return candidate if candidate.is_dir() else None


def scan_docs(docs_dir: Path, snippets_dir: Path | None = None, catalog=None) -> ScanResult:
    """Read every post under ``docs_dir/posts``; paths are shown relative to ``docs_dir``.

    Raises ``OSError`` only when the folder itself cannot be read.
    """
    docs_dir = Path(docs_dir)
    if not docs_dir.is_dir():
        raise NotADirectoryError(f"{docs_dir}: not a directory")
    snippets_dir = snippets_dir if snippets_dir is not None else default_snippets_dir(docs_dir)
    source = (
        SnippetSource((snippets_dir.resolve(),), display_root=snippets_dir.resolve().parent) if snippets_dir else None
    )
    build = SiteBuild(read_sources(docs_dir), snippets=source, catalog=catalog)
    return ScanResult(docs_dir, tuple(p.post for p in sorted(build.posts, key=lambda p: p.src_uri)), build)
