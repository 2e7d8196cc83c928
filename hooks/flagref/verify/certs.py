"""Which certificate goes in which file the post names, and which CA issues it.

The post names the files; it does not say who issued them. The rule is
kubeadm's: etcd's server and peer certificates are issued by the CA its
``--trusted-ca-file``/``--peer-trusted-ca-file`` names, and the
kube-apiserver's client certificate by the CA etcd trusts for clients.
Each CA file of the post gets the CA of that path, so a kube-apiserver whose
``--etcd-cafile`` names another file trusts another CA. Every choice is
reported as a note.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .model import Note
from .pki import LOCAL_NAMES, Authorities
from .rewrite import CLIENT_HOSTS, PEER_HOSTS, Plan, Run, url_hosts
from .wiring import Setting

#: The CA used when the post names none for a certificate it uses.
OWN_CA = "a CA of this check (the post names none)"


@dataclass(frozen=True)
class Issued:
    """What the run needs to talk to each member as a client etcd trusts."""

    server_ca: dict[int, str] = field(hash=False)  # member index -> CA that issued its server certificate
    client_ca: dict[int, str | None] = field(hash=False)  # member index -> CA it trusts for clients
    notes: tuple[Note, ...] = ()


@dataclass
class _Leaf:
    cert: Path
    key: Path
    issuer: str
    names: list[str]
    setting: Setting
    what: str
    why: str


def issue_certificates(plan: Plan, authorities: Authorities) -> Issued:
    """Write every CA, server, peer and client certificate file ``plan`` names; say what was written."""
    notes: list[Note] = []
    cas: dict[Path, tuple[str, Setting]] = {}
    leaves: dict[Path, _Leaf] = {}
    server_ca: dict[int, str] = {}
    client_ca: dict[int, str | None] = {}
    client_cafiles = [c.source.get("etcd-cafile") for c in plan.clients]
    client_cafile = next((s for s in client_cafiles if s is not None and s.value), None)

    for index, run in enumerate(plan.members):
        trusted = _ca_file(run, "trusted-ca-file", cas)
        peer_trusted = _ca_file(run, "peer-trusted-ca-file", cas) or trusted
        client_ca[index] = trusted.value.strip() if trusted and trusted.value else None
        if trusted is not None:
            issuer, why = trusted.value.strip(), f"etcd --trusted-ca-file at {trusted.origin}"
        elif client_cafile is not None:
            issuer, why = client_cafile.value.strip(), f"kube-apiserver --etcd-cafile at {client_cafile.origin}"
        else:
            issuer, why = OWN_CA, "etcd has no --trusted-ca-file"
        server_ca[index] = issuer
        names = _names(run, CLIENT_HOSTS)
        _leaf(leaves, notes, run, "cert-file", "key-file", issuer, names, "etcd server certificate", why)
        peer_issuer = peer_trusted.value.strip() if peer_trusted and peer_trusted.value else issuer
        peer_why = f"etcd --{peer_trusted.name} at {peer_trusted.origin}" if peer_trusted else why
        names = _names(run, PEER_HOSTS)
        _leaf(
            leaves, notes, run, "peer-cert-file", "peer-key-file", peer_issuer, names, "etcd peer certificate", peer_why
        )

    for run in plan.clients:
        _ca_file(run, "etcd-cafile", cas)
        beside = next((i for i, m in enumerate(plan.members) if m.machine == run.machine), 0)
        trusted = client_ca.get(beside) or next((c for c in client_ca.values() if c), None)
        cafile = run.source.get("etcd-cafile")
        if trusted:
            issuer, why = trusted, "the CA etcd trusts for clients, its --trusted-ca-file"
        elif cafile is not None and cafile.value:
            issuer, why = cafile.value.strip(), f"kube-apiserver --etcd-cafile at {cafile.origin}"
        else:
            issuer, why = OWN_CA, "etcd trusts no CA for clients"
        _leaf(leaves, notes, run, "etcd-certfile", "etcd-keyfile", issuer, [], "kube-apiserver client certificate", why)

    for path, (identity, setting) in cas.items():
        if path in leaves:
            notes.append(Note(setting.path, setting.line, f"{setting.text} names a certificate file, not a CA"))
            continue
        authorities.copy_ca(identity, path)
        notes.append(Note(setting.path, setting.line, f"wrote {setting.value}: the CA {identity}"))
    for leaf in leaves.values():
        sans = authorities.issue(leaf.issuer, leaf.cert, leaf.key, leaf.cert.stem, leaf.names)
        shown = f" for {', '.join(sans)}" if sans else ""
        notes.append(
            Note(
                leaf.setting.path,
                leaf.setting.line,
                f"wrote {leaf.setting.value}: {leaf.what} issued by the CA {leaf.issuer} ({leaf.why}){shown}",
            )
        )
    return Issued(server_ca, client_ca, tuple(notes))


def _ca_file(run: Run, name: str, cas: dict[Path, tuple[str, Setting]]) -> Setting | None:
    setting = run.source.get(name)
    if setting is None or not setting.value or not setting.value.strip():
        return None
    cas.setdefault(Path(run.values[name] or ""), (setting.value.strip(), setting))
    return setting


def _names(run: Run, flags: tuple[str, ...]) -> list[str]:
    """The hosts a certificate must cover: as the post writes them, as rewritten, and kubeadm's local names."""
    names: list[str] = []
    for flag in flags:
        names += url_hosts(run.source.value(flag)) + url_hosts(run.values.get(flag))
    return [n for n in names if n not in ("0.0.0.0", "::")] + list(LOCAL_NAMES)


def _leaf(
    leaves: dict[Path, _Leaf],
    notes: list[Note],
    run: Run,
    cert_flag: str,
    key_flag: str,
    issuer: str,
    names: list[str],
    what: str,
    why: str,
) -> None:
    setting = run.source.get(cert_flag)
    if setting is None or not setting.value or not setting.value.strip():
        return
    cert = Path(run.values[cert_flag] or "")
    key_value = run.values.get(key_flag)
    key = Path(key_value) if key_value else cert.with_suffix(".key")
    if not key_value:
        notes.append(
            Note(setting.path, setting.line, f"no --{key_flag} beside {setting.text}: its key goes to {key.name}")
        )
    known = leaves.get(cert)
    if known is None:
        leaves[cert] = _Leaf(cert, key, issuer, list(names), setting, what, why)
        return
    # One file for two uses (the same certificate as server and peer): one certificate covering both.
    known.names += [n for n in names if n not in known.names]
    if known.issuer != issuer:
        notes.append(
            Note(
                setting.path, setting.line, f"{setting.text} is also the {known.what}: issued by the CA {known.issuer}"
            )
        )
