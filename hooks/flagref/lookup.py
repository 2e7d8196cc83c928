"""Look a flag up as a reader types it: ``--etcd-servers``, ``etcd-servers``, ``ETCD_LISTEN_CLIENT_URLS``.

The answers come from the same records as the site's ``flags.json``
(:func:`flagref.render.exports.flags_document`), made from ``docs/`` directly,
without a site build. Reading every post is the slow part, so the records are
cached on disk, keyed by content: the SHA-256 of each post, and of the
engine's data (catalog, rules, program data, snippets, the package's code).
A warm lookup reads the posts to hash them, loads one JSON file and answers;
it imports nothing of the engine (loading the catalog alone costs more than
the budget of a warm answer).
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .cachedir import code_digest, default_cache_dir

CACHE_VERSION = 1
PACKAGE_DIR = Path(__file__).resolve().parent
POST_SUFFIXES = (".md", ".markdown")

# An environment variable as etcd reads them: upper-case words of letters and
# digits joined by single underscores (ETCD_LISTEN_CLIENT_URLS). Each run is
# bounded by an underscore, so the pattern is linear.
_ENV_RE = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")
# Leading dashes of a flag as typed (--etcd-servers, -name, a typographic dash).
_DASHES_RE = re.compile(r"^[-\u2010-\u2015\u2212]+")


@dataclass(frozen=True)
class LookupResult:
    """What a query found: the matching entries (``flags.json`` records), or names it may have meant."""

    query: str
    component: str | None
    names: tuple[str, ...]  # canonical names the query was read as
    matches: tuple[dict[str, Any], ...] = ()
    suggestions: tuple[str, ...] = ()  # "kube-apiserver --etcd-servers", closest first
    problem: str | None = None

    @property
    def found(self) -> bool:
        """Whether the query matched any flag."""
        return bool(self.matches)

    def to_json(self) -> dict[str, Any]:
        """The result as a JSON object."""
        return {
            "query": self.query,
            "component": self.component,
            "names": list(self.names),
            "matches": list(self.matches),
            "suggestions": list(self.suggestions),
            "problem": self.problem,
        }


# What a query needs of each flag; the rest of its record is read only for the flags it finds.
SUMMARY_KEYS = ("component", "name", "flag", "env", "short", "uses")


@dataclass
class FlagDocument:
    """``flags.json`` in memory, with the lookups a query needs.

    ``data`` holds every record in full, or only their summaries (``SUMMARY_KEYS``)
    when ``records`` names the cached JSON-lines file the full records are read
    from, one line per flag, at the offset each summary carries (``at``).
    """

    data: dict[str, Any]
    records: Path | None = None
    by_name: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    by_env: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    by_short: dict[tuple[str | None, str], list[dict[str, Any]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for record in self.data.get("flags", ()):
            self.by_name.setdefault(record["name"], []).append(record)
            if record.get("env"):
                self.by_env.setdefault(record["env"], []).append(record)
            if record.get("short"):
                self.by_short.setdefault((record["component"], record["short"]), []).append(record)

    @property
    def components(self) -> list[str]:
        """The component names the document lists, in its order."""
        return [c["name"] for c in self.data.get("components", ())]

    def full(self, record: dict[str, Any]) -> dict[str, Any]:
        """The whole record of a flag this document lists."""
        if self.records is None or "at" not in record:
            return record
        start, length = record["at"]
        with self.records.open("rb") as f:
            f.seek(start)
            return json.loads(f.read(length))

    def env_prefixes(self) -> dict[str, str]:
        """Each component's environment prefix, read off its flags' variables (``ETCD_`` for etcd)."""
        out: dict[str, str] = {}
        for variable, records in self.by_env.items():
            for record in records:
                suffix = record["name"].upper().replace("-", "_")
                if variable.endswith(suffix) and len(variable) > len(suffix):
                    out.setdefault(record["component"], variable[: -len(suffix)])
        return out


@dataclass(frozen=True)
class CacheReport:
    """How a document was obtained: for the benchmark and ``--verbose`` output."""

    posts: int
    parsed: int  # posts read by the engine this time (cache misses)
    hit: bool  # the whole document came from the cache
    cache_file: Path | None


def read_query(query: str) -> tuple[str | None, str]:
    """``(component, flag as typed)`` from a query: ``kube-apiserver --etcd-servers`` names its component.

    ``--etcd-servers=https://x`` keeps only the flag; ``etcd servers`` is read
    as ``etcd-servers``.
    """
    text = query.strip()
    words = text.split()
    component = None
    if len(words) >= 2 and not words[0].startswith("-") and words[1].startswith("-"):
        component, words = words[0], words[1:]
    flag = "-".join(words) if words and not words[0].startswith("-") else (words[0] if words else "")
    return component, flag.split("=", 1)[0]


def lookup_flag(document: FlagDocument, query: str, component: str | None = None) -> LookupResult:
    """Every entry ``query`` names, in ``component`` when given; a did-you-mean list when none.

    Accepted spellings: with or without dashes, an environment variable
    (``ETCD_LISTEN_CLIENT_URLS``), a short alias (``-n`` with ``--component kubectl``),
    ``component --flag``.
    """
    named, typed = read_query(query)
    component = component or named
    if component is not None and component not in document.components:
        close = difflib.get_close_matches(component, document.components, n=5, cutoff=0.6)
        return LookupResult(
            query, component, (), suggestions=tuple(close), problem=f"no component {component!r} in the reference"
        )
    if not typed:
        return LookupResult(query, component, (), problem="no flag given")
    candidates: list[dict[str, Any]] = []
    names: list[str] = []
    if _ENV_RE.fullmatch(typed):
        candidates.extend(document.by_env.get(typed, ()))
        for owner, prefix in document.env_prefixes().items():
            if typed.startswith(prefix) and (component is None or owner == component):
                name = typed[len(prefix) :].lower().replace("_", "-")
                names.append(name)
                candidates.extend(r for r in document.by_name.get(name, ()) if r["component"] == owner)
    dashes = _DASHES_RE.match(typed)
    bare = typed[dashes.end() :] if dashes else typed
    if dashes and len(bare) == 1:
        short = "-" + bare
        for (owner, spelled), records in document.by_short.items():
            if spelled == short and (component is None or owner == component):
                candidates.extend(records)
    for name in dict.fromkeys((bare, bare.lower())):
        names.append(name)
        candidates.extend(document.by_name.get(name, ()))
    matches = _unique(r for r in candidates if component is None or r["component"] == component)
    names = list(dict.fromkeys([*(r["name"] for r in matches), *names]))
    if matches:
        return LookupResult(query, component, tuple(names), tuple(document.full(r) for r in matches))
    return LookupResult(
        query,
        component,
        tuple(names),
        suggestions=tuple(_suggestions(document, bare.lower(), component)),
        problem=f"no flag {typed!r}" + (f" of {component}" if component else "") + " in the reference",
    )


def _unique(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: dict[tuple[str | None, str], dict[str, Any]] = {}
    for record in records:
        seen.setdefault((record["component"], record["name"]), record)
    # Most used first: the entry a reader most likely means.
    return sorted(seen.values(), key=lambda r: -r["uses"])


def _suggestions(document: FlagDocument, name: str, component: str | None, limit: int = 8) -> list[str]:
    pool = [
        n
        for n, records in document.by_name.items()
        if component is None or any(r["component"] == component for r in records)
    ]
    close = difflib.get_close_matches(name, pool, n=limit, cutoff=0.6)
    # A fragment of a name (``servers``) is as likely a slip as a misspelling.
    if len(name) >= 4:
        close += [n for n in sorted(pool) if name in n and n not in close][: limit - len(close)]
    out = []
    for found in close:
        for record in sorted(document.by_name[found], key=lambda r: -r["uses"]):
            if component is None or record["component"] == component:
                out.append(f"{record['component'] or '(no component)'} {record['flag']}")
    return out[:limit]


# --------------------------------------------------------------------------
# The document, from the cache or from the posts


def load_document(
    docs_dir: Path, snippets_dir: Path | None = None, cache_dir: Path | None = None, *, use_cache: bool = True
) -> tuple[FlagDocument, CacheReport]:
    """The records of every flag for the posts under ``docs_dir/posts``, cached by content.

    Raises ``NotADirectoryError`` when ``docs_dir`` is not a folder. A cache file
    that cannot be read or written is ignored (the answer is then computed).
    """
    docs_dir = Path(docs_dir)
    if not docs_dir.is_dir():
        raise NotADirectoryError(f"{docs_dir}: not a directory")
    if snippets_dir is None:
        candidate = docs_dir.resolve().parent / "snippets"
        snippets_dir = candidate if candidate.is_dir() else None
    texts = _read_posts(docs_dir)
    engine = _engine_fingerprint(snippets_dir)
    post_keys = {src: hashlib.sha256((engine + "\0" + text).encode()).hexdigest() for src, text in texts.items()}
    whole = hashlib.sha256("\n".join(f"{s}\0{k}" for s, k in sorted(post_keys.items())).encode()).hexdigest()
    folder = (cache_dir or default_cache_dir()) / f"lookup-{_path_key(docs_dir)}"
    head_file = folder / "head.json"
    head = _read_json(head_file) if use_cache else None
    if head is not None and head.get("key") == whole and isinstance(head.get("records"), str):
        records = folder / Path(head["records"]).name
        if records.is_file():
            return FlagDocument(head, records), CacheReport(len(texts), 0, True, head_file)
    known = (_read_json(folder / "posts.json") or {}).get("posts", {}) if use_cache else {}
    document, posts, parsed = _build_document(docs_dir, snippets_dir, texts, post_keys, known)
    if use_cache:
        _write_cache(folder, whole, document, posts)
    return FlagDocument(document), CacheReport(len(texts), parsed, False, head_file if use_cache else None)


def _read_posts(docs_dir: Path) -> dict[str, str]:
    out = {}
    posts = docs_dir / "posts"
    if posts.is_dir():
        for path in sorted(posts.rglob("*")):
            if path.suffix in POST_SUFFIXES and path.is_file():
                # A post that is not UTF-8 is read as the build would fail to: replaced, reported by `flagref scan`.
                out[path.relative_to(docs_dir).as_posix()] = path.read_bytes().decode("utf-8", "replace")
    return out


def _engine_fingerprint(snippets_dir: Path | None) -> str:
    """What a post's reading depends on besides its text: data files and code by content."""
    digest = hashlib.sha256(f"lookup {CACHE_VERSION}".encode())
    data = [*sorted((PACKAGE_DIR / "catalog").glob("*.y*ml")), *sorted((PACKAGE_DIR / "data").glob("*.y*ml"))]
    data += sorted((PACKAGE_DIR / "checks" / "rules").glob("*.y*ml"))
    if snippets_dir is not None and snippets_dir.is_dir():
        data += sorted(p for p in snippets_dir.rglob("*") if p.is_file())
    for path in data:
        digest.update(str(path).encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(code_digest().encode())  # the code, by its files' contents
    return digest.hexdigest()


def _path_key(docs_dir: Path) -> str:
    return hashlib.sha256(str(docs_dir.resolve()).encode()).hexdigest()[:16]


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("version") == CACHE_VERSION else None


def _write_cache(folder: Path, key: str, document: dict[str, Any], posts: dict[str, Any]) -> None:
    """``posts.json`` (each post's uses), ``records-<key>.jsonl`` (each flag's record) and ``head.json``.

    ``head.json`` holds the summaries and is written last, by rename: a lookup
    running meanwhile reads the old cache or the new, never half of one.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _write_atomic(folder / "posts.json", json.dumps({"version": CACHE_VERSION, "posts": posts}).encode())
        records = folder / f"records-{key[:16]}.jsonl"
        lines, summaries, offset = [], [], 0
        for record in document["flags"]:
            line = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
            summaries.append({**{k: record[k] for k in SUMMARY_KEYS}, "at": [offset, len(line)]})
            lines.append(line)
            offset += len(line)
        _write_atomic(records, b"".join(lines))
        head = {"version": CACHE_VERSION, "key": key, "records": records.name}
        head |= {"components": document["components"], "flags": summaries}
        _write_atomic(folder / "head.json", json.dumps(head, ensure_ascii=False).encode())
        for old in folder.glob("records-*.jsonl"):
            if old != records:
                old.unlink(missing_ok=True)
    except OSError:
        return  # a read-only cache folder costs speed, never the answer


def _write_atomic(path: Path, data: bytes) -> None:
    with tempfile.NamedTemporaryFile("wb", dir=path.parent, delete=False, suffix=".tmp") as f:
        f.write(data)
    os.replace(f.name, path)


def _build_document(
    docs_dir: Path,
    snippets_dir: Path | None,
    texts: dict[str, str],
    post_keys: dict[str, str],
    known: dict[str, Any],
) -> tuple[dict[str, Any], dict[str, Any], int]:
    from .catalog import load_catalog
    from .checks.rules import load_rules
    from .parse.snippets import SnippetSource
    from .render.exports import SeenUse, flags_document, seen_uses
    from .site import SiteBuild, SourceFile

    catalog = load_catalog()
    posts: dict[str, Any] = {}
    missing = []
    for src, key in post_keys.items():
        entry = known.get(key)
        if isinstance(entry, dict) and entry.get("src") == src:
            posts[key] = entry
        else:
            # Shown from the project root, as the site build and its warnings show them: docs/posts/x.md.
            missing.append(SourceFile(src, f"{docs_dir.resolve().name}/{src}", texts[src]))
    if missing:
        root = snippets_dir.resolve() if snippets_dir else None
        snippets = SnippetSource((root,), display_root=root.parent) if root else None
        build = SiteBuild(missing, snippets=snippets, catalog=catalog)
        by_src = {s.src_uri: s for s in missing}
        for item in build.posts:
            key = post_keys[by_src[item.src_uri].src_uri]
            uses = seen_uses(item.post.title, item.url, item.post.uses)
            posts[key] = {"src": item.src_uri, "uses": [u.to_json() for u in uses]}
    uses = [SeenUse.from_json(u) for entry in posts.values() for u in entry["uses"]]
    return flags_document(catalog, load_rules(), uses), posts, len(missing)
