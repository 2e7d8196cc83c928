"""The fixed words of the catalog schema, and how releases compare.

README.md beside this module explains each word.
"""

from __future__ import annotations

#: The value vocabulary of ``type:``; README.md explains each word.
TYPES = frozenset(
    {
        "string",
        "bool",
        "int",
        "float",
        "duration",
        "url",
        "url-list",
        "path",
        "cidr",
        "ip",
        "port",
        "host-port",
        "string-list",
        "map",
        "enum",
        "quantity",
    }
)
KINDS = frozenset({"server", "tool"})
#: How a component spells its options (see README.md): ``gnu`` is pflag/getopt
#: (``--long``, ``-s`` short aliases that may be bundled); ``go`` is Go's
#: standard flag package (``-long`` and ``--long`` alike, no short aliases);
#: ``single`` is OpenSSL's ``-long``.
FLAG_STYLES = frozenset({"gnu", "go", "single"})
#: ``text`` appends a text fragment (``#:~:text=%2D%2Dname``) for pages without
#: per-flag anchors; ``heading`` appends ``#--name`` for pages with them.
ANCHORS = frozenset({"text", "heading"})
#: What :meth:`FlagSpec.status_at` answers.
STATUSES = ("ok", "deprecated", "removed", "unknown")
#: ``versions:`` values: the program's releases are Kubernetes releases.
VERSION_SCHEMES = frozenset({"kubernetes"})


def version_key(version: str) -> tuple[int, ...]:
    """``"1.9"`` -> ``(1, 9)``, so that 1.9 sorts before 1.10; a leading ``v`` is ignored."""
    parts = []
    for part in version.lstrip("v").split("."):
        parts.append(int(part) if part.isdigit() else -1)
    return tuple(parts)


def fragment(anchor: str, flag: str) -> str:
    """The URL fragment that points at ``flag`` on a page with ``anchor`` style."""
    if anchor == "heading":
        return "#" + flag
    # Text fragments treat "-" (and "&", ",") as syntax, so every character
    # that is not a plain ASCII letter or digit is percent-encoded.
    encoded = "".join(
        char if char.isascii() and char.isalnum() else "".join(f"%{b:02X}" for b in char.encode()) for char in flag
    )
    return "#:~:text=" + encoded


def release_spans(releases: tuple[str, ...]) -> list[str]:
    """``("1.27", "1.28", "1.29", "1.37")`` -> ``["1.27–1.29", "1.37"]``: runs of consecutive minors."""
    runs: list[list[str]] = []
    for release in sorted(set(releases), key=version_key):
        if runs:
            last = version_key(runs[-1][-1])
            key = version_key(release)
            if len(key) >= 2 and len(last) >= 2 and key[0] == last[0] and key[1] == last[1] + 1:
                runs[-1].append(release)
                continue
        runs.append([release])
    return [run[0] if len(run) == 1 else f"{run[0]}–{run[-1]}" for run in runs]
