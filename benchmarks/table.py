"""The one output format of the benchmarks: a right-aligned text table."""

from __future__ import annotations


def print_table(headers: list[str], rows: list[list[str]]) -> None:
    """Print ``rows`` right-aligned under ``headers``."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    print("  ".join(h.rjust(w) for h, w in zip(headers, widths, strict=True)))
    for row in rows:
        print("  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)))
