"""Terminal transcripts read into commands and flags: one case per shape in tests/fixtures/cases/transcripts.txt.

The cases go through ``parse_post`` (prompts, continuations, the shell reader
and the argument reader together), so they describe what the post's model
holds whichever module splits the block.
"""

from __future__ import annotations

import pytest

from conftest import Case, assert_case, case_params, parse
from flagref.model import Command, Post

pytestmark = pytest.mark.unit


def _word(command: Command, index: int, word: str) -> str:
    shown = repr(word) if not word or any(c.isspace() for c in word) else word
    # A word written on a continuation line keeps that line: shown as word@line.
    origin = command.arg_origins[index] if index < len(command.arg_origins) else command.origin
    return shown if origin.line == command.origin.line else f"{shown}@{origin.line}"


def describe(post: Post) -> list[str]:
    """``$ LINE [@HOST] TOOL ARGS`` per command, ``flag LINE COMPONENT FLAG[=VALUE]`` per use, then unparsed lines."""
    out = []
    for command in post.commands:
        host = f" @{command.host}" if command.host else ""
        words = " ".join(_word(command, i, w) for i, w in enumerate(command.argv))
        out.append(f"$ {command.origin.line}{host} {command.tool} {words}".rstrip())
    for use in post.uses:
        if use.kind == "command":
            value = "" if use.value is None else f"={use.value}"
            spelling = f" (as {use.spelling})" if use.spelling else ""
            out.append(f"flag {use.line} {use.component or '?'} {use.flag}{value}{spelling}")
    out += [f"unparsed {u.line} {u.text.strip()}" for u in post.unparsed]
    return out


@pytest.mark.parametrize("case", case_params("transcripts.txt"))
def test_transcripts(case: Case) -> None:
    assert_case(case, describe(parse("posts/2020-01-01-case.md", case.text)))


def test_a_heredoc_never_closed_stops_at_the_next_prompt():
    # The terminal prompts again only once the shell took the command: what follows is typed, not a body.
    post = parse(
        "posts/x.md",
        "```\n$ cat <<EOF > x\n$ kubectl get po -n kube-system\n$ kubectl logs -f x --tail=5\n```\n",
    )
    assert [(u.flag, u.value, u.line) for u in post.uses] == [
        ("-n", "kube-system", 3),
        ("-f", None, 4),
        ("--tail", "5", 4),
    ]
    assert [u.line for u in post.unparsed] == [2]  # the heredoc's own line is reported, not dropped


@pytest.mark.parametrize("dash", ["\u2013", "\u2014", "\u2212", "\u2013-", "\u2013\u2013"])
def test_a_flag_with_a_typographic_dash_is_reported_with_what_to_write(dash):
    post = parse(
        "posts/x.md", f"```\n$ kube-apiserver {dash}etcd-servers=https://127.0.0.1:2379\nan \u2013 aside\n```\n"
    )
    (unparsed,) = post.unparsed
    assert unparsed.line == 2
    message = str(unparsed.diagnostic())
    assert f"{dash}etcd-servers starts with a typographic dash" in message
    assert message.endswith("write it as --etcd-servers")
