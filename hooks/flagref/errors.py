"""The one error the core raises: a data file (catalog, rules) it cannot use."""

from __future__ import annotations

import os


class DataFileError(ValueError):
    """A reviewed data file that cannot be used; the message starts with ``file:line``."""

    def __init__(self, path: str | os.PathLike, line: int, message: str) -> None:
        self.path = str(path)
        self.line = line
        self.detail = message
        super().__init__(f"{self.path}:{line}: {message}")
