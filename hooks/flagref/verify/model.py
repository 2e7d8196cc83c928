"""What a verification run reports: claims proven or failed, the rewrites it made, and notes.

Every record carries the ``path:line`` of the post line it is about, so a
failure reads like any other diagnostic of the project.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Diagnostic


@dataclass(frozen=True)
class Claim:
    """Something the post says about its etcd wiring, and whether a real etcd bore it out.

    ``text`` states the claim (``kube-apiserver writes and reads a key through
    --etcd-servers``); ``reason`` says why it failed, ``detail`` what proved it.
    """

    path: str
    line: int
    text: str
    ok: bool
    reason: str = ""
    detail: str = ""

    def __str__(self) -> str:
        verdict = "proven" if self.ok else f"FAILED: {self.reason}"
        more = f" ({self.detail})" if self.ok and self.detail else ""
        return f"{self.path}:{self.line}: {self.text}: {verdict}{more}"


@dataclass(frozen=True)
class Rewrite:
    """A flag value changed so that the post's setup can run on this machine, and why."""

    path: str
    line: int
    flag: str
    before: str | None
    after: str
    reason: str

    def __str__(self) -> str:
        before = "(not set)" if self.before is None else self.before
        return f"{self.path}:{self.line}: {self.flag}: {before} -> {self.after} ({self.reason})"


@dataclass(frozen=True)
class Note:
    """Something the run did that the post does not say: a default it used, a certificate it issued."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True)
class VerifyResult:
    """The verification of one post against the installed etcd.

    ``summary`` is the one line the site shows under the post's etcd table.
    """

    path: str
    etcd_version: str | None
    date: str
    claims: tuple[Claim, ...] = ()
    rewrites: tuple[Rewrite, ...] = ()
    notes: tuple[Note, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether there were claims and every one held."""
        return bool(self.claims) and all(c.ok for c in self.claims)

    @property
    def failures(self) -> tuple[Claim, ...]:
        """The claims that did not hold."""
        return tuple(c for c in self.claims if not c.ok)

    @property
    def summary(self) -> str:
        """``proven against etcd 3.4.23 on 2026-12-01``, or ``failed: <first reason>`` (and how many more)."""
        if self.ok:
            return f"proven against etcd {self.etcd_version} on {self.date}"
        failures = self.failures
        if not failures:
            return "failed: nothing to verify"
        first = failures[0]
        more = f" (and {len(failures) - 1} more)" if len(failures) > 1 else ""
        return f"failed: {first.path}:{first.line}: {first.reason}{more}"

    def diagnostics(self) -> list[Diagnostic]:
        """One warning per failed claim, for the site's log."""
        return [Diagnostic(c.path, c.line, f"{c.text}: {c.reason}") for c in self.failures]

    def to_json(self) -> dict:
        """Plain data for ``flagref verify --json``."""
        return {
            "path": self.path,
            "ok": self.ok,
            "summary": self.summary,
            "etcd_version": self.etcd_version,
            "date": self.date,
            "claims": [
                {"path": c.path, "line": c.line, "claim": c.text, "ok": c.ok, "reason": c.reason, "detail": c.detail}
                for c in self.claims
            ],
            "rewrites": [
                {
                    "path": r.path,
                    "line": r.line,
                    "flag": r.flag,
                    "before": r.before,
                    "after": r.after,
                    "reason": r.reason,
                }
                for r in self.rewrites
            ],
            "notes": [{"path": n.path, "line": n.line, "message": n.message} for n in self.notes],
        }
