"""Throw-away certificate authorities and certificates, made with Debian's ``openssl`` command.

Keys are P-256 (made in milliseconds), certificates valid for two days. Each
CA is known by the name the post gives it (the path of its ``ca.crt``), so
every flag naming the same file gets the same CA, and a flag naming another
file gets another CA, as on a real cluster.
"""

from __future__ import annotations

import ipaddress
import secrets
from collections.abc import Callable, Iterable
from pathlib import Path

_CA_CONFIG = """[req]
distinguished_name = dn
prompt = no
x509_extensions = v3_ca
[dn]
CN = {cn}
[v3_ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign,digitalSignature
subjectKeyIdentifier = hash
"""

_REQ_CONFIG = """[req]
distinguished_name = dn
prompt = no
[dn]
CN = {cn}
"""

_LEAF_EXTENSIONS = """[v3]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth,clientAuth
authorityKeyIdentifier = keyid
{san}"""

#: kubeadm puts these in every etcd server and peer certificate; peers dialing 127.x also come from 127.0.0.1.
LOCAL_NAMES = ("localhost", "127.0.0.1")


def san_entries(names: Iterable[str]) -> list[str]:
    """``IP:...``/``DNS:...`` entries for the addresses and host names given, unusable ones left out.

    Host names come from the post: only letters, digits, dots and dashes
    reach openssl's configuration file.
    """
    out: list[str] = []
    for name in names:
        name = name.strip().strip("[]")
        try:
            entry = f"IP:{ipaddress.ip_address(name)}"
        except ValueError:
            if not name or not all(c.isalnum() or c in ".-" for c in name):
                continue
            entry = f"DNS:{name}"
        if entry not in out:
            out.append(entry)
    return out


def _common_name(text: str) -> str:
    return "".join(c for c in text if c.isalnum() or c in "-_.") or "flagref"


class Authorities:
    """The CAs of one run, made on first use, their keys kept out of the post's folders."""

    def __init__(self, folder: Path, openssl: str, run: Callable[[list[str]], None]) -> None:
        self._folder = folder
        self._openssl = openssl
        self._run = run
        self._made: dict[str, tuple[Path, Path]] = {}
        folder.mkdir(parents=True, exist_ok=True)

    def ca(self, identity: str) -> tuple[Path, Path]:
        """The certificate and key of the CA named ``identity``."""
        if identity not in self._made:
            n = len(self._made) + 1
            cert, key, config = (self._folder / f"ca-{n}{suffix}" for suffix in (".crt", ".key", ".cnf"))
            config.write_text(_CA_CONFIG.format(cn=_common_name(f"flagref-verify-ca-{n}")), encoding="utf-8")
            self._run(
                [self._openssl, "req", "-x509", "-new", *_new_key(key), "-out", str(cert), "-days", "2"]
                + ["-config", str(config)]
            )
            key.chmod(0o600)
            self._made[identity] = (cert, key)
        return self._made[identity]

    def copy_ca(self, identity: str, dest: Path) -> None:
        """Write the certificate of CA ``identity`` to ``dest``."""
        cert, _ = self.ca(identity)
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(cert.read_bytes())

    def issue(self, identity: str, cert: Path, key: Path, common_name: str, names: Iterable[str]) -> list[str]:
        """Write a certificate signed by CA ``identity`` for server and client use; returns its SAN entries."""
        ca_cert, ca_key = self.ca(identity)
        cert.parent.mkdir(parents=True, exist_ok=True)
        key.parent.mkdir(parents=True, exist_ok=True)
        stem = f"leaf-{secrets.token_hex(4)}"
        request, config, extensions = (self._folder / f"{stem}{s}" for s in (".csr", ".cnf", ".ext"))
        sans = san_entries(names)
        config.write_text(_REQ_CONFIG.format(cn=_common_name(common_name)), encoding="utf-8")
        extensions.write_text(
            _LEAF_EXTENSIONS.format(san=f"subjectAltName = {','.join(sans)}\n" if sans else ""), encoding="utf-8"
        )
        self._run([self._openssl, "req", "-new", *_new_key(key), "-out", str(request), "-config", str(config)])
        key.chmod(0o600)
        self._run(
            [self._openssl, "x509", "-req", "-in", str(request), "-CA", str(ca_cert), "-CAkey", str(ca_key)]
            + ["-set_serial", f"0x{secrets.token_hex(8)}", "-days", "2", "-out", str(cert)]
            + ["-extfile", str(extensions), "-extensions", "v3"]
        )
        return sans


def _new_key(key: Path) -> list[str]:
    return ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", str(key)]
