"""What the flag layer costs at scale: one table for N = 300, 1,000 and 3,000 generated posts.

For each N a throw-away project is laid out in a temporary directory: a
mirror of the project root made of symlinks, except ``hooks/`` and
``snippets/`` which are copied (``mkdocs serve`` watches them, and must not
see the working tree change under it), the project's docs without
``posts/`` plus N generated posts (``corpus.py``), and copies of
``mkdocs.yml`` that differ in one thing each:

* ``hooks``: the project's config as it is: the flag layer, and the search
  index built by Pagefind beside the build (Material's search plugin only
  draws the search box); with the cache folder an earlier build of the same
  posts filled (an untimed build first), as the author's builds run;
* ``hooks, cold cache``: the same, with the cache folder emptied before each
  run: the first build on a machine (every post read, the catalog too);
* ``no hooks``: the ``hooks:`` entry removed, the site MkDocs and Material make
  alone, with Material's own (lunr) search;
* ``no hooks, no search``: ``plugins: []`` as well, the bare site.

The builds run as whole ``python -m mkdocs build -q`` processes, interleaved
(one of each config, then again) so that a slow minute of the machine hits all
of them alike. Each row gives the median wall time with its min–max, the ratio
to the build without hooks, the cost per post, and the peak resident size
(``os.wait4``: ``ru_maxrss`` of the build process and the processes it waited
for, the largest of them: Pagefind and the decoration worker included; the
note gives the mkdocs process alone), and for the hooks how long Pagefind took
to write the index once the pages were rendered (it indexes each page as it is
rendered) and how long the build waited for it.

Then, where they can run: the engine alone (``bench_engine.py``'s child: the
posts read and parsed, no MkDocs), ``flagref lookup`` cold (empty cache) and
warm, and ``mkdocs serve``: the time from writing an edited post to the new
page being served, polled over HTTP on 127.0.0.1, with hooks and without.

Usage::

    python benchmarks/bench_scale.py [--n 300 --n 1000 --n 3000] [--runs 3] [--serve-runs 3]
        [--serve-max 1000] [--seed 0] [--keep]

Nothing is asserted: the script prints the table (the README shows the latest).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench_engine import run_child
from corpus import generate
from table import print_table

ROOT = Path(__file__).resolve().parents[1]
MIB = 1024 * 1024
MB = 1_000_000
START_DEADLINE = 900.0  # the first build of a served site of 3,000 posts
REBUILD_DEADLINE = 600.0
# The folders mkdocs.yml's watch: names (and serve's own).
WATCHED = frozenset({"hooks", "snippets"})
ENV = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", NO_MKDOCS_2_WARNING="1")

# A flag written in a manifest's command list or a transcript: "- --name=value" with the
# value up to the end of the line. One bounded class per part, no nested quantifiers.
_FLAG_LINE = re.compile(r"^(\s*- --[a-z0-9-]+=)([^\s]+)$", re.MULTILINE)


@dataclass(frozen=True)
class Variant:
    """One config of the comparison: its name and how it differs from the project's."""

    name: str
    hooks: bool
    search: bool
    cold: bool = False  # the hooks' cache folder emptied before each run: the first build on a machine


VARIANTS = (
    Variant("hooks", hooks=True, search=True),
    Variant("no hooks", hooks=False, search=True),
    Variant("no hooks, no search", hooks=False, search=False),
    Variant("hooks, cold cache", hooks=True, search=True, cold=True),
)
# ``python -m mkdocs``, printing at exit the peak RSS of the mkdocs process alone (RUSAGE_SELF: not
# Pagefind nor the decoration worker, whose exits skip atexit). Its line is read back by _OWN_PEAK_LINE.
_OWN_PEAK = (
    "import atexit, resource, runpy, sys\n"
    "atexit.register(lambda: print('own peak rss', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr))\n"
    "sys.argv[0] = 'mkdocs'\n"
    "runpy.run_module('mkdocs', run_name='__main__', alter_sys=True)\n"
)
_OWN_PEAK_LINE = re.compile(r"^own peak rss (\d+)$", re.MULTILINE)
# The hooks' build log line on the search step (Pagefind runs beside the build).
_SEARCH_LINE = re.compile(
    r"search: \d+ pages and flag records indexed as they were rendered, in (\d+) shards? \(Pagefind at most (\d+) MiB\); "
    r"the index written in ([\d.]+) s, ([\d.]+) s of it after"
)


@dataclass
class Sample:
    """Runs of one measure: wall seconds and peak RSS in bytes."""

    seconds: list[float] = field(default_factory=list)
    rss: list[int] = field(default_factory=list)
    own: list[int] = field(default_factory=list)  # the mkdocs process alone (its helpers left out)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def peak(self) -> float:
        return statistics.median(self.rss) if self.rss else 0.0

    @property
    def own_peak(self) -> float:
        return statistics.median(self.own) if self.own else 0.0


def drop_key(text: str, key: str, replacement: str | None = None) -> str:
    """``text`` (a YAML config) without its top-level ``key`` block, or with ``replacement`` in its place.

    Line based, because mkdocs.yml carries tags (``!relative``) that a safe YAML
    round trip would lose: the block is the ``key:`` line and the lines under it
    (indented, blank, or list items at column 0).
    """
    out: list[str] = []
    inside = False
    found = False
    for line in text.splitlines(keepends=True):
        if line.startswith(f"{key}:"):
            inside = found = True
            if replacement is not None:
                out.append(replacement + "\n")
            continue
        if inside and (not line.strip() or line[0] in " \t" or line.startswith("- ")):
            continue
        inside = False
        out.append(line)
    if not found:
        raise SystemExit(f"bench_scale: mkdocs.yml has no top-level {key}: entry")
    return "".join(out)


def prepare(project: Path, n: int, seed: int, tmp: Path) -> tuple[Path, dict[Variant, Path], list[Path]]:
    """Lay out one N in ``tmp``; return the mirror, one config per variant, and the posts written."""
    mirror = tmp / "project"
    mirror.mkdir()
    for entry in project.iterdir():
        if entry.name in WATCHED:
            # A copy, not a link: mkdocs serve watches these, and an edit or a __pycache__ file
            # written in the working tree during a run would start rebuilds nobody asked for.
            shutil.copytree(entry, mirror / entry.name, ignore=shutil.ignore_patterns("__pycache__"))
        elif entry.name not in {"docs", "site", "mkdocs.yml"}:
            (mirror / entry.name).symlink_to(entry, entry.is_dir())
    source = project / "docs"
    docs = mirror / "docs"
    shutil.copytree(source, docs, ignore=lambda d, names: ["posts"] if d == str(source) else [])
    posts = generate(n, docs, seed=seed)
    text = (project / "mkdocs.yml").read_text(encoding="utf-8")
    configs = {}
    for variant in VARIANTS:
        config = text if variant.hooks else drop_key(text, "hooks")
        config = config if variant.search else drop_key(config, "plugins", "plugins: []")
        path = mirror / f"mkdocs.{variant.name.replace(', ', '-').replace(' ', '-')}.yml"
        # Each config writes its own site, so no run reads another's leftovers.
        path.write_text(drop_key(config, "site_dir", f"site_dir: site-{path.stem}"), encoding="utf-8")
        configs[variant] = path
    return mirror, configs, posts


def run_measured(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, int, int, str]:
    """Run ``cmd``; return wall seconds, the child's own peak RSS in bytes, its exit code and output."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env or ENV, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode("utf-8", errors="replace")
    # Linux reports ru_maxrss in KiB, macOS in bytes.
    rss = usage.ru_maxrss if sys.platform == "darwin" else usage.ru_maxrss * 1024
    return seconds, rss, proc.returncode, text


def settle_disk() -> None:
    """Have the kernel finish writing (and discarding) what the last run left, before the next is timed.

    Removing a built site returns before the disk is done with it: on a disk
    mounted with ``discard`` the removal of the last run's 3,500 files went on
    for a fifth of a second into the next build, and a larger site (the
    hooks') handed a larger rest to whatever ran next.
    """
    if hasattr(os, "sync"):
        os.sync()


def time_builds(
    mirror: Path, configs: dict[Variant, Path], runs: int
) -> tuple[dict[Variant, Sample], list[tuple[float, float]]]:
    """Interleaved whole-process builds of every variant, ``runs`` times; and the search step's runs.

    A search run: the index written in (s), the build waited for it (s), its shards, the largest Pagefind (MiB).
    """
    samples = {variant: Sample() for variant in configs}
    search: list[tuple[float, float, int, int]] = []
    warm = next(config for variant, config in configs.items() if variant.hooks and not variant.cold)
    # Untimed: the hooks' cache (ENV's FLAGREF_CACHE_DIR) then holds what a build keeps for the next.
    run_measured([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(warm)], mirror)
    cold = mirror.parent / "cold-cache"
    for _ in range(runs):
        for variant, config in configs.items():
            shutil.rmtree(mirror / f"site-{config.stem}", ignore_errors=True)
            shutil.rmtree(cold, ignore_errors=True)
            settle_disk()
            env = dict(ENV, FLAGREF_CACHE_DIR=str(cold)) if variant.cold else ENV
            # Not -q for the hooks: their log says how long the search step took.
            quiet = [] if variant.hooks else ["-q"]
            cmd = [sys.executable, "-c", _OWN_PEAK, "build", *quiet, "-f", str(config)]
            seconds, rss, code, output = run_measured(cmd, mirror, env)
            own = _OWN_PEAK_LINE.search(output)
            if own:
                samples[variant].own.append(int(own.group(1)) * (1 if sys.platform == "darwin" else 1024))
            if code != 0:
                tail = "\n".join(output.strip().splitlines()[-20:])
                raise SystemExit(f"bench_scale: {variant.name} build failed (exit {code}):\n{tail}")
            samples[variant].seconds.append(seconds)
            samples[variant].rss.append(rss)
            found = _SEARCH_LINE.search(output) if variant.hooks and not variant.cold else None
            if found:
                shards, largest, ran, waited = found.groups()
                search.append((float(ran), float(waited), int(shards), int(largest)))
    return samples, search


def lookup_command() -> list[str] | None:
    """``flagref lookup`` of this interpreter's environment, or None when there is no such subcommand."""
    script = Path(sys.executable).parent / "flagref"
    if not script.is_file():
        return None
    probe = subprocess.run([str(script), "lookup", "--help"], capture_output=True, text=True, env=ENV, check=False)
    return [str(script), "lookup"] if probe.returncode == 0 else None


def time_lookup(command: list[str], docs: Path, tmp: Path, runs: int) -> tuple[Sample, Sample]:
    """``flagref lookup --etcd-servers``: the first run on an empty cache, then warm runs."""
    cold, warm = Sample(), Sample()
    for run in range(runs):
        env = dict(ENV, FLAGREF_CACHE_DIR=str(tmp / f"lookup-cache-{run}"))
        for sample in (cold, warm):
            seconds, rss, code, output = run_measured([*command, "--docs", str(docs), "etcd-servers"], tmp, env)
            if code != 0:
                raise SystemExit(f"bench_scale: flagref lookup failed (exit {code}):\n{output[-2000:]}")
            sample.seconds.append(seconds)
            sample.rss.append(rss)
    return cold, warm


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.read().decode("utf-8", errors="replace")
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return None


def wait_for(url: str, seen: Callable[[str], bool], deadline: float, process: subprocess.Popen) -> float | None:
    """Poll ``url`` until ``seen(page)``; the seconds it took, or None at the deadline or if serve exited."""
    start = time.perf_counter()
    while time.perf_counter() - start < deadline:
        if process.poll() is not None:
            return None
        page = fetch(url)
        if page is not None and seen(page):
            return time.perf_counter() - start
        time.sleep(0.05)
    return None


def time_serve(mirror: Path, config: Path, post: Path, url_path: str, runs: int, log: Path) -> Sample:
    """Edit one flag value of ``post`` ``runs`` times under ``mkdocs serve``; time each write to the new page."""
    port = free_port()
    cmd = [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}", "-f", str(config)]
    url = f"http://127.0.0.1:{port}{site_path(config)}{url_path}"
    original = post.read_text(encoding="utf-8")
    match = _FLAG_LINE.search(original)
    if match is None:
        raise SystemExit(f"bench_scale: {post} has no '- --flag=value' line to edit")
    sample = Sample()
    with log.open("w", encoding="utf-8") as out:
        process = subprocess.Popen(cmd, cwd=mirror, env=ENV, stdout=out, stderr=subprocess.STDOUT)
    try:
        if wait_for(url, lambda page: True, START_DEADLINE, process) is None:
            raise SystemExit(f"bench_scale: mkdocs serve did not serve {url}:\n{log.read_text()[-2000:]}")
        for run in range(runs):
            marker = f"edited{run}x{time.monotonic_ns()}"
            text = original[: match.start(2)] + marker + original[match.end(2) :]
            time.sleep(1.0)  # serve's watcher settles after the previous build
            start = time.perf_counter()
            post.write_text(text, encoding="utf-8")
            took = wait_for(url, lambda page, m=marker: m in page, REBUILD_DEADLINE, process)
            if took is None:
                raise SystemExit(f"bench_scale: the edit never reached {url}:\n{log.read_text()[-2000:]}")
            sample.seconds.append(time.perf_counter() - start)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)
        post.write_text(original, encoding="utf-8")
    return sample


def site_path(config: Path) -> str:
    """mkdocs serve mounts the site at the path of ``site_url``."""
    for line in config.read_text(encoding="utf-8").splitlines():
        if line.startswith("site_url:"):
            path = re.sub(r"^[a-z]+://[^/]*", "", line.split(":", 1)[1].strip())
            return "/" + path.strip("/") + "/" if path.strip("/") else "/"
    return "/"


def post_url(docs: Path, post: Path) -> str:
    """The directory URL of a post (``posts/a/b/``), as MkDocs publishes it."""
    return post.relative_to(docs).with_suffix("").as_posix() + "/"


def reads_line(log: Path) -> str:
    """The hook's last 'read N of M posts' line in a serve log, or ''."""
    lines = [
        line for line in log.read_text(encoding="utf-8", errors="replace").splitlines() if "flagref: read " in line
    ]
    return lines[-1].split("flagref: ", 1)[1] if lines else ""


def fmt_range(sample: Sample) -> str:
    return f"{min(sample.seconds):.2f}–{max(sample.seconds):.2f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The flag layer's cost at scale, as one table.")
    parser.add_argument("--n", type=int, action="append", help="corpus size; repeat (default 300, 1000, 3000)")
    parser.add_argument("--runs", type=int, default=3, help="interleaved builds per config (default 3)")
    parser.add_argument("--one-run-above", type=int, help="one build per config for larger N (a quick run)")
    parser.add_argument("--serve-runs", type=int, default=3, help="edits timed under mkdocs serve (default 3)")
    parser.add_argument("--serve-max", type=int, default=1000, help="largest N timed under serve (default 1000)")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed")
    parser.add_argument("--project", type=Path, default=ROOT, help="project root")
    parser.add_argument("--keep", action="store_true", help="keep and print the temporary directories")
    args = parser.parse_args(argv)
    project = args.project.resolve()
    lookup = lookup_command()

    headers = ["N", "measure", "median s", "min–max s", "× no hooks", "ms/post", "peak MiB", "× MiB", "note"]
    rows: list[list[str]] = []
    for n in args.n or [300, 1000, 3000]:
        tmp = Path(tempfile.mkdtemp(prefix="flagref-scale-"))
        # The hooks keep the catalog and the posts as read in a cache folder of this N's own.
        ENV["FLAGREF_CACHE_DIR"] = str(tmp / "cache")
        first = len(rows)
        try:
            mirror, configs, posts = prepare(project, n, args.seed, tmp)
            docs = mirror / "docs"
            size = sum(p.stat().st_size for p in posts)
            runs = 1 if args.one_run_above is not None and n > args.one_run_above else args.runs
            builds, search_runs = time_builds(mirror, configs, runs)
            base = builds[VARIANTS[1]]
            for variant, sample in builds.items():
                rows.append(
                    [
                        str(n),
                        f"build, {variant.name}",
                        f"{sample.median:.2f}",
                        fmt_range(sample),
                        f"{sample.median / base.median:.2f}",
                        f"{1000 * sample.median / n:.1f}",
                        f"{sample.peak / MIB:.0f}",
                        f"{sample.peak / base.peak:.2f}",
                        f"mkdocs process alone {sample.own_peak / MIB:.0f} MiB ({sample.own_peak / base.own_peak:.2f}×)"
                        if sample.own and base.own
                        else "",
                    ]
                )
            if search_runs:
                ran = statistics.median(r[0] for r in search_runs)
                waited = statistics.median(r[1] for r in search_runs)
                shards = max(r[2] for r in search_runs)
                largest = max(r[3] for r in search_runs)
                lunr = base.median - builds[VARIANTS[2]].median
                note = (
                    f"index written in {ran:.1f} s beside the build, in {shards} shard{'s' if shards != 1 else ''} "
                    f"(Pagefind at most {largest} MiB); "
                    f"Material's search costs the site without hooks {lunr:.1f} s"
                )
                rows.append([str(n), "search waited for", f"{waited:.2f}", "", "", "", f"{largest}", "", note])
            engine = run_child(docs, runs, project / "snippets")
            rows.append(
                [
                    str(n),
                    "engine alone",
                    f"{engine['first']:.2f}",
                    "",
                    "",
                    f"{1000 * engine['first'] / n:.1f}",
                    f"{engine['maxrss'] / MIB:.0f}",
                    "",
                    f"{n / engine['first']:.0f} posts/s, {size / MB / engine['first']:.2f} MB/s (cold)",
                ]
            )
            if lookup is not None:
                cold, warm = time_lookup(lookup, docs, tmp, runs)
                for name, sample in (("lookup cold", cold), ("lookup warm", warm)):
                    rows.append(
                        [
                            str(n),
                            name,
                            f"{sample.median:.2f}",
                            fmt_range(sample),
                            "",
                            "",
                            f"{sample.peak / MIB:.0f}",
                            "",
                            "",
                        ]
                    )
            if n <= args.serve_max and args.serve_runs > 0:
                # A post from the middle of the corpus with a flag line to edit.
                post = next(p for p in posts[len(posts) // 2 :] + posts if _FLAG_LINE.search(p.read_text("utf-8")))
                served = {}
                for variant in VARIANTS[:2]:
                    log = tmp / f"serve-{variant.name.replace(' ', '-')}.log"
                    served[variant] = time_serve(
                        mirror, configs[variant], post, post_url(docs, post), args.serve_runs, log
                    )
                    note = reads_line(log) if variant.hooks else ""
                    sample = served[variant]
                    rows.append(
                        [
                            str(n),
                            f"serve edit, {variant.name}",
                            f"{sample.median:.2f}",
                            fmt_range(sample),
                            "",
                            "",
                            "",
                            "",
                            note,
                        ]
                    )
                extra = served[VARIANTS[0]].median - served[VARIANTS[1]].median
                rows.append([str(n), "serve edit, hooks' share", f"{extra:.2f}", "", "", "", "", "", ""])
        finally:
            # Progress on stderr, so that a long run that stops early still shows what it measured.
            for row in rows[first:]:
                print("  ".join(cell for cell in row if cell), file=sys.stderr, flush=True)
            if args.keep:
                print(f"N={n}: kept {tmp}")
            else:
                shutil.rmtree(tmp, ignore_errors=True)

    print(
        f"whole processes, median of {args.runs} interleaved runs{' (1 above N=' + str(args.one_run_above) + ')' if args.one_run_above is not None else ''} (serve: {args.serve_runs} edits), seed {args.seed}, "
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs"
    )
    print_table(headers, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
