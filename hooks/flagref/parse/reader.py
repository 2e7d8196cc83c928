"""From a post's text to its model: every flag use, with nothing lost."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

from ..catalog import load_catalog
from ..checks.secrets import MASK
from ..model import Command, Container, Diagnostic, Fence, FlagUse, Manifest, Post, Unparsed
from .argv import FLAG_TOKEN, is_truncation, parse_argv, unquote
from .components import component_of_container, kubectl_target
from .fences import find_fences
from .frontmatter import fallback_title, parse_front_matter, slug_from_filename
from .identity import Identifier
from .manifests import ParsedObject, looks_like_yaml, parse_manifests
from .prose import END_OF_POST, find_mentions
from .snippets import SnippetSource, expand_snippets
from .tables import find_table_claims
from .transcripts import PROMPT, has_prompt, parse_transcript, split_words

# Tools recognised at the start of a line in a block without prompts.
COMMON_TOOLS = frozenset(
    {
        "kubectl",
        "kubeadm",
        "etcdctl",
        "etcdutl",
        "systemctl",
        "journalctl",
        "crictl",
        "docker",
        "helm",
        "minikube",
        "kind",
    }
)
_PS_LINE = re.compile(r"(?:^|\s)(?:/\S*/)?(?P<exe>[\w.-]+)(?P<rest>(?:\s+\S+)*)$")
_DASH_ITEM = re.compile(r"^\s*-\s+--")
_ENV_FILE_LINE = re.compile(r"^\s*(?:export\s+)?(?P<name>[A-Z][A-Z0-9_]*)=(?P<value>.*)$")


def parse_post(
    path: str,
    text: str,
    *,
    snippets: SnippetSource | None = None,
    catalog=None,
) -> Post:
    """Read the post at ``path`` (a display path) whose file content is ``text``.

    Never raises on content: problems become diagnostics, lines that look like
    they hold a flag but yield none become ``unparsed`` records.
    """
    if catalog is None:
        catalog = load_catalog()
    front, body, first_line, diagnostics = parse_front_matter(path, text)
    document, snippet_problems = expand_snippets(path, body.splitlines(), first_line, snippets)
    diagnostics.extend(snippet_problems)
    fences = find_fences(document)
    reader = _Reader(path, catalog)
    for fence in fences:
        reader.read_fence(fence)
    code_lines = {i for f in fences for i in range(f.start, f.end + 1)}
    reader.read_prose(document, code_lines)
    claims = find_table_claims(document, code_lines, reader.uses, reader.ident)
    reader.audit(fences)
    diagnostics.extend(reader.secret_warnings())
    title = front.title or fallback_title(path, body)
    return Post(
        path=path,
        slug=slug_from_filename(path),
        front=front,
        title=title,
        document=document,
        fences=fences,
        commands=tuple(reader.commands),
        manifests=tuple(reader.manifests),
        uses=tuple(sorted(reader.uses, key=lambda u: (u.path != path, u.path, u.line))),
        claims=tuple(claims),
        unparsed=tuple(sorted(reader.unparsed, key=lambda u: (u.path, u.line))),
        diagnostics=tuple(diagnostics),
        excerpt=excerpt(document, code_lines),
    )


def excerpt(document, code_lines: Iterable[int], limit: int = 300) -> str:
    """The first paragraph of prose, as plain text."""
    skip = set(code_lines)
    words: list[str] = []
    for i, line in enumerate(document.lines):
        stripped = line.strip()
        if i in skip or END_OF_POST.match(line) or stripped.startswith(("#", "<", "!!!", "???", "--8<--")):
            if words:
                break
            continue
        if not stripped:
            if words:
                break
            continue
        if re.match(r"^([*+-]|\d+\.)\s", stripped) and words:
            break
        words.append(stripped)
    text = re.sub(r"`+([^`]*)`+", r"\1", " ".join(words))
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    if len(text) > limit:
        text = text[: limit - 1].rsplit(" ", 1)[0] + "…"
    return text


class _Reader:
    def __init__(self, path: str, catalog) -> None:
        self.path = path
        self.catalog = catalog
        self.ident = Identifier(catalog)
        self.uses: list[FlagUse] = []
        self.unparsed: list[Unparsed] = []
        self.commands: list[Command] = []
        self.manifests: list[Manifest] = []
        tools = set(COMMON_TOOLS)
        if catalog is not None:
            tools.update(catalog.components)
        self.known_tools = frozenset(tools)
        self.executables = frozenset(tools - {"kubectl", "systemctl", "journalctl", "docker", "crictl", "helm"})

    # -- helpers --------------------------------------------------------

    def _takes_value(self, component: str | None, command: str | None = None):
        def takes(flag: str) -> bool | None:
            if self.catalog is None:
                return None
            # kubectl logs -f is --follow, kubectl apply -f is --filename.
            spec = self.catalog.lookup(component, flag, command=command)
            if spec is None:
                return None
            return spec.type != "bool"

        return takes

    def _add_argv(
        self, items, component, kind, block, obj=None, container=None, host=None, command=None
    ) -> dict[str, str | None]:
        flags, _, unparsed = parse_argv(items, self._takes_value(component, command))
        self.unparsed.extend(unparsed)
        made: list[FlagUse] = []
        for f in flags:
            # ps -ef, kubectl exec -it: a bundle of short options is one use per option.
            bundle = self.catalog.split_shorts(component, f.flag) if component and f.value is None else None
            for flag in bundle or (f.flag,):
                made.append(
                    self.ident.use(
                        f.origin.path,
                        f.origin.line,
                        block,
                        kind,
                        component,
                        flag,
                        f.value,
                        command=command,
                        container=container,
                        spelling=f.flag if bundle else None,
                        host=host,
                    )
                )
        if obj and kind == "command":
            # The command line is shown as context: it must not show what the values hide
            # (masked before shortening, so no part of a secret survives the cut).
            for use in made:
                if use.secret:
                    obj = obj.replace(use.value, MASK)
            obj = _shorten(obj)
        self.uses.extend(replace(use, object=obj) for use in made)
        return {use.name: use.value for use in made}

    # -- code blocks ----------------------------------------------------

    def read_fence(self, fence: Fence) -> None:
        body = list(zip(fence.origins, fence.body))
        prompted = any(has_prompt(line) for _, line in body)
        if not prompted and looks_like_yaml(fence.body):
            self._read_objects(fence, body, None)
            return
        transcript = parse_transcript(fence, self.known_tools)
        self.unparsed.extend(transcript.unparsed)
        for command in transcript.commands:
            self.commands.append(command)
            subcommand = next((w for w in command.argv if not w.startswith("-")), None)
            # The command line is the context of its flags, as the object is for a manifest's.
            seen = self._add_argv(
                command.items,
                command.tool,
                "command",
                fence.index,
                obj=command.text,
                host=command.host,
                command=subcommand,
            )
            if command.output:
                if looks_like_yaml([t for _, t in command.output]):
                    hint = kubectl_target(command.argv, seen) if command.tool == "kubectl" else (None, None, None)
                    source = "kubectl" if command.tool == "kubectl" else "cat"
                    self._read_objects(fence, list(command.output), hint, source, command.host)
                else:
                    self._read_output(fence, command.output, command.host)
        self._read_output(fence, transcript.output)

    def _read_output(self, fence: Fence, lines, host: str | None = None) -> None:
        # Output may show a process's command line (ps -ef | grep kube-apiserver)
        # or an environment file of flags (KUBELET_KUBEADM_ARGS="--cgroup-driver=systemd ...").
        for origin, text in lines:
            if not FLAG_TOKEN.search(text) or is_truncation(text):
                continue
            env_file = _ENV_FILE_LINE.match(text)
            component = self._component_of_variable(env_file.group("name")) if env_file else None
            if component:
                words, _ = split_words(unquote(env_file.group("value")))
                self._add_argv([(origin, w) for w in words], component, "command", fence.index, host=host)
                continue
            words = text.split()
            start = next(
                (i for i, w in enumerate(words) if w.rsplit("/", 1)[-1] in self.executables),
                None,
            )
            if start is None:
                self.unparsed.append(
                    Unparsed(
                        origin.path, origin.line, text, "flag-like text in command output, no known program on the line"
                    )
                )
                continue
            component = words[start].rsplit("/", 1)[-1]
            self._add_argv([(origin, w) for w in words[start + 1 :]], component, "command", fence.index, host=host)

    def _component_of_variable(self, name: str) -> str | None:
        for component in sorted(self.executables, key=len, reverse=True):
            if name.startswith(component.upper().replace("-", "_") + "_"):
                return component
        return None

    def _read_objects(self, fence: Fence, lines, hint, source: str = "bare", host: str | None = None) -> None:
        hint = hint or (None, None, None)
        for obj in parse_manifests(lines):
            self._add_object(fence, obj, hint, source, host)

    def _add_object(self, fence: Fence, obj: ParsedObject, hint, source: str, host: str | None) -> None:
        kind = obj.kind or hint[0]
        name = obj.name or hint[1]
        namespace = obj.namespace or hint[2]
        containers = []
        for c in obj.containers:
            component = component_of_container(c, name)
            containers.append(Container(c.name, component, c.image, c.argv, c.env, c.probes, c.origin))
        manifest = Manifest(
            block=fence.index,
            origin=obj.origin,
            kind=kind,
            name=name,
            namespace=namespace,
            truncated=obj.truncated,
            containers=tuple(containers),
            host_network=obj.host_network,
            host_paths=obj.host_paths,
            source=source,
        )
        self.manifests.append(manifest)
        label = manifest.label
        for c in containers:
            argv = list(c.argv)
            if argv and not argv[0][1].startswith("-"):
                argv = argv[1:]  # the executable itself
            self._add_argv(argv, c.component, "manifest", fence.index, label, c.name, host)
            self._add_env(c, fence.index, label, host)
        for s in obj.settings:
            self.uses.append(
                self.ident.use(
                    s.origin.path,
                    s.origin.line,
                    fence.index,
                    "manifest",
                    s.component,
                    "--" + s.name,
                    s.value,
                    object=label,
                    spelling=s.spelling,
                    host=host,
                )
            )

    def _add_env(self, container: Container, block: int, label: str, host: str | None) -> None:
        if self.catalog is None or container.component is None:
            return
        for origin, variable, value in container.env:
            flag = self.catalog.flag_for_env(container.component, variable)
            if flag:
                self.uses.append(
                    self.ident.use(
                        origin.path,
                        origin.line,
                        block,
                        "manifest",
                        container.component,
                        flag,
                        value,
                        object=label,
                        container=container.name,
                        spelling=variable,
                        host=host,
                    )
                )

    # -- prose ----------------------------------------------------------

    def read_prose(self, document, code_lines: set[int]) -> None:
        in_post: dict[str, set[str]] = {}
        for use in self.uses:
            if use.component:
                in_post.setdefault(use.name, set()).add(use.component)
        for mention in find_mentions(document, code_lines):
            name = mention.flag.lstrip("-")
            component, ambiguous = self._attribute(name, mention.context, in_post.get(name, set()))
            self.uses.append(
                self.ident.use(
                    mention.origin.path,
                    mention.origin.line,
                    None,
                    "prose",
                    component,
                    mention.flag,
                    mention.value,
                    ambiguous=ambiguous,
                )
            )

    def _attribute(self, name: str, context: str, in_post: set[str]) -> tuple[str | None, bool]:
        named = {c for c in in_post if c in context}
        if len(named) == 1:
            return named.pop(), False
        if len(in_post) == 1:
            return next(iter(in_post)), False
        candidates = set(self.catalog.components_with("--" + name)) if self.catalog is not None else set()
        if in_post:
            candidates &= in_post
        named = {c for c in candidates if c in context}
        if len(named) == 1:
            return named.pop(), False
        if len(candidates) == 1:
            return candidates.pop(), False
        return None, True

    def secret_warnings(self) -> list[Diagnostic]:
        out = []
        for use in self.uses:
            if use.secret:
                who = f"{use.component} {use.flag}" if use.component else use.flag
                out.append(
                    Diagnostic(
                        use.path,
                        use.line,
                        f"{who} holds what looks like a secret; the site masks it in tables, the reference and "
                        "search, but it is in the post's source: if it is real, revoke it and write a placeholder",
                    )
                )
        return out

    # -- nothing lost ---------------------------------------------------

    def audit(self, fences: tuple[Fence, ...]) -> None:
        """Every flag-like line in a block yielded a use or is reported."""
        covered = {(u.path, u.line) for u in self.uses} | {(u.path, u.line) for u in self.unparsed}
        for fence in fences:
            for origin, text in zip(fence.origins, fence.body):
                if (origin.path, origin.line) in covered or is_truncation(text):
                    continue
                if FLAG_TOKEN.search(text) or _DASH_ITEM.match(text) or _prompt_short_flag(text):
                    self.unparsed.append(
                        Unparsed(origin.path, origin.line, text, "flag-like text that no reader recognised")
                    )


def _shorten(text: str, limit: int = 72) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _prompt_short_flag(text: str) -> bool:
    m = PROMPT.match(text)
    return bool(m and re.search(r"(?:^|\s)-[A-Za-z]", m.group("command")))
