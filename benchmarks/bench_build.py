"""Time real ``mkdocs build`` runs of the site on generated corpora.

For each N (default 100, 300 and 1000) the script builds a throw-away site:

* ``docs/`` in a temporary directory gets the project's own docs except
  ``posts/``, then N generated posts (see ``corpus.py``);
* a config ``mkdocs.bench.yml`` says ``INHERIT: <project>/mkdocs.yml`` and
  points ``docs_dir`` and ``site_dir`` into the temporary directory. MkDocs
  resolves the inherited relative paths (``hooks:``, ``theme.custom_dir``...)
  against the directory of the config it was given, so that config sits in a
  mirror of the project root made of symlinks (all but the docs and site
  directories);
* ``python -m mkdocs build -q -f mkdocs.bench.yml [--strict]`` runs as a
  subprocess and its wall time is measured.

Usage::

    python benchmarks/bench_build.py [--n 100 --n 1000] [--strict] [--runs 1]

Prints N, seconds, seconds per post and the number of HTML pages written. A
failed build is reported with the end of its output and makes the exit code 1.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml
from corpus import generate
from table import print_table

ROOT = Path(__file__).resolve().parents[1]


class _TolerantLoader(yaml.SafeLoader):
    """A safe loader that reads MkDocs' ``!ENV``/``!!python/name`` tags as None."""


_TolerantLoader.add_multi_constructor("", lambda loader, suffix, node: None)


def project_dirs(config: Path) -> tuple[str, str]:
    """Return the project's ``docs_dir`` and ``site_dir`` (as written)."""
    data: dict[str, Any] = yaml.load(config.read_text(encoding="utf-8"), _TolerantLoader) or {}
    return str(data.get("docs_dir") or "docs"), str(data.get("site_dir") or "site")


def prepare(project: Path, n: int, seed: int, tmp: Path) -> tuple[Path, Path, Path]:
    """Lay out one build in ``tmp``; return ``(config, mirror, site_dir)``."""
    config = project / "mkdocs.yml"
    docs_name, site_name = project_dirs(config)
    skip = {Path(docs_name).parts[0], Path(site_name).parts[0]}

    mirror = tmp / "project"
    mirror.mkdir()
    for entry in project.iterdir():
        if entry.name not in skip:
            (mirror / entry.name).symlink_to(entry, entry.is_dir())

    docs = tmp / "docs"
    source = project / docs_name
    if source.is_dir():
        shutil.copytree(source, docs, ignore=lambda d, names: ["posts"] if d == str(source) else [])
    generate(n, docs, seed=seed)

    site = tmp / "site"
    bench_config = mirror / "mkdocs.bench.yml"
    bench_config.write_text(
        yaml.safe_dump(
            {"INHERIT": str(config), "docs_dir": str(docs), "site_dir": str(site)},
            sort_keys=False,
        ),
        encoding="utf-8",
    )
    return bench_config, mirror, site


def build(config: Path, cwd: Path, strict: bool) -> tuple[float, subprocess.CompletedProcess]:
    """Run one ``mkdocs build``; return its wall time and the finished process."""
    cmd = [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config)]
    if strict:
        cmd.append("--strict")
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", NO_MKDOCS_2_WARNING="1")
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env, check=False)
    return time.perf_counter() - start, proc


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time mkdocs build on generated corpora.")
    parser.add_argument(
        "--n",
        type=int,
        action="append",
        help="corpus size in posts; repeat for several (default 100, 300, 1000)",
    )
    parser.add_argument("--strict", action="store_true", help="pass --strict to mkdocs")
    parser.add_argument("--runs", type=int, default=1, help="builds per N, best kept")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed")
    parser.add_argument("--project", type=Path, default=ROOT, help="project root")
    parser.add_argument("--keep", action="store_true", help="keep and print the temp dirs")
    args = parser.parse_args(argv)

    project = args.project.resolve()
    if not (project / "mkdocs.yml").is_file():
        print(f"bench_build: no mkdocs.yml in {project}", file=sys.stderr)
        return 2

    rows: list[list[str]] = []
    failed = False
    for n in args.n or [100, 300, 1000]:
        tmp = Path(tempfile.mkdtemp(prefix="flagref-build-"))
        try:
            config, mirror, site = prepare(project, n, args.seed, tmp)
            best: float | None = None
            for _ in range(args.runs):
                shutil.rmtree(site, ignore_errors=True)
                seconds, proc = build(config, mirror, args.strict)
                if proc.returncode != 0:
                    failed = True
                    tail = (proc.stdout + proc.stderr).strip().splitlines()[-20:]
                    print(
                        f"N={n}: mkdocs build failed (exit {proc.returncode}):",
                        file=sys.stderr,
                    )
                    print("\n".join(f"  {line}" for line in tail), file=sys.stderr)
                    best = None
                    break
                best = seconds if best is None else min(best, seconds)
            if best is None:
                rows.append([str(n), "FAILED", "-", "-"])
                continue
            pages = sum(1 for _ in site.rglob("*.html"))
            rows.append([str(n), f"{best:.2f}", f"{best / n:.4f}", str(pages)])
        finally:
            if args.keep:
                print(f"N={n}: kept {tmp}")
            else:
                shutil.rmtree(tmp, ignore_errors=True)

    mode = "--strict" if args.strict else "not strict"
    print(f"mkdocs build -q, {mode}, best of {args.runs} per N, seed {args.seed}")
    print_table(["N", "seconds", "s/post", "pages written"], rows)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
