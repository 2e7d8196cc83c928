"""Whole hostile posts through the whole pipeline: nothing crashes, hangs, leaks, runs or is lost.

Hypothesis writes posts the way posts go wrong: front matter of every shape
(categories as a string or a list, dates that do not exist, aliases, deep
nesting, junk keys, never closed), prose with inline code and flag mentions,
manifests with truncation markers, transcripts with prompts, continuations and
heredocs, unit and env files, snippet includes (some trying to leave
``snippets/``), control characters, non-ASCII, long lines and deep nesting,
each with payloads aimed at the HTML and the YAML of generated pages. Each post
goes through ``tests/fuzz_site.py``: the same calls the MkDocs hook makes.

The run is derandomized (the same examples every time), does not shrink (a
post of long lines takes minutes to shrink; the failing example is printed as
drawn) and is kept well under a minute: long lines are a few thousand
characters, enough to reach every pattern but not to time one.

Where a known bug would fail the property today, the generator or the check
steps around it in one marked place (``KNOWN``), to be removed with the fix.
"""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest
from fuzz_site import Harness, dangers, make_tree
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from test_invariant import assert_accounted

from flagref.parse.snippets import SnippetSource

# -- building blocks ----------------------------------------------------------------------

# Text aimed at the page: HTML, Markdown attribute lists, URLs, Jinja, snippet lines, line separators.
PAYLOADS = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "![x](x){onerror=alert(1)}",
    "[x](javascript:alert(1))",
    "javascript:alert(1)",
    '"><script>alert(1)</script>',
    "' onmouseover='alert(1)",
    "{: onclick=alert(1) }",
    "<svg onload=alert(1)>",
    "</code></pre><script>alert(1)</script>",
    "&lt;script&gt;",
    "<!-- x",
    "{{ config.site_name }}",
    '--8<-- "../outside/secret.yaml"',
    "*[etcd]: <b onclick=alert(1)>",
    "a\x01b\x7f\x85c",
    "line\u2028separator\u2029x",
    "tab\tand\x0bvertical\x0cfeed",
    "\ufdd0",
    "\ufeffbom",
    "日本語 ünïcödé 🚀 \u202eevil",
    "C++",
    "index",
    "..",
)
# Text of any character but lone surrogates, which no file decoded as UTF-8 holds.
ANY_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=24)
WORD = st.one_of(st.sampled_from(PAYLOADS), ANY_TEXT, st.from_regex(r"[a-z][a-z0-9-]{0,12}", fullmatch=True))

COMPONENTS = (
    "etcd",
    "kube-apiserver",
    "kube-controller-manager",
    "kube-scheduler",
    "kubelet",
    "kube-proxy",
    "/usr/local/bin/etcd",
)
COMMANDS = ("kubectl", "etcdctl", "kubeadm", "etcd", "kube-apiserver", "sudo etcdctl", "ETCDCTL_API=3 etcdctl", "curl")
FLAG_NAMES = (
    "etcd-servers",
    "data-dir",
    "listen-client-urls",
    "advertise-client-urls",
    "initial-cluster",
    "name",
    "token",
    "password",
    "client-cert-auth",
    "kubeconfig",
    "endpoints",
    "cacert",
    "namespace",
    "authorization-mode",
    "v",
)
# Dashes as written: two hyphens, one, three, and the typographic ones a word processor inserts.
DASHES = ("--", "--", "--", "-", "---", "\u2013", "\u2014", "\u2013-", "-\u2013")
VALUE = st.one_of(
    st.sampled_from(
        (
            "https://127.0.0.1:2379",
            "/var/lib/etcd",
            "Node,RBAC",
            "s3cr3t-Token-0123456789abcdef",
            "$(cat /etc/token)",
            "${ETCD_NAME}",
            "<your-token>",
            "'quoted value'",
            '"double"',
            "a=b=c",
            "",
        )
    ),
    WORD,
)


@st.composite
def flag(draw) -> str:
    """A flag as written on a command line: dashes, a name, then ``=value``, `` value`` or nothing."""
    name = draw(st.one_of(st.sampled_from(FLAG_NAMES), st.from_regex(r"[a-z][a-z0-9-]{0,20}", fullmatch=True)))
    text = draw(st.sampled_from(DASHES)) + name
    sep = draw(st.sampled_from(("=", " ", "")))
    return text if not sep else text + sep + draw(VALUE)


def yaml_scalar(draw, strategy) -> str:
    """A value for a YAML line: as drawn (which may break the YAML), or as a JSON string (which YAML reads)."""
    value = draw(strategy)
    return json.dumps(value) if draw(st.booleans()) else value


# Inserted anywhere in a block: truncation markers and junk the author pasted.
TRUNCATION = ("...", "--TRUNCATED--", "    --TRUNCATED--", "# ...", "[...]", "<snip>", "-- output truncated --")

LONG_LENGTHS = (300, 2_000, 6_000)
# Shapes that made patterns backtrack: runs of one character, prompts never closed, padding.
LONG_SHAPES = (
    lambda n: "." * n,
    lambda n: "-" * n,
    lambda n: "--" + "a-" * (n // 2),
    lambda n: "[x@" + "a" * n,
    lambda n: "key:" + " " * n + "x",
    lambda n: "#" + " " * n + "x",
    lambda n: "`" * n + "x",
    lambda n: "<" * n,
    # Lines over parse.prose.MAX_PROSE_LINE are shown as plain text: Python-Markdown never reads them.
    lambda n: "[" * n,
    lambda n: "\\" * n,
    lambda n: "8<" * (n // 2),
    lambda n: "--a=1 " * (n // 6),
    lambda n: "x" * n,
    lambda n: "= " * (n // 2),
    lambda n: '"' + "\\'" * (n // 2),
)


@st.composite
def long_line(draw) -> str:
    """A line of a few thousand characters of one repeated shape, with a tail that defeats a match."""
    shape = draw(st.sampled_from(LONG_SHAPES))
    return shape(draw(st.sampled_from(LONG_LENGTHS))) + draw(st.sampled_from(("", "x", " --x=1", "!", "...")))


@st.composite
def manifest(draw) -> list[str]:
    """A Pod manifest (or a kubeadm configuration) with flags, env, probes, markers and junk."""
    if draw(st.integers(0, 5)) == 0:
        return draw(st.sampled_from(ODD_MANIFESTS)).splitlines()
    component = draw(st.one_of(st.sampled_from(COMPONENTS), WORD))
    lines = [
        "apiVersion: v1",
        "kind: " + draw(st.sampled_from(("Pod", "Deployment", "ClusterConfiguration", "Secret"))),
        "metadata:",
        "  name: " + yaml_scalar(draw, st.one_of(st.sampled_from(COMPONENTS), WORD)),
        "  namespace: kube-system",
        "spec:",
    ]
    if draw(st.booleans()):
        lines.append("  hostNetwork: true")
    lines.append("  containers:")
    for _ in range(draw(st.integers(1, 2))):
        style = draw(st.sampled_from(("command", "args", "flow", "split")))
        flags = draw(st.lists(flag(), max_size=6))
        if style == "flow":
            lines.append("  - command: [" + ", ".join([json.dumps(component), *map(json.dumps, flags)]) + "]")
        else:
            lines.append("  - command:" if style != "args" else "  - args:")
            if style != "args":
                lines.append("    - " + yaml_scalar(draw, st.just(component)))
            if style == "split":
                lines.append("    args:")
            lines.extend("    - " + yaml_scalar(draw, st.just(f)) for f in flags)
        lines.append("    image: " + yaml_scalar(draw, st.sampled_from(("k8s.gcr.io/etcd:3.4.3-0", "x", ""))))
        lines.append("    name: " + yaml_scalar(draw, st.one_of(st.sampled_from(COMPONENTS), WORD)))
        if draw(st.booleans()):
            lines += ["    env:", "    - name: ETCD_" + draw(st.sampled_from(("DATA_DIR", "NAME", "X")))]
            lines.append("      value: " + yaml_scalar(draw, VALUE))
        if draw(st.booleans()):
            port = draw(st.sampled_from(("2381", '"²"', "9" * 400, "-1", "http", "[]", "{}")))
            lines += ["    livenessProbe:", "      httpGet:", "        host: 127.0.0.1", f"        port: {port}"]
    for _ in range(draw(st.integers(0, 2))):
        at = draw(st.integers(0, len(lines)))
        lines.insert(at, draw(st.one_of(st.sampled_from(TRUNCATION), WORD, long_line())))
    return lines


# Manifests that attacked the YAML reader: aliases, deep nesting, kubeadm and kubeconfig secrets.
ODD_MANIFESTS = (
    'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n'
    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
    "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
    "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nh: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\nspec:\n  containers:\n  - args: *h",
    "spec:\n  containers:\n  - args: " + "[" * 800 + "--x" + "]" * 800,
    "spec:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 300)) + "  " * 300 + "args: [--deep=1]",
    "apiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\napiServer:\n  extraArgs:\n"
    "    authorization-mode: Node,RBAC\n    etcd-servers: https://127.0.0.1:2379\netcd:\n  local:\n    extraArgs:\n"
    "      listen-client-urls: https://127.0.0.1:2379\n---\napiVersion: kubeadm.k8s.io/v1beta3\n"
    "kind: InitConfiguration\nbootstrapTokens:\n- token: abcdef.0123456789abcdef\ncertificateKey: 0123abcd",
    "apiVersion: v1\nkind: Config\nusers:\n- name: admin\n  user:\n    client-key-data: LS0tLS1CRUdJTg==\n"
    "    token: eyJhbGciOiJSUzI1NiJ9",
    'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - command: ["/bin/sh","-c","etcd --name=x '
    '--listen-client-urls=https://127.0.0.1:2379"]',
    "kind: Pod\n\tspec: [unclosed\n  containers: {a: b\n- - - --x\n: : :\n? --y\n",
    "---\n---\n...\n---\nkind: List\nitems:\n- kind: Pod\n  spec:\n    containers:\n    - args: ['--a=1', --b]",
)

PROMPTS = ("$ ", "# ", "user@master:~$ ", "root@master:~# ", "[root@m ~]# ", "master $ ", "> ", "", "PS C:\\> ")
TRANSCRIPT_LINES = (
    "kubectl exec -n kube-system etcd-master -- etcdctl --endpoints=https://127.0.0.1:2379 member list",
    'sh -c "etcd --name=x --data-dir=/d"',
    "bash -c 'kubeadm init --pod-network-cidr=10.244.0.0/16'",
    "export ETCDCTL_CACERT=/etc/kubernetes/pki/etcd/ca.crt",
    'curl -H "Authorization: Bearer abcdef0123456789" https://127.0.0.1:6443',
    "ps -ef | grep kube-apiserver",
    "sudo cat /etc/kubernetes/manifests/etcd.yaml | grep -- --",
    "for f in a b; do etcdctl --endpoints=$f get /; done",
    'A="--x=y" B="--z=w" kube-apiserver',
    "echo 'unclosed --quote=1",
    "kubectl get po -o jsonpath='{.items[*].spec.containers[*].command}'",
)
OUTPUT_LINES = (
    "root  1234  1 kube-apiserver --advertise-address=10.0.0.1 --etcd-servers=https://127.0.0.1:2379",
    "    - --data-dir=/var/lib/etcd",
    "NAME      READY   STATUS",
    "etcd-master   1/1     Running",
    "Error: unknown flag: --foo",
)


@st.composite
def transcript(draw) -> list[str]:
    """Commands at prompts, with continuations, heredocs, output and pasted junk."""
    lines = []
    count = draw(st.integers(1, 4))
    for _ in range(count):
        prompt = draw(st.sampled_from(PROMPTS))
        kind = draw(st.integers(0, 4))
        if kind == 0:
            lines.append(prompt + draw(st.sampled_from(TRANSCRIPT_LINES)))
        elif kind == 1:
            tool = draw(st.one_of(st.sampled_from(COMMANDS), WORD))
            flags = draw(st.lists(flag(), max_size=5))
            if flags and draw(st.booleans()):  # one flag per line, as long commands are pasted
                lines.append(prompt + tool + " \\")
                lines.extend(f"  {f} \\" for f in flags[:-1])
                lines.append(f"  {flags[-1]}")
            else:
                lines.append(prompt + " ".join([tool, *flags]))
        elif kind == 2:
            target = draw(st.sampled_from(("| kubectl apply -f -", "> /etc/kubernetes/manifests/etcd.yaml")))
            quote = draw(st.sampled_from(("EOF", "'EOF'", '"EOF"', "-EOF")))
            lines.append(f"{prompt}cat <<{quote} {target}")
            lines.extend(draw(manifest()))
            # Sometimes never closed: the commands after it are still read (it ends at the next prompt).
            if draw(st.integers(0, 4)):
                lines.append("EOF")
        elif kind == 3:
            lines.extend(draw(st.lists(st.sampled_from(OUTPUT_LINES), min_size=1, max_size=3)))
        else:
            lines.append(prompt + draw(st.one_of(WORD, long_line())))
    return lines


@st.composite
def unit_file(draw) -> list[str]:
    """A systemd unit or an env file, as etcd's are written."""
    flags = draw(st.lists(flag(), max_size=4))
    if draw(st.booleans()):
        lines = ["[Unit]", "Description=" + draw(WORD), "[Service]"]
        lines.append('Environment="ETCD_' + draw(st.sampled_from(("NAME", "DATA_DIR", "X"))) + "=" + draw(VALUE) + '"')
        lines.append("EnvironmentFile=-/etc/etcd.env")
        lines.append("ExecStart=/usr/local/bin/etcd" + (" \\" if flags else ""))
        lines.extend(f"  {f}" + (" \\" if i < len(flags) - 1 else "") for i, f in enumerate(flags))
        return [*lines, "[Install]", "WantedBy=multi-user.target"]
    return ["ETCD_" + name.upper().replace("-", "_") + "=" + draw(VALUE) for name in draw(st.lists(WORD, max_size=4))]


SNIPPET_NAMES = (
    "ok.yaml",
    "ok.md",
    "ok.yaml:pod",
    "ok.yaml:2:5",
    "ok.yaml:nosuch",
    "sub/nested.md",
    "loop.md",
    "twice.md",
    "latin1.md",
    "gen.md",
    "gen.yaml",
    "glossary.md",
    "missing.md",
    "dangling.md",
    "link.yaml",
    "outlink/secret.yaml",
    "../outside/secret.yaml",
    "sub/../../outside/secret.yaml",
    "../../../../../../../../etc/passwd",
    "/etc/passwd",
    "/proc/self/environ",
    "%2e%2e/outside/secret.yaml",
    "file:///etc/passwd",
    "ok.yaml\x00",
    "",
    " ",
)


@st.composite
def include(draw) -> list[str]:
    """A snippet include, inline or as a block of names, sometimes escaped or malformed."""
    name = draw(st.one_of(st.sampled_from(SNIPPET_NAMES), WORD))
    space = draw(st.sampled_from(("", "    ", "\t", "  ")))
    form = draw(st.integers(0, 5))
    if form == 0:
        return [space, "--8<--", name, "--8<--"]
    if form == 1:
        return [f"{space};--8<-- {json.dumps(name)}"]
    if form == 2:
        return [f"{space}--8<-- '{name}'"]
    if form == 3:
        return [f"{space}-8<- {json.dumps(name)} trailing"]
    return [f"{space}--8<-- {json.dumps(name)}"]


def code_block(draw, body: list[str], info: str) -> list[str]:
    """``body`` as a block of one of the shapes Material Markdown renders (or almost does)."""
    shape = draw(st.integers(0, 9))
    fence = draw(st.sampled_from(("```", "~~~", "````")))
    if shape <= 3:
        closing = [fence] if draw(st.integers(0, 6)) else []  # sometimes never closed
        return [fence + info, *body, *closing]
    if shape == 4:  # in a list item
        return ["- item", "", "    " + fence + info, *("    " + b for b in body), "    " + fence]
    if shape == 5:  # in an admonition
        return ["!!! note", "", "    " + fence + info, *("    " + b for b in body), "    " + fence]
    if shape == 6:  # indented code
        return ["", *("    " + b for b in body), ""]
    if shape == 7:  # in a blockquote
        return ["> " + fence + info, *("> " + b for b in body), "> " + fence]
    if shape == 8:  # raw HTML
        return ["<pre>", *body, "</pre>"]
    return ["- item", "", "        " + fence + info, *("        " + b for b in body), "        " + fence]


@st.composite
def prose(draw) -> list[str]:
    """A paragraph, heading, list, table, footnote or abbreviation, with flags and payloads inline."""

    def inline(draw) -> str:
        piece = draw(st.integers(0, 4))
        if piece == 0:
            return "`" + draw(st.one_of(flag(), WORD)) + "`"
        if piece == 1:
            return draw(flag())
        return draw(WORD)

    words = [inline(draw) for _ in range(draw(st.integers(1, 8)))]
    text = " ".join(words)
    kind = draw(st.integers(0, 8))
    if kind == 0:
        return ["#" * draw(st.integers(1, 7)) + " " + text]
    if kind == 1:
        return [f"- {text}", f"  - {draw(WORD)}", f"1. {draw(flag())}"]
    if kind == 2:
        return ["| flag | value |", "|---|---|", f"| `{draw(flag())}` | {draw(WORD)} |"]
    if kind == 3:
        return [f"{text}[^1]", "", "[^1]: a note", "    ```", f"    {draw(flag())}", "    ```"]
    if kind == 4:
        return [f"*[{draw(WORD)}]: {draw(WORD)}", text]
    if kind == 5:
        depth = draw(st.sampled_from((3, 40, 400)))
        return [draw(st.sampled_from(("> ", "  - ", "    "))) * depth + text]
    if kind == 6:
        return [draw(st.sampled_from(("-- end of post --", "---", '=== "Tab"', "???+ note", "<div markdown>"))), text]
    return [text]


@st.composite
def block(draw) -> list[str]:
    """One piece of a post body."""
    kind = draw(st.integers(0, 9))
    if kind <= 2:
        return draw(prose())
    if kind == 3:
        return code_block(draw, draw(manifest()), draw(st.sampled_from(("yaml", "yml", "", " yaml title=x"))))
    if kind == 4:
        return code_block(draw, draw(transcript()), draw(st.sampled_from(("bash", "console", "shell", "", "sh"))))
    if kind == 5:
        return code_block(draw, draw(unit_file()), draw(st.sampled_from(("ini", "systemd", "", "bash"))))
    if kind == 6:
        lines = draw(include())
        if draw(st.booleans()):
            return code_block(draw, lines, "yaml")
        return lines
    if kind == 7:
        return [draw(long_line())]
    if kind == 8:
        return draw(st.lists(WORD, min_size=1, max_size=3))
    return code_block(draw, draw(st.lists(st.one_of(WORD, flag()), max_size=4)), draw(WORD).replace("\n", ""))


# -- front matter -----------------------------------------------------------------------------

DATES = ("2020-01-01", "2020-02-30", "2019-13-45", "yesterday", "2020", "2020-01-01 10:00:00 +0000", "0000-00-00", "")
ODD_FRONT = (
    "title: &a [" + "[" * 600 + "]" * 600 + "]",
    "categories: " + "[" * 1200 + "]" * 1200,
    "title: {a: 1, b: [2]}",
    'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n'
    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
    "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ntitle: *f\ncategories: *f",
    "title: a title: with a colon",
    "categories: [unclosed",
    "\ttitle: tab",
    "!!python/object/apply:os.system ['echo pwned']",
    "title: !!binary aGVsbG8=",
)


@st.composite
def front_matter(draw) -> list[str]:
    """Front matter lines (without the fences): drawn keys, odd documents, or junk."""
    if draw(st.integers(0, 5)) == 0:
        return draw(st.sampled_from(ODD_FRONT)).splitlines()
    lines = ["title: " + yaml_scalar(draw, WORD)]
    categories = draw(st.lists(st.one_of(WORD, st.sampled_from(COMPONENTS)), max_size=3))
    if draw(st.booleans()):
        lines.append("categories: " + " ".join(categories))
    else:
        lines.append("categories: [" + ", ".join(json.dumps(c) for c in categories) + "]")
    if draw(st.booleans()):
        lines.append("tags: " + json.dumps(draw(st.lists(WORD, max_size=3))))
    lines.append("date: " + draw(st.sampled_from(DATES)))
    for key in draw(st.lists(st.sampled_from(("description", "author", "layout", "permalink", "junk")), max_size=3)):
        lines.append(f"{key}: " + yaml_scalar(draw, WORD))
    if draw(st.booleans()):
        lines.insert(draw(st.integers(0, len(lines))), draw(WORD).replace("\n", " "))
    return lines


@st.composite
def post(draw) -> str:
    """A whole post: front matter (or none, or never closed), then blocks."""
    out: list[str] = []
    shape = draw(st.integers(0, 6))
    if shape <= 3:
        out += ["---", *draw(front_matter()), "---"]
    elif shape == 4:
        out += ["---", *draw(front_matter())]  # never closed
    elif shape == 5:
        out += ["\ufeff---", *draw(front_matter()), "..."]
    for _ in range(draw(st.integers(0, 6))):
        out += draw(block())
        if draw(st.booleans()):
            out.append("")
    text = "\n".join(out)
    ending = draw(st.sampled_from(("\n", "\r\n", "\r", "\n")))
    return text.replace("\n", ending) + draw(st.sampled_from(("", "\n", "\n\n")))


FILE_NAMES = (
    "posts/2020-01-01-first.md",
    "posts/kubernetes/2019-10-24-etcd.md",
    "posts/x/2021-02-30-impossible.markdown",
    "posts/no-date.md",
    "posts/日本/2020-01-02-日本.md",
    "posts/index.md",
    "posts/2020-01-03-<b>.md",
)

# -- the properties --------------------------------------------------------------------------

# Generous: a post of this suite takes well under a second; a quadratic pattern on a long line takes far more.
SECONDS_PER_BUILD = 10.0
# Text no HTML page or front matter may hold as it is: it would be markup to a browser.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@pytest.fixture(scope="module")
def harness(tmp_path_factory) -> Harness:
    return Harness(make_tree(tmp_path_factory.mktemp("fuzz-tree")))


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in _strings(v)]
    return []


def check_build(harness: Harness, posts: list[tuple[str, str]]) -> None:
    """Every property of the suite, on one build of ``posts``."""
    outcome = harness.build(posts)
    assert outcome.seconds < SECONDS_PER_BUILD, f"the build took {outcome.seconds:.1f} s of CPU"
    for read in outcome.posts:
        assert_accounted(read)
    assert harness.leaks(outcome) == []
    for uri, html in outcome.post_html.items():
        found = dangers(html)
        if found:  # the author may write raw HTML in the text: only what the site added is a fault
            added = Counter(found) - Counter(dangers(harness.convert(outcome.documents[uri])))
            assert not added, f"{uri}: the site added what the author's text did not hold: {sorted(added)}"
    for uri, page in outcome.pages.items():
        assert dangers(page.html) == [], uri
        for text in _strings(page.meta):
            assert "<" not in text and not _CONTROL.search(text), f"{uri}: front matter {text!r}"
    json.loads(outcome.exports)


# The classes of issue 9, written out: the generated examples come on top of these.
ISSUE_INCLUDES = "\n\n".join(
    f'--8<-- "{name}"\n\n```yaml\n--8<-- "{name}"\n```\n\n!!! note\n\n    --8<-- "{name}"'
    for name in SNIPPET_NAMES
    if "\x00" not in name
)
ISSUE_NAMES = f"""---
title: {json.dumps(PAYLOADS[0] + " " + PAYLOADS[2])}
categories: {json.dumps(list(PAYLOADS))}
tags: {json.dumps(list(PAYLOADS[:6]))}
description: {json.dumps(PAYLOADS[5])}
author: {json.dumps(PAYLOADS[6])}
date: 2020-01-01
---
The first paragraph, with `{PAYLOADS[0]}` and `--token=s3cr3t-Token-0123456789abcdef` inline.

```yaml
apiVersion: v1
kind: Pod
metadata:
  name: {json.dumps(PAYLOADS[1])}
spec:
  containers:
  - name: index
    args: [--foo=1]
  - name: kube_apiserver
    args: [--bar=2]
  - name: {json.dumps(PAYLOADS[2])}
    command: [{json.dumps(PAYLOADS[0])}, {json.dumps("--x=" + PAYLOADS[1])}, {json.dumps("--" + PAYLOADS[3])}]
```

```bash
$ {PAYLOADS[0]} --etcd-servers={PAYLOADS[1]} -n "{PAYLOADS[5]}"
$ kubectl get po --selector={PAYLOADS[2]}
```
"""
ISSUE_LONG = "\n".join(
    f"```{info}\napiVersion: v1\nkind: Pod\n{shape(6_000)}\n$ {shape(6_000)} --x=1\n```\n\n{shape(6_000)}\n"
    for shape in LONG_SHAPES
    for info in ("yaml", "bash")
)


@pytest.mark.slow
@settings(
    max_examples=100,
    derandomize=True,
    database=None,
    deadline=None,
    # Shrinking a post of long lines takes minutes: a failure prints the example as drawn instead.
    phases=(Phase.explicit, Phase.generate),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    st.lists(st.tuples(st.sampled_from(FILE_NAMES), post()), min_size=1, max_size=2, unique_by=lambda p: p[0]),
    post(),
    manifest(),
)
@example([("posts/2020-01-01-includes.md", ISSUE_INCLUDES)], ISSUE_INCLUDES, ['--8<-- "../outside/secret.yaml"'])
@example([("posts/2020-01-01-names.md", ISSUE_NAMES), (FILE_NAMES[-1], ISSUE_NAMES)], ISSUE_NAMES, [])
@example([("posts/2020-01-01-long.md", ISSUE_LONG)], "", [])
def test_hostile_posts_build_safely(harness, posts, snippet_md, snippet_yaml):
    # gen.md and gen.yaml are drawn too: a post that includes them reads hostile snippets.
    harness.tree.write_generated(snippet_md, "\n".join(snippet_yaml))
    check_build(harness, posts)


# -- the checks catch what they are for ----------------------------------------------------------


def test_the_checks_see_a_script_the_site_adds(harness, monkeypatch):
    # A header that forgot to escape the title: the property must fail on it.
    monkeypatch.setattr("flagref.render.header.esc", str)
    with pytest.raises(AssertionError, match="the site added"):
        check_build(harness, [("posts/2020-01-01-t.md", f"---\ntitle: {json.dumps(PAYLOADS[0])}\n---\nText.\n")])


def test_the_checks_see_a_read_outside_snippets(harness, monkeypatch):
    # A resolver that forgot to stay inside snippets/: the read and the canary are both seen.
    monkeypatch.setattr(SnippetSource, "find", lambda self, name: (harness.tree.secret, None))
    outcome = harness.build([("posts/2020-01-01-t.md", '```yaml\n--8<-- "../outside/secret.yaml"\n```\n')])
    found = harness.leaks(outcome)
    assert any("opened" in f for f in found) and any("canary" in f for f in found), found


def test_the_checks_see_a_script_in_a_generated_page(harness, monkeypatch):
    # Category names written into a page without escaping.
    monkeypatch.setattr("flagref.render.listing.esc", str)
    text = f"---\ntitle: t\ncategories: [{json.dumps(PAYLOADS[1])}]\n---\nText.\n"
    with pytest.raises(AssertionError):
        check_build(harness, [("posts/2020-01-01-t.md", text)])
