"""The site-wide flag index: every use of every flag, grouped by component and canonical name.

It joins what the posts say (uses, whose identity the parser settled) with
what the catalog describes. It is built once per build and read-only after:
renderers look entries up, they never add one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Protocol

from .model import FlagUse, Post

if TYPE_CHECKING:
    from .catalog import Catalog, FlagSpec

Key = tuple[str | None, str]  # (component, canonical name)


class IndexedPost(Protocol):
    """What the index needs of a post of the site: the post and where it is published."""

    src_uri: str
    url: str
    post: Post


@dataclass(frozen=True)
class FlagEntry:
    """A flag of a component, and every place the knowledge base uses it."""

    component: str | None
    name: str  # canonical, without dashes
    spec: FlagSpec | None
    uses: tuple[tuple[IndexedPost, FlagUse], ...] = ()

    @property
    def key(self) -> Key:
        """(component, canonical name): where the index keeps the entry."""
        return (self.component, self.name)

    @property
    def flag(self) -> str:
        """The flag with its dashes: the catalog's spelling, else ``--name`` (``-n`` for one letter)."""
        if self.spec is not None:
            return self.spec.flag
        return ("--" if len(self.name) > 1 else "-") + self.name

    @property
    def meaning(self) -> str | None:
        """The catalog's meaning of the flag, or ``None`` when the catalog does not describe it."""
        return self.spec.meaning if self.spec is not None else None

    @property
    def tooltip(self) -> str:
        """``etcd --data-dir: meaning``: the title of every link to this entry."""
        return f"{self.component or 'flag'} {self.flag}: {self.meaning or 'no description yet'}"


class FlagIndex:
    """All flag entries of a build, by (component, canonical name)."""

    def __init__(self, catalog: Catalog, posts: Iterable[IndexedPost]) -> None:
        self.catalog = catalog
        uses: dict[Key, list[tuple[IndexedPost, FlagUse]]] = defaultdict(list)
        specs: dict[Key, FlagSpec | None] = {}
        for component in catalog.components.values():
            for spec in component.flags.values():
                specs[(component.name, spec.name)] = spec
        for item in posts:
            for use in item.post.uses:
                uses[use.key].append((item, use))
                specs.setdefault(use.key, use.spec)
        self.entries: Mapping[Key, FlagEntry] = MappingProxyType(
            {key: FlagEntry(key[0], key[1], spec, tuple(uses.get(key, ()))) for key, spec in specs.items()}
        )

    def entry(self, use: FlagUse) -> FlagEntry:
        """The entry of a use the index was built from."""
        return self.entries[use.key]

    def get(self, component: str | None, name: str) -> FlagEntry | None:
        """The entry of ``component``'s flag ``name`` (canonical, without dashes), if any."""
        return self.entries.get((component, name))

    def components(self) -> list[str]:
        """The components that have entries, sorted."""
        return sorted({c for c, _ in self.entries if c is not None})

    def by_component(self, component: str) -> list[FlagEntry]:
        """The entries of ``component``, by name."""
        return sorted((e for (c, _), e in self.entries.items() if c == component), key=lambda e: e.name)

    def names(self) -> dict[str, list[FlagEntry]]:
        """The entries grouped by canonical name, names sorted."""
        out: dict[str, list[FlagEntry]] = defaultdict(list)
        for entry in self.entries.values():
            out[entry.name].append(entry)
        return dict(sorted(out.items()))
