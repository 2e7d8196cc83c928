"""Bounded memos for the engine's pure steps, keyed by content.

The same command lines, option words and flags come back in post after
post (``kubectl get po -n kube-system``, ``ps -ef | grep kubelet``);
the steps that read them are pure functions of their text and of the data
they consult, so their answers are kept and reused. A key always holds the
whole content the answer depends on (the text, and the data object it was
read against), never a position, so a reused answer is the one a fresh read
would give. Each memo is bounded by a budget of characters and a number of
entries: the oldest entries are dropped first, so memory stays flat on any
number of posts and a huge text is simply not kept.
"""

from __future__ import annotations

import weakref
from collections.abc import Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class Memo(Generic[V]):
    """A dict that forgets its oldest entries beyond ``entries`` keys or ``budget`` characters of keys."""

    def __init__(self, entries: int, budget: int, largest: int) -> None:
        self.entries = entries
        self.budget = budget
        # A key costing more than this is not kept: one huge text would evict everything else.
        self.largest = largest
        self._data: dict[Hashable, tuple[V, int]] = {}
        self._cost = 0

    def __len__(self) -> int:
        return len(self._data)

    def get(self, key: Hashable) -> V | None:
        """The answer kept for ``key``, or ``None`` (answers are never ``None`` themselves)."""
        found = self._data.get(key)
        return found[0] if found is not None else None

    def put(self, key: Hashable, value: V, cost: int) -> V:
        """Keep ``value`` for ``key`` (``cost``: the characters the key holds); return ``value``."""
        if cost > self.largest or key in self._data:
            return value
        data = self._data
        while data and (len(data) >= self.entries or self._cost + cost > self.budget):
            # Insertion order: the first key is the oldest.
            oldest = next(iter(data))
            self._cost -= data.pop(oldest)[1]
        data[key] = (value, cost)
        self._cost += cost
        return value

    def clear(self) -> None:
        """Forget everything."""
        self._data.clear()
        self._cost = 0


# The memos of each data object (a catalog, the program data), dropped with it: a catalog
# loaded anew after its files changed starts with empty memos, and the old one is freed.
_TABLES: weakref.WeakKeyDictionary[object, dict[Hashable, Memo]] = weakref.WeakKeyDictionary()


def memo_of(
    owner: object, name: Hashable, *, entries: int = 4096, budget: int = 1_000_000, largest: int = 20_000
) -> Memo:
    """The memo called ``name`` that lives as long as ``owner``, the data object its answers were read against.

    ``name`` may hold further data objects (``("argv", programs)``): answers
    that depend on the catalog and on the program data live with both.
    """
    table = _TABLES.get(owner)
    if table is None:
        table = _TABLES[owner] = {}
    memo = table.get(name)
    if memo is None:
        memo = table[name] = Memo(entries, budget, largest)
    return memo
