"""MkDocs hooks: a thin adapter over the ``flagref`` core package.

Each handler is a guard, one call into the core, and the log. All state for a
build lives in a ``SiteBuild`` and a ``SearchIndexer`` made in ``on_files``.
Kept across ``mkdocs serve`` rebuilds, all keyed by content: the ``PostCache``
(posts read, their checks, Markdown, decorations and reference entries) and
the generated pages' HTML; and the last rebuild's Pagefind run until it ends
or a newer one starts. Kept on disk between runs: the posts as read
(``PostStore``), so a build reads only the posts that changed.

In a single build with a decoration worker, the generated pages are listed by
name in ``on_files`` and made in the worker; ``on_pre_page`` puts each one's
Markdown in just before MkDocs reads it (they come last).

The site search: a broker feeding Pagefind is started in ``on_files``, and
every page of text is sent to it as it is rendered (``on_page_content``; posts
and the flag records by the decoration worker when there is one). The index
is written once all pages are rendered (``on_env``) and the build waits for
it at the end (``on_post_build``); under serve it is written once the pages
are and is not waited for. Material's search plugin stays for its search box,
with every page left out of its own index and its page handler taken out of
the build; the theme points the box at our worker.
"""

from __future__ import annotations

import atexit
import gc
import hashlib
import os
import re
import shutil
import threading
from html import escape as escape_html
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority, get_plugin_logger
from mkdocs.structure.files import File
from mkdocs.structure.toc import get_toc

from flagref.catalog import load_catalog
from flagref.checks.rules import load_rules
from flagref.datafile import DataFileError
from flagref.decorations import DecorationPool, write_exports
from flagref.parse.programs import load_programs
from flagref.parse.snippets import SnippetSource
from flagref.poststore import PostStore
from flagref.prereading import PostFile, Prereader
from flagref.render.assets import SCRIPTS, SEARCH_WORKER, STYLESHEETS, asset_version, read_assets
from flagref.render.exports import FLAGS_JSON, OBJECTS_INV, env_prefixes
from flagref.render.search import SEARCH_BUNDLE, stage_path
from flagref.render.text import narrow
from flagref.searchindex import OldIndex, SearchIndexer, pagefind_binary, scratch_folder, sweep_scratch
from flagref.site import (
    PostCache,
    SiteBuild,
    SourceFile,
    is_post,
    post_paths,
    site_fingerprint,
)

if TYPE_CHECKING:
    from jinja2 import Environment
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files
    from mkdocs.structure.pages import Page

log = get_plugin_logger("flagref")

# When the interpreter ends it collects its whole heap once more: 0.4 s after a 1,000-post build
# (the model, unfrozen once the site is written, and MkDocs's pages). Frozen at exit, the heap is
# not walked; the operating system takes the memory back whole. Registered once per process (MkDocs
# runs this file again for each configuration it loads).
atexit.unregister(gc.freeze)
atexit.register(gc.freeze)
_cache = PostCache()
_build: SiteBuild | None = None
_search: SearchIndexer | None = None
_pool: DecorationPool | None = None
# Reading the posts beside while MkDocs lists the files (from on_pre_build to on_files).
_prereader: Prereader | None = None
# The posts read by earlier runs, on disk (``PostStore``): from on_pre_build to on_env, which writes it.
_store: PostStore | None = None
# The last build's search index, removed beside this build (``OldIndex``) until on_post_build.
_old_index: OldIndex | None = None
# The worker's URL with its content digest: what the theme gives Material's search box.
_worker_url: str | None = None
# Under serve, the last rebuild's Pagefind run, finishing beside the served site.
_indexing: SearchIndexer | None = None
# Where this build's flags.json and objects.inv are written, until MkDocs has copied them.
_exports_dir: Path | None = None
# Under serve, each generated page's HTML and table of contents from the last rebuild, with the
# digest of what it was made from (src_uri -> (digest, html, toc)); and, for this build, the pages
# unchanged since (src_uri -> (html, toc)): MkDocs is handed their front matter only.
_generated: dict[str, tuple[str, str, Any]] = {}
_unchanged: dict[str, tuple[str, Any]] = {}
_page_keys: dict[str, str] = {}
# Posts' headers made ahead in the decoration worker, from on_page_markdown to on_page_content (src_uri).
_headers: dict[str, str] = {}
# The generated pages of this build made in the decoration worker (src_uri), filled in on_pre_page.
_beside: set[str] = set()


def on_startup(command: str, **kwargs: Any) -> None:
    """Keep each post's HTML across rebuilds under ``mkdocs serve``; clear what stopped builds left."""
    sweep_scratch()  # a serve stopped by a signal leaves its exports (in memory), pages (on disk) and logs
    # Under serve every rebuild decorates every post again; keep each post's result, keyed by content.
    _cache.keep_html = command == "serve"


def on_config(config: MkDocsConfig, **kwargs: Any) -> MkDocsConfig:
    """Start each build afresh and add the flag reference's stylesheets and scripts."""
    global _build, _search, _indexing, _store
    _build = _store = None  # a rebuild starts from nothing
    _close_pool()
    _close_prereader()
    for running in (_search, _indexing):  # a serve rebuild started before the last index was written
        if running is not None:
            running.close()
    _search = _indexing = None
    for stylesheet in STYLESHEETS:
        if stylesheet not in config.extra_css:
            config.extra_css.append(stylesheet)
    for script in SCRIPTS:
        if script not in config.extra_javascript:
            config.extra_javascript.append(script)
    if pagefind_binary() is not None:  # Pagefind indexes the site (on_files): Material's plugin keeps its box only
        _material_reads_no_page(config)
    return config


def _material_reads_no_page(config: MkDocsConfig) -> None:
    """Take Material's search plugin's page handler out of this build's events.

    Every page is left out of its index (``on_page_markdown``), yet the handler
    still ran a pattern over each page's HTML: 0.5 s a build at 1,000 posts,
    and again on every ``mkdocs serve`` rebuild. Its other handlers stay: they
    write the empty index its search box starts with, and the box is ours.
    """
    plugin = config.plugins.get("material/search")
    handlers = config.plugins.events.get("page_context")
    if plugin is None or handlers is None:
        return
    handlers[:] = [h for h in handlers if getattr(h, "__self__", None) is not plugin]


def on_pre_build(config: MkDocsConfig, **kwargs: Any) -> None:
    """Check the reviewed data before MkDocs empties the site folder.

    A catalog, rules or programs file broken during ``mkdocs serve`` stops the
    rebuild here, so the last good site is still served; the loads are cached
    by content, and the build reads them from the cache.
    """
    global _prereader, _old_index, _store
    try:
        catalog = load_catalog()
        rules = load_rules()
        programs = load_programs()
    except DataFileError as exc:
        raise PluginError(str(exc)) from exc
    _finish_removal()
    # The rebuild goes on (the data loaded): the last index need not be served any longer.
    _old_index = OldIndex.set_aside(Path(config.site_dir) / SEARCH_BUNDLE)
    _close_prereader()
    _store = None
    if _cache.keep_html and _cache.entries:  # a serve rebuild reads the posts that changed, a few
        return
    root = Path(config.config_file_path).parent
    docs = Path(config.docs_dir)
    snippets = _snippet_source(config, root)
    fingerprint = site_fingerprint(snippets, catalog)
    _store = PostStore.for_site(docs, fingerprint, catalog, rules)
    files = [  # named as MkDocs names them, so the keys match (_display of its abs_src_path)
        PostFile(path.relative_to(docs).as_posix(), _display(root, os.path.normpath(path)), path)
        for path in post_paths(docs)
    ]
    if Prereader.usable(len(files)):
        _prereader = Prereader(
            files,
            snippets=snippets,
            catalog=catalog,
            programs=programs,
            rules=rules,
            fingerprint=fingerprint,
            cached=frozenset(_cache.entries) | _store.keys(),  # the build takes those from memory or disk
        )


# Before Material's plugins (blog: -50) and at the default priority of others.
def on_files(files: Files, config: MkDocsConfig, **kwargs: Any) -> Files:
    """Build the site model from the posts, log its diagnostics, and add the generated pages and exports."""
    global _build, _search, _worker_url, _pool
    root = Path(config.config_file_path).parent
    sources = []
    for f in files.documentation_pages():
        if not is_post(f.src_uri):
            continue
        try:
            sources.append(SourceFile(f.src_uri, _display(root, f.abs_src_path), f.content_string))
        except UnicodeDecodeError as exc:
            log.warning(
                f"{_display(root, f.abs_src_path)}: not valid UTF-8 ({exc.reason} at byte {exc.start}); "
                "save the file as UTF-8"
            )
    # Reading the posts makes the model and little garbage: the collector, which would walk the
    # growing model again and again, waits until it is made (then the model is frozen, below).
    gc.disable()
    try:
        _build = SiteBuild(
            sources,
            snippets=_snippet_source(config, root),
            directory_urls=config.use_directory_urls,
            cache=_cache,
            prereader=_prereader,
            store=_store,
        )
    except DataFileError as exc:  # the catalog or the rules are broken: nothing to build with
        raise PluginError(str(exc)) from exc
    finally:
        gc.enable()
        _close_prereader()
    _build.heading_html = _plain_toc(config)
    if _build.read < len(_build.posts):  # say that unchanged posts were not read again
        since = "since an earlier run read them" if _build.stored else "since the last rebuild"
        log.info(f"read {_build.read} of {len(_build.posts)} posts; the others are unchanged {since}")
    options = config.extra.get("flagref") or {}
    extra = _build.optional_checks(target_version=options.get("target_version"), verify=bool(options.get("verify")))
    for diagnostic in [*_build.diagnostics, *extra]:
        (log.warning if diagnostic.level == "warning" else log.info)(str(diagnostic))
    assets = read_assets(env_prefixes(_build.catalog))
    # MkDocs emptied the site folder already: shards are written into it as they fill.
    _search = SearchIndexer(Path(config.site_dir) / SEARCH_BUNDLE, budget=_shard_budget(options, config))
    _worker_url = None
    if _search.binary is not None:  # else Material's own search stays, and on_post_build says why
        _worker_url = f"{SEARCH_WORKER}?v={asset_version(assets[SEARCH_WORKER])}"
    search = _search if _worker_url is not None else None
    exports = _exports_folder()
    # The site model is a large heap of long-lived objects that every garbage collection of
    # the rest of the build would walk again; it is kept out of them until the build ends.
    gc.freeze()
    if DecorationPool.usable(_build):  # posts are decorated in a second process while MkDocs renders
        _pool = DecorationPool(_build, search, _store)
        if not _cache.keep_html:  # under serve, the posts' Markdown is kept from the last rebuild instead
            _pool.ahead([f.src_uri for f in files.documentation_pages() if is_post(f.src_uri)])
        _pool.exports(exports, config.site_name)  # written and indexed there too; on_env waits for them
    else:
        write_exports(_build, exports, config.site_name, search)  # its problems are the indexer's own already
    _beside.clear()
    _headers.clear()
    if _pool is not None and not _cache.keep_html:
        # Made in the worker while MkDocs converts the posts (on_pre_page takes each); under serve
        # they are made here, from the entries kept since the last rebuild.
        names, collisions = _build.generated_page_names()
        _pool.pages()
        pages = dict.fromkeys(names, "")
        _beside.update(names)
    else:
        pages, collisions = _build.generated_pages()
    for note in collisions:
        log.info(note)
    _unchanged.clear()
    _page_keys.clear()
    for src_uri in [uri for uri in _generated if uri not in pages or not _cache.keep_html]:
        del _generated[src_uri]
    salt = _page_salt(config) if _cache.keep_html else None
    for src_uri, content in {**pages, **assets}.items():
        if src_uri in files:
            log.info(f"{config.docs_dir}/{src_uri} exists, so the generated page of that name is not added")
            _beside.discard(src_uri)  # the author's page: on_pre_page leaves it alone
        elif src_uri in _beside:
            files.append(File.generated(config, src_uri, content=content))  # its Markdown comes in on_pre_page
        elif src_uri in pages:
            files.append(File.generated(config, src_uri, content=_generated_source(salt, src_uri, content)))
        else:
            files.append(File.generated(config, src_uri, content=content))
    for src_uri in (FLAGS_JSON, OBJECTS_INV):  # copied from their files (after on_env): not held in memory
        if src_uri in files:
            log.info(f"{config.docs_dir}/{src_uri} exists, so the generated file of that name is not added")
        else:
            files.append(File.generated(config, src_uri, abs_src_path=str(exports / src_uri)))
    return files


# " at 0x7f15a9a75e90" in a repr: an object's address, new each time serve reloads the config.
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def _page_salt(config: MkDocsConfig) -> bytes:
    """What every generated page's HTML depends on besides its text (computed once a build).

    The snippets (the glossary), the catalog and the engine's data, and the Markdown options.
    """
    options = _ADDRESS.sub("", repr(config.markdown_extensions) + repr(config.mdx_configs))
    return (_build.fingerprint + "\0" + options).encode()


def _generated_source(salt: bytes | None, src_uri: str, content: str) -> str:
    """What MkDocs converts for a generated page: its front matter alone when the page is as last rendered.

    ``salt``: ``_page_salt`` of this build under serve; ``None`` for a single build, which keeps nothing.
    """
    if salt is None:
        return _build.stash(src_uri, content)
    digest = hashlib.sha256(salt)
    digest.update(content.encode())
    key = _page_keys[src_uri] = digest.hexdigest()
    kept = _generated.get(src_uri)
    end = content.find("\n---\n", 3) if content.startswith("---\n") else -1  # the end of its front matter
    if kept is None or kept[0] != key or end < 0:
        return _build.stash(src_uri, content)
    _unchanged[src_uri] = (kept[1], kept[2])
    return content[: end + len("\n---\n")]  # the title and other meta, read by MkDocs as usual


def _exports_folder() -> Path:
    """A folder of this build's own for ``flags.json`` and ``objects.inv``, until MkDocs has copied them."""
    global _exports_dir
    _remove_exports()
    _exports_dir = scratch_folder("exports")
    return _exports_dir


def _remove_exports() -> None:
    global _exports_dir
    if _exports_dir is not None:
        shutil.rmtree(_exports_dir, ignore_errors=True)
        _exports_dir = None


def on_pre_page(page: Page, **kwargs: Any) -> Page:
    """A generated page made in the decoration worker: its Markdown, just before MkDocs reads it."""
    if _pool is not None and page.file.src_uri in _beside:
        markdown = _pool.page(page.file.src_uri)
        if markdown is None:  # the names come from the generators' own helpers (tested): a bug, not input
            raise PluginError(f"flagref: the generated page {page.file.src_uri} was listed but not made")
        page.file.content_string = markdown
    return page


def on_page_markdown(markdown: str, page: Page, **kwargs: Any) -> str:
    """A post's Markdown as the engine renders it, with its front matter escaped for the theme."""
    if _build is not None and is_post(page.file.src_uri):
        item = _build.by_src[page.file.src_uri]
        # Themes insert page titles, descriptions, authors and tags into HTML and the search
        # index unescaped; all of them are the author's text.
        page.meta.update({key: _escaped(value) for key, value in item.post.front.raw.items()})
        page.meta["title"] = escape_html(item.post.title)
        # None: the engine could not read the post, which is then rendered from the author's text.
        made = _pool.markdown(page.file.src_uri) if _pool is not None else None
        if made is not None:
            rendered, _headers[page.file.src_uri] = made
        else:
            rendered = _build.post_markdown(page.file.src_uri)
        markdown = markdown if rendered is None else rendered
    if _worker_url is not None:
        # Pagefind indexes the site: Material's search plugin (kept for its search box) parses no page.
        page.meta["search"] = {"exclude": True}
    return markdown


def on_page_content(html: str, page: Page, **kwargs: Any) -> str:
    """A post's HTML with its header and decorations; a generated page's with its set-aside lines back."""
    if _build is None:
        return html
    if page.file.generated_by is not None:  # listings and the reference: their records are the posts and flags
        src_uri = page.file.src_uri
        if src_uri in _unchanged:  # serve: as rendered last time (MkDocs converted its front matter only)
            html, page.toc = _unchanged.pop(src_uri)
            return html
        # Narrow (one byte a character): MkDocs holds every page's HTML until the site is written.
        html = narrow(_build.page_html(src_uri, html))
        toc = _build.page_toc(src_uri)
        if toc is not None:  # its headings were set aside with its HTML (SiteBuild.heading_html)
            page.toc = get_toc(toc)
        if src_uri in _page_keys:
            _generated[src_uri] = (_page_keys[src_uri], html, page.toc)
        return html
    searching = _search is not None and _worker_url is not None
    if is_post(page.file.src_uri):
        # The title as the page's <h1> (the theme then adds none), with date, categories and reading time.
        header = _headers.pop(page.file.src_uri, None) or _build.post_header(page.file.src_uri)
        if _pool is not None:  # decorated (and sent to the search index) beside; on_page_context puts it in
            _pool.submit(page.file.src_uri, html, header, stage_path(page.url) if searching else None)
            # With Pagefind no handler reads the page until then: the undecorated HTML is not held
            # beside the decorated one (15 MB at 1,000 posts). Material's own search indexes it.
            return header if searching else header + html
        html = header + narrow(_build.post_html(page.file.src_uri, html))
    if searching:
        document = _build.search_document(page.file.src_uri, page.url, page.title or page.url, html)
        _search.add(stage_path(page.url), document)
    return html


def on_env(env: Environment, config: MkDocsConfig, **kwargs: Any) -> Environment:
    """Every page is rendered: collect the posts decorated beside, and start indexing while MkDocs writes the site."""
    global _store
    env.globals["flagref_search_worker"] = _worker_url
    if _pool is not None:
        problems = _pool.drain()
        if _search is not None and _worker_url is not None:
            _search.report(problems)
        _pool.keep()  # the posts read by this build, for the next: written beside once all else is done
    elif _store is not None and _build is not None:
        _build.keep_posts(_store)
    _store = None
    if _search is not None and not _cache.keep_html:  # under serve it is written once the pages are
        _search.start()  # without the binary: a warning at the end
    return env


def on_page_context(context: dict, page: Page, **kwargs: Any) -> dict:
    """A post decorated in the second process: its HTML goes in before the theme writes the page."""
    if _pool is not None:
        decorated = _pool.result(page.file.src_uri)
        if decorated is not None:
            page.content = decorated
    return context


# After every other handler of the event: none reads the page's content after it.
@event_priority(-100)
def on_post_page(output: str, page: Page, **kwargs: Any) -> str:
    """Let a post decorated beside go once its page is written.

    MkDocs holds every page's content until the whole site is written, and
    nothing reads it after this event; a decorated post is three times its
    rendered HTML (30 MiB at 1,000 posts), so it is not held to the end.
    """
    if _pool is not None and is_post(page.file.src_uri):
        page.content = None
    return output


def on_post_build(config: MkDocsConfig, **kwargs: Any) -> None:
    """Wait for the search index (under serve, beside), and say what kept it from being built."""
    global _search, _indexing
    _close_pool()
    _finish_removal()  # long done: nothing hidden is left in the site
    _remove_exports()  # copied into the site with the other static files, before the pages were written
    gc.unfreeze()  # the model is garbage once the site is written (and under serve, at the next rebuild)
    if _search is None:
        return
    if _cache.keep_html:
        # mkdocs serve holds every request until the rebuild ends: the pages are not kept waiting
        # for the search index, which is written once they are (not competing with them for the
        # cores) and lands in the served site a few seconds later.
        _search.start()
        _indexing = _search  # the next rebuild stops it if it is still running then (on_config)
        threading.Thread(target=_finish_search, args=(_search,), name="flagref-search", daemon=True).start()
        _search = None
        return
    _finish_search(_search)
    _search = None


def _finish_search(search: SearchIndexer) -> None:
    """Wait for the index, then say how long it took or what kept it from being built."""
    problems = search.finish()
    for problem in problems:
        log.warning(problem)
    if not problems and search.documents and not search.closed_early:
        log.info(
            f"search: {search.documents} pages and flag records indexed as they were rendered, in "
            f"{search.shards} shard{'s' if search.shards != 1 else ''} (Pagefind at most {search.largest / 2**20:.0f} MiB); "
            f"the index written in {search.seconds:.1f} s, {search.waited:.1f} s of it after the site was written"
        )


def on_shutdown(**kwargs: Any) -> None:
    """Leave nothing of the last build behind (a failed build never reached ``on_post_build``)."""
    _close_pool()
    _close_prereader()
    _finish_removal()
    _remove_exports()
    for running in (_search, _indexing):  # a failed build never reached on_post_build
        if running is not None:
            running.close()


def _shard_budget(options: dict, config: MkDocsConfig) -> int | None:
    """``extra.flagref.search_shard_mib`` in bytes: the search index split in shards of that size; None: one index."""
    mib = options.get("search_shard_mib")
    if mib is None:
        return None
    if isinstance(mib, bool) or not isinstance(mib, int) or mib <= 0:
        log.warning(
            f"{config.config_file_path or 'mkdocs.yml'}: extra.flagref.search_shard_mib is {mib!r}, not a whole "
            "number of MiB above 0; write a number such as 56, or remove it; the search index is made in one piece"
        )
        return None
    return mib << 20


def _close_prereader() -> None:
    global _prereader
    if _prereader is not None:
        _prereader.close()
        _prereader = None


def _finish_removal() -> None:
    global _old_index
    if _old_index is not None:
        for folder in _old_index.wait():
            log.warning(
                f"{folder}: the last build's search index could not be removed from the site folder; "
                "remove it by hand (check its permissions), or it is published with the site"
            )
        _old_index = None


def _close_pool() -> None:
    global _pool
    if _pool is not None:
        _pool.close()
        _pool = None


def _plain_toc(config: MkDocsConfig) -> bool:
    """Whether headings are written as the ``toc`` extension with ``permalink: true`` alone writes them.

    Then the generated pages' headings are set aside with their HTML
    (``SiteBuild.heading_html``): the reference has one per flag, 1,300 at
    1,000 posts, and each cost Python-Markdown 0.6 ms.
    """
    return "toc" in config.markdown_extensions and config.mdx_configs.get("toc") == {"permalink": True}


def _escaped(value: Any) -> Any:
    """Front matter as data for the theme: every text HTML-escaped, lists and mappings kept."""
    if isinstance(value, str):
        return escape_html(value)
    if isinstance(value, list):
        return [_escaped(v) for v in value]
    if isinstance(value, dict):
        return {_escaped(k): _escaped(v) for k, v in value.items()}  # keys too: a theme may print the mapping
    return value


def _display(root: Path, path: str | None) -> str:
    return Path(os.path.relpath(path, root)).as_posix() if path else "?"


def _snippet_source(config: MkDocsConfig, root: Path) -> SnippetSource | None:
    options = config.mdx_configs.get("pymdownx.snippets")
    if options is None:
        return None
    bases = options.get("base_path", ["."])
    bases = [bases] if isinstance(bases, str) else bases
    return SnippetSource(tuple((root / b).resolve() for b in bases), display_root=root)
