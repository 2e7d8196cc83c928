"""``flags.json`` (checked against its JSON Schema) and ``objects.inv`` (decoded as Sphinx reads it)."""

from __future__ import annotations

import io
import json
import re
import tempfile
import zlib
from pathlib import Path
from typing import Any

import pytest
from test_reference import CERT_KEY, TOKEN

from conftest import DOCS, build_site
from flagref.checks.secrets import MASK
from flagref.render.exports import (
    KUBERNETES_ORDER,
    component_order,
    flags_schema,
    render_flags_json,
    render_objects_inv,
    write_flags_json,
)
from flagref.searchindex import memory_folder

# ---------------------------------------------------------------------------
# A validator for the part of JSON Schema (2020-12) that flags.schema.json uses. jsonschema is not a
# dependency of the project; this subset is small, and a keyword it does not know fails the test.

_KNOWN = {"$schema", "$id", "title", "description", "type", "required", "additionalProperties", "properties"}
_KNOWN |= {"items", "const", "enum", "minLength", "minimum"}
_TYPES = {
    "object": dict,
    "array": list,
    "string": str,
    "integer": int,
    "null": type(None),
    "boolean": bool,
}


def validate(value: Any, schema: dict[str, Any], where: str = "$") -> list[str]:
    """Every place where ``value`` breaks ``schema``, as ``$.flags[3].values[0].line: ...``."""
    unknown = set(schema) - _KNOWN
    if unknown:
        return [f"{where}: the test validator does not know {sorted(unknown)}"]
    problems: list[str] = []
    if "type" in schema:
        names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        ok = any(isinstance(value, _TYPES[n]) and not (n == "integer" and isinstance(value, bool)) for n in names)
        if not ok:
            return [f"{where}: {type(value).__name__} is not {names}"]
    if "const" in schema and value != schema["const"]:
        problems.append(f"{where}: {value!r} is not {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{where}: {value!r} is not one of {schema['enum']}")
    if "minLength" in schema and isinstance(value, str) and len(value) < schema["minLength"]:
        problems.append(f"{where}: shorter than {schema['minLength']}")
    if "minimum" in schema and isinstance(value, int) and value < schema["minimum"]:
        problems.append(f"{where}: {value} < {schema['minimum']}")
    if isinstance(value, dict):
        for key in schema.get("required", ()):
            if key not in value:
                problems.append(f"{where}: no {key!r}")
        properties = schema.get("properties", {})
        for key, item in value.items():
            if key in properties:
                problems.extend(validate(item, properties[key], f"{where}.{key}"))
            elif schema.get("additionalProperties") is False:
                problems.append(f"{where}: unexpected {key!r}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            problems.extend(validate(item, schema["items"], f"{where}[{i}]"))
    return problems


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ({"version": 2, "components": [], "flags": []}, "$.version: 2 is not 1"),
        ({"version": 1, "components": []}, "$: no 'flags'"),
        ({"version": 1, "components": [], "flags": [], "x": 1}, "$: unexpected 'x'"),
        ({"version": 1, "components": [{"name": 3}], "flags": []}, "$.components[0].name: int is not ['string']"),
    ],
)
def test_the_validator_catches_what_the_schema_forbids(value, problem):
    assert problem in validate(value, flags_schema())


# ---------------------------------------------------------------------------
# objects.inv, read as sphinx.util.inventory reads version 2

# name, domain:role, priority, uri, display name; the name may hold spaces (kube-apiserver --etcd-servers).
_INV_LINE = re.compile(r"(.+?)\s+(\S+:\S+)\s+(-?\d+)\s+(\S*)\s+(.*)")


def read_inventory(data: bytes) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    """The header fields and ``{(role, name): uri}`` of a Sphinx inventory v2."""
    header: dict[str, str] = {}
    lines = data.split(b"\n", 4)
    assert lines[0] == b"# Sphinx inventory version 2"
    for line in lines[1:3]:
        key, _, value = line.decode().removeprefix("# ").partition(": ")
        header[key] = value
    assert b"zlib" in lines[3]
    entries = {}
    for line in zlib.decompress(lines[4]).decode().splitlines():
        match = _INV_LINE.fullmatch(line)
        assert match, line
        name, role, _, uri, display = match.groups()
        if uri.endswith("$"):
            uri = uri[:-1] + name
        assert display == "-" or display, line
        entries[(role, name)] = uri
    return header, entries


def test_objects_inv_round_trip():
    document = {
        "components": [{"name": "etcd", "url": "flags/etcd/"}],
        "flags": [
            {"component": "etcd", "flag": "--data-dir", "url": "flags/etcd/#data-dir"},
            {"component": None, "flag": "--foo", "url": "flags/#flag-foo"},
        ],
    }
    header, entries = read_inventory(render_objects_inv(document, project="my\nsite", version="1"))
    assert header == {"Project": "my site", "Version": "1"}
    assert entries == {
        ("flagref:component", "etcd"): "flags/etcd/",
        ("flagref:flag", "etcd --data-dir"): "flags/etcd/#data-dir",
    }


# ---------------------------------------------------------------------------
# The built sites


def _target_exists(site: Path, url: str) -> bool:
    path, _, fragment = url.partition("#")
    file = site / path / "index.html"
    if not file.is_file():
        return False
    return not fragment or f'id="{fragment}"' in file.read_text(encoding="utf-8")


def test_flags_json_of_the_seed_site_follows_its_schema(seed_site):
    data = json.loads((seed_site.site / "flags.json").read_text(encoding="utf-8"))
    assert validate(data, flags_schema()) == []
    names = [c["name"] for c in data["components"]]
    present = [n for n in KUBERNETES_ORDER if n in names]
    assert names[: len(present)] == present and names == sorted(names, key=component_order)
    by_key = {(f["component"], f["name"]): f for f in data["flags"]}
    entry = by_key[("kube-apiserver", "etcd-servers")]
    assert entry["url"] == "flags/kube-apiserver/#etcd-servers" and entry["uses"] == len(entry["values"]) >= 1
    seen = [v for v in entry["values"] if v["kind"] == "manifest"][0]
    assert seen["value"] == "https://127.0.0.1:2379"
    assert seen["path"] == "docs/posts/kubernetes/components/2019-10-24-etcd.md" and seen["line"] == 36
    assert seen["post"] == "kubernetes > etcd as a component in the cluster"
    assert seen["url"].startswith("posts/kubernetes/components/2019-10-24-etcd/#flagref-block-")
    assert "etcd --listen-client-urls" in {
        f"{r['other']['component']} {r['other']['flag']}" for r in entry["relations"]
    }
    # Every entry and every value's link lands on a page (and anchor) of the site.
    for flag in data["flags"]:
        if flag["uses"]:
            assert _target_exists(seed_site.site, flag["url"]), flag["url"]
            for value in flag["values"]:
                assert _target_exists(seed_site.site, value["url"]), value["url"]


def test_objects_inv_of_the_seed_site_links_every_entry(seed_site):
    header, entries = read_inventory((seed_site.site / "objects.inv").read_bytes())
    assert header["Project"] == "flagref"
    assert entries[("flagref:flag", "kube-apiserver --etcd-servers")] == "flags/kube-apiserver/#etcd-servers"
    assert entries[("flagref:flag", "etcd --listen-client-urls")] == "flags/etcd/#listen-client-urls"
    assert entries[("flagref:component", "etcd")] == "flags/etcd/"
    data = json.loads((seed_site.site / "flags.json").read_text(encoding="utf-8"))
    assert len(entries) == len(data["components"]) + sum(1 for f in data["flags"] if f["component"])
    for (role, name), uri in entries.items():
        if role == "flagref:flag" and name.startswith(("etcd ", "kube-apiserver ")):
            assert _target_exists(seed_site.site, uri), (name, uri)


def test_flags_json_masks_secrets(fixture_site):
    text = (fixture_site.site / "flags.json").read_text(encoding="utf-8")
    assert TOKEN not in text and CERT_KEY not in text
    data = json.loads(text)
    assert validate(data, flags_schema()) == []
    masked = [v for f in data["flags"] for v in f["values"] if v["value"] == MASK]
    assert masked and all(v["path"].endswith("posts/site/2020-02-06-secrets.md") for v in masked)


def test_the_exports_are_copied_from_files_the_build_removes(tmp_path):
    folder = Path(memory_folder() or tempfile.gettempdir())
    before = set(folder.glob("flagref-exports-*"))
    site = build_site(DOCS, tmp_path / "site").site
    assert set(folder.glob("flagref-exports-*")) == before  # nothing of the build is left behind
    written = (site / "flags.json").read_text(encoding="utf-8")
    document = json.loads(written)
    # Written a flag at a time, the file is the text the renderer makes of its own content.
    assert written == render_flags_json(document)
    out = io.StringIO()
    write_flags_json(document, out)
    assert out.getvalue() == written and written.count("\n") == len(document["flags"]) + 2
