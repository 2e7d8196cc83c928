"""One verification run's resources: a deadline, a temporary folder, the etcd processes, free ports.

:meth:`Session.close` stops every process it started (terminate, then kill)
and removes the folder; callers put it in a ``finally`` so that a failure,
the deadline or Ctrl-C all end the same way.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from .etcd import Binaries
    from .rewrite import Run

STOP_TIMEOUT = 2.0  # seconds etcd gets to exit on SIGTERM before SIGKILL (its data is thrown away)


class TimeUp(Exception):
    """The run's deadline passed."""


class ToolFailed(Exception):
    """A helper program (openssl) exited with an error."""


def run_tool(argv: list[str], timeout: float, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run ``argv`` to completion within ``timeout`` seconds (the child is killed otherwise: :class:`TimeUp`)."""
    name = Path(argv[0]).name
    if timeout <= 0:
        raise TimeUp(f"no time left to run {name}")
    try:
        return subprocess.run(
            argv, capture_output=True, text=True, timeout=timeout, env=env, stdin=subprocess.DEVNULL, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise TimeUp(f"{name} did not finish within {timeout:.1f} s") from exc


def clean_env(api: bool = False) -> dict[str, str]:
    """This process's environment without ETCD_*/ETCDCTL_* variables, which would change what is verified."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ETCD") or k == "ETCD_UNSUPPORTED_ARCH"}
    if api:
        env["ETCDCTL_API"] = "3"
    return env


@dataclass(frozen=True)
class Credentials:
    """What a client trusts and presents: etcdctl's ``--cacert``, ``--cert`` and ``--key``."""

    cacert: Path | None = None
    cert: Path | None = None
    key: Path | None = None
    insecure: bool = False  # the member made its own certificate (--auto-tls): nothing to verify it with

    def args(self) -> list[str]:
        """The etcdctl flags for these credentials."""
        pairs = (("cacert", self.cacert), ("cert", self.cert), ("key", self.key))
        out = [f"--{flag}={path}" for flag, path in pairs if path is not None]
        return out + (["--insecure-skip-tls-verify"] if self.insecure else [])


class Session:
    """Deadline, folder and processes of one run; use in ``try``/``finally: close()``."""

    def __init__(self, binaries: Binaries, timeout: float, workdir: Path | None = None) -> None:
        self.binaries = binaries
        self.timeout = timeout
        self._deadline = time.monotonic() + timeout
        self._folder = tempfile.TemporaryDirectory(prefix="flagref-verify-", dir=workdir, ignore_cleanup_errors=True)
        self.root = Path(self._folder.name)
        self.private = self.root / ".check"  # CA keys and logs: nothing the post names
        self.private.mkdir()
        self._processes: list[tuple[subprocess.Popen, IO[bytes]]] = []
        self._ports: set[int] = set()

    def remaining(self) -> float:
        """Seconds left before the deadline (negative once past it)."""
        return self._deadline - time.monotonic()

    def left(self, cap: float) -> float:
        """Seconds for the next step: ``cap``, or what is left of the deadline; :class:`TimeUp` when none is."""
        remaining = self.remaining()
        if remaining <= 0:
            raise TimeUp(f"gave up after {self.timeout:g} s")
        return min(cap, remaining)

    def run(self, argv: list[str], cap: float, env: dict[str, str]) -> subprocess.CompletedProcess:
        """``run_tool`` within the deadline; running out of it says so."""
        limit = self.left(cap)
        try:
            return run_tool(argv, limit, env=env)
        except TimeUp as exc:
            if limit < cap:
                raise TimeUp(f"gave up after {self.timeout:g} s ({exc})") from exc
            raise

    def openssl(self, argv: list[str]) -> None:
        """Run an ``openssl`` command line; a non-zero exit raises ``ToolFailed``."""
        result = self.run(argv, 10, env=clean_env())
        if result.returncode != 0:
            raise ToolFailed(f"openssl {argv[1]} failed: {result.stderr.strip()[-300:]}")

    def etcdctl(
        self, endpoints: Sequence[str], creds: Credentials, *args: str, cap: float = 6.0, patience: str = "3s"
    ) -> subprocess.CompletedProcess:
        """Run ``etcdctl`` (v3 API) against ``endpoints``; ``patience`` is its --command-timeout."""
        # Everything is on the loopback: a second to connect is plenty.
        timeouts = ["--dial-timeout=1s", f"--command-timeout={patience}"]
        argv = [self.binaries.etcdctl, f"--endpoints={','.join(endpoints)}", *timeouts, *creds.args(), *args]
        return self.run(argv, cap, env=clean_env(api=True))

    def start(self, run: Run) -> tuple[subprocess.Popen, Path]:
        """Start etcd with ``run``'s rewritten flags in its machine folder; the process and its log file."""
        run.machine.root.mkdir(parents=True, exist_ok=True)
        log_path = self.private / f"{run.machine.name}.log"
        log = open(log_path, "wb")  # noqa: SIM115 - closed in close(), after the process is gone
        try:
            process = subprocess.Popen(
                [self.binaries.etcd, *run.argv],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=run.machine.root,
                env=clean_env(),
            )
        except BaseException:
            log.close()
            raise
        self._processes.append((process, log))
        return process, log_path

    def free_port(self, addresses: Sequence[str]) -> int:
        """A port no one listens on at any of ``addresses``, and not handed out before in this run."""
        for _ in range(200):
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
                probe.bind(("127.0.0.1", 0))
                port = probe.getsockname()[1]
            if port not in self._ports and all(_bindable(a, port) for a in addresses):
                self._ports.add(port)
                return port
        raise OSError(f"no port is free on all of {', '.join(addresses)}")

    def close(self) -> None:
        """Stop every process (SIGTERM, then SIGKILL), then remove the folder; safe to call twice."""
        pending: BaseException | None = None
        for process, _ in self._processes:
            # All at once: members of one cluster then stop in parallel.
            if process.poll() is None:
                with contextlib.suppress(OSError):  # it may have exited between the two calls
                    process.terminate()
        for process, log in self._processes:
            try:
                _stop(process)
            except BaseException as exc:  # noqa: BLE001 - a second Ctrl-C must not leave the others running
                pending = pending or exc
            finally:
                log.close()
        self._processes.clear()
        self._folder.cleanup()
        if pending is not None:
            raise pending


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    try:
        with contextlib.suppress(subprocess.TimeoutExpired):  # then it is killed below
            process.terminate()
            process.wait(timeout=STOP_TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT)


def _bindable(address: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((address, port))
        except OSError:
            return False
    return True
