"""Kubernetes objects found in blocks: a manifest record, and its containers' flags as uses."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..model import Container, Manifest, Origin
from .components import component_of_container
from .manifests import ParsedObject
from .shell import parse_script

if TYPE_CHECKING:
    from .blocks import BlockReader

Line = tuple[Origin, str]
_SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh"})
Hint = tuple[str | None, str | None, str | None]  # (kind, name, namespace) a kubectl command named


def read_object(
    reader: BlockReader, block: int, obj: ParsedObject, hint: Hint, source: str, host: str | None
) -> Manifest:
    """The manifest record of ``obj``; the flags of its containers and settings go to ``reader``."""
    name = obj.name or hint[1]
    containers = tuple(
        Container(c.name, component_of_container(c, name), c.image, c.argv, c.env, c.probes, c.origin, c.command)
        for c in obj.containers
    )
    manifest = Manifest(
        block=block,
        origin=obj.origin,
        kind=obj.kind or hint[0],
        name=name,
        namespace=obj.namespace or hint[2],
        truncated=obj.truncated,
        containers=containers,
        host_network=obj.host_network,
        host_paths=obj.host_paths,
        source=source,
    )
    label = manifest.label
    for c in containers:
        argv = list(c.argv)
        if argv and c.command and argv[0][1].rsplit("/", 1)[-1] in _SHELLS and any(w == "-c" for _, w in argv[1:]):
            _read_shell_string(reader, block, argv, label, c.name, host)
            continue
        if argv and c.command and not argv[0][1].startswith("-"):
            argv = argv[1:]  # the executable itself
        reader.add_argv(argv, c.component, "manifest", block, obj=label, container=c.name, host=host)
        for origin, variable, value in c.env:
            flag = reader.catalog.flag_for_env(c.component, variable) if c.component else None
            if flag:
                reader.uses.append(
                    reader.ident.use(
                        origin.path,
                        origin.line,
                        block,
                        "manifest",
                        c.component,
                        flag,
                        value,
                        object=label,
                        container=c.name,
                        spelling=variable,
                        host=host,
                    )
                )
    for s in obj.settings:
        reader.uses.append(
            reader.ident.use(
                s.origin.path,
                s.origin.line,
                block,
                "manifest",
                s.component,
                "--" + s.name,
                s.value,
                object=label,
                spelling=s.spelling,
                host=host,
            )
        )
    return manifest


def _read_shell_string(
    reader: BlockReader, block: int, argv: Sequence[Line], label: str, container: str | None, host: str | None
) -> None:
    """``command: ["/bin/sh", "-c", "etcd --listen-client-urls=..."]``: the string is a command line."""
    words = [w for _, w in argv]
    at = words.index("-c", 1)
    if at + 1 >= len(argv):
        return
    origin, text = argv[at + 1]
    for invocation in parse_script([text], reader.programs).invocations:
        items = [(origin, w.value) for w in invocation.args]
        reader.add_argv(
            items,
            invocation.program,
            "manifest",
            block,
            # The string is shell text: its values are written with the shell's quotes.
            written=[w.written for w in invocation.args],
            obj=label,
            container=container,
            host=host,
            command=reader.subcommand(invocation.program, [w.value for w in invocation.args]),
        )
