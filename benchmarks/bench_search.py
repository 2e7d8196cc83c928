"""Measure the site search and ``flagref lookup`` on a generated site: the budgets of the lookup issue.

For each N (default 1000) the script lays out a site as ``bench_build.py``
does, builds it (with the hooks: Pagefind indexes beside the build) and
measures:

* the search step: how long Pagefind took to write the index once the
  pages were rendered, and how much of it the build waited for at the end (the step's cost to the build; budget ≤ 10% of the
  build), from the build's own log line;
* in Chromium, on the built site served on 127.0.0.1, typing into Material's
  search box as a reader does: the bytes the first query downloads (worker,
  Pagefind's script, wasm, index chunks, filters and result fragments;
  budget ≤ 500 KB), then for each later query the time from its last key to
  its first answer in the search worker, the results the list shows first
  (budget ≤ 100 ms), and to its whole list, and the rank of the flag's
  reference entry among the results. Each measured query is typed on
  a freshly loaded page, after a query of other words: the worker keeps its
  last searches, and must not answer a measured query from an earlier run;
* ``flagref lookup --etcd-servers`` cold (no cache) and warm (budget ≤ 0.3 s).

The build's cost against the same site without the hooks (Material's own
search) is ``bench_scale.py``'s table.

Usage::

    python benchmarks/bench_search.py [--n 1000] [--runs 1] [--queries 5] [--seed 0] [--keep]

It asserts nothing; it prints one table per part.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench_build import ROOT, prepare
from table import print_table

CHROMIUM = "/usr/bin/chromium"
# Each query, and the entry it should put first (None: ordinary words, the count of results is shown).
QUERIES = {
    "--etcd-servers": "flags/kube-apiserver/#etcd-servers",
    "etcd-servers": "flags/kube-apiserver/#etcd-servers",
    "etcd servers": "flags/kube-apiserver/#etcd-servers",
    "ETCD_LISTEN_CLIENT_URLS": "flags/etcd/#listen-client-urls",
    "--data-dir": "flags/etcd/#data-dir",
    "static pod": None,
    "kubernetes cluster": None,
    "etcd -servers": None,
}
# The build's own line: "search: N pages and flag records indexed as they were rendered, in S shards
# (Pagefind at most M MiB); the index written in X s, Y s of it after the site was written".
_SEARCH_LINE = re.compile(
    r"search: (\d+) pages and flag records indexed as they were rendered, in (\d+) shards? "
    r"\(Pagefind at most (\d+) MiB\); the index written in ([\d.]+) s, ([\d.]+) s of it after"
)

# How long after a query's first answer the rest of its list may still come (the worker sends the
# first ten results as soon as they are loaded, then the whole list).
_COMPLETE_MS = 500

# The query that loads Pagefind before each measured one; no word of it begins a word of QUERIES.
WARM_UP = "certificate"
# What the search loads: the worker, Material's (empty) index, and Pagefind's files.
_SEARCH_FILES = re.compile(r"/(assets/flagref/search-worker\.js|search/search_index\.json|pagefind/)")

# In the page: which query each of the search worker's answers is for, when the query left and when it came back.
_LISTEN = """(() => {
  const Original = window.Worker;
  window.__answers = [];
  window.__sent = {};
  window.Worker = class extends Original {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (e) => {
        if (e.data && e.data.type === 3) {
          const q = e.data.data.query;
          const items = e.data.data.items.map(group => group.map(item => item.location));
          window.__answers.push({query: q, ms: performance.now() - (window.__sent[q] || 0), items});
        }
      });
    }
    postMessage(message, ...rest) {
      if (message && message.type === 2) window.__sent[message.data] = performance.now();
      return super.postMessage(message, ...rest);
    }
  };
})();"""


def _quiet_handler(directory: Path):
    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            return None

    return functools.partial(Handler, directory=str(directory))


def serve(directory: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _quiet_handler(directory))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def build_logged(config: Path, cwd: Path) -> tuple[float, str]:
    """One ``mkdocs build`` with its INFO lines; its wall time and its log."""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", NO_MKDOCS_2_WARNING="1")
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-f", str(config)], cwd=cwd, capture_output=True, text=True, env=env
    )
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit((proc.stdout + proc.stderr)[-3000:])
    return seconds, proc.stdout + proc.stderr


def rank(items: list[list[str]], entry: str) -> str:
    """1-based rank of the result group holding ``entry`` (a location, maybe with ?h=), or '-'."""
    path, _, fragment = entry.partition("#")
    for i, group in enumerate(items, 1):
        for location in group:
            loc_path, _, loc_fragment = location.partition("#")
            if loc_path.split("?")[0].strip("/") == path.strip("/") and loc_fragment == fragment:
                return str(i)
    return "-"


def browser_queries(site: Path, runs: int) -> tuple[int, dict[str, list[dict]]]:
    """Bytes the first query downloads, and each query's answers (``runs`` times each) typed in the search box."""
    from playwright.sync_api import sync_playwright

    server, base = serve(site)
    try:
        with sync_playwright() as p:
            chromium = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            page = chromium.new_page()
            page.add_init_script(_LISTEN)
            fetched: list[tuple[str, int]] = []
            page.on("requestfinished", lambda r: fetched.append((r.url, r.sizes()["responseBodySize"])))
            page.goto(base, wait_until="networkidle")
            # What searching costs: Material starts the worker and it loads Pagefind with the page (so
            # those count), then each query fetches the index chunks, filters and results it needs.
            fetched[:] = [(url, size) for url, size in fetched if _SEARCH_FILES.search(url)]

            def ask(query: str) -> dict:
                count = page.evaluate("() => window.__answers.length")
                page.keyboard.press("/")
                page.keyboard.press("Control+a")
                page.keyboard.press("Backspace")
                page.keyboard.type(query, delay=20)
                page.wait_for_function(
                    "([q, n]) => window.__answers.slice(n).some(a => a.query === q)", arg=[query, count], timeout=30_000
                )
                page.wait_for_timeout(_COMPLETE_MS)  # the rest of the list, when the first ten came first
                got = page.evaluate("([q, n]) => window.__answers.slice(n).filter(a => a.query === q)", [query, count])
                return {"ms": got[0]["ms"], "complete_ms": got[-1]["ms"], "items": got[-1]["items"]}

            ask(next(iter(QUERIES)))
            page.wait_for_load_state("networkidle")
            first_bytes = sum(size for _, size in fetched)
            answers: dict[str, list[dict]] = {q: [] for q in QUERIES}
            for _ in range(runs):
                for query in QUERIES:
                    # A fresh page for each query: the worker keeps its last searches, and a query typed
                    # again (or a longer one sharing its words) would be answered from them. A first
                    # query of other words loads Pagefind, so the one measured is a later query.
                    page.reload(wait_until="networkidle")
                    ask(WARM_UP)
                    answers[query].append(ask(query))
            chromium.close()
    finally:
        server.shutdown()
    return first_bytes, answers


def lookup_times(docs: Path, runs: int) -> tuple[float, list[float]]:
    cache = Path(tempfile.mkdtemp(prefix="flagref-lookup-cache-"))
    env = dict(os.environ, FLAGREF_CACHE_DIR=str(cache))
    cmd = [sys.executable, "-m", "flagref.cli", "lookup", "--etcd-servers", "--docs", str(docs)]

    def once() -> float:
        start = time.perf_counter()
        subprocess.run(cmd, env=env, capture_output=True, check=True)
        return time.perf_counter() - start

    try:
        cold = once()
        return cold, [once() for _ in range(max(3, runs))]
    finally:
        shutil.rmtree(cache, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Measure the site search and flagref lookup on a generated site.")
    parser.add_argument("--n", type=int, action="append", help="corpus size (default 1000); repeat for several")
    parser.add_argument("--runs", type=int, default=1, help="builds; the median is kept")
    parser.add_argument("--queries", type=int, default=5, help="runs of each query")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", action="store_true", help="keep and print the temporary folders")
    args = parser.parse_args(argv)

    for n in args.n or [1000]:
        tmp = Path(tempfile.mkdtemp(prefix="flagref-search-"))
        try:
            config, mirror, site = prepare(ROOT, n, args.seed, tmp)
            builds = []
            for _ in range(args.runs):
                seconds, log = build_logged(config, mirror)
                found = _SEARCH_LINE.search(log)
                if found is None:
                    raise SystemExit("the build logged no search line:\n" + log[-3000:])
                documents, shards, largest, ran, waited = found.groups()
                builds.append((seconds, int(documents), float(ran), float(waited), int(shards), int(largest)))
            build_s = statistics.median(b[0] for b in builds)
            index_s = statistics.median(b[2] for b in builds)
            waited_s = statistics.median(b[3] for b in builds)
            print(
                f"\nN = {n}: the search step ({builds[0][1]} pages and flag records, in {builds[0][4]} "
                f"shard{'s' if builds[0][4] != 1 else ''}; "
                f"Pagefind at most {max(b[5] for b in builds)} MiB)"
            )
            print_table(
                ["build s", "index written s", "build waited s", "share of the build (budget ≤ 10%)"],
                [[f"{build_s:.1f}", f"{index_s:.1f}", f"{waited_s:.1f}", f"{waited_s / build_s:.1%}"]],
            )

            first_bytes, answers = browser_queries(site, args.queries)
            print(f"\nN = {n}: the first query downloads {first_bytes / 1e3:.0f} KB (budget ≤ 500 KB)")
            rows = []
            for query, entry in QUERIES.items():
                runs = answers[query]
                later = [a["ms"] for a in runs]
                complete = [a["complete_ms"] for a in runs]
                items = runs[-1]["items"]
                where = rank(items, entry) if entry else f"{len(items)} results"
                rows.append(
                    [
                        query,
                        f"{statistics.median(later):.0f}",
                        f"{max(later):.0f}",
                        f"{statistics.median(complete):.0f}",
                        where,
                    ]
                )
            print(
                f"\nN = {n}: later queries, last key to the first results shown (budget ≤ 100 ms), "
                "to the whole list, and the entry's rank"
            )
            print_table(["query", "median ms", "max ms", "whole list median ms", "entry rank"], rows)

            cold, warm = lookup_times(tmp / "docs", args.queries)
            print(f"\nN = {n}: flagref lookup --etcd-servers (budget warm ≤ 0.3 s)")
            print_table(
                ["cold s", "warm median s", "warm max s"],
                [[f"{cold:.2f}", f"{statistics.median(warm):.2f}", f"{max(warm):.2f}"]],
            )
        finally:
            if args.keep:
                print(f"kept: {tmp}")
            else:
                shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
