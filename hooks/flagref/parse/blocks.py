"""Code blocks to flag uses: manifests, typed commands, unit and environment files, output.

One ``BlockReader`` reads every block of a post. A block of YAML is read as
manifests; any other block as a terminal showed it (:mod:`.commands`): each
command through the shell reader (:mod:`.shell`), so every flag goes to the
program that receives it; heredoc bodies and files shown with ``cat`` as the
file they are (a unit, an env file, a manifest); other output only where it
shows a command line (``ps -ef``) or a manifest cut by ``grep``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from ..catalog import Catalog, FlagSpec
from ..checks.secrets import mask_values
from ..model import Command, Fence, FlagUse, Manifest, Origin, Unparsed
from .argv import FLAG_TOKEN, is_truncation, parse_argv, subcommand
from .commands import SHELL_INFO, TypedCommand, split_block
from .components import known_component, kubectl_target, kubernetes_names
from .configs import is_env_assignment, is_unit, read_config
from .identity import Identifier
from .manifests import looks_like_yaml, parse_manifests
from .memo import memo_of
from .objects import Hint, read_object
from .programs import Programs
from .shell import Invocation, Word, parse_script
from .shell.words import written_tail

Line = tuple[Origin, str]
# Programs whose output is a file's text: what follows `cat FILE` is FILE.
_VIEWERS = frozenset({"cat", "less", "more", "head", "tail", "bat", "nano", "vi", "vim", "view", "grep", "egrep"})
# Carriers that run a container image: the carried command runs inside it.
_RUNNERS = frozenset({"docker run", "podman run", "nerdctl run", "docker exec", "kubectl run"})
# An image's tag or digest.
_IMAGE_TAG = re.compile(r"[:@].*$")
# Programs that cut their input into lines: a manifest passed through them is no longer a document.
_FILTERS = frozenset({"grep", "egrep", "fgrep", "head", "tail", "sed", "awk", "cut"})
# A flag alone on an output line, as `grep` shows a manifest's args: `    - --authorization-mode=Node,RBAC`.
_FLAG_ITEM = re.compile(r"^\s*(?:-\s+)?[\"']?(--[A-Za-z0-9][A-Za-z0-9_.-]*(?:=[^\s\"']*)?)[\"']?,?\s*$")
# A manifest file of a static Pod: /etc/kubernetes/manifests/kube-apiserver.yaml.
# A heredoc whose delimiter is quoted (<<'EOF', <<"EOF", <<\EOF): its body is written as is.
_QUOTED_HEREDOC = re.compile(r"<<-?[ \t]*['\"\\]")
# A log line: it starts with a date (2024-01-02), a month name and a day (Mar 29), or klog's I0102.
_LOG_LINE = re.compile(
    r"^\s*(?:\d{4}[-/]\d\d[-/]\d\d|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s+\d{1,2}\s|[IWEF]\d{4}\s)"
)
# A quoted flag in a JSON/flow list, and the quoted strings of such a line (no escapes inside: argv words).
_JSON_ARGV = re.compile(r"[\[,]\s*\"-")
_QUOTED = re.compile(r"\"([^\"]*)\"")
_MANIFEST_FILE = re.compile(r"(?:^|/)(?P<name>[a-z][a-z0-9-]*)\.ya?ml$")


@dataclass(frozen=True)
class Shown:
    """What a command says about its output: the host, the object kubectl printed, the file shown, the filters."""

    host: str | None
    hint: Hint
    file: str | None
    filtered: bool
    named: str | None  # a control-plane program the command names


@dataclass(frozen=True, slots=True)
class _Entry:
    """An argv word, or a piece of one (a letter of ``-xzf``), as the flag reader sees it."""

    item: int  # the word it stands for: the flag's line is that word's
    text: str
    source: int | None  # the word its value text comes from, if any
    whole: bool  # the entry is that whole word, as received


@dataclass(frozen=True, slots=True)
class ArgvFlag:
    """A flag read from argv words, located by word index so that the reading holds wherever the words are."""

    item: int  # the word the flag is read from
    flag: str  # with its dashes
    value: str | None  # as the program receives it
    spelling: str | None  # the word as written when it was split (a bundle -it)
    source: int | None  # the word the value is read from (None: not from one word as received)
    text: str | None  # the value's text in that word, when it is a part of it (None: the whole word)
    identity: tuple[FlagSpec | None, str, bool]  # (catalog entry, canonical name, secret)


@dataclass(frozen=True, slots=True)
class ArgvReading:
    """The flags of argv words, and the words that yielded none: (word, text, reason, advice)."""

    flags: tuple[ArgvFlag, ...]
    problems: tuple[tuple[int, str, str, str], ...]


class BlockReader:
    """Collects the records of every code block of one post."""

    def __init__(self, catalog: Catalog, programs: Programs, ident: Identifier) -> None:
        self.catalog = catalog
        self.programs = programs
        self.ident = ident
        self.uses: list[FlagUse] = []
        self.unparsed: list[Unparsed] = []
        self.commands: list[Command] = []
        self.manifests: list[Manifest] = []
        self.known = frozenset(catalog.components)
        # Programs whose command line `ps -ef` or a `cat` of /proc shows: the catalog's servers.
        self.servers = frozenset(n for n, c in catalog.components.items() if c.kind == "server")
        # (block, host, kubectl target, file shown) of the last command, while its output may follow in the next block.
        self.pending: tuple[int, Shown] | None = None
        self.named: dict[int, str | None] = {}
        # data/kubernetes.yaml, read once per post rather than at every word asked about.
        self.names = kubernetes_names()
        # Readings of argv words, kept with the catalog and the program data they were read against.
        self.argv_memo = memo_of(catalog, ("argv", programs))

    # -- flags ----------------------------------------------------------

    def takes_value(self, component: str | None, command: str | None):
        """Whether each of ``component``'s flags takes a value under ``command``: catalog type, then programs.yaml."""

        def takes(flag: str) -> bool | None:
            # kubectl logs -f is --follow, kubectl apply -f is --filename.
            spec = self.catalog.lookup(component, flag, command=command) if component else None
            if spec is not None:
                return spec.type != "bool"
            return self.programs.takes_value(component, flag, command) if component else None

        return takes

    def subcommand(self, program: str | None, words: Sequence[str]) -> str | None:
        """The subcommand of ``program``'s argv ``words`` (``create deployment web``), as its options are read."""
        return subcommand(words, self.takes_value(program, None))

    def bundle(self, component: str | None, token: str, command: str | None) -> tuple[str, ...] | None:
        """``-it`` -> ``("-i", "-t")``, ``-xzf`` -> ``("-x", "-z", "-f")``, as the program reads it."""
        if component is None or token.startswith("--") or len(token) < 3 or "=" in token:
            return None
        return self.catalog.split_shorts(component, token) or self.programs.split_bundle(component, token, command)

    def dashless(self, component: str | None, words: Sequence[str]) -> list[_Entry] | None:
        """tar ``xzvfC FILE DIR``: old-style letters without a dash; each value is the next word, in order.

        ``None`` when the first word is not such a run of letters.
        """
        letters = self.programs.split_dashless(component, words[0]) if component and words else None
        if not letters:
            return None
        rest = list(range(1, len(words)))
        out: list[_Entry] = []
        for letter in letters:
            if self.programs.takes_value(component, letter) and rest:
                at = rest.pop(0)
                out.append(_Entry(0, f"{letter}={words[at]}", at, False))
            else:
                out.append(_Entry(0, letter, None, False))
        return out + [_Entry(at, words[at], at, True) for at in rest]

    def attached(self, component: str | None, token: str, command: str | None, takes) -> tuple[str, ...] | None:
        """``-A1``, ``-c1-20``, ``-I{}``: a one-letter option with its value attached, when the letter takes one."""
        if component is None or token.startswith("--") or len(token) < 3 or not token.startswith("-") or "=" in token:
            return None
        if self.catalog.lookup(component, token, command=command) is not None:
            return None  # a single-dash long option the catalog knows (etcd -name)
        letter = token[:2]
        return (token,) if takes(letter) else None

    def read_words(self, words: Sequence[str], component: str | None, command: str | None) -> ArgvReading:
        """The flags of argv ``words`` as ``component`` reads them under ``command``, each with its identity.

        A pure function of the words, the program, the catalog and the
        program data: the reading is kept and given again for the same words
        (``kubectl get po -n kube-system`` in post after post).
        """
        key = (tuple(words), component, command)
        found = self.argv_memo.get(key)
        if found is None:
            found = self.argv_memo.put(key, self._read_words(key[0], component, command), sum(map(len, key[0])))
        return found

    def _read_words(self, words: tuple[str, ...], component: str | None, command: str | None) -> ArgvReading:
        takes = self.takes_value(component, command)
        entries: list[_Entry] = []
        spellings: list[str | None] = []
        for entry in self.dashless(component, words) or [_Entry(i, w, i, True) for i, w in enumerate(words)]:
            token = entry.text.strip()
            parts = self.bundle(component, token, command) or self.attached(component, token, command, takes)
            if not parts:
                entries.append(entry)
                spellings.append(None)
                continue
            for part in parts:
                # A letter with its value attached (-A1, -I{}, -fout.tar) is read as -A=1.
                text = part if len(part) < 3 or part[2] == "=" else part[:2] + "=" + part[2:]
                entries.append(_Entry(entry.item, text, entry.source, False))
                spellings.append(token)
        # Each entry's origin says which word it stands for (the line is the word's index).
        flags, _, problems = parse_argv([(Origin("", e.item), e.text) for e in entries], takes)
        read = []
        for f in flags:
            source, text = None, f.value_text
            if f.value_index is not None:
                holder = entries[f.value_index]
                if f.value_index != f.index:
                    # The next word is the value: as written when that entry is the whole word.
                    source, text = (holder.source, None) if holder.whole else (None, None)
                else:
                    source = holder.source
            identity = self.ident.identify(component, f.flag, f.value, command)
            read.append(ArgvFlag(f.origin.line, f.flag, f.value, spellings[f.index], source, text, identity))
        return ArgvReading(tuple(read), tuple((u.line, u.text, u.reason, u.advice) for u in problems))

    def code_span_flags(self, origin: Origin, text: str) -> list[tuple[str, str, str | None, str | None]]:
        """``kubectl get po -n kube-system`` written inline in the text: (program, flag, value, subcommand) of each option.

        Only when the span starts with a program the catalog or the program data
        knows; a span of prose words gives nothing.
        """
        first = text.split(maxsplit=1)[0].rsplit("/", 1)[-1] if text.strip() else ""
        if not (first in self.known or self.programs.known(first)) or " -" not in text:
            return []
        found = []
        for invocation in parse_script([text], self.programs).invocations:
            words = [w.value for w in invocation.args]
            command = self.subcommand(invocation.program, words)
            reading = self.read_words(words, invocation.program, command)
            found.extend((invocation.program, f.flag, f.value, command) for f in reading.flags)
        return found

    def add_argv(
        self,
        items: Sequence[Line],
        component: str | None,
        kind: str,
        block: int,
        *,
        written: Sequence[str | None] | None = None,
        obj: str | None = None,
        container: str | None = None,
        host: str | None = None,
        command: str | None = None,
        inferred: bool = False,
    ) -> dict[str, str | None]:
        """Flags of ``items`` (argv words with their lines) as uses of ``component``; canonical name -> value.

        ``written``: each word as the post writes it (quotes kept), when it is
        shell text; the uses then keep their values as written too.
        """
        values = [w for _, w in items]
        reading = self.read_words(values, component, command)
        for at, text, reason, advice in reading.problems:
            origin = items[at][0]
            self.unparsed.append(Unparsed(origin.path, origin.line, text, reason, advice))
        flags = reading.flags
        if obj and kind == "command":
            # The command line is shown as context: it must not show what the values hide
            # (masked before shortening, so no part of a secret survives the cut).
            obj = _shorten(mask_values(obj, (f.value for f in flags if f.identity[2])))
        made = []
        for f in flags:
            origin = items[f.item][0]
            made.append(
                self.ident.use(
                    origin.path,
                    origin.line,
                    block,
                    kind,
                    component,
                    f.flag,
                    f.value,
                    identity=f.identity,
                    object=obj,
                    container=container,
                    spelling=f.spelling,
                    host=host,
                    inferred=inferred,
                    written=_written(f, values, written) if written is not None else None,
                )
            )
        self.uses.extend(made)
        return {use.name: use.value for use in made}

    # -- blocks ---------------------------------------------------------

    def read(self, fence: Fence) -> None:
        """Read one code block: a bare manifest, the previous command's output, or commands and their output."""
        body = list(zip(fence.origins, fence.body))
        info = fence.info.split()[0].lower() if fence.info.split() else ""
        commands, loose = split_block(body, self.programs, self.known, shell=info in SHELL_INFO)
        if not any(c.prompted for c in commands) and looks_like_yaml(fence.body) and not _has_shell(commands):
            self.read_objects(fence.index, body, (None, None, None))
            return
        pending, self.pending = self.pending, None
        if not commands and pending is not None and pending[0] == fence.index - 1:
            # The output of the previous block's last command, shown in a block of its own.
            self.read_shown(fence.index, loose, pending[1])
            return
        for typed in commands:
            self.read_command(fence.index, typed)
        self.read_output(fence.index, loose, None)

    def read_command(self, block: int, typed: TypedCommand) -> None:
        """Read a command typed at a prompt: its invocations, the files its heredocs write, and its output."""
        lines = typed.lines
        if all(is_env_assignment(t) and "$(" not in t and "`" not in t for _, t in lines):
            # export ETCDCTL_ENDPOINTS=..., ETCD_NAME=...: settings, not a command
            self.read_file(block, lines, typed.host)
            return
        script = parse_script([t for _, t in lines], self.programs)
        for problem in script.problems:
            origin = lines[min(problem.line, len(lines) - 1)][0]
            advice = "check the line's quotes and brackets; if they are right, report the line as a parser bug"
            self.unparsed.append(Unparsed(origin.path, origin.line, problem.text, problem.reason, advice))
        hint = (None, None, None)
        shown_file: str | None = None
        filtered = any(i.program in _FILTERS for i in script.invocations)
        # A control-plane program the command names (pgrep kube-apiserver, crictl ps --name etcd).
        named = next(
            (c for i in script.invocations for w in i.args if (c := known_component(w.value, self.names))), None
        )
        # A container ID found by an earlier command of the block (crictl ps --name kube-apiserver) names it still.
        named = self.named[block] = named or self.named.get(block)
        last: dict[str, Invocation] = {}  # the latest invocation of each program, to find a carrier
        for invocation in script.invocations:
            runner = last.get((invocation.carried_by or "").split(" ", 1)[0])
            invocation = self.entrypoint(invocation, runner)
            last[invocation.program] = invocation
            seen = self.read_invocation(block, lines, invocation, typed.host)
            if invocation.program == "kubectl" and hint == (None, None, None):
                hint = kubectl_target(tuple(w.value for w in invocation.args), seen, self.names)
            if invocation.program in _VIEWERS and invocation.args:
                shown_file = invocation.args[-1].value
        expands = not _QUOTED_HEREDOC.search(lines[0][1]) if lines else True
        for heredoc in script.heredocs:
            start = heredoc.line
            body = lines[start : start + len(heredoc.body)]
            if expands:  # <<EOF, not <<'EOF': the shell turns \\ into \ and \$ into $ before the file is written
                body = [(o, _unescape(t)) for o, t in body]
            self.read_file(block, body, typed.host, target=heredoc.target)
        shown = Shown(typed.host, hint, shown_file, filtered, named)
        if typed.output:
            self.read_shown(block, typed.output, shown)
        else:
            self.pending = (block, shown)

    def entrypoint(self, invocation: Invocation, runner: Invocation | None) -> Invocation:
        """``docker run cfssl/cfssl gencert ...``: the image's program receives ``gencert`` and its options.

        When a container runner carries a word that is no program the data
        knows, and the image is named after one (``cfssl/cfssl:1.6`` ->
        ``cfssl``), the image's program is the one that runs, with that word
        as its first argument.
        """
        if runner is None or invocation.carried_by not in _RUNNERS or not runner.args:
            return invocation
        image = _IMAGE_TAG.sub("", runner.args[-1].value.rsplit("/", 1)[-1])
        if self.programs.known(invocation.program) or not (self.programs.known(image) or image in self.known):
            return invocation
        word = Word(invocation.executable, invocation.executable, invocation.line)
        return replace(invocation, program=image, args=(word, *invocation.args))

    def read_invocation(
        self, block: int, lines: Sequence[Line], invocation: Invocation, host: str | None
    ) -> dict[str, str | None]:
        """Record one program run as a ``Command`` and read its flags; canonical name -> value."""
        origin = lines[min(invocation.line, len(lines) - 1)][0]
        args = invocation.args
        items = [(lines[min(w.line, len(lines) - 1)][0], w.value) for w in args]
        self.commands.append(
            Command(
                block,
                origin,
                invocation.program,
                tuple(w.value for w in args),
                invocation.text,
                output=(),
                arg_origins=tuple(o for o, _ in items),
                host=host,
            )
        )
        # The command line is the context of its flags, as the object is for a manifest's.
        return self.add_argv(
            items,
            invocation.program,
            "command",
            block,
            written=[w.written for w in args],
            obj=invocation.text,
            host=host,
            command=self.subcommand(invocation.program, [w.value for w in args]),
        )

    def read_shown(self, block: int, output: Sequence[Line], shown: Shown) -> None:
        """What a command printed: a file's text, a manifest, or command lines of processes.

        When the output went through grep/head/tail/sed/awk (``shown.filtered``)
        a manifest in it is cut into lines; its flags are read line by line, for
        the program the Pod, the file or the command names (marked inferred).
        """
        texts = [t for _, t in output]
        host, hint, shown_file, filtered = shown.host, shown.hint, shown.file, shown.filtered
        inferred = known_component(hint[1], self.names) if hint[1] else None
        if inferred is None and shown_file and (m := _MANIFEST_FILE.search(shown_file)):
            inferred = known_component(m.group("name"), self.names)
        inferred = inferred or shown.named
        label = " ".join(p for p in (hint[0] or "Pod", hint[1] or inferred or "") if p) if inferred else None
        if shown_file is not None and (is_unit(texts) or all(is_env_assignment(t) for t in texts if t.strip())):
            self.read_file(block, output, host, target=shown_file)
        elif looks_like_yaml(texts) and not (filtered and inferred):
            source = "kubectl" if hint != (None, None, None) else "cat"
            self.read_objects(block, list(output), hint, source, host)
        else:
            self.read_output(block, output, host, inferred=inferred, label=label)

    def read_file(self, block: int, body: Sequence[Line], host: str | None, target: str | None = None) -> None:
        """A heredoc body or a file shown with ``cat``: a unit, an env file or a manifest."""
        texts = [t for _, t in body]
        if looks_like_yaml(texts) and not is_unit(texts):
            self.read_objects(block, list(body), (None, None, None), "cat", host)
            return
        config = read_config(body, self.catalog, self.programs, known=self.known)
        label = target
        for found in config.programs:
            self.add_argv(
                found.items,
                found.component,
                "command",
                block,
                written=found.written,
                obj=label or found.source,
                host=host,
            )
        for setting in config.settings:
            self.uses.append(
                self.ident.use(
                    setting.origin.path,
                    setting.origin.line,
                    block,
                    "command",
                    setting.component,
                    setting.flag,
                    setting.value,
                    object=label,
                    spelling=setting.variable,
                    host=host,
                    written=setting.written,
                )
            )

    def read_output(
        self, block: int, lines: Sequence[Line], host: str | None, *, inferred: str | None = None, label=None
    ) -> None:
        """Output lines that show a process's command line (``ps -ef``) or a manifest's flags (``grep``)."""
        for origin, text in lines:
            if not FLAG_TOKEN.search(text) or is_truncation(text):
                continue
            if is_env_assignment(text):
                self.read_file(block, [(origin, text)], host)
                continue
            if inferred and (m := _FLAG_ITEM.match(text)):
                self.add_argv([(origin, m.group(1))], inferred, "manifest", block, obj=label, host=host, inferred=True)
                continue
            # A JSON or YAML flow list shows argv as quoted strings: ["/usr/local/bin/kube-proxy","--config=..."].
            listed = _JSON_ARGV.search(text) is not None
            words = _QUOTED.findall(text) if listed else text.split()
            log = _LOG_LINE.match(text) is not None  # a log line names programs, it runs none
            start = None if log else next((i for i in range(len(words)) if self.runs_program(words, i)), None)
            if start is None:
                self.unparsed.append(
                    Unparsed(
                        origin.path,
                        origin.line,
                        text,
                        "flag-like text in output that shows no known program",
                        "nothing to change if it is output; if the post runs it, show it after a prompt",
                    )
                )
                continue
            component = words[start].rsplit("/", 1)[-1]
            rest = words[start + 1 :]
            # A process line is the words as they were given: what quotes it shows are part of them.
            written = None if listed else rest
            self.add_argv([(origin, w) for w in rest], component, "command", block, written=written, host=host)

    def runs_program(self, words: Sequence[str], i: int) -> bool:
        """Whether ``words[i]`` is a program a process line shows.

        A catalog server, or a path followed by options; or, on a line of ``ps``
        (its second column a process id), any program the catalog or the program
        data knows followed by an option: the ``grep --color=auto`` that
        ``ps -ef | grep etcd`` lists as one of the processes.
        """
        word = words[i]
        name = word.rsplit("/", 1)[-1]
        if name in self.servers:
            return True
        followed = i + 1 < len(words) and words[i + 1].startswith("-")
        if followed and i >= 2 and words[1].isdigit() and (name in self.known or self.programs.known(name)):
            return True
        return word.startswith("/") and len(word) > 1 and followed and words[i + 1].startswith("--")

    # -- manifests ------------------------------------------------------

    def read_objects(self, block: int, lines, hint, source: str = "bare", host: str | None = None) -> None:
        """Read the flags of every manifest object in ``lines``."""
        for obj in parse_manifests(lines):
            self.manifests.append(read_object(self, block, obj, hint, source, host, lines))


def _written(flag: ArgvFlag, values: Sequence[str], written: Sequence[str | None]) -> str | None:
    """``flag``'s value as the post writes it, from the written form of the word that holds it.

    The whole word as written when the value is a whole word (``-o "x y"``);
    the end of the written word when the value ends a word (``--cidr="10.0.0.0/8"``
    -> ``"10.0.0.0/8"``), unless quotes open before the value
    (``"--cidr=10.0.0.0/8"``): then nothing is written around the value
    alone, and it is written as received.
    """
    if flag.value is None or flag.source is None or written[flag.source] is None:
        return flag.value
    if flag.text is None:
        return written[flag.source]
    # The reader strips the word it reads the value from: blanks after the value are written after it.
    value = values[flag.source]
    tail = written_tail(value, written[flag.source], flag.text + value[len(value.rstrip()) :])
    return flag.value if tail is None else tail


def _unescape(line: str) -> str:
    """A line of an unquoted heredoc as the shell writes it: ``\\`` is ``\\``, ``\\$`` is ``$``."""
    return line.replace("\\\\", "\\").replace("\\$", "$").replace("\\`", "`")


def _has_shell(commands: Sequence[TypedCommand]) -> bool:
    """A prompt-less block read as commands rather than as YAML: a heredoc writes a file with YAML in it."""
    return any("<<" in t for c in commands for _, t in c.lines[:1])


def _shorten(text: str, limit: int = 72) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
