"""Jekyll front matter, read tolerantly: a post is never rejected for it."""

from __future__ import annotations

import datetime as _dt
import re
from pathlib import PurePosixPath

from ..model import Diagnostic, FrontMatter
from .yamltext import YamlProblem, compose, to_python

_FENCE = re.compile(r"^---[ \t]*$")
_CLOSE = re.compile(r"^(---|\.\.\.)[ \t]*$")
_FILE_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})-(.+)$")
_KEY_LINE = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:[ \t]*(.*)$")
# A key commented out in front matter: "#", spaces, then "key:" (the classes are disjoint).
_COMMENTED_KEY = re.compile(r"^[ \t]*#[ \t#]*[A-Za-z_][\w-]*[ \t]*:", re.M)


def split_front_matter(text: str) -> tuple[str | None, str, int]:
    """Split ``text`` into (front matter source or None, body, body's first line).

    The first line of the body is 1-based in the original file, so that body
    line ``i`` (0-based) is file line ``first + i``.
    """
    lines = text.splitlines(keepends=True)
    if not lines or not _FENCE.match(lines[0].rstrip("\r\n")):
        return None, text, 1
    for i in range(1, len(lines)):
        if _CLOSE.match(lines[i].rstrip("\r\n")):
            return "".join(lines[1:i]), "".join(lines[i + 1 :]), i + 2
    # An opening fence with no closing one is not front matter (Jekyll agrees).
    return None, text, 1


def parse_front_matter(path: str, text: str) -> tuple[FrontMatter, str, int, list[Diagnostic]]:
    """Read the front matter of ``text`` (the post at ``path``).

    Returns the front matter, the body, the body's first file line and
    diagnostics. Invalid YAML is reported with its line and then read line by
    line as ``key: value`` so that what can be read is kept.
    """
    diagnostics: list[Diagnostic] = []
    source, body, first = split_front_matter(text)
    raw: dict = {}
    if source is not None:
        try:
            loaded = to_python(compose(source)) if source.strip() else {}
        except YamlProblem as exc:
            diagnostics.append(
                Diagnostic(
                    path,
                    2 + exc.line,
                    f"front matter is not valid YAML ({exc}); quote values that contain ': ' "
                    "or start with a special character. Read what could be read line by line",
                )
            )
            loaded = _read_loosely(source)
        if isinstance(loaded, dict):
            raw = loaded
        elif loaded is not None:
            diagnostics.append(Diagnostic(path, 2, "front matter is not a mapping of key: value lines; ignored it"))
    key_lines = _key_lines(source or "")
    title = _text(raw.get("title"))
    categories = _names(raw.get("categories", raw.get("category")))
    tags = _names(raw.get("tags"))
    date, date_problem = _date(raw.get("date"))
    if date_problem:
        diagnostics.append(
            Diagnostic(
                path,
                key_lines.get("date", 2),
                f"front matter date {date_problem}; write it as YYYY-MM-DD. Used the date in the file name instead",
            )
        )
    if date is None:
        date, file_problem = date_from_filename(path)
        if file_problem:
            diagnostics.append(
                Diagnostic(path, 1, f"file name date {file_problem}; rename the file to YYYY-MM-DD-slug.md")
            )
    if title is None:
        diagnostics.append(_untitled(path, source, key_lines))
    front = FrontMatter(title=title, categories=categories, tags=tags, date=date, raw=raw)
    return front, body, first, diagnostics


def date_from_filename(path: str) -> tuple[_dt.date | None, str | None]:
    """``2019-10-24-etcd.md`` -> 2019-10-24; a bad date is reported, not raised."""
    m = _FILE_DATE.match(PurePosixPath(path).name)
    if not m:
        return None, None
    y, mo, d = (int(g) for g in m.groups()[:3])
    try:
        return _dt.date(y, mo, d), None
    except ValueError as exc:
        return None, f"{y:04d}-{mo:02d}-{d:02d} is impossible ({exc})"


def slug_from_filename(path: str) -> str:
    """``2019-10-24-etcd.md`` -> ``etcd``."""
    stem = PurePosixPath(path).stem
    m = _FILE_DATE.match(stem)
    return m.group(4) if m else stem


def fallback_title(path: str, body: str = "") -> str:
    """Title for a post whose front matter gives none: its file name, as Jekyll titles it.

    ``2021-05-01-bootstrap-a-cluster-with-kubeadm.md`` -> ``Bootstrap a cluster
    with kubeadm``. The body is not read: a heading of the body is a heading of
    the body, shown under the title.
    """
    words = slug_from_filename(path).replace("_", "-").split("-")
    text = " ".join(w for w in words if w)
    return text[:1].upper() + text[1:] if text else path


def _untitled(path: str, source: str | None, key_lines: dict[str, int]) -> Diagnostic:
    """The info line for a post titled from its file name, saying why and what to write."""
    title = fallback_title(path)
    if source is None:
        why, line = "the post has no front matter", 1
    elif not key_lines and _COMMENTED_KEY.search(source):
        why, line = "the front matter's keys are all commented out (a line starting with #)", 2
    else:
        why, line = "the front matter has no title", 2
    return Diagnostic(
        path,
        line,
        f"{why}, so the post is titled {title!r} from its file name, as Jekyll does; "
        "add a title: line to the front matter to give it another",
        level="info",
    )


def _read_loosely(source: str) -> dict:
    out: dict = {}
    for line in source.splitlines():
        m = _KEY_LINE.match(line)
        if m and m.group(1) not in out:
            value = m.group(2).strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1]
            if value.startswith("["):
                # A flow list, perhaps the very line that broke the YAML.
                inner = value[1:-1] if value.endswith("]") else value[1:]
                out[m.group(1)] = [v.strip().strip("'\"") for v in inner.split(",") if v.strip()]
            else:
                out[m.group(1)] = value
    return out


def _key_lines(source: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for i, line in enumerate(source.splitlines()):
        m = _KEY_LINE.match(line)
        if m:
            out.setdefault(m.group(1), i + 2)
    return out


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _names(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        # Jekyll splits a string of categories on spaces.
        items = value.split()
    elif isinstance(value, (list, tuple)):
        items = [str(v).strip() for v in value if v is not None]
    else:
        items = [str(value)]
    seen: dict[str, None] = {}
    for item in items:
        if item:
            seen.setdefault(item, None)
    return tuple(seen)


def _date(value: object) -> tuple[_dt.date | None, str | None]:
    if value is None or value == "":
        return None, None
    if isinstance(value, _dt.datetime):
        return value.date(), None
    if isinstance(value, _dt.date):
        return value, None
    text = str(value).strip()
    m = re.match(r"^(\d{4})-(\d{1,2})-(\d{1,2})", text)
    if not m:
        return None, f"{text!r} is not a date"
    try:
        return _dt.date(*(int(g) for g in m.groups())), None
    except ValueError as exc:
        return None, f"{text!r} is impossible ({exc})"
