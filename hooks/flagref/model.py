"""Plain records shared by every stage: parse -> model -> checks -> render.

Every record carries the place it came from (``path``, 1-based ``line``) so that
any diagnostic can name ``path:line``. Paths are as the author knows them:
relative to the docs directory for posts (``posts/x.md``) and to the project
for included snippets (``snippets/etcd.yaml``).
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .catalog import FlagSpec


@dataclass(frozen=True, slots=True)
class Origin:
    """A line of a source file."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A problem found in the content; ``level`` is ``warning`` or ``info``."""

    path: str
    line: int
    message: str
    level: str = "warning"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True)
class FrontMatter:
    """What a post says about itself, read tolerantly from Jekyll front matter."""

    title: str | None
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    date: _dt.date | None = None
    raw: dict = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Document:
    """A post body after snippet expansion, each line paired with its origin."""

    path: str
    lines: tuple[str, ...]
    origins: tuple[Origin, ...]

    @property
    def text(self) -> str:
        """The body as one string, ending with a newline unless empty."""
        return "\n".join(self.lines) + ("\n" if self.lines else "")


@dataclass(frozen=True, slots=True)
class Fence:
    """A code block as the site renders it (fenced, or indented by four spaces).

    ``start``/``end`` index ``Document.lines`` (0-based) and point at the
    opening and closing fence lines; ``body`` is the content with the fence's
    own indentation removed, ``origins`` one per body line.
    """

    index: int
    start: int
    end: int
    info: str
    indent: str
    body: tuple[str, ...]
    origins: tuple[Origin, ...]
    fenced: bool = True

    @property
    def origin(self) -> Origin:
        """The origin of the first body line; ``Origin("", 0)`` for an empty body."""
        return self.origins[0] if self.origins else Origin("", 0)


@dataclass(frozen=True, slots=True)
class Command:
    """One stage of a command typed at a shell prompt."""

    block: int
    origin: Origin
    tool: str
    argv: tuple[str, ...]
    text: str
    stage: int = 0
    output: tuple[tuple[Origin, str], ...] = ()
    arg_origins: tuple[Origin, ...] = ()  # one per argv item: continuations keep their own line
    host: str | None = None  # from the prompt: networkandcode@master -> master

    @property
    def items(self) -> list[tuple[Origin, str]]:
        """Each argv item with its origin (the command's own when the items carry none)."""
        origins = self.arg_origins or (self.origin,) * len(self.argv)
        return list(zip(origins, self.argv))


@dataclass(frozen=True, slots=True)
class Probe:
    """A container's liveness, readiness or startup probe: the host, port and scheme it checks."""

    kind: str  # livenessProbe, readinessProbe, startupProbe
    host: str | None
    port: str | None
    scheme: str | None
    origin: Origin


@dataclass(frozen=True, slots=True)
class Container:
    """A container of a manifest: its image, argv, environment and probes, and the component it runs."""

    name: str | None
    component: str | None
    image: str | None
    argv: tuple[tuple[Origin, str], ...]
    env: tuple[tuple[Origin, str, str | None], ...] = ()
    probes: tuple[Probe, ...] = ()
    origin: Origin | None = None
    # Whether ``argv`` starts with the container's ``command:``. Without one, ``argv`` is its ``args:``
    # alone and the image's entrypoint runs them: ``--cert-dir=/tmp`` first names no program.
    command: bool = True
    # The command of each probe that runs one in the container (``livenessProbe: exec: command:``).
    execs: tuple[tuple[tuple[Origin, str], ...], ...] = ()


@dataclass(frozen=True, slots=True)
class Manifest:
    """A Kubernetes object (or kubeadm configuration) found in a code block."""

    block: int
    origin: Origin
    kind: str | None
    name: str | None
    namespace: str | None
    truncated: bool
    containers: tuple[Container, ...] = ()
    host_network: bool | None = None
    host_paths: tuple[str, ...] = ()
    source: str = "bare"  # bare | kubectl | cat

    @property
    def label(self) -> str:
        """``Pod kube-apiserver-master (kube-system)``, as much as is known."""
        parts = [self.kind or "object"]
        if self.name:
            parts.append(self.name)
        text = " ".join(parts)
        if self.namespace:
            text += f" ({self.namespace})"
        return text


@dataclass(frozen=True, slots=True)
class FlagUse:
    """One flag as written somewhere: a manifest, a typed command or the prose.

    Its identity is settled once, when the post is parsed (``parse.identity``):
    ``name`` is the canonical name without dashes (``-n`` of kubectl is
    ``namespace``), ``spec`` the catalog entry when there is one, ``secret``
    whether the value must not be shown. Later stages read these and never
    look the flag up again.

    ``value`` is the value as the program receives it (quotes removed,
    escapes resolved, ``\\`` continuations joined, ``$VAR`` kept as it is):
    checks and the reference compare it. ``written`` is the same value as
    the post writes it (``"192.168.0.0/16"``, ``"${INTERNAL_IP}"``): tables
    show it. The two differ only on command lines and in unit and
    environment files; elsewhere (manifests, the prose) ``written`` is
    ``value``. It is ``None`` only when ``value`` is, and it is as secret
    as ``value``.
    """

    path: str
    line: int
    block: int | None
    kind: str  # manifest | command | prose | probe
    component: str | None
    flag: str  # as written, with its dashes: --etcd-servers, -n
    value: str | None
    object: str | None = None
    container: str | None = None
    spelling: str | None = None  # when not written as a flag: ETCD_DATA_DIR, extraArgs, a bundle -it
    ambiguous: bool = False
    host: str | None = None  # the machine the transcript was typed on, when the prompt says
    inferred: bool = False  # the program was inferred (a manifest's flags cut out by grep), not written
    name: str = ""  # canonical, without dashes
    spec: FlagSpec | None = field(default=None, compare=False, repr=False)
    secret: bool = False
    written: str | None = None  # the value as the post writes it (see above); given value when omitted

    def __post_init__(self) -> None:
        if self.written is None and self.value is not None:
            # Nothing was written around the value: it is written as it is received.
            object.__setattr__(self, "written", self.value)

    @property
    def key(self) -> tuple[str | None, str]:
        """(component, canonical name): the flag's reference entry."""
        return (self.component, self.name)

    @property
    def origin(self) -> Origin:
        """Where the use is written."""
        return Origin(self.path, self.line)


@dataclass(frozen=True, slots=True)
class Unparsed:
    """A flag-like word that yielded no flag; ``advice`` says what the author can do, if anything."""

    path: str
    line: int
    text: str
    reason: str
    advice: str = "if a flag on this line was missed, report the line as a parser bug"

    def diagnostic(self) -> Diagnostic:
        """The info-level diagnostic that tells the author about the word."""
        return Diagnostic(
            self.path,
            self.line,
            f"could not read a flag from {self.text.strip()!r} ({self.reason}); {self.advice}",
            level="info",
        )


@dataclass(frozen=True)
class Post:
    """Everything the engine knows about one post."""

    path: str
    slug: str
    front: FrontMatter
    title: str
    document: Document
    fences: tuple[Fence, ...] = ()
    commands: tuple[Command, ...] = ()
    manifests: tuple[Manifest, ...] = ()
    uses: tuple[FlagUse, ...] = ()
    claims: tuple[FlagUse, ...] = ()  # values the post's Markdown tables state for flags
    unparsed: tuple[Unparsed, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    excerpt: str = ""
    failed: bool = False  # the engine could not read it: no flags, the text rendered as written

    @property
    def date(self) -> _dt.date | None:
        """The date in the post's front matter, if any."""
        return self.front.date

    @property
    def categories(self) -> tuple[str, ...]:
        """The categories in the post's front matter."""
        return self.front.categories
