"""Read a whole docs folder without MkDocs: for the CLI, the tests and the benchmarks."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .catalog import load_catalog
from .checks.rules import load_rules
from .model import Diagnostic, FlagUse, Post
from .parse import parse_post
from .parse.snippets import SnippetSource
from .poststore import PostStore
from .site import SiteBuild, read_sources, site_fingerprint


@dataclass(frozen=True)
class ScanResult:
    """The posts of a docs folder, read and checked, and the site build they form."""

    docs_dir: Path
    posts: tuple[Post, ...]
    build: SiteBuild

    snippets: SnippetSource | None = None

    @property
    def diagnostics(self) -> list[Diagnostic]:
        """Every diagnostic of the build."""
        return self.build.diagnostics

    def missing_flags(self) -> list[FlagUse]:
        """Uses of flags the catalog does not describe, in the posts and in every snippet file.

        A snippet no post includes yet is read on its own, so that what sits in
        snippets/ is covered too.
        """
        catalog = self.build.catalog
        uses = {(u.path, u.line, u.flag): u for post in self.posts for u in post.uses}
        for post in self._snippet_posts():
            for use in post.uses:
                uses.setdefault((use.path, use.line, use.flag), use)
        out = []
        for use in uses.values():
            known = catalog.components_with(use.flag) if use.component is None else use.spec
            if not known:
                out.append(use)
        return sorted(out, key=lambda u: (u.path, u.line, u.flag))

    def _snippet_posts(self) -> list[Post]:
        if self.snippets is None:
            return []
        posts = []
        for base in self.snippets.base_paths:
            for path in sorted(base.rglob("*")):
                name = path.relative_to(base).as_posix()
                if path.suffix in (".md", ".markdown"):
                    text = f'--8<-- "{name}"\n'
                elif path.suffix in (".yaml", ".yml"):
                    text = f'```yaml\n--8<-- "{name}"\n```\n'
                else:
                    continue
                posts.append(parse_post(name, text, snippets=self.snippets, catalog=self.build.catalog))
        return posts


def default_snippets_dir(docs_dir: Path) -> Path | None:
    """``snippets/`` beside the docs folder, as the project lays it out."""
    candidate = docs_dir.resolve().parent / "snippets"
    return candidate if candidate.is_dir() else None


def scan_docs(docs_dir: Path, snippets_dir: Path | None = None, catalog=None, *, cached: bool = False) -> ScanResult:
    """Read every post under ``docs_dir/posts``; paths are shown relative to ``docs_dir``.

    ``cached``: take the posts an earlier run read from the post store, and
    keep this run's there (the CLI; the engine's benchmark reads every post).
    Raises ``OSError`` only when the folder itself cannot be read.
    """
    docs_dir = Path(docs_dir)
    if not docs_dir.is_dir():
        raise NotADirectoryError(f"{docs_dir}: not a directory")
    snippets_dir = snippets_dir if snippets_dir is not None else default_snippets_dir(docs_dir)
    source = (
        SnippetSource((snippets_dir.resolve(),), display_root=snippets_dir.resolve().parent) if snippets_dir else None
    )
    store = None
    if cached:
        catalog = catalog if catalog is not None else load_catalog()
        store = PostStore.for_site(docs_dir, site_fingerprint(source, catalog), catalog, load_rules())
    build = SiteBuild(read_sources(docs_dir), snippets=source, catalog=catalog, store=store)
    if store is not None:
        build.keep_posts(store)
    return ScanResult(docs_dir, tuple(p.post for p in sorted(build.posts, key=lambda p: p.src_uri)), build, source)
