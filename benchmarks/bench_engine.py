"""Time the flagref engine (``flagref.scan.scan_docs``) on generated corpora.

For each N a corpus of N posts is written to a temporary directory (see
``corpus.py``) and scanned in a fresh child process, so that the peak
resident size of one N does not leak into the next. The child scans the
corpus ``--runs`` times and keeps the best time (the first, cold, run is
shown too: a ``mkdocs build`` pays that one), then scans once more under
``tracemalloc`` for the peak Python allocation of a scan.

Both the wall time and the CPU time of the process are shown: on a machine
shared with other work the wall time also counts the waits for a processor,
the CPU time only the engine's own work. Rates (posts/s, MB/s) are from the
wall time.

``--no-grammar`` runs the child as if the bash grammar (``tree-sitter``) were
not installed: every command line then takes the tolerant reader, the path
the engine falls back on.

Usage::

    python benchmarks/bench_engine.py [--n 100 --n 1000] [--runs 3] [--seed 0] [--no-grammar]

Sizes are in MB of 10**6 bytes. Nothing is asserted: the script prints a
table and exits non-zero only when the engine cannot be run at all.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MB = 1_000_000


def maxrss_bytes() -> int:
    """The process's peak resident set size (Linux reports KiB, macOS bytes)."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss if sys.platform == "darwin" else rss * 1024


def measure(docs_dir: Path, runs: int, snippets_dir: Path | None, grammar: bool = True) -> dict[str, float]:
    """Scan ``docs_dir`` ``runs`` times plus once under tracemalloc; return figures.

    Runs in the child process: imports the engine from ``hooks/``. Without
    ``grammar`` the bash grammar cannot be imported, as in an install without it.
    """
    if not grammar:
        sys.modules["tree_sitter"] = None  # `import tree_sitter` now raises ImportError
    sys.path.insert(0, str(ROOT / "hooks"))
    from flagref.parse.shell import grammar as shell_grammar
    from flagref.scan import scan_docs

    times = []
    cpu = []
    for _ in range(runs):
        gc.collect()
        start, start_cpu = time.perf_counter(), time.process_time()
        result = scan_docs(docs_dir, snippets_dir)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        del result
    gc.collect()
    tracemalloc.start()
    result = scan_docs(docs_dir, snippets_dir)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "seconds": min(times),
        "cpu": min(cpu),
        "first": times[0],
        "grammar": shell_grammar.tree_sitter is not None,
        "posts": len(result.posts),
        "uses": sum(len(post.uses) for post in result.posts),
        "unparsed": sum(len(post.unparsed) for post in result.posts),
        "tracemalloc_peak": peak,
        "maxrss": maxrss_bytes(),
    }


def run_child(docs_dir: Path, runs: int, snippets_dir: Path | None, grammar: bool = True) -> dict[str, float]:
    """Run :func:`measure` in a fresh interpreter and return its figures."""
    cmd = [sys.executable, __file__, "--child", str(docs_dir), "--runs", str(runs)]
    if snippets_dir is not None:
        cmd += ["--snippets", str(snippets_dir)]
    if not grammar:
        cmd.append("--no-grammar")
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"bench_engine: the scan failed (exit {proc.returncode})")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time flagref.scan.scan_docs.")
    parser.add_argument(
        "--n",
        type=int,
        action="append",
        help="corpus size in posts; repeat for several (default 1000)",
    )
    parser.add_argument("--runs", type=int, default=3, help="timed scans, best kept")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed")
    parser.add_argument("--snippets", type=Path, help="snippets_dir for scan_docs")
    parser.add_argument(
        "--no-grammar", action="store_true", help="scan as if tree-sitter were not installed (the tolerant reader)"
    )
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child is not None:
        figures = measure(args.child, args.runs, args.snippets, grammar=not args.no_grammar)
        print(json.dumps(figures))
        return 0

    sys.path.insert(0, str(ROOT / "hooks"))
    try:
        import flagref.scan  # noqa: F401  (fail early, before writing corpora)
    except ImportError as exc:
        print(f"bench_engine: cannot import flagref.scan ({exc})", file=sys.stderr)
        return 2

    from corpus import generate
    from table import print_table

    headers = [
        "N",
        "MB",
        "seconds",
        "cpu s",
        "1st run s",
        "posts/s",
        "MB/s",
        "flag uses",
        "unparsed",
        "tracemalloc MB",
        "maxrss MB",
    ]
    rows = []
    for n in args.n or [1000]:
        with tempfile.TemporaryDirectory(prefix="flagref-bench-") as tmp:
            docs = Path(tmp) / "docs"
            paths = generate(n, docs, seed=args.seed)
            size = sum(p.stat().st_size for p in paths)
            fig = run_child(docs, args.runs, args.snippets, grammar=not args.no_grammar)
        if fig["posts"] != n:
            print(f"note: N={n} but scan_docs returned {fig['posts']} posts")
        if fig["grammar"] == args.no_grammar:
            print(f"note: the bash grammar was {'' if fig['grammar'] else 'not '}used")
        secs = fig["seconds"]
        rows.append(
            [
                str(n),
                f"{size / MB:.2f}",
                f"{secs:.3f}",
                f"{fig['cpu']:.3f}",
                f"{fig['first']:.3f}",
                f"{n / secs:.0f}",
                f"{size / MB / secs:.2f}",
                str(fig["uses"]),
                str(fig["unparsed"]),
                f"{fig['tracemalloc_peak'] / MB:.1f}",
                f"{fig['maxrss'] / MB:.1f}",
            ]
        )
    grammar = "without the bash grammar (tolerant reader)" if args.no_grammar else "with the bash grammar"
    print(f"best of {args.runs} scans per N, seed {args.seed}, {grammar}, python {sys.version.split()[0]}")
    print_table(headers, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
