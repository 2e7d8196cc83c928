"""A flag's identity, settled once per use: canonical name, catalog entry, secrecy.

Every ``FlagUse`` is made here, so every later stage (index, checks,
renderers) reads the same answer instead of asking the catalog again.
"""

from __future__ import annotations

from ..catalog import Catalog, FlagSpec
from ..checks.secrets import is_secret
from ..model import FlagUse


class Identifier:
    """Makes ``FlagUse`` records for one catalog."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        # A flag the catalog marks secret for one program is a credential wherever it is written
        # (``--token`` in the prose names no program).
        self.secret_names = frozenset(spec.name for spec in catalog.flags() if spec.secret)

    def spec(self, component: str | None, flag: str, command: str | None = None) -> FlagSpec | None:
        return self.catalog.lookup(component, flag, command=command) if component else None

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
        **context: object,
    ) -> FlagUse:
        """The use of ``flag`` (as written) by ``component``; ``command`` is its subcommand (``logs``)."""
        spec = self.spec(component, flag, command)
        name = spec.name if spec is not None else flag.lstrip("-")
        secret = is_secret(spec, name, value, self.secret_names)
        return FlagUse(path, line, block, kind, component, flag, value, name=name, spec=spec, secret=secret, **context)
