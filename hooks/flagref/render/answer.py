"""A lookup's answer as text for a terminal (``flagref lookup``)."""

from __future__ import annotations

from typing import Any

from ..lookup import LookupResult


def render_answer(result: LookupResult, *, site_url: str = "", places: int = 3) -> str:
    """The answer as a reader reads it in a terminal; ``places``: uses shown per value."""
    if not result.found:
        lines = [f"flagref: {result.problem}"]
        if result.suggestions:
            lines.append("did you mean:")
            lines.extend(f"  {s}" for s in result.suggestions)
        return "\n".join(lines)
    out: list[str] = []
    for record in result.matches:
        out.append(_render_record(record, site_url, places))
    return "\n\n".join(out)


def _render_record(record: dict[str, Any], site_url: str, places: int) -> str:
    lines = [f"{record['component'] or '(no component)'} {record['flag']}"]
    lines.append(f"  {record['meaning'] or 'no description yet: this flag is not in the catalog'}")
    if record["type"] is not None:
        lines.append(f"  type: {record['type']}   default: {record['default'] if record['default'] else 'none'}")
    extras = [f"short form {record['short']}"] if record["short"] else []
    if record["env"]:
        extras.append(f"environment {record['env']}")
    if extras:
        lines.append("  " + ", ".join(extras))
    life = record["lifecycle"]
    if life["timeline"]:
        lines.append(f"  lifecycle: {life['timeline']}")
    if life.get("replacement"):
        lines.append(f"  replaced by: {life['replacement']}")
    by_value: dict[str | None, list[dict[str, Any]]] = {}
    for use in record["values"]:
        if use["kind"] != "prose":
            by_value.setdefault(use["value"], []).append(use)
    mentions = [u for u in record["values"] if u["kind"] == "prose"]
    if by_value:
        lines.append(f"  values in the posts ({sum(len(v) for v in by_value.values())} uses):")
        for value, uses in sorted(by_value.items(), key=lambda kv: (-len(kv[1]), kv[0] or "")):
            lines.append(f"    {value if value is not None else '(no value)'}  ×{len(uses)}")
            for use in uses[:places]:
                lines.append(f"      {use['post']}  {use['path']}:{use['line']}")
            if len(uses) > places:
                lines.append(f"      … and {len(uses) - places} more")
    if mentions:
        lines.append(
            f"  mentioned in the prose {len(mentions)} time(s), first at {mentions[0]['path']}:{mentions[0]['line']}"
        )
    for relation in record["relations"]:
        other = relation["other"]
        lines.append(f"  related: {other['component']} {other['flag']} ({relation['kind']}, rule {relation['rule']})")
    if record["upstream"]:
        lines.append(f"  upstream: {record['upstream']}")
    lines.append(f"  reference: {site_url}{record['url']}")
    return "\n".join(lines)
