"""The flag catalog: the shipped data is complete and well-formed, lookups work,
and a broken catalog file is reported as ``file:line`` with a hint."""

from __future__ import annotations

import ast
import os
import shutil
import sys
import textwrap
import urllib.parse
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

_HOOKS = str(Path(__file__).resolve().parents[1] / "hooks")
if _HOOKS not in sys.path:
    sys.path.insert(0, _HOOKS)

from flagref import catalog as catalog_module  # noqa: E402
from flagref.catalog import (  # noqa: E402
    TYPES,
    CatalogError,
    env_variable,
    load_catalog,
    loader,  # noqa: E402
)

pytestmark = pytest.mark.unit  # but for the tests marked slow (see tests/conftest.py)

KUBE_REFERENCE = "https://kubernetes.io/docs/reference/command-line-tools-reference/"

# Flags kubeadm v1.16-v1.31 writes by default into the static Pod manifests
# (/etc/kubernetes/manifests/*.yaml), the kubelet's drop-in and
# kubeadm-flags.env, and the kube-proxy DaemonSet. Some only in part of that
# range (--insecure-port and --port=0 early, --service-account-issuer and the
# etcd --experimental-* flags later; --allocate-node-cidrs, --cluster-cidr and
# --node-cidr-mask-size when a Pod network CIDR is given).
KUBEADM_DEFAULTS = {
    "etcd": [
        "advertise-client-urls",
        "cert-file",
        "client-cert-auth",
        "data-dir",
        "experimental-initial-corrupt-check",
        "experimental-watch-progress-notify-interval",
        "initial-advertise-peer-urls",
        "initial-cluster",
        "initial-cluster-state",
        "key-file",
        "listen-client-urls",
        "listen-metrics-urls",
        "listen-peer-urls",
        "name",
        "peer-cert-file",
        "peer-client-cert-auth",
        "peer-key-file",
        "peer-trusted-ca-file",
        "snapshot-count",
        "trusted-ca-file",
    ],
    "kube-apiserver": [
        "advertise-address",
        "allow-privileged",
        "authorization-mode",
        "client-ca-file",
        "enable-admission-plugins",
        "enable-bootstrap-token-auth",
        "etcd-cafile",
        "etcd-certfile",
        "etcd-keyfile",
        "etcd-servers",
        "insecure-port",
        "kubelet-client-certificate",
        "kubelet-client-key",
        "kubelet-preferred-address-types",
        "proxy-client-cert-file",
        "proxy-client-key-file",
        "requestheader-allowed-names",
        "requestheader-client-ca-file",
        "requestheader-extra-headers-prefix",
        "requestheader-group-headers",
        "requestheader-username-headers",
        "secure-port",
        "service-account-issuer",
        "service-account-key-file",
        "service-account-signing-key-file",
        "service-cluster-ip-range",
        "tls-cert-file",
        "tls-private-key-file",
    ],
    "kube-controller-manager": [
        "allocate-node-cidrs",
        "authentication-kubeconfig",
        "authorization-kubeconfig",
        "bind-address",
        "client-ca-file",
        "cluster-cidr",
        "cluster-name",
        "cluster-signing-cert-file",
        "cluster-signing-key-file",
        "controllers",
        "kubeconfig",
        "leader-elect",
        "node-cidr-mask-size",
        "port",
        "requestheader-client-ca-file",
        "root-ca-file",
        "service-account-private-key-file",
        "service-cluster-ip-range",
        "use-service-account-credentials",
    ],
    "kube-scheduler": [
        "authentication-kubeconfig",
        "authorization-kubeconfig",
        "bind-address",
        "kubeconfig",
        "leader-elect",
        "port",
    ],
    "kubelet": [
        "bootstrap-kubeconfig",
        "kubeconfig",
        "config",
        "container-runtime",
        "container-runtime-endpoint",
        "pod-infra-container-image",
        "network-plugin",
        "cgroup-driver",
        "resolv-conf",
        "hostname-override",
    ],
    "kube-proxy": ["config", "hostname-override"],
}

# Flags the brief names as commonly used, per component.
COMMON = {
    "etcd": [
        "auto-tls",
        "peer-auto-tls",
        "initial-cluster-token",
        "quota-backend-bytes",
        "heartbeat-interval",
        "election-timeout",
        "logger",
        "log-outputs",
        "cipher-suites",
    ],
    "kube-apiserver": ["insecure-port", "enable-swagger-ui", "service-node-port-range"],
    "kube-controller-manager": ["address", "port"],
    "kubelet": ["network-plugin", "max-pods", "node-ip", "cluster-dns"],
    "kubectl": [
        "namespace",
        "output",
        "all-namespaces",
        "selector",
        "filename",
        "watch",
        "kubeconfig",
        "context",
        "v",
        "show-labels",
        "dry-run",
        "container",
        "stdin",
        "tty",
        "force",
        "grace-period",
        "image",
        "replicas",
        "port",
        "record",
        "sort-by",
        "field-selector",
    ],
    "kubeadm": [
        "pod-network-cidr",
        "service-cidr",
        "apiserver-advertise-address",
        "control-plane-endpoint",
        "upload-certs",
        "token",
        "discovery-token-ca-cert-hash",
        "certificate-key",
        "control-plane",
        "cri-socket",
        "ignore-preflight-errors",
        "config",
        "kubernetes-version",
        "node-name",
    ],
    "etcdctl": [
        "endpoints",
        "cacert",
        "cert",
        "key",
        "write-out",
        "user",
        "password",
        "insecure-skip-tls-verify",
        "dial-timeout",
        "command-timeout",
        "debug",
    ],
}

EXPECTED_COMPONENTS = {
    "etcd",
    "kube-apiserver",
    "kube-controller-manager",
    "kube-scheduler",
    "kubelet",
    "kube-proxy",
    "kubeadm",
    "kubectl",
    "etcdctl",
    "grep",
    "ls",
    "cat",
    "sudo",
    "systemctl",
    "journalctl",
    "ps",
    "curl",
    "openssl",
    "docker",
    "crictl",
}


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def test_whole_catalog_loads(catalog):
    assert set(catalog.components) == EXPECTED_COMPONENTS
    for component in catalog.components.values():
        assert component.kind in {"server", "tool"}
        assert component.summary and "\n" not in component.summary
        assert component.docs_url.startswith("https://")
        assert component.flags, component.name
        for name, spec in component.flags.items():
            assert spec.name == name and spec.component == component.name


def test_every_flag_is_described(catalog):
    # A meaning may still be missing for flags only older reference pages list;
    # tests/catalog/test_catalog_facts.py requires one for the newest pages.
    for spec in catalog.flags():
        where = f"{spec.component} {spec.flag} ({spec.source})"
        assert spec.meaning is None or (spec.meaning.strip() and "\n" not in spec.meaning), where
        if spec.component not in (
            "kube-apiserver",
            "kube-controller-manager",
            "kube-scheduler",
            "kubelet",
            "kube-proxy",
        ):
            assert spec.meaning, where
        assert spec.type in TYPES, where
        assert (spec.type == "enum") == bool(spec.values), where
        assert spec.default is None or isinstance(spec.default, str), where
        assert spec.docs_url.startswith("https://"), where


def test_kubeadm_default_flags_are_all_present(catalog):
    missing = [
        f"{component} --{name}"
        for component, names in KUBEADM_DEFAULTS.items()
        for name in names
        if name not in catalog.components[component].flags
    ]
    assert missing == []


def test_common_flags_are_present(catalog):
    missing = [
        f"{component} --{name}"
        for component, names in COMMON.items()
        for name in names
        if name not in catalog.components[component].flags
    ]
    assert missing == []


def test_etcd_covers_essentially_all_v34_flags(catalog):
    # The real comparison with `etcd --help` is in test_etcd_catalog_real.py;
    # this guards the count without needing the binary.
    assert len(catalog.components["etcd"].flags) >= 80


@pytest.mark.parametrize(
    ("component", "written", "command", "name"),
    [
        ("kubectl", "-n", None, "namespace"),
        ("kubectl", "--namespace", None, "namespace"),
        ("kubectl", "-o", None, "output"),
        ("kubectl", "-A", None, "all-namespaces"),
        ("kubectl", "-l", None, "selector"),
        ("kubectl", "-l", "run", "labels"),
        ("kubectl", "-f", None, "filename"),
        ("kubectl", "-f", "apply", "filename"),
        ("kubectl", "-f", "logs", "follow"),
        ("kubectl", "-p", "logs", "previous"),
        ("kubectl", "-p", "patch", "patch"),
        ("kubectl", "-i", "exec", "stdin"),
        ("kubectl", "-i", "delete", "interactive"),
        ("kubectl", "-r", "create deployment", "replicas"),
        ("kubectl", "-v", None, "v"),
        ("kubectl", "-v=6", None, "v"),
        ("kubectl", "--output=yaml", None, "output"),
        ("etcdctl", "-w", None, "write-out"),
        ("kubeadm", "-f", "reset", "force"),
        ("journalctl", "-u", None, "unit"),
        ("docker", "-t", "build", "tag"),
        ("docker", "-t", "run", "tty"),
        # Go's flag package: one dash or two.
        ("etcd", "-name", None, "name"),
        ("etcd", "--name", None, "name"),
        # OpenSSL spells long options with one dash.
        ("openssl", "-noout", None, "noout"),
        # Options with no long form.
        ("ls", "-l", None, "l"),
        ("ps", "-e", None, "e"),
    ],
)
def test_lookup_resolves(catalog, component, written, command, name):
    spec = catalog.lookup(component, written, command)
    assert spec is not None, (component, written, command)
    assert spec.name == name


@pytest.mark.parametrize(
    ("component", "written"),
    [
        ("kubectl", "--no-such-flag"),
        ("kubectl", "namespace"),  # no dashes: not a flag
        ("kubectl", "-Z"),
        ("kubectl", "-it"),  # a bundle: see split_shorts
        ("etcd", "-n"),  # etcd has no short aliases
        ("ls", "--l"),  # -l has no long spelling
        ("no-such-tool", "--help"),
    ],
)
def test_lookup_misses(catalog, component, written):
    assert catalog.lookup(component, written) is None


def test_flag_spelling(catalog):
    assert catalog.lookup("kube-apiserver", "--etcd-servers").flag == "--etcd-servers"
    assert catalog.lookup("kubectl", "-n").short_flag == "-n"
    assert catalog.lookup("ls", "-l").flag == "-l"
    assert catalog.lookup("openssl", "--noout").flag == "-noout"


def test_short_bundles(catalog):
    assert catalog.split_shorts("kubectl", "-it") == ("-i", "-t")
    assert catalog.split_shorts("journalctl", "-xe") == ("-x", "-e")
    assert catalog.split_shorts("ps", "-ef") == ("-e", "-f")
    assert catalog.split_shorts("kubectl", "-n") is None
    assert catalog.split_shorts("kubectl", "-iZ") is None
    assert catalog.split_shorts("etcd", "-name") is None


def test_lookup_without_component(catalog):
    assert catalog.lookup(None, "--etcd-servers").component == "kube-apiserver"
    assert catalog.lookup(None, "--kubeconfig") is None  # many owners
    assert catalog.lookup(None, "--no-such-flag") is None


def test_components_with(catalog):
    assert catalog.components_with("--etcd-servers") == ("kube-apiserver",)
    assert catalog.components_with("--listen-client-urls") == ("etcd",)
    owners = catalog.components_with("--kubeconfig")
    assert {"kubectl", "kubelet", "kube-scheduler"} <= set(owners)
    assert list(owners) == sorted(owners)
    assert catalog.components_with("--cert-file") == ("etcd", "etcdctl")
    assert "kubectl" in catalog.components_with("-n")
    assert catalog.components_with("--no-such-flag") == ()


@pytest.mark.parametrize(
    ("component", "flag", "deprecated", "removed"),
    [
        # Removed in 1.24 (#106865, #106860, #106859); deprecated as the
        # reference pages first marked them, or as the release notes say.
        ("kube-scheduler", "--port", "1.11", "1.24"),
        ("kube-scheduler", "--address", "1.11", "1.24"),
        ("kube-controller-manager", "--port", "1.10", "1.24"),
        ("kube-controller-manager", "--address", "1.10", "1.24"),
        ("kube-apiserver", "--insecure-port", "1.10", "1.24"),
        ("kube-apiserver", "--basic-auth-file", "1.16", "1.19"),
        ("kubelet", "--network-plugin", "1.20", "1.24"),
        ("kubelet", "--container-runtime", "1.24", "1.27"),
        ("kubelet", "--log-dir", "1.23", "1.26"),
        ("kubectl", "--record", "1.22", None),
        ("etcd", "--ca-file", None, "3.4"),
        ("etcd", "--debug", "3.5", None),
    ],
)
def test_deprecated_and_removed(catalog, component, flag, deprecated, removed):
    spec = catalog.lookup(component, flag)
    assert (spec.deprecated, spec.removed) == (deprecated, removed)


def test_versions_are_plain_and_ordered(catalog):
    def key(version):
        return tuple(int(part) for part in version.split("."))

    for spec in catalog.flags():
        for version in (spec.deprecated, spec.removed):
            if version is not None:
                assert key(version), spec.source
        if spec.deprecated and spec.removed:
            assert key(spec.deprecated) <= key(spec.removed), spec.source


def test_secret_flags(catalog):
    secret = {
        ("kubeadm", "--token"),
        ("kubeadm", "--certificate-key"),
        ("kubeadm", "--discovery-token"),
        ("kubeadm", "--tls-bootstrap-token"),
        ("kubectl", "--token"),
        ("kubectl", "--password"),
        ("etcdctl", "--password"),
        ("etcdctl", "--user"),
        ("curl", "--user"),
    }
    for component, flag in secret:
        assert catalog.lookup(component, flag).secret, (component, flag)
    for component, flag in [
        ("kubeadm", "--discovery-token-ca-cert-hash"),
        ("etcd", "--initial-cluster-token"),
        ("kubectl", "--user"),
        ("kube-apiserver", "--token-auth-file"),
    ]:
        assert not catalog.lookup(component, flag).secret, (component, flag)


def test_kubernetes_docs_use_text_fragments(catalog):
    assert (
        catalog.lookup("kube-apiserver", "--etcd-servers").docs_url
        == KUBE_REFERENCE + "kube-apiserver/#:~:text=%2D%2Detcd%2Dservers"
    )
    assert (
        catalog.docs_url("kubelet", "--pod-infra-container-image")
        == KUBE_REFERENCE + "kubelet/#:~:text=%2D%2Dpod%2Dinfra%2Dcontainer%2Dimage"
    )
    for name in ("kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubelet"):
        component = catalog.components[name]
        assert component.docs_url == KUBE_REFERENCE + name + "/"
        for spec in component.flags.values():
            expected = f"{KUBE_REFERENCE}{name}/#:~:text=%2D%2D" + spec.name.replace("-", "%2D").replace("_", "%5F")
            assert spec.docs_url == expected


def test_flags_missing_from_the_catalog_still_get_a_link(catalog):
    assert (
        catalog.docs_url("kube-apiserver", "--made-up-flag")
        == KUBE_REFERENCE + "kube-apiserver/#:~:text=%2D%2Dmade%2Dup%2Dflag"
    )
    assert (
        catalog.docs_url("etcd", "--made-up-flag") == "https://etcd.io/docs/v3.4/op-guide/configuration/#--made-up-flag"
    )
    assert catalog.docs_url("no-such-tool", "--x") is None


def test_etcd_docs_use_v34_anchors(catalog):
    assert (
        catalog.lookup("etcd", "--listen-client-urls").docs_url
        == "https://etcd.io/docs/v3.4/op-guide/configuration/#--listen-client-urls"
    )
    for spec in catalog.components["etcd"].flags.values():
        assert spec.docs_url == "https://etcd.io/docs/v3.4/op-guide/configuration/#--" + spec.name


def test_subcommand_pages(catalog):
    kubeadm = "https://kubernetes.io/docs/reference/setup-tools/kubeadm/"
    assert (
        catalog.lookup("kubeadm", "--discovery-token-ca-cert-hash").docs_url
        == kubeadm + "kubeadm-join/#:~:text=%2D%2Ddiscovery%2Dtoken%2Dca%2Dcert%2Dhash"
    )
    assert (
        catalog.lookup("kubeadm", "--pod-network-cidr").docs_url
        == kubeadm + "kubeadm-init/#:~:text=%2D%2Dpod%2Dnetwork%2Dcidr"
    )
    assert (
        catalog.lookup("kubectl", "-f", "logs").docs_url
        == "https://kubernetes.io/docs/reference/kubectl/generated/kubectl_logs/#:~:text=%2D%2Dfollow"
    )
    assert (
        catalog.lookup("kubectl", "-n").docs_url
        == "https://kubernetes.io/docs/reference/kubectl/kubectl/#:~:text=%2D%2Dnamespace"
    )
    assert catalog.lookup("etcdctl", "--endpoints").docs_url.startswith(
        "https://github.com/etcd-io/etcd/blob/release-3.4/etcdctl/README.md#:~:text="
    )
    assert (
        catalog.lookup("grep", "-i").docs_url
        == "https://manpages.debian.org/bookworm/grep/grep.1.en.html#:~:text=%2D%2Dignore%2Dcase"
    )


def test_env_mapping_both_ways(catalog):
    assert env_variable("ETCD_", "data-dir") == "ETCD_DATA_DIR"
    assert env_variable("ETCD", "--data-dir") == "ETCD_DATA_DIR"
    assert catalog.lookup("etcd", "--data-dir").env == "ETCD_DATA_DIR"
    assert catalog.flag_for_env("etcd", "ETCD_DATA_DIR") == "--data-dir"
    # Derived even for flags the catalog does not list.
    assert catalog.flag_for_env("etcd", "ETCD_SOME_FUTURE_FLAG") == "--some-future-flag"
    assert catalog.flag_for_env("etcdctl", "ETCDCTL_CACERT") == "--cacert"
    # Not flags.
    assert catalog.flag_for_env("etcdctl", "ETCDCTL_API") is None
    assert catalog.flag_for_env("etcd", "ETCD_UNSUPPORTED_ARCH") is None
    assert catalog.flag_for_env("etcd", "ETCDCTL_ENDPOINTS") is None
    assert catalog.flag_for_env("etcd", "ETCD_") is None
    assert catalog.flag_for_env("etcd", "ETCD_data_dir") is None
    assert catalog.flag_for_env("kube-apiserver", "ETCD_DATA_DIR") is None
    assert catalog.lookup("kube-apiserver", "--etcd-servers").env is None
    for spec in catalog.components["etcd"].flags.values():
        assert catalog.flag_for_env("etcd", spec.env) == spec.flag


FLAG_NAMES = st.from_regex(r"[a-z][a-z0-9]{0,8}(-[a-z0-9]{1,8}){0,4}", fullmatch=True)


@pytest.mark.slow
@given(FLAG_NAMES)
def test_env_round_trip_for_any_flag_name(name):
    catalog = load_catalog()
    variable = env_variable("ETCD_", name)
    assert variable == "ETCD_" + name.upper().replace("-", "_")
    assert catalog.flag_for_env("etcd", variable) == "--" + name


@pytest.mark.slow
@given(FLAG_NAMES)
def test_text_fragment_decodes_to_the_flag(name):
    url = load_catalog().docs_url("kube-proxy", "--" + name)
    page, fragment = url.split("#:~:text=")
    assert page == KUBE_REFERENCE + "kube-proxy/"
    assert "-" not in fragment
    assert urllib.parse.unquote(fragment) == "--" + name


def test_default_directory_and_cache(catalog):
    assert load_catalog() is catalog
    assert load_catalog(catalog_module.DEFAULT_DIRECTORY) is catalog


GOOD = """\
component: demo
title: Demo
kind: tool
summary: A made-up tool.
docs:
  page: https://example.org/demo/
flags:
  alpha:
    meaning: First flag.
    type: bool
    default: "false"
"""


def _write(directory: Path, text: str, name: str = "demo.yaml") -> Path:
    path = directory / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_cache_sees_edits(tmp_path):
    path = _write(tmp_path, GOOD)
    first = load_catalog(tmp_path)
    assert load_catalog(tmp_path) is first
    path.write_text(GOOD.replace("First flag.", "First flag, edited."), encoding="utf-8")
    # Size changed; also bump mtime in case the clock is coarse.
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    second = load_catalog(tmp_path)
    assert second is not first
    assert second.lookup("demo", "--alpha").meaning == "First flag, edited."


def test_scalars_are_read_as_written(tmp_path):
    _write(
        tmp_path,
        GOOD
        + """\
  beta:
    meaning: Second flag.
    type: int
    default: 010
    removed: 1.20
  gamma:
    meaning: Third flag.
    type: enum
    values: [off, on]
    default: off
""",
    )
    demo = load_catalog(tmp_path).components["demo"]
    # safe_load would give 8, 1.2 and False here.
    assert demo.flags["beta"].default == "010"
    assert demo.flags["beta"].removed == "1.20"
    assert demo.flags["gamma"].values == ("off", "on")
    assert demo.flags["gamma"].default == "off"
    assert demo.flags["alpha"].default == "false"


@pytest.mark.parametrize(
    ("text", "line", "hint"),
    [
        pytest.param(GOOD + "  beta: [unclosed\n", 13, "not valid YAML", id="syntax"),
        pytest.param(GOOD.replace("    default:", "    defualt:"), 11, "did you mean `default`", id="typo-key"),
        pytest.param(GOOD.replace("type: bool", "type: boolean"), 10, "did you mean 'bool'", id="type"),
        pytest.param(GOOD + "  alpha:\n    meaning: Again.\n    type: bool\n", 12, "duplicate key 'alpha'", id="dup"),
        pytest.param(GOOD + "  beta:\n    meaning: Untyped.\n", 12, "missing `type:`", id="no-type"),
        pytest.param(
            GOOD + "  beta:\n    meaning: |\n      two\n      lines\n    type: bool\n",
            13,
            "one line",
            id="multiline",
        ),
        pytest.param(
            GOOD + "  --beta:\n    meaning: Dashes.\n    type: bool\n",
            12,
            "without dashes",
            id="dashes",
        ),
        pytest.param(GOOD + "  beta:\n    meaning: Enum.\n    type: enum\n", 14, "needs `values:`", id="enum"),
        pytest.param(
            GOOD + "  beta:\n    meaning: Old.\n    type: bool\n    removed: soon\n",
            15,
            "must be a version",
            id="version",
        ),
        pytest.param(
            GOOD.replace("    default", "    short: a\n    default")
            + "  beta:\n    meaning: Other.\n    type: bool\n    short: a\n",
            13,
            "give all but one of them `commands:`",
            id="short-clash",
        ),
        pytest.param(GOOD.replace("kind: tool", "kind: daemon"), 3, "is not one of server, tool", id="kind"),
        pytest.param(GOOD.replace("title: Demo\n", ""), 1, "missing `title:`", id="no-title"),
        pytest.param(GOOD.replace("https://example.org/demo/", "example.org"), 6, "https:// URL", id="url"),
    ],
)
def test_malformed_catalog_names_file_and_line(tmp_path, text, line, hint):
    path = _write(tmp_path, text)
    with pytest.raises(CatalogError) as caught:
        load_catalog(tmp_path)
    message = str(caught.value)
    assert message.startswith(f"{path}:{line}: "), message
    assert hint in message
    assert caught.value.line == line


def test_component_defined_twice(tmp_path):
    _write(tmp_path, GOOD, "a.yaml")
    second = _write(tmp_path, GOOD, "b.yaml")
    with pytest.raises(CatalogError, match=r"already defined at .*a\.yaml:1") as caught:
        load_catalog(tmp_path)
    assert str(caught.value).startswith(f"{second}:1: ")


def test_several_components_in_one_file(tmp_path):
    body = textwrap.indent(GOOD, "    ").replace("    component:", "  - component:", 1)
    other = body.replace("component: demo", "component: other")
    _write(tmp_path, "components:\n" + body + other)
    loaded = load_catalog(tmp_path)
    assert set(loaded.components) == {"demo", "other"}


def test_loader_imports_nothing_beyond_pyyaml():
    package = Path(catalog_module.__file__).parent
    imported = set()
    for node in (n for module in package.glob("*.py") for n in ast.walk(ast.parse(module.read_text("utf-8")))):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            imported.add(node.module.split(".")[0])
    third_party = imported - set(sys.stdlib_module_names) - {"__future__"}
    assert third_party == {"yaml"}


def test_the_catalog_kept_between_runs_is_the_catalog_read(tmp_path, monkeypatch):
    """The second run takes the catalog from the cache folder: the same entries, lookups and fingerprint."""
    monkeypatch.setenv("FLAGREF_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(loader, "_cache", {})
    read = loader.load_catalog()
    (stored,) = (tmp_path / "cache" / "catalog").glob("*.pickle")
    monkeypatch.setattr(loader, "_cache", {})  # a new run: nothing in memory
    monkeypatch.setattr(loader, "_read_catalog", lambda *args: pytest.fail("the YAML was read again"))
    kept = loader.load_catalog()
    assert kept is not read and kept.fingerprint == read.fingerprint
    assert list(kept.components) == list(read.components)
    assert list(kept.flags()) == list(read.flags())  # every field of every entry
    assert kept._owners == read._owners and kept._shorts == read._shorts
    assert kept.lookup("kubectl", "-n") == read.lookup("kubectl", "-n") is not None
    assert type(kept.components).__name__ == "mappingproxy"
    stored.write_bytes(b"cut short")  # a broken file is read past, and written again
    monkeypatch.undo()
    monkeypatch.setenv("FLAGREF_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(loader, "_cache", {})
    assert list(loader.load_catalog().flags()) == list(read.flags())
    assert stored.read_bytes() != b"cut short"


def test_an_edited_catalog_is_read_again_and_few_are_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("FLAGREF_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "catalog"
    shutil.copytree(
        loader.importlib.import_module("flagref.catalog").DEFAULT_DIRECTORY,
        folder,
        ignore=shutil.ignore_patterns("*.py", "__pycache__", "*.md"),
    )
    etcd = folder / "etcd.yaml"
    text = etcd.read_text(encoding="utf-8")
    meanings = []
    for n in range(loader._STORED_KEPT + 3):
        monkeypatch.setattr(loader, "_cache", {})
        etcd.write_text(text + f"\n# edit {n}\n", encoding="utf-8")
        meanings.append(loader.load_catalog(folder).fingerprint)
    assert len(set(meanings)) == len(meanings)  # each edit read anew, under a key of its own
    assert len(list((tmp_path / "cache" / "catalog").glob("*.pickle"))) == loader._STORED_KEPT
