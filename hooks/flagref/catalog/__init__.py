"""The flag catalog: what each flag of each component means, and its life across releases.

The catalog is data, one YAML file per component in this folder
(``shell.yaml`` holds several small shell tools); the schema is described in
``README.md`` here. :mod:`.loader` reads it strictly (``file:line`` and a hint
on any mistake); :mod:`.model` holds the records and answers the questions the
rest of the engine asks:

* :meth:`Catalog.lookup` -- which flag is ``-n`` for kubectl, ``--etcd-servers``
  for kube-apiserver;
* :meth:`Catalog.flag_for_env` / :func:`env_variable` -- etcd's ``ETCD_DATA_DIR``
  is its ``--data-dir``;
* :meth:`Catalog.components_with` -- who owns a flag met in prose;
* :meth:`Catalog.docs_url` -- where upstream documents a flag;
* :meth:`FlagSpec.timeline` / :meth:`FlagSpec.status_at` -- in which releases a
  flag is listed, deprecated, removed.

Pure Python and PyYAML only: no MkDocs here.
"""

from __future__ import annotations

from pathlib import Path

from .loader import CatalogError, load_catalog
from .model import Catalog, ComponentSpec, DefaultChange, Event, FlagSpec, env_variable
from .vocabulary import ANCHORS, FLAG_STYLES, KINDS, STATUSES, TYPES, VERSION_SCHEMES, version_key

#: The folder holding the catalog's YAML files (this package's own folder).
DEFAULT_DIRECTORY = Path(__file__).resolve().parent

__all__ = [
    "ANCHORS",
    "DEFAULT_DIRECTORY",
    "FLAG_STYLES",
    "KINDS",
    "STATUSES",
    "TYPES",
    "VERSION_SCHEMES",
    "Catalog",
    "CatalogError",
    "ComponentSpec",
    "DefaultChange",
    "Event",
    "FlagSpec",
    "env_variable",
    "load_catalog",
    "version_key",
]
