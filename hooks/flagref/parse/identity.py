"""A flag's identity, settled once per use: canonical name, catalog entry, secrecy.

Every ``FlagUse`` is made here, so every later stage (index, checks,
renderers) reads the same answer instead of asking the catalog again.
"""

from __future__ import annotations

from ..catalog import Catalog, FlagSpec
from ..checks.secrets import is_secret
from ..model import FlagUse
from .memo import memo_of

_SECRET_NAMES: dict[str, frozenset[str]] = {}


def _secret_names(catalog: Catalog) -> frozenset[str]:
    """Names of the flags the catalog marks secret, computed once per catalog content."""
    names = _SECRET_NAMES.get(catalog.fingerprint)
    if names is None:
        names = _SECRET_NAMES[catalog.fingerprint] = frozenset(s.name for s in catalog.flags() if s.secret)
    return names


class Identifier:
    """Makes ``FlagUse`` records for one catalog."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        # A flag the catalog marks secret for one program is a credential wherever it is written
        # (``--token`` in the prose names no program).
        self.secret_names = _secret_names(catalog)
        # Identities already settled, kept with the catalog: the same flags recur in post after post.
        self.memo = memo_of(catalog, "identity")

    def spec(self, component: str | None, flag: str, command: str | None = None) -> FlagSpec | None:
        """The catalog entry of ``component``'s ``flag`` (``None`` without a component)."""
        return self.catalog.lookup(component, flag, command=command) if component else None

    def identify(
        self, component: str | None, flag: str, value: str | None, command: str | None = None
    ) -> tuple[FlagSpec | None, str, bool]:
        """(catalog entry, canonical name, secret) of ``flag`` as ``component`` reads it."""
        key = (component, flag, value, command)
        found = self.memo.get(key)
        if found is None:
            spec = self.spec(component, flag, command)
            name = spec.name if spec is not None else flag.lstrip("-")
            found = (spec, name, is_secret(spec, name, value, self.secret_names))
            self.memo.put(key, found, len(flag) + len(value or ""))
        return found

    def use(
        self,
        path: str,
        line: int,
        block: int | None,
        kind: str,
        component: str | None,
        flag: str,
        value: str | None,
        *,
        command: str | None = None,
        identity: tuple[FlagSpec | None, str, bool] | None = None,
        **context: object,
    ) -> FlagUse:
        """The use of ``flag`` (as written) by ``component``; ``command`` is its subcommand (``logs``).

        ``identity`` is what :meth:`identify` returned, when the caller needed it first.
        """
        spec, name, secret = identity or self.identify(component, flag, value, command)
        return FlagUse(path, line, block, kind, component, flag, value, name=name, spec=spec, secret=secret, **context)
