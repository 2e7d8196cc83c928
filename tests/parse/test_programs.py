"""programs.yaml and its loader: option syntax, carriers, strict reading, agreement with the catalog."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from flagref.catalog import load_catalog
from flagref.parse.programs import DEFAULT_PATH, Programs, ProgramsError, load_programs

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def programs() -> Programs:
    return load_programs()


# The programs the shell layer must know (coreutils, text, archives, network, system, containers...).
REQUIRED = """
ls cat cp mv rm mkdir chmod chown ln head tail cut sort uniq wc tr tee base64 date df du touch install stat
readlink realpath dirname basename echo printf grep sed awk jq yq tar gzip unzip curl wget ssh scp rsync openssl
systemctl journalctl apt apt-get yum dnf docker crictl ctr nerdctl podman git helm gcloud aws az cfssl cfssljson
sysctl modprobe swapoff ip iptables hostnamectl watch xargs timeout env sudo su nohup nice ps kill netstat ss lsof
nc dig nslookup ping vim nano minikube kind kubectx kubens gpg useradd usermod time exec strace chroot sh bash
""".split()


@pytest.mark.parametrize("name", REQUIRED)
def test_required_programs_are_described(programs: Programs, name: str) -> None:
    assert programs.known(name), name


@pytest.mark.parametrize(
    ("program", "option", "subcommand", "expected"),
    [
        ("sudo", "-u", None, True),
        ("sudo", "--user=root", None, True),
        ("sudo", "-E", None, False),
        ("sudo", "--preserve-env", None, False),  # value only when attached
        ("tar", "-f", None, True),
        ("tar", "-x", None, False),
        ("ssh", "-i", None, True),
        ("ssh", "-t", None, False),
        ("curl", "-o", None, True),
        ("curl", "-L", None, False),
        ("openssl", "-in", None, True),
        ("openssl", "-noout", "x509", False),
        ("openssl", "-days", "x509", True),
        ("openssl", "-newkey", "req", True),
        ("openssl", "-x509", "req", False),
        ("docker", "-v", "run", True),
        ("docker", "-v", None, False),  # --version at the top level
        ("docker", "-t", "build", True),
        ("docker", "-t", "run", False),
        ("kubectl", "-n", "exec", True),
        ("kubectl", "-c", "exec", True),
        ("kubectl", "--image", "create deployment", True),
        ("cfssl", "--ca-key", None, True),  # go style: one dash or two
        ("cfssl", "-ca-key", None, True),
        ("gcloud", "--command", "compute ssh", True),
        ("grep", "--color", None, False),
        ("grep", "-A", None, True),
        ("nosuchprogram", "-x", None, None),
        ("tar", "--no-such-option", None, None),
        ("tar", "not-an-option", None, None),
    ],
)
def test_takes_value(programs: Programs, program: str, option: str, subcommand: str | None, expected) -> None:
    assert programs.takes_value(program, option, subcommand) is expected


@pytest.mark.parametrize(
    ("program", "token", "subcommand", "expected"),
    [
        ("tar", "-xzf", None, ("-x", "-z", "-f")),
        ("tar", "-xzfout.tar", None, ("-x", "-z", "-fout.tar")),
        ("tar", "-x", None, ("-x",)),
        ("xargs", "-I{}", None, ("-I{}",)),
        ("ps", "-ef", None, ("-e", "-f")),
        ("curl", "-fsSL", None, ("-f", "-s", "-S", "-L")),
        ("docker", "-it", "exec", ("-i", "-t")),
        ("bash", "-lc", None, ("-l", "-c")),
        ("tar", "-xq", None, None),  # q is not a tar letter here
        ("tar", "--file", None, None),
        ("openssl", "-noout", None, None),  # single-dash long options never bundle
        ("gcloud", "-qh", None, None),  # bundle: false
        ("nosuchprogram", "-ab", None, None),
    ],
)
def test_split_bundle(programs: Programs, program: str, token: str, subcommand: str | None, expected) -> None:
    assert programs.split_bundle(program, token, subcommand) == expected


@pytest.mark.parametrize(
    ("program", "subcommand", "mode", "name", "operands", "option"),
    [
        ("sudo", None, "argv", "sudo", 0, None),
        ("env", None, "argv", "env", 0, None),
        ("timeout", None, "argv", "timeout", 1, None),
        ("chroot", None, "after-operand", "chroot", 1, None),
        ("ssh", None, "string", "ssh", 1, None),
        ("sh", None, "string", "sh -c", 0, "-c"),
        ("bash", None, "string", "bash -c", 0, "-c"),
        ("su", None, "string", "su -c", 0, "-c"),
        ("gcloud", "compute ssh", "string", "gcloud compute ssh", 0, "--command"),
        ("kubectl", "exec", "after-dashdash", "kubectl exec", 0, None),
        ("kubectl", "debug", "after-dashdash", "kubectl debug", 0, None),
        ("docker", "run", "after-operand", "docker run", 1, None),
        ("docker", "exec", "after-operand", "docker exec", 1, None),
        ("crictl", "exec", "after-operand", "crictl exec", 1, None),
        ("ctr", "run", "after-operand", "ctr run", 2, None),
    ],
)
def test_carriers(programs: Programs, program, subcommand, mode, name, operands, option) -> None:
    carrier = programs.carrier(program, subcommand)
    assert carrier is not None
    assert (carrier.mode, carrier.name, carrier.operands, carrier.option) == (mode, name, operands, option)


@pytest.mark.parametrize(
    ("program", "subcommand"), [("kubectl", None), ("kubectl", "get"), ("docker", "ps"), ("ls", None), ("x", None)]
)
def test_not_carriers(programs: Programs, program: str, subcommand: str | None) -> None:
    assert programs.carrier(program, subcommand) is None


@pytest.mark.parametrize(
    ("program", "words", "expected"),
    [
        ("kubectl", ["exec", "pod", "--", "sh"], ("exec", 1)),
        ("kubectl", ["-n", "exec", "exec", "pod"], ("exec", 3)),  # -n takes a value: the namespace "exec"
        ("kubectl", ["--namespace=x", "debug", "node/n"], ("debug", 2)),
        ("kubectl", ["get", "pods"], (None, 0)),
        ("gcloud", ["--project", "p", "compute", "ssh", "vm"], ("compute ssh", 4)),
        ("gcloud", ["compute", "instances", "list"], (None, 0)),
        ("docker", ["-H", "tcp://h", "run", "img"], ("run", 3)),
        ("ls", ["-l"], (None, 0)),
    ],
)
def test_find_subcommand(programs: Programs, program: str, words: list[str], expected) -> None:
    assert programs.find_subcommand(program, words) == expected


def test_keywords_and_builtins(programs: Programs) -> None:
    for word in ("for", "do", "done", "if", "then", "fi", "while", "case", "esac", "!", "{", "time"):
        assert programs.is_keyword(word), word
    for word in ("cd", "export", "echo", "source", "set", "unset", "read", "exec"):
        assert programs.is_builtin(word), word
    assert not programs.is_keyword("kubectl")
    assert not programs.is_builtin("kubectl")


def test_operand_kinds(programs: Programs) -> None:
    assert programs.operand_kind("vim") == "file"
    assert programs.operand_kind("nano") == "file"
    assert programs.operand_kind("ssh") == "host"
    assert programs.operand_kind("gcloud", "compute ssh") == "host"
    assert programs.operand_kind("nosuchprogram") is None


# --------------------------------------------------------------------------
# Agreement with the catalog: the engine asks the catalog first, this file second.


def _optional(programs: Programs, program: str, option: str, subcommand: str | None) -> bool:
    spec = programs.programs[program]
    scopes = [spec.commands[subcommand]] if subcommand in spec.commands else []
    return any(option in scope.optional for scope in scopes + [spec.scope])


def test_agrees_with_the_catalog(programs: Programs) -> None:
    catalog = load_catalog()
    checked = 0
    disagreements = []
    for component in catalog.components.values():
        if not programs.known(component.name):
            continue
        for flag in component.flags.values():
            spellings = [flag.flag] + ([flag.short_flag] if flag.short_flag and not flag.short_only else [])
            for spelling in spellings:
                for command in flag.commands or (None,):
                    mine = programs.takes_value(component.name, spelling, command)
                    if mine is None or _optional(programs, component.name, spelling, command):
                        continue
                    checked += 1
                    if mine != (flag.type != "bool"):
                        disagreements.append(f"{component.name} {command or ''} {spelling}: catalog {flag.type}")
    assert not disagreements, "\n".join(disagreements)
    assert checked > 150  # the comparison really ran


def test_optional_value_options_the_catalog_types_as_values(programs: Programs) -> None:
    # Options whose value must be attached (--color=auto) are exempt above; list them so a
    # reviewer sees where the catalog says "takes a value" and this file says "only attached".
    catalog = load_catalog()
    exempt = sorted(
        f"{component.name} {flag.flag}"
        for component in catalog.components.values()
        if programs.known(component.name)
        for flag in component.flags.values()
        if flag.type != "bool" and _optional(programs, component.name, flag.flag, None)
    )
    assert exempt == ["grep --color", "ls --color"]


# --------------------------------------------------------------------------
# Strict reading


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "programs.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


_GOOD = """\
shell:
  keywords: [do]
  builtins: [cd]
programs:
  tool:
    summary: A tool.
    value: [-o, --output]
    flag: [-v]
"""


def test_minimal_file_loads(tmp_path: Path) -> None:
    loaded = load_programs(_write(tmp_path, _GOOD))
    assert loaded.takes_value("tool", "--output") is True
    assert loaded.is_keyword("do") and loaded.is_builtin("cd")


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (_GOOD.replace("    flag: [-v]", "    flags: [-v]"), 8, "unknown key 'flags'"),
        (_GOOD + "  tool:\n    summary: Again.\n", 9, "duplicate key 'tool'"),
        (_GOOD.replace("flag: [-v]", "flag: [-v, -o]"), 8, "-o is listed twice"),
        (_GOOD.replace("flag: [-v]", "flag: [-vv]"), 8, "'-vv' is not an option"),
        (_GOOD.replace("flag: [-v]", "flag: [v]"), 8, "'v' is not an option"),
        (_GOOD.replace("    summary: A tool.\n", ""), 5, "missing `summary:`"),
        (_GOOD + "    carrier: {mode: teleport}\n", 9, "mode must be one of"),
        (_GOOD + "    carrier: {mode: string, option: -c}\n", 9, "list -c under `value` or `flag`"),
        (_GOOD + "    carrier: {mode: after-operand, operands: 0}\n", 9, "operands of 1 or more"),
        (_GOOD + "    style: fancy\n", 9, "style must be one of"),
        (_GOOD + "    bundle: false\n    dashless: true\n", 10, "dashless needs bundling"),
        (_GOOD + "    operand: thing\n", 9, "operand must be one of"),
        (_GOOD + "    commands:\n      Run:\n        flag: [-x]\n", 10, "not lower-case words"),
        (_GOOD.replace("keywords: [do]", "keywords: [do, do]"), 2, "listed twice"),
        (_GOOD + "other: 1\n", 9, "unknown key 'other'"),
        ("shell: {}\nprograms:\n  Tool:\n    summary: x\n", 3, "must be a lower-case command name"),
        ("programs: [\n", 2, "not valid YAML"),
    ],
)
def test_strict_errors_name_file_and_line(tmp_path: Path, text: str, line: int, words: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ProgramsError) as caught:
        load_programs(path)
    assert isinstance(caught.value, ValueError)
    message = str(caught.value)
    assert message.startswith(f"{path}:{line}:"), message
    assert words in message


def test_default_path_is_packaged_data() -> None:
    assert DEFAULT_PATH.name == "programs.yaml"
    assert DEFAULT_PATH.parent.name == "data"
    assert DEFAULT_PATH.is_file()


@pytest.mark.parametrize(
    ("program", "word", "expected"),
    [
        ("tar", "xzvfC", ("-x", "-z", "-v", "-f", "-C")),
        ("tar", "czf", ("-c", "-z", "-f")),
        ("tar", "cilium.tar.gz", None),  # not letters only
        ("tar", "xq", None),  # q is not a tar letter here
        ("ls", "la", None),  # ls reads no dashless bundle
    ],
)
def test_split_dashless(programs: Programs, program: str, word: str, expected) -> None:
    assert programs.split_dashless(program, word) == expected


def test_xargs_replace_string_takes_a_value(programs: Programs) -> None:
    # GNU xargs: -I REPLACE takes its value attached or as the next word; -i[REPLACE] only attached.
    assert programs.takes_value("xargs", "-I") is True
    assert programs.takes_value("xargs", "-i") is False
