"""The site-wide flag index: every use of every flag, grouped by component and flag.

It joins what the posts say (uses) with what the catalog knows (meaning,
type, default, deprecation) and decides where each flag's reference entry
lives, so that every renderer links to the same URL.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from .checks.secrets import is_secret
from .model import FlagUse
from .render.text import attr_id, slugify

REFERENCE_INDEX = "flags/index.md"


def component_uri(component: str) -> str:
    return f"flags/{slugify(component)}.md"


@dataclass
class FlagEntry:
    """A flag of a component, and every place the knowledge base uses it."""

    component: str | None
    name: str  # canonical, without dashes
    spec: object | None  # catalog.FlagSpec
    uses: list[tuple[object, FlagUse]] = field(default_factory=list)  # (SitePost, use)

    @property
    def flag(self) -> str:
        if self.spec is not None:
            return self.spec.flag
        return ("--" if len(self.name) > 1 else "-") + self.name

    @property
    def anchor(self) -> str:
        return attr_id(self.name)

    @property
    def meaning(self) -> str | None:
        return getattr(self.spec, "meaning", None)


class FlagIndex:
    """All flag entries of a build, by (component, canonical name)."""

    def __init__(self, catalog, posts: Iterable[object]) -> None:
        self.catalog = catalog
        self.entries: dict[tuple[str | None, str], FlagEntry] = {}
        for item in posts:
            for use in item.post.uses:
                self.entry_for(use.component, use.flag).uses.append((item, use))
        if catalog is not None:
            for component in catalog.components.values():
                for spec in component.flags.values():
                    self.entries.setdefault((component.name, spec.name), FlagEntry(component.name, spec.name, spec))

    def spec(self, component: str | None, flag: str):
        if self.catalog is None:
            return None
        return self.catalog.lookup(component, flag)

    def canonical(self, component: str | None, flag: str) -> str:
        spec = self.spec(component, flag) if component else None
        return spec.name if spec is not None else flag.lstrip("-")

    def entry_for(self, component: str | None, flag: str) -> FlagEntry:
        spec = self.spec(component, flag) if component else None
        name = spec.name if spec is not None else flag.lstrip("-")
        key = (component, name)
        entry = self.entries.get(key)
        if entry is None:
            entry = self.entries[key] = FlagEntry(component, name, spec)
        return entry

    def target(self, component: str | None, flag: str) -> str:
        """Site-root URL path + fragment of the reference entry (``flags/etcd.md#name``)."""
        name = self.canonical(component, flag)
        if component is None:
            return f"{REFERENCE_INDEX}#flag-{attr_id(name)}"
        return f"{component_uri(component)}#{attr_id(name)}"

    def components(self) -> list[str]:
        return sorted({c for c, _ in self.entries if c is not None})

    def by_component(self, component: str) -> list[FlagEntry]:
        return sorted((e for (c, _), e in self.entries.items() if c == component), key=lambda e: e.name)

    def names(self) -> dict[str, list[FlagEntry]]:
        out: dict[str, list[FlagEntry]] = defaultdict(list)
        for entry in self.entries.values():
            out[entry.name].append(entry)
        return dict(sorted(out.items()))

    def is_secret(self, component: str | None, flag: str, value: str | None) -> bool:
        return is_secret(self.catalog, component, flag, value)


def tooltip(entry: FlagEntry) -> str:
    meaning = entry.meaning or "no description yet"
    who = entry.component or "flag"
    return f"{who} {entry.flag}: {meaning}"
