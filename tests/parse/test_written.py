"""Each value as the post writes it (``FlagUse.written``) and as the program receives it (``FlagUse.value``)."""

from __future__ import annotations

import shlex

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import parse
from flagref.parse.argv import unquote
from flagref.parse.configs import _split_written
from flagref.parse.shell.words import dequote, written_tail

pytestmark = pytest.mark.unit  # but for the tests marked slow (see tests/conftest.py)


def _post(*blocks: str, info: str = "") -> str:
    body = "\n\n".join(f"```{info}\n{block}\n```" for block in blocks)
    return f"---\ntitle: t\n---\nText.\n\n{body}\n"


def _uses(text: str) -> list[tuple[str | None, str, str | None, str | None]]:
    """(program, flag, value, written) of every use in the post's blocks."""
    post = parse("posts/p.md", text)
    return [(u.component, u.flag, u.value, u.written) for u in post.uses if u.kind != "prose"]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        # Quotes around the value are written, not received.
        (
            '$ sudo kubeadm init --pod-network-cidr="192.168.0.0/16"',
            ("kubeadm", "--pod-network-cidr", "192.168.0.0/16", '"192.168.0.0/16"'),
        ),
        ("$ kubectl get po -o 'jsonpath={.items[*].metadata.name}'", None),
        # A variable is kept as written in both; its quotes only in the written form.
        (
            '$ etcd --advertise-client-urls="https://${INTERNAL_IP}:2379"',
            ("etcd", "--advertise-client-urls", "https://${INTERNAL_IP}:2379", '"https://${INTERNAL_IP}:2379"'),
        ),
        ("$ etcd --name=$NAME", ("etcd", "--name", "$NAME", "$NAME")),
        # Quotes around the flag and its value: nothing is written around the value alone.
        (
            '$ kubeadm init "--pod-network-cidr=10.0.0.0/8"',
            ("kubeadm", "--pod-network-cidr", "10.0.0.0/8", "10.0.0.0/8"),
        ),
        # A value in the next word is that word as written.
        ("$ cut -d ' ' -f 1 file", ("cut", "-d", " ", "' '")),
    ],
)
def test_a_command_line_keeps_each_value_as_written(line, expected):
    uses = _uses(_post(line))
    if expected is None:
        # -o 'jsonpath=...': the program receives it unquoted.
        (use,) = [u for u in uses if u[1] == "-o"]
        assert use == ("kubectl", "-o", "jsonpath={.items[*].metadata.name}", "'jsonpath={.items[*].metadata.name}'")
        return
    assert expected in uses


def test_a_continued_command_line_is_joined_in_both_forms():
    uses = _uses(_post('$ kube-apiserver \\\n  --etcd-servers="https://10.0.0.1:2379" \\\n  --v=2'))
    assert ("kube-apiserver", "--etcd-servers", "https://10.0.0.1:2379", '"https://10.0.0.1:2379"') in uses
    assert ("kube-apiserver", "--v", "2", "2") in uses


def test_a_unit_file_keeps_its_values_as_written():
    unit = (
        "cat <<EOF | sudo tee /etc/systemd/system/etcd.service\n"
        "[Service]\n"
        "ExecStart=/usr/local/bin/etcd \\\\\n"
        "  --name='etcd-1' \\\\\n"
        "  --data-dir=/var/lib/etcd\n"
        "Environment=\"KUBELET_EXTRA_ARGS=--node-labels='role=etcd'\"\n"
        "EOF"
    )
    uses = _uses(_post(unit, info="bash"))
    assert ("etcd", "--name", "etcd-1", "'etcd-1'") in uses
    assert ("etcd", "--data-dir", "/var/lib/etcd", "/var/lib/etcd") in uses
    assert ("kubelet", "--node-labels", "role=etcd", "'role=etcd'") in uses


def test_an_environment_file_keeps_its_quotes():
    uses = _uses(_post('$ cat /etc/etcd/etcd.conf\nETCD_NAME="etcd-1"\nETCD_DATA_DIR=/var/lib/etcd'))
    assert ("etcd", "--name", "etcd-1", '"etcd-1"') in uses
    assert ("etcd", "--data-dir", "/var/lib/etcd", "/var/lib/etcd") in uses


def test_a_manifest_value_is_written_as_it_is_read():
    manifest = (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: etcd\nspec:\n  containers:\n  - command:\n"
        '    - etcd\n    - --name="etcd-1"\n    - --data-dir=/var/lib/etcd\n    image: etcd'
    )
    uses = _uses(_post(manifest, info="yaml"))
    assert uses and all(written == value for _, _, value, written in uses)


def test_a_flag_without_a_value_has_no_written_value():
    uses = _uses(_post("$ kubectl get po --all-namespaces"))
    assert ("kubectl", "--all-namespaces", None, None) in uses


@pytest.mark.parametrize(
    ("value", "written", "tail", "expected"),
    [
        ("--a=b c", '--a="b c"', "b c", '"b c"'),
        ("--a=b c", '"--a=b c"', "b c", None),  # the quote opens before the tail
        ("--a=x", "--a=x", "x", "x"),
        ("--a=", '--a=""', "", '""'),
        ("--a=x", r"--\a=x", "x", None),  # an escape before the tail
        ("x", "'x'", "y", None),  # not the end of the word
    ],
)
def test_written_tail(value, written, tail, expected):
    assert written_tail(value, written, tail) == expected


# Printable characters that keep a line one line (U+0085 breaks it for str.splitlines).
_WORD = st.text(
    alphabet=st.characters(min_codepoint=32, max_codepoint=0x24F, blacklist_characters="\x7f\x85"), max_size=12
)
_NAME = st.from_regex(r"[a-z][a-z0-9-]{0,10}[a-z0-9]", fullmatch=True)


@pytest.mark.slow
@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(st.tuples(_NAME, _WORD), min_size=1, max_size=5))
def test_shell_quoted_values_are_received_as_given_and_written_as_quoted(pairs):
    # An unknown program: every `--name=value` word is one flag with its value.
    line = "$ someprogram " + " ".join(f"--{name}={shlex.quote(value)}" for name, value in pairs)
    uses = [u for u in _uses(_post(line)) if u[0] == "someprogram"]
    assert [(flag, written) for _, flag, _, written in uses] == [(f"--{n}", shlex.quote(v)) for n, v in pairs]
    for _, _, value, written in uses:
        # What the shell makes of the written form is the value, as the flag reader takes it
        # (blanks at its end and one pair of quotes around it left out).
        assert value == unquote(dequote(written).rstrip())


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(st.lists(_WORD, max_size=6))
def test_split_written_gives_each_word_as_quoted(words):
    text = shlex.join(words)
    values, written = _split_written(text)
    assert list(values) == shlex.split(text)
    assert written == tuple(shlex.quote(w) for w in words)
