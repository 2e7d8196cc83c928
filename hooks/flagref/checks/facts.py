"""What a post shows: the running programs (instances) its manifests and commands describe.

The rules compare flags of *instances*: a container of a manifest, a typed
command, a kubeadm ``extraArgs`` map, a command line printed by ``ps -ef``.
:class:`PostFacts` finds them once per post and indexes them by component and
by flag, so that every evaluator asks in constant time what it would
otherwise find by scanning every instance for every use (quadratic in the
number of manifests of a post).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..model import FlagUse, Origin, Post, Probe

if TYPE_CHECKING:
    from ..catalog import Catalog


@dataclass(frozen=True, eq=False)
class Instance:
    """One running program a post shows: a container of a manifest, or a typed command.

    ``flags`` maps each canonical name to its use (the last one written wins,
    as in pflag). Compared by identity: two identical containers are two programs.
    """

    component: str
    label: str  # "Pod etcd-master", "the etcdctl command"
    block: int | None
    origin: Origin
    truncated: bool
    flags: Mapping[str, FlagUse] = field(default_factory=dict)
    probes: tuple[Probe, ...] = ()
    container: str | None = None

    def valued(self, name: str) -> FlagUse | None:
        """The use of flag ``name`` when it is set with a non-empty value."""
        use = self.flags.get(name)
        return use if use is not None and use.value else None


@dataclass(frozen=True)
class Listing:
    """A flag across the instances of its component: the uses with a value, the instances lacking one."""

    having: tuple[FlagUse, ...]
    lacking: tuple[Instance, ...]


class PostFacts:
    """The instances of a post, indexed once for the evaluators."""

    def __init__(self, post: Post, catalog: Catalog | None = None) -> None:
        self.post = post
        self.catalog = catalog
        self.instances: tuple[Instance, ...] = tuple(find_instances(post))
        self._by_component: dict[str, list[Instance]] = defaultdict(list)
        self._writers: dict[str, list[tuple[Instance, FlagUse]]] = defaultdict(list)
        self._writers_of: dict[tuple[str, str], list[tuple[Instance, FlagUse]]] = defaultdict(list)
        self.instance_of: dict[FlagUse, Instance] = {}
        for inst in self.instances:
            self._by_component[inst.component].append(inst)
            for name, use in inst.flags.items():
                self.instance_of[use] = inst
                self._writers[name].append((inst, use))
                self._writers_of[(name, inst.component)].append((inst, use))
        self._listings: dict[tuple[str, str], Listing] = {}

    def of(self, component: str) -> Sequence[Instance]:
        """The instances of ``component``, in the post's order."""
        return self._by_component.get(component, [])

    def listing(self, component: str, name: str) -> Listing:
        """Flag ``name`` of ``component`` across the post: computed once per flag, then reused."""
        key = (component, name)
        found = self._listings.get(key)
        if found is None:
            having: list[FlagUse] = []
            lacking: list[Instance] = []
            for inst in self.of(component):
                use = inst.valued(name)
                if use is not None:
                    having.append(use)
                else:
                    lacking.append(inst)
            found = self._listings[key] = Listing(tuple(having), tuple(lacking))
        return found

    def written(self, name: str, component: str | None) -> Sequence[tuple[Instance, FlagUse]]:
        """Every instance that sets flag ``name`` (of ``component``, or of any component when ``None``)."""
        if component is None:
            return self._writers.get(name, [])
        return self._writers_of.get((name, component), [])


def value_type(use: FlagUse) -> str | None:
    """The catalog type of ``use``'s flag (``url-list``, ``path``...), ``None`` when the catalog has no entry."""
    return use.spec.type if use.spec is not None else None


def find_instances(post: Post) -> list[Instance]:
    """The programs ``post`` shows, each with the flag uses that belong to it, in the post's order."""
    # (kind, block, component) -> origin -> uses written there: a container takes its uses by the
    # lines of its argv and env, in time proportional to its own size rather than the block's.
    pool: dict[tuple[str, int | None, str], dict[Origin, list[FlagUse]]] = defaultdict(lambda: defaultdict(list))
    order: dict[int, int] = {}  # id(use) -> its place in the post: the last one written wins, as in pflag
    for place, use in enumerate(post.uses):
        if use.kind in ("manifest", "command") and use.component:
            pool[(use.kind, use.block, use.component)][use.origin].append(use)
            order[id(use)] = place
    taken: set[int] = set()

    def claim(key: tuple[str, int | None, str], origins: Sequence[Origin]) -> dict[str, FlagUse]:
        candidates = pool.get(key, {})
        found = [use for origin in dict.fromkeys(origins) for use in candidates.get(origin, ()) if id(use) not in taken]
        taken.update(id(use) for use in found)
        return {use.name: use for use in sorted(found, key=lambda use: order[id(use)])}

    out: list[Instance] = []
    truncated: dict[tuple[int, str], bool] = {}
    for manifest in post.manifests:
        truncated[(manifest.block, manifest.label)] = manifest.truncated
        for c in manifest.containers:
            if not c.component:
                continue
            label = manifest.label + (f", container {c.name}" if c.name and c.name != c.component else "")
            flags = claim(("manifest", manifest.block, c.component), [o for o, _ in c.argv] + [o for o, _, _ in c.env])
            origin = c.origin or manifest.origin
            out.append(
                Instance(c.component, label, manifest.block, origin, manifest.truncated, flags, c.probes, c.name)
            )
    for command in post.commands:
        flags = claim(("command", command.block, command.tool), [*command.arg_origins, command.origin])
        if flags:
            out.append(
                Instance(command.tool, f"the {command.tool} command", command.block, command.origin, False, flags)
            )
    # What is left: kubeadm extraArgs (no container) and command lines in output (ps -ef).
    rest: dict[tuple[object, ...], tuple[FlagUse, dict[str, FlagUse]]] = {}
    for (kind, block, component), by_origin in pool.items():
        left = [use for uses in by_origin.values() for use in uses if id(use) not in taken]
        for use in sorted(left, key=lambda use: order[id(use)]):
            key = (kind, block, component, use.object, use.line if kind == "command" else None)
            rest.setdefault(key, (use, {}))[1][use.name] = use
    for (_, block, component, obj, _line), (first, flags) in rest.items():
        label = obj or f"the {component} command line"
        cut = truncated.get((block, obj), False) if obj and block is not None else False
        out.append(Instance(component, label, block, first.origin, cut, flags))
    return out
