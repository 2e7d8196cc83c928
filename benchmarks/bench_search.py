"""Measure search and lookup on a generated site: the budgets of the lookup issue.

For each N (default 1000) the script lays out a site as ``bench_build.py`` does
and measures:

* the build with Material's search plugin and the same build without it
  (``plugins: []``): the search step's share of the build (budget ≤ 10%);
* what the first query downloads: the search worker and ``search_index.json``,
  raw and gzip-compressed as a static host serves them (budget ≤ 500 KB);
* later queries in Chromium, in Material's own search worker fed the built
  index, for flag spellings and ordinary words (budget ≤ 100 ms each), and the
  rank of the flag's reference entry among the results;
* ``flagref lookup --etcd-servers`` cold (no cache) and warm (budget ≤ 0.3 s);
* with ``--pagefind``: the same site indexed by Pagefind (``pagefind[bin]``),
  twice: its CLI over the built HTML, and its Python API with each flag entry
  a record of its own (from ``flags.json``; about 2.5 minutes of indexing,
  spent in the API's per-record round trips): indexing time, bytes the first
  query downloads, query time, and the rank of the entry. The query normaliser
  is not applied to Pagefind (it is written for Material's worker).

Usage::

    python benchmarks/bench_search.py [--n 1000] [--runs 1] [--seed 0] [--pagefind] [--keep]

It asserts nothing; it prints one table per part.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml
from bench_build import ROOT, build, prepare
from table import print_table

CHROMIUM = "/usr/bin/chromium"
QUERIES = ("--etcd-servers", "etcd-servers", "ETCD_LISTEN_CLIENT_URLS", "--data-dir", "cluster", "etcd -servers")
ENTRIES = {
    "--etcd-servers": "flags/kube-apiserver/#etcd-servers",
    "etcd-servers": "flags/kube-apiserver/#etcd-servers",
    "ETCD_LISTEN_CLIENT_URLS": "flags/etcd/#listen-client-urls",
    "--data-dir": "flags/etcd/#data-dir",
}


def _quiet_handler(directory: Path):
    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            return None

    return functools.partial(Handler, directory=str(directory))


def serve(directory: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _quiet_handler(directory))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def sizes(paths: list[Path]) -> tuple[int, int]:
    raw = sum(p.stat().st_size for p in paths)
    packed = sum(len(gzip.compress(p.read_bytes(), 6)) for p in paths)
    return raw, packed


# The normaliser's rewrite is applied as the page would apply it, then the query goes to Material's worker.
_LUNR_JS = """
async ([worker, queries, runs]) => {
  const index = await (await fetch("search/search_index.json")).json();
  index.options = {suggest: true};  /* as Material sends it: the site has search.suggest */
  const w = new Worker(worker);
  const wait = () => new Promise(resolve => { w.onmessage = e => resolve(e.data); });
  let t = performance.now();
  w.postMessage({type: 0, data: index});
  while ((await wait()).type !== 1) {}
  const setup = performance.now() - t;
  const out = {};
  for (const q of queries) {
    const times = [];
    let items = [];
    for (let r = 0; r < runs; r++) {
      t = performance.now();
      w.postMessage({type: 2, data: window.flagrefNormaliseQuery(q)});
      const msg = await wait();
      times.push(performance.now() - t);
      items = msg.data.items;
    }
    out[q] = {times, pages: items.map(group => group.map(d => d.location))};
  }
  w.terminate();
  return {setup, out};
}
"""

_PAGEFIND_JS = """
async ([queries, runs, bundle]) => {
  const pf = await import(`./${bundle}/pagefind.js`);
  await pf.options({});
  await pf.init();
  const out = {};
  for (const q of queries) {
    const times = [];
    let urls = [];
    for (let r = 0; r < runs; r++) {
      const t = performance.now();
      const found = await pf.search(q);
      const data = await Promise.all(found.results.slice(0, 10).map(x => x.data()));
      times.push(performance.now() - t);
      urls = data.map(d => [d.url, ...(d.sub_results || []).map(s => s.url)]);
    }
    out[q] = {times, pages: urls, total: (await pf.search(q)).results.length};
  }
  return out;
}
"""


def rank(pages: list[list[str]], entry: str) -> str:
    """1-based rank of the result group holding ``entry`` (a location, maybe with ?h=), or '-'."""
    path, _, fragment = entry.partition("#")
    for i, group in enumerate(pages, 1):
        for loc in group:
            loc_path, _, loc_fragment = loc.partition("#")
            if loc_path.split("?")[0].strip("/").endswith(path.strip("/")) and loc_fragment == fragment:
                return str(i)
    return "-"


def browser_queries(site: Path, pagefind: bool, runs: int) -> dict:
    from playwright.sync_api import sync_playwright

    server, base = serve(site)
    try:
        with sync_playwright() as p:
            chromium = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            page = chromium.new_page()
            transferred: list[tuple[str, int]] = []
            page.on("requestfinished", lambda r: transferred.append((r.url, r.sizes()["responseBodySize"])))
            page.goto(base, wait_until="networkidle")
            worker = next(u for u, _ in transferred if "/workers/search." in u)
            result = {"lunr": page.evaluate(_LUNR_JS, [worker, list(QUERIES), runs])}
            if pagefind:
                transferred.clear()
                for bundle in ("pagefind", "pagefind-records"):
                    transferred.clear()
                    page.evaluate(_PAGEFIND_JS, [[QUERIES[0]], 1, bundle])
                    result[f"{bundle}_first_bytes"] = sum(n for u, n in transferred if f"/{bundle}/" in u)
                    page.goto(base, wait_until="networkidle")  # a fresh module: the next bundle from scratch
                    result[bundle] = page.evaluate(_PAGEFIND_JS, [list(QUERIES), runs, bundle])
            chromium.close()
    finally:
        server.shutdown()
    return result


def pagefind_records(site: Path) -> float:
    """Index ``site`` with Pagefind, each flag entry its own record (from flags.json); the seconds taken.

    The entries' HTML is left out of the page records (``.flagref-entry``): a
    long reference page is ranked low by Pagefind, a short record of its own is not.
    """
    import asyncio

    from pagefind.index import IndexConfig, PagefindIndex

    flags = json.loads((site / "flags.json").read_text(encoding="utf-8"))["flags"]

    async def run() -> None:
        config = IndexConfig(output_path=str(site / "pagefind-records"), exclude_selectors=[".flagref-entry"])
        async with PagefindIndex(config=config) as index:
            await index.add_directory(str(site))
            for flag in flags:
                if flag["component"] is None:
                    continue
                words = flag["flag"].lstrip("-").replace("-", " ")
                await index.add_custom_record(
                    url="/" + flag["url"],
                    content=f"{flag['flag']} {words}. {flag['meaning'] or ''}",
                    language="en",
                    meta={"title": f"{flag['component']} {flag['flag']}"},
                )

    start = time.perf_counter()
    asyncio.run(run())
    return time.perf_counter() - start


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
    parser = argparse.ArgumentParser(description="Measure search and lookup on a generated site.")
    parser.add_argument("--n", type=int, action="append", help="corpus size (default 1000); repeat for several")
    parser.add_argument("--runs", type=int, default=1, help="builds per variant, interleaved; median kept")
    parser.add_argument("--queries", type=int, default=5, help="runs of each query")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--pagefind", action="store_true", help="also index the site with Pagefind and compare")
    parser.add_argument("--keep", action="store_true", help="keep and print the temporary folders")
    args = parser.parse_args(argv)

    for n in args.n or [1000]:
        tmp = Path(tempfile.mkdtemp(prefix="flagref-search-"))
        try:
            config, mirror, site = prepare(ROOT, n, args.seed, tmp)
            plain = mirror / "mkdocs.nosearch.yml"
            settings = yaml.safe_load(config.read_text(encoding="utf-8"))
            plain.write_text(
                yaml.safe_dump({**settings, "site_dir": str(tmp / "site-nosearch"), "plugins": []}), encoding="utf-8"
            )
            with_search, without = [], []
            for _ in range(args.runs):
                for variant, times in ((config, with_search), (plain, without)):
                    seconds, proc = build(variant, mirror, strict=False)
                    if proc.returncode != 0:
                        print((proc.stdout + proc.stderr)[-3000:], file=sys.stderr)
                        return 1
                    times.append(seconds)
            a, b = statistics.median(with_search), statistics.median(without)
            print(f"\nN = {n}: build")
            print_table(
                ["build", "median s", "min–max s"],
                [
                    ["with search", f"{a:.1f}", f"{min(with_search):.1f}–{max(with_search):.1f}"],
                    ["without search", f"{b:.1f}", f"{min(without):.1f}–{max(without):.1f}"],
                    ["search step", f"{a - b:+.1f}", f"{(a - b) / b:+.0%} of the build (budget ≤ +10%)"],
                ],
            )

            worker = next((site / "assets/javascripts/workers").glob("search.*.min.js"))
            index = site / "search/search_index.json"
            raw, packed = sizes([worker, index])
            rows = [["lunr (Material)", f"{raw / 1e3:.0f}", f"{packed / 1e3:.0f}", "", ""]]
            pagefind_seconds = None
            if args.pagefind:
                start = time.perf_counter()
                subprocess.run(
                    [sys.executable, "-m", "pagefind", "--site", str(site), "--output-subdir", "pagefind"],
                    check=True,
                    capture_output=True,
                )
                pagefind_seconds = time.perf_counter() - start
                records_seconds = pagefind_records(site)
            found = browser_queries(site, args.pagefind, args.queries)
            if pagefind_seconds is not None:
                first = found["pagefind_first_bytes"]
                rows.append(["Pagefind", "", f"{first / 1e3:.0f} (as sent)", f"{pagefind_seconds:.1f}", ""])
                first = found["pagefind-records_first_bytes"]
                rows.append(
                    ["Pagefind, flag records", "", f"{first / 1e3:.0f} (as sent)", f"{records_seconds:.1f}", ""]
                )
            print(f"\nN = {n}: what the first query downloads (budget ≤ 500 KB)")
            print_table(["engine", "KB raw", "KB gzip", "index s", ""], rows)

            print(f"\nN = {n}: later queries (budget ≤ 100 ms) and the rank of the entry")
            qrows = []
            lunr = found["lunr"]["out"]
            for q in QUERIES:
                row = [q, f"{statistics.median(lunr[q]['times'][1:] or lunr[q]['times']):.0f}"]
                row.append(rank(lunr[q]["pages"], ENTRIES[q]) if q in ENTRIES else f"{len(lunr[q]['pages'])} pages")
                row.append(lunr[q]["pages"][0][0] if lunr[q]["pages"] else "")
                if args.pagefind:
                    for bundle in ("pagefind", "pagefind-records"):
                        pf = found[bundle][q]
                        row.append(f"{statistics.median(pf['times'][1:] or pf['times']):.0f}")
                        row.append(rank(pf["pages"], ENTRIES[q]) if q in ENTRIES else f"{pf['total']} pages")
                qrows.append(row)
            headers = ["query", "lunr ms", "lunr rank", "lunr first"]
            if args.pagefind:
                headers += ["Pagefind ms", "Pagefind rank", "records ms", "records rank"]
            print_table(headers, qrows)
            print(f"(lunr index setup in the worker: {found['lunr']['setup']:.0f} ms, once per page load)")

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
