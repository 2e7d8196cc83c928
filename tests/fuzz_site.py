"""A site built in process the way ``mkdocs build`` builds it, minus the theme: for the whole-post fuzzer.

The hook (``hooks/flagref_mkdocs.py``) is a thin adapter; this module makes the
same calls in the same order, without MkDocs' build loop, so that hypothesis
can run hundreds of posts through the whole pipeline in seconds:

* each post read by ``parse_post`` (an exception fails the test with its traceback),
  then the site model (``SiteBuild``: reading, checks, index);
* each post's Markdown (``post_markdown``) converted by Python-Markdown with the
  site's own extensions and options, ``pymdownx.snippets`` included and pointed
  at a temporary ``snippets/`` folder; then its header and decorations;
* every generated page stashed, its front matter split off as MkDocs does
  (``mkdocs.utils.meta.get_data``), converted, and its stashed lines put back;
* ``flags.json`` and ``objects.inv``.

The temporary tree holds a canary file outside ``snippets/`` (reached by ``..``
and by a symbolic link from inside), and an audit hook records every file the
process opens while a post goes through the pipeline, so a read outside
``snippets/`` is seen even when its content would not show.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import markdown
from mkdocs.utils.meta import get_data

from conftest import CONFIG, ROOT, core_data
from flagref.catalog import DEFAULT_DIRECTORY, Catalog, load_catalog
from flagref.model import Post
from flagref.parse import parse_post
from flagref.parse.snippets import SnippetSource
from flagref.render.exports import render_flags_json, render_objects_inv
from flagref.render.header import render_post_header
from flagref.site import SiteBuild, SourceFile

# Written only in the file outside snippets/: it must never reach any output.
CANARY = "flagref-fuzz-canary-5e2b9a41"
# Files a hostile include names outside the tree; reading them at all is a leak.
SYSTEM_TARGETS = ("/etc/passwd", "/etc/shadow", "/etc/hostname", "/proc/self/environ", "/proc/self/cmdline")
# The first field of /etc/passwd on any Linux: shows that the file was published.
PASSWD_LINE = "root:x:0:0"
# The snippets' fingerprint hashes every file under snippets/, a link out included: the content goes into
# a digest that keys the post cache and is never shown, so that read is not a leak (the canary check
# still holds for every output).
FINGERPRINT = "flagref/site.py:_fingerprint"

# -- files opened while a post is processed -------------------------------------------

_opened: list[tuple[str, str]] = []  # (path, the engine function that opened it)
_recording = False
_hooked = False


def _audit(event: str, args: tuple) -> None:
    # Runs on every audited event of the process: return at once unless a post is being processed.
    if not _recording or event != "open":
        return
    path = args[0] if args else None
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if isinstance(path, str):
        _opened.append((path, _opener(sys._getframe(1))))


def _opener(frame) -> str:
    """The innermost function of the engine or of Python-Markdown on the stack: who opened the file."""
    while frame is not None:
        name = frame.f_code.co_filename.replace(os.sep, "/")
        if "/flagref/" in name or "/pymdownx/" in name or "/markdown/" in name:
            return f"{name.rsplit('/', 2)[-2]}/{name.rsplit('/', 1)[-1]}:{frame.f_code.co_name}"
        frame = frame.f_back
    return "?"


def _start_recording() -> None:
    global _hooked, _recording
    if not _hooked:
        # An audit hook cannot be removed: it is added once per process and idles between builds.
        sys.addaudithook(_audit)
        _hooked = True
    _opened.clear()
    _recording = True


def _stop_recording() -> list[tuple[str, str]]:
    global _recording
    _recording = False
    return list(_opened)


# -- the temporary tree ---------------------------------------------------------------

SNIPPET_MANIFEST = """\
# --8<-- [start:pod]
apiVersion: v1
kind: Pod
metadata:
  name: etcd-snippet
  namespace: kube-system
spec:
  containers:
  - command:
    - etcd
    - --data-dir=/var/lib/etcd
    - --listen-client-urls=https://127.0.0.1:2379
    image: k8s.gcr.io/etcd:3.4.3-0
    name: etcd
# --8<-- [end:pod]
"""
SNIPPET_PROSE = """\
Included prose that mentions `--etcd-servers` and kube-apiserver.

```bash
$ kubectl get po -n kube-system
```
"""


@dataclass(frozen=True)
class Tree:
    """A project folder: ``docs/posts``, ``snippets/`` (with links out of it) and a secret beside them."""

    root: Path
    docs: Path
    snippets: Path
    secret: Path

    @property
    def source(self) -> SnippetSource:
        """The snippet source the hook makes from ``pymdownx.snippets``' base path."""
        return SnippetSource((self.snippets.resolve(),), display_root=self.root.resolve())

    def write_generated(self, markdown_text: str, yaml_text: str) -> None:
        """The two snippet files whose content the fuzzer draws (``gen.md``, ``gen.yaml``)."""
        (self.snippets / "gen.md").write_text(markdown_text, encoding="utf-8")
        (self.snippets / "gen.yaml").write_text(yaml_text, encoding="utf-8")


def make_tree(root: Path) -> Tree:
    """Lay out a project under ``root``: snippets that include each other, links that leave, a canary outside."""
    docs = root / "docs"
    (docs / "posts").mkdir(parents=True)
    snippets = root / "snippets"
    (snippets / "sub").mkdir(parents=True)
    outside = root / "outside"
    outside.mkdir()
    secret = outside / "secret.yaml"
    secret.write_text(f"# {CANARY}\nspec:\n  containers:\n  - args:\n    - --name={CANARY}\n", encoding="utf-8")
    shutil.copy(ROOT / "snippets" / "glossary.md", snippets / "glossary.md")
    (snippets / "ok.yaml").write_text(SNIPPET_MANIFEST, encoding="utf-8")
    (snippets / "ok.md").write_text(SNIPPET_PROSE, encoding="utf-8")
    (snippets / "sub" / "nested.md").write_text('--8<-- "ok.md"\n--8<-- "../ok.md"\n', encoding="utf-8")
    (snippets / "loop.md").write_text('loop\n--8<-- "loop.md"\n', encoding="utf-8")
    (snippets / "twice.md").write_text('--8<-- "twice2.md"\n--8<-- "twice2.md"\n', encoding="utf-8")
    (snippets / "twice2.md").write_text('--8<-- "ok.md"\n--8<-- "ok.md"\n', encoding="utf-8")
    (snippets / "latin1.md").write_bytes(b"caf\xe9 --name=x\n")
    (snippets / "link.yaml").symlink_to(secret)
    (snippets / "outlink").symlink_to(outside, target_is_directory=True)
    (snippets / "dangling.md").symlink_to(root / "nowhere.md")
    tree = Tree(root, docs, snippets, secret)
    tree.write_generated("", "")
    return tree


# -- Markdown as MkDocs converts it ------------------------------------------------------


def site_markdown(tree: Tree) -> markdown.Markdown:
    """Python-Markdown with mkdocs.yml's extensions and options; snippets read from ``tree`` only."""
    from mkdocs.config import load_config

    config = load_config(config_file=str(CONFIG), docs_dir=str(tree.docs), site_dir=str(tree.root / "site"))
    settings = {name: dict(options) for name, options in config.mdx_configs.items()}
    settings["pymdownx.snippets"]["base_path"] = [str(tree.snippets)]
    return markdown.Markdown(extensions=config.markdown_extensions, extension_configs=settings)


# -- what a page must not hold -----------------------------------------------------------


class _Danger(HTMLParser):
    """Scripts, event-handler attributes and ``javascript:`` URLs, as a browser's parser finds them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "iframe", "object", "embed"):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            # Browsers drop blanks and control characters inside the scheme: "java\tscript:" runs too.
            scheme = "".join(ch for ch in (value or "") if ch > " ").lower()
            if scheme.startswith("javascript:") or scheme.startswith("vbscript:"):
                self.found.append(f"<{tag} {name}={value!r}>")

    handle_startendtag = handle_starttag


def dangers(html: str) -> list[str]:
    """Every script element, ``on*`` attribute and script URL in ``html``."""
    parser = _Danger()
    parser.feed(html)
    parser.close()
    return parser.found


# -- one build ---------------------------------------------------------------------------------


@dataclass
class Page:
    """A generated page as the theme receives it: front matter and HTML."""

    meta: dict[str, Any]
    html: str


@dataclass
class Outcome:
    """What one build made of its posts, and what it cost."""

    posts: list[Post]
    build: SiteBuild
    post_html: dict[str, str] = field(default_factory=dict)  # src_uri -> header + decorated HTML
    documents: dict[str, str] = field(default_factory=dict)  # src_uri -> the author's text, snippets expanded
    pages: dict[str, Page] = field(default_factory=dict)  # generated pages converted in this build
    exports: str = ""
    seconds: float = 0.0  # CPU time of the whole pipeline
    opened: list[tuple[str, str]] = field(default_factory=list)

    def outputs(self) -> str:
        """Everything the site would publish or log, as one text."""
        parts = [*self.post_html.values(), self.exports, *(str(d) for d in self.build.diagnostics)]
        for page in self.pages.values():
            parts.extend((json.dumps(page.meta, default=str), page.html))
        return "\n".join(parts)


# The catalog files the fuzzer builds with: the programs its posts run most. The reference pages and
# flags.json cover every flag of the catalog in every build, so the whole catalog would spend the time
# budget on pages no post changes; the other programs (kubelet...) are read as programs it does not know.
CATALOG_FILES = ("etcd", "etcdctl", "kube-apiserver", "kubeadm", "kubectl", "shell")


def small_catalog(directory: Path) -> Catalog:
    """The project's catalog reduced to ``CATALOG_FILES``, copied into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    for name in CATALOG_FILES:
        shutil.copy(DEFAULT_DIRECTORY / f"{name}.yaml", directory / f"{name}.yaml")
    return load_catalog(directory)


class Harness:
    """Builds posts through the whole pipeline; generated pages are converted once per distinct content."""

    def __init__(self, tree: Tree) -> None:
        self.tree = tree
        self.catalog_dir = tree.root / "catalog"
        self.catalog = small_catalog(self.catalog_dir)
        _, self.programs = core_data()
        self.md = site_markdown(tree)
        self._seen_pages: set[str] = set()

    def convert(self, text: str) -> str:
        """``text`` converted as MkDocs converts a page."""
        self.md.reset()
        return self.md.convert(text)

    def build(self, posts: list[tuple[str, str]]) -> Outcome:
        """Run ``(src_uri, text)`` posts through parse, checks and every renderer, recording the files opened."""
        _start_recording()
        start = time.process_time()
        try:
            outcome = self._build(posts)
        finally:
            opened = _stop_recording()
        outcome.seconds = time.process_time() - start
        outcome.opened = opened
        return outcome

    def _build(self, posts: list[tuple[str, str]]) -> Outcome:
        source = self.tree.source
        sources = [SourceFile(uri, f"docs/{uri}", text) for uri, text in posts]
        read = [
            parse_post(s.display_path, s.text, snippets=source, catalog=self.catalog, programs=self.programs)
            for s in sources
        ]
        build = SiteBuild(sources, snippets=source, catalog=self.catalog)
        build.optional_checks(target_version="1.30")
        outcome = Outcome(read, build)
        for s in sources:
            item = build.by_src[s.src_uri]
            markdown_text = build.post_markdown(s.src_uri)
            # A post the engine failed on is rendered from the author's text, as MkDocs read it.
            body = markdown_text if markdown_text is not None else get_data(s.text)[0]
            html = self.convert(body)
            header = render_post_header(item, build.categories, build.directory_urls)
            outcome.post_html[s.src_uri] = header + build.post_html(s.src_uri, html)
            outcome.documents[s.src_uri] = item.post.document.text
        pages, _ = build.generated_pages()
        for uri, content in pages.items():
            digest = hashlib.sha256(content.encode()).hexdigest()
            if digest in self._seen_pages:  # the same page was checked in an earlier build
                continue
            self._seen_pages.add(digest)
            body, meta = get_data(build.stash(uri, content))
            outcome.pages[uri] = Page(meta, build.page_html(uri, self.convert(body)))
        document = build.flags_document()
        outcome.exports = render_flags_json(document)
        render_objects_inv(document)
        return outcome

    def leaks(self, outcome: Outcome) -> list[str]:
        """Files outside ``snippets/`` that were opened, and outside content that reached an output."""
        found = []
        root = self.tree.root.resolve()
        allowed = (self.tree.snippets.resolve(), self.catalog_dir.resolve())
        for path, opener in outcome.opened:
            if opener == FINGERPRINT:
                continue
            real = Path(os.path.realpath(path))
            in_tree = real.is_relative_to(root) and not any(real.is_relative_to(a) for a in allowed)
            if in_tree or str(real) in SYSTEM_TARGETS:
                found.append(f"{opener} opened {path} ({real})")
        text = outcome.outputs()
        if CANARY in text:
            found.append("the canary outside snippets/ reached an output")
        if PASSWD_LINE in text:
            found.append("/etc/passwd reached an output")
        return found
