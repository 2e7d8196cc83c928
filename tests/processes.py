"""Real servers in tests: free loopback ports, and stopping what a test started."""

from __future__ import annotations

import socket
import subprocess


def free_ports(n: int = 1) -> list[int]:
    """``n`` distinct free ports on 127.0.0.1 (held together, released just before use)."""
    sockets = []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def stop(process: subprocess.Popen, timeout: float = 10) -> None:
    """Terminate ``process``, and kill it if it does not exit within ``timeout`` seconds."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=timeout)
