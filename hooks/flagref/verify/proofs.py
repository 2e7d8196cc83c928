"""The claims, proven against running etcd members: they start, form a cluster, serve the kube-apiserver, refuse strangers.

Each proof uses ``etcdctl`` (etcd's own v3 client) for the verdict; when a
client is refused, a plain TLS handshake from Python says why, so a failure
names its cause (nothing listening, a certificate another CA issued...).
"""

from __future__ import annotations

import json
import secrets
import socket
import ssl
import time
from pathlib import Path
from urllib.parse import urlsplit

from .certs import Issued
from .model import Claim
from .pki import Authorities
from .rewrite import Plan, Run
from .session import Credentials, Session
from .wiring import Setting, Source

READY = b"ready to serve client requests"  # what etcd 3.4 logs once a client listener serves
ANOTHER_CA = "another CA, which the post does not name"


def prove(session: Session, plan: Plan, issued: Issued, authorities: Authorities) -> list[Claim]:
    """Start the members of ``plan`` and prove each claim the post makes about them.

    When a member does not start, that is the finding: nothing else is tried.
    """
    creds = [_member_credentials(session, i, run, issued, authorities) for i, run in enumerate(plan.members)]
    started = [session.start(run) for run in plan.members]
    claims = _wait_members(session, plan, started, creds)
    if not all(c.ok for c in claims):
        return claims
    if len(plan.members) > 1:
        claims += _cluster(session, plan, creds)
    for client in plan.clients:
        if client.source.get("etcd-servers") is not None:
            claims.append(_apiserver(session, plan, client))
    for run, cred in zip(plan.members, creds):
        if run.source.enabled("client-cert-auth"):
            claims += _refusals(session, run, cred, authorities)
    return claims


def _member_credentials(session: Session, index: int, run: Run, issued: Issued, authorities: Authorities):
    """A client the member trusts: its server's CA, and a certificate from the CA it trusts for clients."""
    folder = session.private / "clients"
    if run.source.enabled("auto-tls"):
        return Credentials(insecure=True)
    cacert = folder / f"{index + 1}-ca.crt"
    authorities.copy_ca(issued.server_ca[index], cacert)
    trusted = issued.client_ca.get(index)
    if not trusted:
        return Credentials(cacert)
    cert, key = folder / f"{index + 1}-client.crt", folder / f"{index + 1}-client.key"
    authorities.issue(trusted, cert, key, "flagref-verify-client", [])
    return Credentials(cacert, cert, key)


def _urls(value: str | None) -> list[str]:
    return [item.strip() for item in (value or "").split(",") if item.strip()]


def _wait_members(session: Session, plan: Plan, started, creds) -> list[Claim]:
    claims: dict[int, Claim] = {}
    pending = dict(enumerate(plan.members))
    while pending:
        for index, run in list(pending.items()):
            process, log_path = started[index]
            text = _started(run)
            code = process.poll()
            if code is not None:
                message = etcd_error(log_path.read_bytes())
                setting = blame(run.source, message)
                line = setting.line if setting is not None else run.source.line
                about = f" ({setting.text})" if setting is not None else ""
                reason = f"etcd exited with code {code}: {message}{about}"
                claims[index] = Claim(run.source.path, line, text, False, reason)
            elif READY in log_path.read_bytes():
                urls = _urls(run.values.get("advertise-client-urls"))
                result = session.etcdctl(urls, creds[index], "endpoint", "health", cap=8)
                if result.returncode == 0:
                    claims[index] = Claim(run.source.path, run.source.line, text, True, detail=" ".join(urls))
                else:
                    why = _diagnose(urls, creds[index]) or _last_line(result.stderr)
                    claims[index] = Claim(
                        run.source.path, run.source.line, text, False, f"etcdctl endpoint health: {why}"
                    )
            else:
                continue
            del pending[index]
        if pending:
            if session.remaining() <= 0.5:
                for index, run in pending.items():
                    message = etcd_error(started[index][1].read_bytes())
                    reason = f"not serving after {session.timeout:g} s; etcd's last word: {message}"
                    claims[index] = Claim(run.source.path, run.source.line, _started(run), False, reason)
                break
            time.sleep(0.1)
    return [claims[i] for i in sorted(claims)]


def _started(run: Run) -> str:
    return f"etcd member {run.source.member_name} ({run.source.label}) starts and serves its client URLs"


def _cluster(session: Session, plan: Plan, creds) -> list[Claim]:
    first, last = plan.members[0], plan.members[-1]
    setting = first.source.get("initial-cluster")
    line = setting.line if setting is not None else first.source.line
    first_urls = _urls(first.values.get("advertise-client-urls"))
    last_urls = _urls(last.values.get("advertise-client-urls"))
    result = session.etcdctl(first_urls, creds[0], "member", "list", "-w", "json")
    names = members_started(result.stdout)
    count = len(plan.members)
    text = f"the {count} members of --initial-cluster form one cluster"
    if result.returncode == 0 and len(names) == count:
        claims = [Claim(first.source.path, line, text, True, detail=f"etcdctl member list: {', '.join(names)} started")]
    else:
        got = f"{len(names)} started ({', '.join(names) or 'none'})"
        got = got if result.returncode == 0 else _last_line(result.stderr)
        claims = [Claim(first.source.path, line, text, False, f"etcdctl member list: {got}")]
    key, token = f"/flagref-verify/cluster-{secrets.token_hex(4)}", secrets.token_hex(8)
    text = f"a key written at member {first.source.member_name} is read at member {last.source.member_name}"
    put = session.etcdctl(first_urls, creds[0], "put", key, token)
    got = session.etcdctl(last_urls, creds[-1], "get", key, "--print-value-only") if put.returncode == 0 else put
    if got.returncode == 0 and got.stdout.strip() == token:
        claims.append(Claim(first.source.path, line, text, True))
    else:
        claims.append(Claim(first.source.path, line, text, False, _last_line(got.stderr) or "the value read differs"))
    return claims


def _apiserver(session: Session, plan: Plan, client: Run) -> Claim:
    servers = client.source.get("etcd-servers")
    assert servers is not None
    endpoints = _urls(client.values.get("etcd-servers"))
    creds = Credentials(*(_path(client.values.get(name)) for name in ("etcd-cafile", "etcd-certfile", "etcd-keyfile")))
    prefix = (client.values.get("etcd-prefix") or "/registry").rstrip("/")
    key, token = f"{prefix}/flagref-verify/{secrets.token_hex(4)}", secrets.token_hex(8)
    text = f"{client.source.label} writes and reads a key through {servers.text}"
    result = session.etcdctl(endpoints, creds, "endpoint", "health")
    if result.returncode == 0:
        result = session.etcdctl(endpoints, creds, "put", key, token)
    if result.returncode == 0:
        result = session.etcdctl(endpoints, creds, "get", key, "--print-value-only")
        if result.returncode == 0 and result.stdout.strip() == token:
            return Claim(servers.path, servers.line, text, True, detail=f"put and get {key}")
    problems = []
    written = _urls(servers.value)
    for shown, endpoint in zip(written if len(written) == len(endpoints) else endpoints, endpoints):
        problem = _diagnose([endpoint], creds)
        if problem:
            problems.append(f"{shown} (run as {endpoint}): {problem}{_context(problem, plan, client.source)}")
    reason = "; ".join(problems) or _last_line(result.stderr) or "the value read differs from the value written"
    return Claim(servers.path, servers.line, text, False, reason)


def _context(problem: str, plan: Plan, client: Source) -> str:
    """Where the post says what the kube-apiserver should have matched."""
    if problem.startswith("nothing listens"):
        listens = [m.source.get("listen-client-urls") for m in plan.members]
        shown = [f"etcd {s.text} at {s.origin}" for s in listens if s is not None]
        return f"; {', '.join(shown)} does not serve it" if shown else ""
    if "verify" in problem:
        cafile = client.get("etcd-cafile")
        trusted = [m.source.get("trusted-ca-file") for m in plan.members]
        shown = [f"etcd {s.text} at {s.origin}" for s in trusted if s is not None]
        if cafile is not None and shown:
            return f"; {cafile.text} at {cafile.origin} is not the CA of etcd's certificates ({', '.join(shown)})"
    return ""


def _refusals(session: Session, run: Run, creds: Credentials, authorities: Authorities) -> list[Claim]:
    setting = run.source.get("client-cert-auth")
    assert setting is not None
    urls = _urls(run.values.get("advertise-client-urls"))
    cert, key = session.private / "clients" / "other-ca-client.crt", session.private / "clients" / "other-ca-client.key"
    if not cert.exists():
        authorities.issue(ANOTHER_CA, cert, key, "flagref-verify-stranger", [])
    claims = []
    strangers = (
        ("a client whose certificate another CA issued", Credentials(creds.cacert, cert, key, creds.insecure)),
        ("a client without a certificate", Credentials(creds.cacert, insecure=creds.insecure)),
    )
    for who, stranger in strangers:
        text = f"etcd {setting.text} refuses {who}"
        # etcdctl retries a refused handshake until its command timeout, so it is kept short; the verdict
        # also needs etcd's own refusal in a TLS handshake, so a slow etcd cannot pass for a strict one.
        result = session.etcdctl(urls, stranger, "put", "/flagref-verify/stranger", "served", patience="500ms")
        why = _diagnose(urls[:1], stranger)
        if result.returncode == 0:
            claims.append(Claim(setting.path, setting.line, text, False, f"etcd served {who} at {', '.join(urls)}"))
        elif not why:
            reason = f"etcdctl failed ({_last_line(result.stderr)}) but etcd accepted the TLS handshake"
            claims.append(Claim(setting.path, setting.line, text, False, reason))
        else:
            claims.append(Claim(setting.path, setting.line, text, True, detail=why))
    return claims


def _path(value: str | None) -> Path | None:
    return Path(value) if value else None


def _diagnose(urls: list[str], creds: Credentials) -> str:
    for url in urls:
        problem = tls_probe(url, creds)
        if problem:
            return problem
    return ""


def tls_probe(url: str, creds: Credentials, timeout: float = 2.0) -> str | None:
    """Why a client with ``creds`` cannot talk to ``url``, or ``None`` when the server accepts it."""
    parts = urlsplit(url)
    try:
        host, port = parts.hostname or "", parts.port
    except ValueError:
        return f"{url} has no usable port"
    try:
        raw = socket.create_connection((host, port or 443), timeout=timeout)
    except ConnectionRefusedError:
        return f"nothing listens at {host}:{port}"
    except OSError as exc:
        return f"cannot connect to {host}:{port}: {exc.strerror or exc}"
    with raw:
        if parts.scheme != "https":
            return None
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        try:
            if creds.insecure:
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
            elif creds.cacert:
                context.load_verify_locations(str(creds.cacert))
            if creds.cert:
                context.load_cert_chain(str(creds.cert), str(creds.key) if creds.key else None)
        except (OSError, ssl.SSLError) as exc:
            return f"the client's certificate files cannot be read: {exc}"
        try:
            with context.wrap_socket(raw, server_hostname=host) as tls:
                # With TLS 1.3 the server judges the client certificate after the handshake: wait for its verdict.
                tls.settimeout(1.0)
                try:
                    data = tls.recv(1)
                except TimeoutError:
                    return None
                return None if data else "etcd closed the connection"
        except ssl.SSLCertVerificationError as exc:
            return f"etcd's certificate does not verify: {exc.verify_message}"
        except ssl.SSLError as exc:
            return f"TLS refused: {exc.reason or exc}"
        except OSError as exc:
            return f"the connection broke: {exc.strerror or exc}"


def members_started(output: str) -> list[str]:
    """The names of the started members in ``etcdctl member list -w json`` (an unstarted one has no name)."""
    try:
        data = json.loads(output)
    except ValueError:
        return []
    members = data.get("members", []) if isinstance(data, dict) else []
    return [m.get("name", "") for m in members if isinstance(m, dict) and m.get("name") and m.get("clientURLs")]


def etcd_error(log: bytes) -> str:
    """The line of etcd's log that says why it stopped: its last critical line, else its last error, else its last line."""
    lines = [line.strip() for line in log.decode("utf-8", "replace").splitlines() if line.strip()]
    for levels in ((" C | ", " F | "), (" E | ",)):
        for line in reversed(lines):
            if any(level in line for level in levels):
                return line.split(" | ", 1)[1][:400]
    for line in reversed(lines):
        if line.startswith("{"):  # --logger=zap writes JSON lines
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry, dict) and entry.get("level") in ("fatal", "panic", "error"):
                return f"{entry.get('msg', '')} {entry.get('error', '')}".strip()[:400]
    return lines[-1][:400] if lines else "(nothing logged)"


def blame(source: Source, message: str) -> Setting | None:
    """The flag etcd's message is about (``the initial cluster`` -> --initial-cluster), if it names one."""
    lowered = message.lower()
    found = [s for s in source.settings if s.flag in message or s.name.replace("-", " ") in lowered]
    return max(found, key=lambda s: len(s.name)) if found else None


def _last_line(text: str) -> str:
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return lines[-1][:400] if lines else ""


__all__ = ["blame", "etcd_error", "members_started", "prove", "tls_probe"]
