"""flagref: the flags inside Kubernetes posts, read, checked and cross-referenced.

The package is pure Python (no MkDocs import): the MkDocs hooks in
``hooks/flagref_mkdocs.py``, the ``flagref`` command and the tests all call it.
"""

from __future__ import annotations

__version__ = "0.1.0"
