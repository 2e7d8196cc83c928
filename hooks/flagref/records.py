"""A post's model as bytes: how the reading child sends posts, and how the post store keeps them.

Pickled as the standard library does it, with two changes. A model record is
written as its class and its fields' values (``_by_fields``): the dataclass's
own way costs twice as much, and a post is a hundred records. The catalog's
flag entries and the relation rules are written as their place in a table
(``share``) that both ends hold: a use read back points at the very catalog
entry that was resolved when it was read, and nothing is resolved again.

Both ends must hold the same table: the reading child is forked after
``share``; the post store names its file by the table's ``signature``.
"""

from __future__ import annotations

import copyreg
import dataclasses
import functools
import hashlib
import io
import operator
import pickle
from collections.abc import Callable, Sequence

from . import model
from .catalog import Catalog
from .catalog.model import FlagSpec
from .checks.claims import CLAIM_RULES
from .checks.rules import Rule

# What cannot be written: a pickling error, or front matter nested deeper than pickle goes.
UNWRITABLE = (pickle.PicklingError, TypeError, AttributeError, RecursionError)

# The catalog's flag entries and the relation rules by position, and each one's position by identity.
_SHARED: tuple[FlagSpec | Rule, ...] = ()
_POSITIONS: dict[int, int] = {}
_SIGNATURE = ""


def share(catalog: Catalog, rules: Sequence[Rule]) -> str:
    """Make the table of ``catalog``'s flag entries and ``rules``; its signature.

    The signature is a digest of what the table holds, by value: a file
    written with one table is read with the same one, or not at all.
    """
    global _SHARED, _POSITIONS, _SIGNATURE
    table = (*catalog.flags(), *rules, *CLAIM_RULES)
    if len(table) == len(_SHARED) and all(a is b for a, b in zip(table, _SHARED)):
        return _SIGNATURE
    digest = hashlib.sha256(catalog.fingerprint.encode())
    digest.update(repr([(spec.component, spec.name) for spec in catalog.flags()]).encode())
    digest.update(repr((*rules, *CLAIM_RULES)).encode())
    _SHARED, _POSITIONS, _SIGNATURE = table, {id(entry): i for i, entry in enumerate(table)}, digest.hexdigest()
    return _SIGNATURE


def dumps(value: object) -> bytes:
    """``value`` as bytes; raises one of ``UNWRITABLE`` when it cannot be written."""
    out = io.BytesIO()
    pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = dispatch_table()
    pickler.dump(value)
    return out.getvalue()


def loads(data: bytes) -> object:
    """What ``dumps`` wrote, with the shared entries of this process's table."""
    return pickle.loads(data)


def _shared(position: int) -> FlagSpec | Rule:
    """A catalog entry or a rule written by reference (``_by_reference``)."""
    return _SHARED[position]


def _by_reference(entry: FlagSpec | Rule):
    """Pickle a catalog entry or a rule as its position in the shared table; one made while reading, by value."""
    position = _POSITIONS.get(id(entry))
    if position is None or _SHARED[position] is not entry:
        return entry.__reduce_ex__(pickle.HIGHEST_PROTOCOL)
    return _shared, (position,)


def _new(cls: type, values: tuple) -> object:
    """A model record made again from its fields' values (``_by_fields``), as unpickling makes it: no ``__init__``."""
    record = object.__new__(cls)
    for setter, value in zip(_setters(cls), values):
        setter(record, value)
    return record


@functools.cache
def _setters(cls: type) -> tuple:
    # The slots' own setters: a frozen record refuses ``setattr``, as it should everywhere else.
    return tuple(cls.__dict__[f.name].__set__ for f in dataclasses.fields(cls))


@functools.cache
def _getter(cls: type) -> Callable[[object], tuple]:
    names = [f.name for f in dataclasses.fields(cls)]
    get = operator.attrgetter(*names)
    return get if len(names) > 1 else lambda record: (get(record),)


def _by_fields(record: object):
    """Pickle a model record as its class and its fields' values.

    What the dataclass itself does for a record with slots, at half the cost:
    its ``__setstate__`` asks ``dataclasses.fields`` for each record, and a
    post is a hundred records (a ``Origin`` per line).
    """
    cls = type(record)
    return _new, (cls, _getter(cls)(record))


@functools.cache
def dispatch_table() -> dict:
    """The pickler's reducers: model records by fields, shared entries by reference."""
    table = {**copyreg.dispatch_table, FlagSpec: _by_reference, Rule: _by_reference}
    for value in vars(model).values():
        if isinstance(value, type) and dataclasses.is_dataclass(value) and "__slots__" in value.__dict__:
            table[value] = _by_fields
    return table
