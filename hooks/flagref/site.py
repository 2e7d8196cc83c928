"""One build of the site: every post read once, and everything derived from them.

A ``SiteBuild`` is made anew for each build (``mkdocs build`` or one
``mkdocs serve`` rebuild) so nothing lingers from an earlier one. Reading a
post is memoised by content (path + text + snippets and catalog fingerprints) in a
``PostCache`` that the caller may keep across builds.
"""

from __future__ import annotations

import hashlib
import traceback
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .catalog import Catalog, load_catalog
from .checks import check_post, sort_diagnostics
from .checks.rules import load_rules
from .checks.verdicts import Relation
from .index import FlagIndex
from .model import Diagnostic, Post
from .parse import empty_post, parse_post
from .parse.programs import Programs, load_programs
from .parse.snippets import SnippetSource
from .render.diagram import render_wiring, wiring_block
from .render.exports import flags_document, index_uses
from .render.listing import SitePost, generate_listing_pages
from .render.markdown import render_markdown
from .render.post import decorate_post
from .render.reference import generate_reference_pages
from .render.relations import related_cells, render_entry_relations
from .render.routes import page_url

DATA_DIR = Path(__file__).resolve().parent / "data"
POST_SUFFIXES = (".md", ".markdown")


def is_post(src_uri: str) -> bool:
    return src_uri.startswith("posts/") and src_uri.endswith(POST_SUFFIXES)


@dataclass
class PostCache:
    """Posts already read, keyed by content; entries unused by a build are dropped."""

    entries: dict[tuple[str, str], Post] = field(default_factory=dict)

    def get(self, key: tuple[str, str]) -> Post | None:
        return self.entries.get(key)

    def keep_only(self, keys: Iterable[tuple[str, str]]) -> None:
        keep = set(keys)
        for key in list(self.entries):
            if key not in keep:
                del self.entries[key]


@dataclass(frozen=True)
class SourceFile:
    src_uri: str
    display_path: str
    text: str


class SiteBuild:
    """The model of the whole site for one build."""

    def __init__(
        self,
        sources: Iterable[SourceFile],
        *,
        snippets: SnippetSource | None = None,
        catalog: Catalog | None = None,
        directory_urls: bool = True,
        cache: PostCache | None = None,
    ) -> None:
        self.catalog = catalog if catalog is not None else load_catalog()
        self.programs = load_programs()
        self.directory_urls = directory_urls
        self.snippets = snippets
        # A post's reading depends on its text, the snippets it includes and the catalog.
        fingerprint = _fingerprint(snippets) + "|" + self.catalog.fingerprint + "|" + _data_fingerprint()
        cache = cache if cache is not None else PostCache()
        used = []
        items = []
        for source in sources:
            key = (source.display_path, hashlib.sha256((source.text + fingerprint).encode()).hexdigest())
            post = cache.get(key)
            if post is None:
                post = _read_post(source, snippets, self.catalog, self.programs)
                cache.entries[key] = post
            used.append(key)
            items.append(SitePost(source.src_uri, page_url(source.src_uri, directory_urls), post))
        cache.keep_only(used)
        self.posts: tuple[SitePost, ...] = tuple(sorted(items, key=lambda p: p.sort_key))
        self.by_src = {p.src_uri: p for p in self.posts}
        self.index = FlagIndex(self.catalog, self.posts)
        self.rules = load_rules()
        self.relations: dict[str, list[Relation]] = {}
        violations: list[Diagnostic] = []
        for item in self.posts:
            self.relations[item.src_uri], found = check_post(item.post, self.catalog, self.rules)
            violations.extend(found)
        self.violations = sort_diagnostics(violations)
        self.checked = [(item, r) for item in self.posts for r in self.relations[item.src_uri]]

    @property
    def diagnostics(self) -> list[Diagnostic]:
        out: list[Diagnostic] = []
        for item in self.posts:
            out.extend(item.post.diagnostics)
            out.extend(u.diagnostic() for u in item.post.unparsed)
        out.extend(self.violations)
        return out

    def generated_pages(self) -> tuple[dict[str, str], list[str]]:
        """Markdown source of every page the build adds, by ``src_uri``, and info lines on names that collided."""
        pages, collisions = generate_listing_pages(self.posts, self.directory_urls)
        reference, more = generate_reference_pages(self.index, self.directory_urls, extra=self._entry_relations)
        pages.update(reference)
        return pages, [str(c) for c in (*collisions, *more)]

    def flags_document(self) -> dict:
        """The content of ``flags.json``: every flag, its values in the posts and its relations."""
        return flags_document(self.catalog, self.rules, index_uses(self.index), self.directory_urls)

    def _entry_relations(self, entry, here: str) -> str:
        return render_entry_relations(entry, here, self.rules, self.checked, self.index, self.directory_urls)

    def post_markdown(self, src_uri: str) -> str | None:
        item = self.by_src.get(src_uri)
        # A post the engine failed on is rendered from the author's text as it is.
        return render_markdown(item.post) if item and not item.post.failed else None

    def post_html(self, src_uri: str, html: str) -> str:
        item = self.by_src.get(src_uri)
        if item is None:
            return html
        relations = self.relations.get(src_uri, [])
        cells = related_cells(relations, self.index, item.url, self.directory_urls, this_post=item)
        block = wiring_block(relations)
        after = {block: render_wiring(relations)} if block is not None else None
        return decorate_post(
            html, item.post, self.index, item.url, self.directory_urls, relations=cells, extra_after_block=after
        )


def _fingerprint(snippets: SnippetSource | None) -> str:
    """The content of every snippet file: a post's reading depends on what it includes."""
    if snippets is None:
        return ""
    digest = hashlib.sha256()
    for base in snippets.base_paths:
        if base.is_dir():
            for path in sorted(base.rglob("*")):
                if path.is_file():
                    digest.update(str(path).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _data_fingerprint() -> str:
    """The engine's own data files (program syntax, Kubernetes names)."""
    digest = hashlib.sha256()
    for path in sorted(DATA_DIR.glob("*.yaml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _read_post(source: SourceFile, snippets: SnippetSource | None, catalog: Catalog, programs: Programs) -> Post:
    """The post's model; a failure of the engine costs the post its decorations, never the build."""
    try:
        return parse_post(source.display_path, source.text, snippets=snippets, catalog=catalog, programs=programs)
    except Exception as exc:  # noqa: BLE001 - any engine bug on any input must leave the site buildable
        where = traceback.extract_tb(exc.__traceback__)[-1]
        problem = Diagnostic(
            source.display_path,
            1,
            f"the flag engine failed on this post ({type(exc).__name__}: {exc} at "
            f"{Path(where.filename).name}:{where.lineno}); the post is published without flag tables. "
            "Report the post as an engine bug",
        )
        return empty_post(source.display_path, source.text, problem)


def read_sources(docs_dir: Path, display_root: Path | None = None) -> list[SourceFile]:
    """Every post under ``docs_dir/posts`` (for the CLI and tests; MkDocs gives its own list)."""
    out = []
    posts_dir = docs_dir / "posts"
    if not posts_dir.is_dir():
        return out
    for path in sorted(posts_dir.rglob("*")):
        if path.is_file() and path.suffix in POST_SUFFIXES:
            src_uri = path.relative_to(docs_dir).as_posix()
            display = path.relative_to(display_root).as_posix() if display_root else src_uri
            out.append(SourceFile(src_uri, display, path.read_text(encoding="utf-8")))
    return out
