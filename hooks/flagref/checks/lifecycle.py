"""Flags that a target Kubernetes release no longer accepts, or has deprecated.

A 2019 post may tell readers to set ``--insecure-port=0``; on 1.24 the API
server refuses to start with it. Given the release a reader runs, this check
says, for every flag a post uses, whether that release removed or deprecated
it, as pluto's ``--target-versions`` does for API versions. Only components
whose releases are Kubernetes releases (``versions: kubernetes`` in the
catalog) are judged: etcd 3.4 is not Kubernetes 1.24.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..catalog import Catalog, FlagSpec
from ..model import Diagnostic, FlagUse

# A release as typed by a reader: 1.24, v1.24 or 1.24.3 (fixed groups, linear).
_RELEASE_RE = re.compile(r"v?(\d+)\.(\d+)(?:\.\d+)?")


def check_target_version(uses: Iterable[FlagUse], catalog: Catalog, target: str) -> list[Diagnostic]:
    """A warning for each use of a flag ``target`` has removed, an info line for each deprecated one.

    ``target`` is a release such as ``"1.24"`` (``v1.24.3`` also works); keep
    it text, as YAML reads an unquoted 1.30 as 1.3. One that cannot be read
    gives a single warning instead of any exception.
    Diagnostics keep the order of ``uses``; each ends with what to do.
    """
    match = _RELEASE_RE.fullmatch(str(target).strip())
    if match is None:
        return [Diagnostic("(target version)", 0, f"target version {target!r} is not a release like 1.31; fix it")]
    release = f"{match.group(1)}.{match.group(2)}"
    diagnostics: list[Diagnostic] = []
    for use in uses:
        if not use.component:
            continue
        component = catalog.components.get(use.component)
        if component is None or component.versions != "kubernetes":
            continue
        spec = catalog.lookup(use.component, use.flag)
        if spec is None:
            continue
        status = spec.status_at(release)
        if status == "removed":
            diagnostics.append(Diagnostic(use.path, use.line, _removed(spec, use), level="warning"))
        elif status == "deprecated":
            diagnostics.append(Diagnostic(use.path, use.line, _deprecated(spec), level="info"))
    return diagnostics


# Where the reader has to make the change, by the kind of use.
_PLACES = {"manifest": "the manifest", "command": "the command line", "prose": "the text"}


def _removed(spec: FlagSpec, use: FlagUse) -> str:
    where = f"{spec.component} {spec.flag} was removed in {_event(spec.removed, spec.removed_source)}"
    advice = f"{where}; remove it from {_PLACES.get(use.kind, 'the post')}"
    return f"{advice} (replaced by {spec.replacement})" if spec.replacement else advice


def _deprecated(spec: FlagSpec) -> str:
    since = _event(spec.deprecated, spec.deprecated_source)
    where = f"{spec.component} {spec.flag} is deprecated since {since}"
    if spec.replacement:
        return f"{where}; move to {spec.replacement} before it is removed"
    return f"{where}; plan to stop using it before it is removed"


def _event(release: str | None, source: str | None) -> str:
    return f"{release} ({source})" if source else str(release)
