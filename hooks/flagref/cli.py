"""The ``flagref`` command: the same core the site build uses, from a shell or CI."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import __version__
from .checks.secrets import MASK


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
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
    check.set_defaults(func=_check)
    return parser


def _scan(args) -> int:
    from .scan import scan_docs

    result = scan_docs(args.docs_dir, args.snippets)
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

    result = scan_docs(args.docs_dir, args.snippets)
    violations = check_build(result.build)
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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
