"""Values that are credentials: masked wherever the site shows them, and reported."""

from __future__ import annotations

import re

MASK = "••••••"
# Names whose values are credentials, whatever the component.
SECRET_NAMES = frozenset(
    {"token", "certificate-key", "password", "client-secret", "oidc-client-secret", "bootstrap-token", "secret"}
)
_BOOTSTRAP_TOKEN = re.compile(r"\b[a-z0-9]{6}\.[a-z0-9]{16}\b")
_USER_PASSWORD = re.compile(r"^[^:\s/]+:[^:\s/@]+$")


def is_secret(catalog, component: str | None, flag: str, value: str | None) -> bool:
    """Whether ``value`` of ``component flag`` must not be shown.

    The catalog marks credential flags (``secret: true``); names such as
    ``--token`` and values shaped like a kubeadm bootstrap token
    (``abcdef.0123456789abcdef``) are secrets wherever they appear.
    """
    if not value:
        return False
    spec = catalog.lookup(component, flag) if catalog is not None and component else None
    if spec is not None and getattr(spec, "secret", False):
        return True
    name = spec.name if spec is not None else flag.lstrip("-")
    if name in SECRET_NAMES:
        return True
    if _BOOTSTRAP_TOKEN.search(value):
        return True
    return name in {"user", "u"} and bool(_USER_PASSWORD.match(value))
