"""The ``flagref`` command: the same core the site build uses, from a shell or CI."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import __version__


def main(argv: list[str] | None = None) -> int:
    """Run the ``flagref`` command line on ``argv`` (default: ``sys.argv``); return the exit status."""
    parser = _parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(_lookup_argv(argv))
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        return args.func(args)
    except (NotADirectoryError, FileNotFoundError, PermissionError) as exc:
        print(f"flagref: {exc}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="flagref",
        description="Read the flags in Kubernetes posts (manifests, command lines, prose), check them, and list them.",
    )
    parser.add_argument("--version", action="version", version=f"flagref {__version__}")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    scan = sub.add_parser("scan", help="list every flag use and every unparsed line of the posts in DOCS_DIR")
    scan.add_argument("docs_dir", type=Path, metavar="DOCS_DIR")
    scan.add_argument("--json", action="store_true", help="print JSON for tools")
    scan.add_argument("--snippets", type=Path, help="snippets folder (default: snippets/ beside DOCS_DIR)")
    scan.add_argument("--no-cache", action="store_true", help=_NO_CACHE)
    scan.set_defaults(func=_scan)

    catalog = sub.add_parser("catalog", help="inspect the flag catalog")
    catalog.add_argument(
        "--missing", type=Path, metavar="DOCS_DIR", help="list flags used in DOCS_DIR that the catalog lacks"
    )
    catalog.add_argument("--snippets", type=Path)
    catalog.set_defaults(func=_catalog)

    check = sub.add_parser("check", help="check the posts in DOCS_DIR for contradictions; exit 1 when any")
    check.add_argument("docs_dir", type=Path, metavar="DOCS_DIR")
    check.add_argument("--json", action="store_true", help="print JSON for tools")
    check.add_argument("--snippets", type=Path)
    check.add_argument(
        "--target-version",
        metavar="RELEASE",
        help="also warn about flags Kubernetes RELEASE (e.g. 1.31) has removed, and note the deprecated ones",
    )
    check.add_argument("--no-cache", action="store_true", help=_NO_CACHE)
    check.set_defaults(func=_check)

    verify = sub.add_parser(
        "verify", help="prove the posts' etcd wiring against the installed etcd; exit 1 when any claim fails"
    )
    verify.add_argument("target", choices=["etcd"], help="what to verify (etcd: etcd members and their clients)")
    verify.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="post files, or docs folders")
    verify.add_argument("--json", action="store_true", help="print JSON for tools")
    verify.set_defaults(func=_verify)

    lookup = sub.add_parser(
        "lookup",
        help="explain a flag as typed (--etcd-servers, etcd-servers, ETCD_LISTEN_CLIENT_URLS); exit 1 when unknown",
    )
    lookup.add_argument("flag", metavar="FLAG", help="the flag, with or without dashes, or an environment variable")
    lookup.add_argument("--component", metavar="NAME", help="only this component's flag (kube-apiserver, etcd...)")
    lookup.add_argument("--docs", type=Path, default=Path("docs"), metavar="DOCS_DIR", help="default: ./docs")
    lookup.add_argument("--snippets", type=Path, help="snippets folder (default: snippets/ beside DOCS_DIR)")
    lookup.add_argument("--json", action="store_true", help="print JSON for tools")
    lookup.add_argument("--no-cache", action="store_true", help="read every post again and write no cache")
    lookup.set_defaults(func=_lookup)
    return parser


_NO_CACHE = "read every post again and keep none (posts read before are kept under ~/.cache/flagref/posts)"

# Options of `flagref lookup` that take a value; any other word starting with a dash is the flag looked up.
_LOOKUP_VALUED = ("--component", "--docs", "--snippets")
_LOOKUP_SWITCHES = ("--json", "--no-cache", "-h", "--help")


def _lookup_argv(argv: list[str]) -> list[str]:
    """``lookup --etcd-servers --json`` -> ``lookup --json -- --etcd-servers``: a flag to look up is no option."""
    if not argv or argv[0] != "lookup" or "--" in argv:
        return argv
    options: list[str] = []
    rest: list[str] = []
    words = iter(argv[1:])
    for word in words:
        if word in _LOOKUP_SWITCHES or word.split("=", 1)[0] in _LOOKUP_VALUED and "=" in word:
            options.append(word)
        elif word in _LOOKUP_VALUED:
            options.extend([word, next(words, "")])
        else:
            rest.append(word)
    return ["lookup", *options, "--", *rest] if rest else ["lookup", *options]


def _scan(args) -> int:
    from .scan import scan_docs

    result = scan_docs(args.docs_dir, args.snippets, cached=not args.no_cache)
    if args.json:
        json.dump({"posts": [post_json(post) for post in result.posts]}, sys.stdout, indent=2, ensure_ascii=False)
        print()
        return 0
    total = 0
    for post in result.posts:
        total += len(post.uses)
        date = post.date.isoformat() if post.date else "undated"
        print(f"{post.path}: {post.title} ({date}; {', '.join(post.categories) or 'no category'})")
        print(f"  {len(post.fences)} code blocks, {len(post.uses)} flag uses, {len(post.unparsed)} unparsed lines")
        for use in post.uses:
            value = "" if use.value is None else f"={use.value}"
            where = use.object or use.kind
            print(f"  {use.line:>5}  {use.kind:<8} {use.component or '?':<24} {use.flag}{value}  [{where}]")
        for line in post.unparsed:
            print(f"  {line.line:>5}  UNPARSED {line.text.strip()!r}: {line.reason}")
    for diagnostic in result.diagnostics:
        if diagnostic.level == "warning":
            print(f"warning: {diagnostic}", file=sys.stderr)
    print(f"{len(result.posts)} posts, {total} flag uses")
    return 0


def post_json(post) -> dict:
    """A scanned post as ``flagref scan --json`` prints it: its flag uses (credentials masked) and unparsed lines."""
    # Imported here: the engine's checks are costly to import, and `flagref lookup` answers without them.
    from .checks.secrets import MASK

    return {
        "path": post.path,
        "title": post.title,
        "categories": list(post.categories),
        "date": post.date.isoformat() if post.date else None,
        "flags": [
            {
                "line": u.line,
                "block": u.block,
                "kind": u.kind,
                "component": u.component,
                "flag": u.flag,
                "value": MASK if u.secret else u.value,
                **({"canonical": u.name} if u.name != u.flag.lstrip("-") else {}),
                **({"object": u.object} if u.object else {}),
                **({"container": u.container} if u.container else {}),
                **({"spelling": u.spelling} if u.spelling else {}),
                **({"path": u.path} if u.path != post.path else {}),
                **({"ambiguous": True} if u.ambiguous else {}),
            }
            for u in post.uses
        ],
        "unparsed": [
            {"line": u.line, "text": u.text, "reason": u.reason, **({"path": u.path} if u.path != post.path else {})}
            for u in post.unparsed
        ],
    }


def _catalog(args) -> int:
    from .catalog import load_catalog
    from .scan import scan_docs

    if args.missing is None:
        catalog = load_catalog()
        for component in sorted(catalog.components.values(), key=lambda c: c.name):
            print(f"{component.name:<26} {len(component.flags):>4} flags  {component.summary}")
        return 0
    result = scan_docs(args.missing, args.snippets)
    missing = result.missing_flags()
    for use in missing:
        print(f"{use.path}:{use.line}: {use.component or '(no component)'} {use.flag} has no catalog entry")
    print(f"{len(missing)} flag use(s) without a catalog entry", file=sys.stderr)
    return 0


def _check(args) -> int:
    from .checks import check_build
    from .scan import scan_docs

    result = scan_docs(args.docs_dir, args.snippets, cached=not args.no_cache)
    violations = check_build(result.build)
    notes = []
    if args.target_version:
        found = result.build.optional_checks(target_version=args.target_version)
        violations = sorted([*violations, *(d for d in found if d.level == "warning")], key=lambda d: (d.path, d.line))
        notes = [d for d in found if d.level != "warning"]
    for note in notes:
        print(note, file=sys.stderr)
    if args.json:
        json.dump(
            {"violations": [{"path": v.path, "line": v.line, "message": v.message} for v in violations]},
            sys.stdout,
            indent=2,
            ensure_ascii=False,
        )
        print()
    else:
        for v in violations:
            print(v)
        print(f"{len(violations)} violation(s) in {len(result.posts)} posts", file=sys.stderr)
    return 1 if violations else 0


def _verify(args) -> int:
    from .catalog import load_catalog
    from .verify import read_posts, render_text, verify_posts

    catalog = load_catalog()
    results = verify_posts(read_posts(args.paths, catalog), catalog)
    if args.json:
        json.dump({"posts": [r.to_json() for r in results.values()]}, sys.stdout, indent=2, ensure_ascii=False)
        print()
    elif results:
        print(render_text(results))
    if not results:
        print("flagref: no post with an etcd manifest or command to verify", file=sys.stderr)
        return 1
    return 0 if all(r.ok for r in results.values()) else 1


def _lookup(args) -> int:
    from .lookup import load_document, lookup_flag
    from .render.answer import render_answer

    document, _ = load_document(args.docs, args.snippets, use_cache=not args.no_cache)
    result = lookup_flag(document, args.flag, args.component)
    if args.json:
        json.dump(result.to_json(), sys.stdout, indent=2, ensure_ascii=False)
        print()
    else:
        print(render_answer(result, site_url=_site_url(args.docs)), file=sys.stdout if result.found else sys.stderr)
    return 0 if result.found else 1


def _site_url(docs_dir: Path) -> str:
    """``site_url`` of the mkdocs.yml beside ``docs_dir``, read as one line (no YAML needed), or ""."""
    try:
        text = (docs_dir.resolve().parent / "mkdocs.yml").read_text(encoding="utf-8")
    except OSError:
        return ""
    for line in text.splitlines():
        if line.startswith("site_url:"):
            url = line.partition(":")[2].split(" #", 1)[0].strip().strip("'\"")
            return url if url.endswith("/") else url + "/"
    return ""


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
