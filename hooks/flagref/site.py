"""One build of the site: every post read once, and everything derived from them.

A ``SiteBuild`` is made anew for each build (``mkdocs build`` or one
``mkdocs serve`` rebuild) so nothing lingers from an earlier one. Reading a
post is memoised by content (path + text + snippets and catalog fingerprints) in a
``PostCache`` that the caller may keep across builds, and on disk in a
``PostStore`` across runs; so are its checks and, under
``mkdocs serve``, its decorated HTML (keyed by everything the decoration reads), so a
rebuild after one edit reads and decorates that post alone.
"""

from __future__ import annotations

import functools
import hashlib
import re
import traceback
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from markdown.extensions.toc import nest_toc_tokens

from .catalog import Catalog, load_catalog
from .checks import check_post, sort_diagnostics
from .checks.lifecycle import check_target_version
from .checks.rules import Rule, load_rules
from .checks.secrets import mask_values
from .checks.verdicts import Relation
from .index import FlagEntry, FlagIndex
from .model import Diagnostic, Post
from .parse import empty_post, parse_post
from .parse.programs import Programs, load_programs
from .parse.snippets import SnippetSource, disarm_includes
from .render.diagram import render_wiring, wiring_block
from .render.exports import flags_document, index_uses
from .render.header import render_post_header, site_categories
from .render.listing import SitePost, generate_listing_pages, listing_page_names
from .render.markdown import render_markdown
from .render.post import decorate_post
from .render.proof import render_proof
from .render.prose import unwrap_abbr_in_headings
from .render.reference import generate_reference_pages, reference_page_names, render_entry
from .render.relations import related_cells, render_entry_relations
from .render.routes import PageNames, page_url
from .render.search import SearchPage, page_document
from .render.text import narrow
from .verify.model import VerifyResult

if TYPE_CHECKING:
    from .poststore import PostStore
    from .prereading import Prereader

DATA_DIR = Path(__file__).resolve().parent / "data"
POST_SUFFIXES = (".md", ".markdown")


def is_post(src_uri: str) -> bool:
    """Whether ``src_uri`` is a Markdown file under ``posts/``."""
    return src_uri.startswith("posts/") and src_uri.endswith(POST_SUFFIXES)


@dataclass
class PostCache:
    """Posts already read, and their checks, keyed by content; entries unused by a build are dropped.

    A check result is kept with the rules and catalog it was made with (both are
    loaded anew only when their files change) and reused only with the same ones.
    """

    entries: dict[tuple[str, str], Post] = field(default_factory=dict)
    checks: dict[tuple[str, str], _Checked] = field(default_factory=dict)
    # Decorated post HTML by src_uri, with the digest of everything it was made from. Kept only
    # when asked (``mkdocs serve``): a single build would hold every post's HTML for nothing.
    keep_html: bool = False
    decorated: dict[str, tuple[str, str]] = field(default_factory=dict)
    # The Markdown each post renders to, by content key (kept with ``keep_html`` only).
    markdown: dict[tuple[str, str], str] = field(default_factory=dict)
    # Each reference entry's HTML, with what it was made from (``SiteBuild._entry_inputs``); kept with
    # ``keep_html`` only, and only the last build's entries.
    reference: dict[tuple[str | None, str], tuple[tuple, str]] = field(default_factory=dict)

    def get(self, key: tuple[str, str]) -> Post | None:
        """The post read before from the same content, if any."""
        return self.entries.get(key)

    def checked(
        self, key: tuple[str, str], post: Post, catalog: Catalog, rules: Sequence[Rule]
    ) -> tuple[list[Relation], list[Diagnostic]]:
        """``check_post`` of ``post``, reused while the post, the catalog and the rules are the same objects."""
        done = self.checks.get(key)
        if done is None or done.catalog is not catalog or done.rules is not rules:
            done = _Checked(catalog, rules, *check_post(post, catalog, rules))
            self.checks[key] = done
        return list(done.relations), list(done.violations)

    def keep_only(self, keys: Iterable[tuple[str, str]]) -> None:
        """Drop the posts and checks whose keys are not in ``keys``."""
        keep = set(keys)
        for table in (self.entries, self.checks, self.markdown):
            for key in [k for k in table if k not in keep]:
                del table[key]


@dataclass(frozen=True)
class _Checked:
    catalog: Catalog
    rules: Sequence[Rule]
    relations: list[Relation]
    violations: list[Diagnostic]


@dataclass(frozen=True)
class SourceFile:
    """A post's text, with its ``src_uri`` and the path diagnostics show."""

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
        prereader: Prereader | None = None,
        store: PostStore | None = None,
    ) -> None:
        self.catalog = catalog if catalog is not None else load_catalog()
        self.programs = load_programs()
        self.directory_urls = directory_urls
        self.snippets = snippets
        # A post's reading depends on its text, the snippets it includes and the catalog.
        # What every page's rendering reads besides its own text (snippets, catalog, the engine's data).
        self.fingerprint = fingerprint = site_fingerprint(snippets, self.catalog)
        cache = cache if cache is not None else PostCache()
        keyed = [(source, post_key(source, fingerprint)) for source in sources]
        # Posts to read in this build; the others come from the cache unchanged (a serve rebuild).
        missing = [(source, key) for source, key in keyed if cache.get(key) is None]
        self.rules = load_rules()
        # Posts an earlier run read, kept on disk (``PostStore``): taken back, not read again.
        stored: dict[tuple[str, str], tuple[Post, list[Relation], list[Diagnostic]]] = {}
        if store is not None and missing and store.usable(self.catalog, self.rules):
            stored = store.take([key for _, key in missing])
            for key, (post, relations, violations) in stored.items():
                cache.entries[key] = post
                cache.checks[key] = _Checked(self.catalog, self.rules, relations, violations)
            missing = [(source, key) for source, key in missing if key not in stored]
        self.stored = len(stored)
        self.read = len(missing)

        def read(source: SourceFile) -> Post:
            return _read_post(source, snippets, self.catalog, self.programs)

        early: dict[tuple[str, str], Post] = {}
        if prereader is not None and missing:
            key_of = {source.src_uri: key for source, key in missing}

            def read_and_check(source: SourceFile) -> Post:
                # Checked as soon as read, while the child still reads (it checks its own): checked
                # once the two have met, the posts read here kept one core idle (0.16 s at 1,000 posts).
                post = read(source)
                cache.checked(key_of[source.src_uri], post, self.catalog, self.rules)
                return post

            early = prereader.read(missing, read_and_check)
        for source, key in missing:
            post = early.get(key)  # read beside, from the same text with the same engine data
            cache.entries[key] = post if post is not None else read(source)
        if prereader is not None and prereader.catalog is self.catalog and prereader.rules is self.rules:
            for key, (relations, violations) in prereader.checked.items():  # checked beside too
                cache.checks[key] = _Checked(self.catalog, self.rules, relations, violations)
        keys: dict[str, tuple[str, str]] = {}
        items = []
        for source, key in keyed:
            keys[source.src_uri] = key
            items.append(SitePost(source.src_uri, page_url(source.src_uri, directory_urls), cache.entries[key]))
        cache.keep_only(keys.values())
        for src_uri in [uri for uri in cache.decorated if uri not in keys]:
            del cache.decorated[src_uri]
        self._cache = cache
        self._keys = keys
        self.posts: tuple[SitePost, ...] = tuple(sorted(items, key=lambda p: p.sort_key))
        self.by_src = {p.src_uri: p for p in self.posts}
        self.index = FlagIndex(self.catalog, self.posts)
        self.relations: dict[str, list[Relation]] = {}
        violations: list[Diagnostic] = []
        for item in self.posts:
            self.relations[item.src_uri], found = cache.checked(keys[item.src_uri], item.post, self.catalog, self.rules)
            violations.extend(found)
        self.violations = sort_diagnostics(violations)
        # Every (post, relation) of the build, by rule id: what each reference entry's rules were checked in.
        self.checked: dict[str, list[tuple[SitePost, Relation]]] = {}
        for item in self.posts:
            for relation in self.relations[item.src_uri]:
                self.checked.setdefault(relation.rule.id, []).append((item, relation))
        self._entry_keys: dict[tuple[str | None, str], bytes] = {}
        # Lines of generated pages set aside during Markdown conversion (``stash``), by src_uri;
        # and their headings when those were set aside too (level, id, text).
        self._stashed: dict[str, list[str]] = {}
        self._headings: dict[str, list[tuple[int, str, str]]] = {}
        # Whether ``stash`` sets the renderers' headings aside as HTML, with ``page_toc`` for the table of
        # contents: set by a caller whose Markdown writes headings as the toc extension does with
        # ``permalink: true`` and nothing else (a heading made by Python-Markdown costs it 0.6 ms).
        self.heading_html = False
        # Filled by the caller when verification was asked for (extra: flagref: verify: true).
        self.verified: dict[str, VerifyResult] = {}

    @property
    def diagnostics(self) -> list[Diagnostic]:
        """Every post's diagnostics and unparsed words, then the relation rules' violations."""
        out: list[Diagnostic] = []
        for item in self.posts:
            out.extend(item.post.diagnostics)
            out.extend(u.diagnostic() for u in item.post.unparsed)
        out.extend(self.violations)
        return out

    def generated_pages(self) -> tuple[dict[str, str], list[str]]:
        """Markdown source of every page the build adds, by ``src_uri``, and info lines on names that collided."""
        pages, collisions = generate_listing_pages(self.posts, self.directory_urls)
        if self._cache.keep_html:  # serve: entries made of the same objects as last time are not made again
            kept, self._cache.reference = self._cache.reference, {}
            reference, more = generate_reference_pages(
                self.index, self.directory_urls, entry_html=lambda entry, here: self._entry_html(kept, entry, here)
            )
        else:
            reference, more = generate_reference_pages(self.index, self.directory_urls, extra=self._entry_relations)
        pages.update(reference)
        return pages, [str(c) for c in (*collisions, *more)]

    def generated_page_names(self) -> tuple[list[str], list[str]]:
        """What ``generated_pages`` returns, its pages' names instead of their Markdown: nothing is rendered."""
        listing, collisions = listing_page_names(self.posts)
        reference, more = reference_page_names(self.index)
        return [*listing, *reference], [str(c) for c in (*collisions, *more)]

    def stashed_pages(self) -> dict[str, tuple[str, list[str], list[tuple[int, str, str]] | None]]:
        """Every generated page (``generated_pages``) as ``stash`` leaves it, with its set-aside lines.

        Made in the decoration worker; the build puts the lines back with ``restore``.
        """
        pages, _ = self.generated_pages()
        out = {}
        for src_uri, content in pages.items():
            markdown = self.stash(src_uri, content)
            out[src_uri] = (markdown, self._stashed.pop(src_uri, []), self._headings.pop(src_uri, None))
        return out

    def restore(self, src_uri: str, blocks: list[str], headings: list[tuple[int, str, str]] | None) -> None:
        """Take what a generated page's Markdown had set aside elsewhere (``stashed_pages``): lines and headings."""
        if blocks:
            self._stashed[src_uri] = blocks
        if headings:
            self._headings[src_uri] = headings

    def flags_document(self) -> dict:
        """The content of ``flags.json``: every flag, its values in the posts and its relations."""
        return flags_document(self.catalog, self.rules, index_uses(self.index), self.directory_urls)

    def search_document(self, src_uri: str, url: str, title: str, html: str) -> str:
        """The search index's document of a page: for a post, also the flags it uses and its date."""
        item = self.by_src.get(src_uri)
        if item is None:
            return page_document(SearchPage(url, title, html))
        post = item.post
        flags = tuple(sorted({use.name for use in post.uses}))
        date = post.date.isoformat() if post.date else None
        # The command lines as typed, with every credential the engine found in them masked, as the page does.
        secrets = [v for use in post.uses if use.secret for v in (use.value, use.written)]
        commands = tuple(mask_values(command.text, secrets) for command in post.commands)
        spellings = tuple(use.flag for use in post.uses if use.flag.startswith("-"))
        return page_document(SearchPage(item.url, post.title, html, flags, date, commands, spellings))

    def _entry_relations(self, entry, here: str) -> str:
        return render_entry_relations(entry, here, self.rules, self.checked, self.index, self.directory_urls)

    def _entry_html(self, kept: dict[tuple[str | None, str], tuple[tuple, str]], entry: FlagEntry, here: str) -> str:
        """A reference entry's HTML: ``kept`` from the last serve rebuild while it is made of the same objects."""
        inputs = self._entry_inputs(entry, here)
        done = kept.get((entry.component, entry.name))
        if done is None or not _same(done[0], inputs):
            done = (inputs, render_entry(self.index, entry, here, self.directory_urls, self._entry_relations))
        self._cache.reference[(entry.component, entry.name)] = done
        return done[1]

    def _entry_inputs(self, entry: FlagEntry, here: str) -> tuple:
        """Everything a reference entry is made from (``render_entry``), as the objects themselves.

        A post read again (edited) is a new object, as are its uses; an unchanged one is
        the cached object, so comparing by identity is exact and cheap. The names and rules
        every page reads are in ``_site_key``; the entry reads its own uses, and for each of
        its rules the relations found and the other flag's uses. The posts of both flags'
        uses stand for the relations: a relation is found in a post that uses one of them.
        """
        parts: list[object] = [self._site_key, here, entry.spec]
        for item, use in entry.uses:
            parts += (item.src_uri, item.post, use)
        for rule in self.rules:  # as render_entry_relations finds them
            for side in rule.involves(entry.component, entry.name):
                theirs = rule.b if side == "a" else rule.a
                other = self.index.get(theirs.component, theirs.name)
                for item, use in other.uses if other is not None else ():
                    parts += (item.src_uri, item.post, use)
        return tuple(parts)

    def keep_posts(self, store: PostStore) -> bool:
        """Write the build's posts, with their checks, to ``store`` when it lacks one of them; whether it did.

        Only a store made with this build's catalog and rules takes them.
        """
        if not store.usable(self.catalog, self.rules):
            return False
        keys = [self._keys[item.src_uri] for item in self.posts]
        if not store.missing(keys):
            return False
        entries = []
        for item, key in zip(self.posts, keys):
            done = self._cache.checks[key]  # every post of the build was checked (__init__)
            entries.append((key, (item.post, done.relations, done.violations)))
        return store.write(entries)

    def post_header(self, src_uri: str) -> str:
        """The top of a post's page (``render_post_header``): its title, date, categories and reading time."""
        return narrow(render_post_header(self.by_src[src_uri], self.categories, self.directory_urls))

    def post_markdown(self, src_uri: str) -> str | None:
        """The Markdown the site renders for a post; ``None`` keeps the author's text (a page that is no post)."""
        item = self.by_src.get(src_uri)
        if item is None:
            return None
        if item.post.failed:
            # Rendered from the author's body as it is, but with its include lines inert: the engine
            # did not expand them inside snippets/, and pymdownx.snippets would follow a link out of it.
            return disarm_includes("\n".join(item.post.document.lines)) + "\n"
        if not self._cache.keep_html:
            return render_markdown(item.post)
        key = self._keys[src_uri]
        done = self._cache.markdown.get(key)
        if done is None:  # under serve: made again only when the post (or what it includes) changed
            done = self._cache.markdown[key] = render_markdown(item.post)
        return done

    def optional_checks(self, *, target_version: str | None = None, verify: bool = False) -> list[Diagnostic]:
        """The checks ``extra: flagref:`` turns on: flags a target release removed, and etcd wiring proofs."""
        found: list[Diagnostic] = []
        if target_version:
            uses = [u for item in self.posts for u in item.post.uses]
            found.extend(check_target_version(uses, self.catalog, str(target_version)))
        if verify:
            from .verify import verify_posts  # starts real processes: only when asked for

            self.verified = verify_posts([item.post for item in self.posts], self.catalog)
            for result in self.verified.values():
                found.extend(result.diagnostics())
        return sort_diagnostics(found)

    @functools.cached_property
    def categories(self) -> PageNames:
        """The page of every category, for every post's header: made once, not once per post."""
        return site_categories(self.posts)

    def stash(self, src_uri: str, markdown: str) -> str:
        """A generated page's Markdown with its lines of HTML set aside; ``page_html`` puts them back.

        Python-Markdown would read every tag of those lines only to pass them through
        unchanged, and the reference pages are mostly such lines: a placeholder converts
        in no time and yields the same page. Blocks with nothing but blank lines between
        them share one placeholder (joined by a line break, as Markdown joins the
        paragraphs it makes): each paragraph costs Markdown time of its own, 0.3 s for
        the reference and listings of 1,000 posts.
        """
        out: list[str] = []
        blocks: list[str] = []
        run: list[str] = []  # an HTML block: from a line that starts with a tag to the next blank line
        lines = markdown.split("\n")
        # Each heading line's match, when every heading is one the renderers wrote: then each is set
        # aside too (see heading_html); else Markdown converts them all.
        matches = (
            {line: _HEADING.fullmatch(line) for line in lines if line.startswith("#")} if self.heading_html else {}
        )
        headings: list[tuple[int, str, str]] | None = [] if matches and all(matches.values()) else None
        joined = _Joined(out, blocks)
        for line in lines:
            if run and line.strip():
                run.append(line)
                continue
            if run:
                joined.run(run)
                run = []
            if line.startswith("<"):
                run.append(line)
            elif headings is not None and line.startswith("#"):
                marks, text, anchor = matches[line].groups()
                level = len(marks)
                headings.append((level, anchor, text))
                joined.heading(
                    f'<h{level} id="{anchor}">{text}<a class="headerlink" href="#{anchor}" '
                    f'title="Permanent link">&para;</a></h{level}>'
                )
            else:
                joined.line(line)
        if run:
            joined.run(run)
        if blocks:
            self._stashed[src_uri] = blocks
        if headings:
            self._headings[src_uri] = headings
        return "\n".join(out)

    def page_toc(self, src_uri: str) -> list[dict] | None:
        """The table of contents of a generated page whose headings ``stash`` set aside (once: then dropped).

        As Python-Markdown's ``toc`` extension lists them (``toc_tokens``), nested by level;
        ``None`` when Markdown converted the page's headings itself.
        """
        headings = self._headings.pop(src_uri, None)
        if headings is None:
            return None
        tokens = [{"level": level, "id": anchor, "name": text, "children": []} for level, anchor, text in headings]
        return nest_toc_tokens(tokens)

    def page_html(self, src_uri: str, html: str) -> str:
        """The HTML of a generated page with the lines ``stash`` set aside back in place (once: then dropped)."""
        blocks = self._stashed.pop(src_uri, None)
        if blocks is not None:
            html = _STASHED.sub(lambda m: blocks[int(m.group(1) or m.group(2))], html)
        # The glossary's abbreviations split flag names in the entries' headings (--<abbr>etcd</abbr>-servers).
        return unwrap_abbr_in_headings(html)

    def post_html(self, src_uri: str, html: str) -> str:
        """The post's HTML decorated; under ``mkdocs serve``, reused while nothing it was made from changed."""
        if src_uri not in self.by_src:
            return html
        key = self.decoration_key(src_uri, html)
        kept = self.kept_html(src_uri, key)
        if kept is not None:
            return kept
        out = self.decorate(src_uri, html)
        self.remember_html(src_uri, key, out)
        return out

    def decorate(self, src_uri: str, html: str) -> str:
        """The post's HTML with its flags linked, its tables and relations (nothing reused)."""
        item = self.by_src.get(src_uri)
        return html if item is None else self._decorate(item, html)

    def decoration_key(self, src_uri: str, html: str) -> str | None:
        """The digest of what a post's decoration is made from; ``None`` when decorations are not kept (not serve)."""
        item = self.by_src.get(src_uri)
        return self._decoration_key(item, html) if item is not None and self._cache.keep_html else None

    def kept_html(self, src_uri: str, key: str | None) -> str | None:
        """The decoration kept from the last serve rebuild under ``key`` (``decoration_key``), if any."""
        kept = self._cache.decorated.get(src_uri) if key is not None else None
        return kept[1] if kept is not None and kept[0] == key else None

    def last_html(self, src_uri: str) -> str | None:
        """The decoration kept from the last serve rebuild, whatever it was kept under (the caller checked)."""
        kept = self._cache.decorated.get(src_uri)
        return kept[1] if kept is not None else None

    def remember_html(self, src_uri: str, key: str | None, out: str) -> None:
        """Keep ``out`` under ``key`` for the next serve rebuild (nothing when ``key`` is ``None``)."""
        if key is not None:
            self._cache.decorated[src_uri] = (key, out)

    def _decoration_key(self, item: SitePost, html: str) -> str:
        """What a post's decoration reads: its HTML and model, the site-wide names, and other posts' blocks.

        Other posts enter through the relations only ("also seen in" links to
        posts that show the other side's flag), so the key holds the blocks
        and titles of every post that uses a flag on either side of the
        post's relations. A value changed elsewhere leaves the key as it is.
        """
        digest = hashlib.sha256()
        proof = self.verified.get(item.post.path)
        for part in (self._site_key, self._keys[item.src_uri][1], html, repr(proof)):
            digest.update(part.encode() + b"\0")
        relations = self.relations.get(item.src_uri, [])
        for side in sorted({(s.component, s.name) for r in relations for s in (r.rule.a, r.rule.b)}):
            digest.update(self._entry_key(*side))
        return digest.hexdigest()

    @functools.cached_property
    def _site_key(self) -> str:
        """The names every decoration reads: components and categories (page slugs), catalog and rules."""
        parts = (
            self.catalog.fingerprint,
            repr(self.rules),
            str(self.directory_urls),
            repr(self.index.components()),
            repr(sorted({c for item in self.posts for c in item.post.categories})),
        )
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()

    def _entry_key(self, component: str | None, name: str) -> bytes:
        """The posts, titles and blocks that show a flag: what "also seen in" links are made from."""
        done = self._entry_keys.get((component, name))
        if done is None:
            entry = self.index.get(component, name)
            seen = [
                (item.src_uri, item.url, item.post.title, use.block, use.kind)
                for item, use in (entry.uses if entry is not None else ())
            ]
            done = self._entry_keys[(component, name)] = hashlib.sha256(repr(seen).encode()).digest()
        return done

    def _decorate(self, item: SitePost, html: str) -> str:
        src_uri = item.src_uri
        relations = self.relations.get(src_uri, [])
        cells = related_cells(relations, self.index, item.url, self.directory_urls, this_post=item)
        block = wiring_block(relations)
        after = {block: render_wiring(relations)} if block is not None else {}
        proof = self.verified.get(item.post.path)
        if proof is not None and (etcd := _etcd_block(item.post)) is not None:
            note = render_proof(proof.summary, proof.ok)
            after[etcd] = after.get(etcd, "") + note
        return decorate_post(
            html, item.post, self.index, item.url, self.directory_urls, relations=cells, extra_after_block=after
        )


def _same(kept: tuple, now: tuple) -> bool:
    """Whether two ``_entry_inputs`` are the same: the same objects, or equal texts."""
    return len(kept) == len(now) and all(a is b or (type(a) is str and a == b) for a, b in zip(kept, now))


def _etcd_block(post: Post) -> int | None:
    """The block of the post's first etcd manifest or command line: where the proof is shown."""
    return next((u.block for u in post.uses if u.component == "etcd" and u.block is not None), None)


class _Joined:
    """The Markdown ``SiteBuild.stash`` writes: lines, and HTML blocks set aside behind placeholders.

    A block that follows another with nothing but blank lines between them
    joins the other's placeholder.
    """

    def __init__(self, out: list[str], blocks: list[str]) -> None:
        self.out = out
        self.blocks = blocks
        self.open = False  # whether the last block's placeholder has only blank lines after it

    def heading(self, html: str) -> None:
        """Set a heading's HTML aside, as a paragraph of its own."""
        if not self._joined(html):
            self.out.extend(("", self._placeholder(html), ""))
            self.open = True

    def run(self, run: list[str]) -> None:
        """Set a run of HTML lines aside (followed by a blank line); or keep it when it holds Markdown for md_in_html."""
        text = "\n".join(run)
        if _MARKDOWN_INSIDE.search(text):
            self.line(text)
        elif not self._joined(text):
            alone = not self.out or not self.out[-1].strip()  # after a blank line: a paragraph of its own
            self.out.append(self._placeholder(text))
            self.open = alone

    def _joined(self, html: str) -> bool:
        """Whether ``html`` joined the last block (only blank lines since its placeholder)."""
        if self.open:
            self.blocks[-1] += "\n" + html
        return self.open

    def _placeholder(self, html: str) -> str:
        self.blocks.append(html)
        return f"{_STASH}{len(self.blocks) - 1}x"

    def line(self, line: str) -> None:
        """A line Markdown converts."""
        self.out.append(line)
        self.open = self.open and not line.strip()


# A heading line of a generated page as the renderers write it: "## " then text from ``md_text``
# (letters, digits, spaces, character references) then an id. One class per part: linear.
_HEADING = re.compile(r"(#{2,6}) ([A-Za-z0-9 &#;]+) \{#([A-Za-z0-9_-]+)\}")
# The placeholder of a stashed line: letters and digits, which no Markdown extension rewrites.
_STASH = "flagrefstash"
# A placeholder as Markdown converts it: a paragraph of its own, or a word inside one.
# Literal text and one run of digits each: linear.
_STASHED = re.compile(rf"<p>{_STASH}([0-9]+)x</p>|{_STASH}([0-9]+)x")
# A tag whose content md_in_html must convert as Markdown (markdown="1", markdown="block"...).
_MARKDOWN_INSIDE = re.compile(r"\smarkdown[\s=>]")


def site_fingerprint(snippets: SnippetSource | None, catalog: Catalog) -> str:
    """What every post's reading depends on besides its own text: snippets, catalog and the engine's data."""
    return _fingerprint(snippets) + "|" + catalog.fingerprint + "|" + _data_fingerprint()


def post_key(source: SourceFile, fingerprint: str) -> tuple[str, str]:
    """The key a post's reading is cached under: its path, and a digest of its text and ``fingerprint``."""
    return (source.display_path, hashlib.sha256((source.text + fingerprint).encode()).hexdigest())


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


def post_paths(docs_dir: Path) -> list[Path]:
    """Every post file under ``docs_dir/posts``, sorted."""
    return sorted(p for p in (docs_dir / "posts").rglob("*") if p.suffix in POST_SUFFIXES and p.is_file())


def read_sources(docs_dir: Path, display_root: Path | None = None) -> list[SourceFile]:
    """Every post under ``docs_dir/posts`` (for the CLI and tests; MkDocs gives its own list)."""
    out = []
    for path in post_paths(docs_dir):
        src_uri = path.relative_to(docs_dir).as_posix()
        display = path.relative_to(display_root).as_posix() if display_root else src_uri
        out.append(SourceFile(src_uri, display, path.read_text(encoding="utf-8")))
    return out
