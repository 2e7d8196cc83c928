"""Jekyll front matter, read tolerantly: every problem has a line, and no post is rejected."""

from __future__ import annotations

import datetime as dt

import pytest

from flagref.parse.frontmatter import (
    date_from_filename,
    fallback_title,
    parse_front_matter,
    slug_from_filename,
    split_front_matter,
)

pytestmark = pytest.mark.unit


def _read(text: str, path: str = "posts/2020-01-02-x.md"):
    """The front matter, body, first body line and the warnings (info lines are tested on their own)."""
    front, body, first, diagnostics = parse_front_matter(path, text)
    return front, body, first, [str(d) for d in diagnostics if d.level == "warning"]


def test_a_post_without_a_title_says_where_its_title_comes_from():
    _, _, _, diagnostics = parse_front_matter(
        "posts/2021-05-01-bootstrap-a-cluster-with-kubeadm.md", "---\n#title: x\n---\nBody\n"
    )
    infos = [str(d) for d in diagnostics if d.level == "info"]
    assert len(infos) == 1 and "titled 'Bootstrap a cluster with kubeadm' from its file name" in infos[0]


def test_front_matter_and_where_the_body_starts():
    front, body, first, problems = _read("---\ntitle: T\ncategories: [kubernetes, etcd]\n---\nBody\n")
    assert (front.title, front.categories, front.date, body, first, problems) == (
        "T",
        ("kubernetes", "etcd"),
        dt.date(2020, 1, 2),
        "Body\n",
        5,
        [],
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("no front matter\n", (None, "no front matter\n", 1)),
        ("---\nunclosed: yes\nbody\n", (None, "---\nunclosed: yes\nbody\n", 1)),
        ("---\na: 1\n...\nbody\n", ("a: 1\n", "body\n", 4)),
        ("---\n---\nbody\n", ("", "body\n", 3)),
        ("", (None, "", 1)),
    ],
)
def test_split_front_matter(text, expected):
    assert split_front_matter(text) == expected


def test_invalid_yaml_is_reported_with_its_line_and_read_line_by_line():
    front, _, _, problems = _read('---\ntitle: a title: with a colon\ncategories: [k8s, "etcd\n---\n')
    assert front.title == "a title: with a colon"
    assert front.categories == ("k8s", "etcd")
    assert len(problems) == 1 and problems[0].startswith("posts/2020-01-02-x.md:2: front matter is not valid YAML (")


def test_front_matter_that_is_not_a_mapping_is_ignored():
    front, _, _, problems = _read("---\n- a\n- b\n---\n")
    assert front.title is None
    assert problems == ["posts/2020-01-02-x.md:2: front matter is not a mapping of key: value lines; ignored it"]


@pytest.mark.parametrize(
    ("value", "date", "problem"),
    [
        ("2019-10-24", dt.date(2019, 10, 24), None),
        ("2019-10-24 10:00:00 +0000", dt.date(2019, 10, 24), None),
        (
            "2020-02-30",
            dt.date(2020, 1, 2),
            "posts/2020-01-02-x.md:3: front matter date '2020-02-30' is impossible (day is out of range for month); "
            "write it as YYYY-MM-DD. Used the date in the file name instead",
        ),
        (
            "yesterday",
            dt.date(2020, 1, 2),
            "posts/2020-01-02-x.md:3: front matter date 'yesterday' is not a date; write it as YYYY-MM-DD. "
            "Used the date in the file name instead",
        ),
    ],
)
def test_dates(value, date, problem):
    front, _, _, problems = _read(f"---\ntitle: t\ndate: {value}\n---\n")
    assert front.date == date
    assert problems == ([problem] if problem else [])


def test_an_impossible_file_name_date_is_reported_on_line_1():
    front, _, _, problems = _read("text\n", path="posts/2020-13-01-x.md")
    assert front.date is None
    assert problems == [
        "posts/2020-13-01-x.md:1: file name date 2020-13-01 is impossible (month must be in 1..12); "
        "rename the file to YYYY-MM-DD-slug.md"
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("kubernetes etcd", ("kubernetes", "etcd")), ("[a, a, b]", ("a", "b")), ("", ()), ("3", ("3",))],
)
def test_categories_as_jekyll_reads_them(value, expected):
    front, _, _, _ = _read(f"---\ncategories: {value}\n---\n")
    assert front.categories == expected


def test_file_names():
    assert date_from_filename("posts/a/2019-10-24-etcd.md") == (dt.date(2019, 10, 24), None)
    assert date_from_filename("posts/etcd.md") == (None, None)
    assert slug_from_filename("posts/2019-10-24-etcd.md") == "etcd"
    assert slug_from_filename("posts/notes.markdown") == "notes"


def test_fallback_title_comes_from_the_file_name_as_jekyll_does():
    # A heading in the body stays the body's: the title is the file name's slug, in sentence case.
    assert fallback_title("posts/2020-01-01-x.md", "text\n## The heading ##\n") == "X"
    assert fallback_title("posts/2020-01-01-some_post-name.md", "no heading\n") == "Some post name"
    assert fallback_title("posts/2021-05-01-bootstrap-a-cluster-with-kubeadm.md") == "Bootstrap a cluster with kubeadm"
