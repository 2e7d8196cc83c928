"""The catalog agrees with what the Kubernetes 1.20 source says about kubelet and kubeadm flags.

``scripts/import-kubernetes-source-facts`` reads the 1.20.2 source tarball and
writes ``hooks/flagref/catalog/facts/kubernetes-1.20-source.json``; these tests
read only that committed file, never the network. The kubeadm flags that came
after 1.20 are held to the release notes in ``../shared/upstream``, as
``test_kubeadm.py`` does (a missing notes folder fails).
"""

from __future__ import annotations

import functools
import importlib.machinery
import importlib.util
import json
import sys

import pytest

from conftest import ROOT
from flagref.catalog import CatalogError, load_catalog, version_key
from flagref.catalog.upstream import upstream_path

pytestmark = pytest.mark.unit

FACTS = ROOT / "hooks" / "flagref" / "catalog" / "facts" / "kubernetes-1.20-source.json"
SCRIPT = ROOT / "scripts" / "import-kubernetes-source-facts"
NOTES = upstream_path(ROOT).parent / "release-notes"
RELEASE = "1.20"

# Catalogued kubeadm flags that 1.20 does not register for their subcommands
# because a later release added them there: the release and the pull request
# its notes cite, in an entry that names the flag.
ADDED_LATER = {
    "output": ("1.31", "#124393"),  # 1.20 has it for `version` only; the others used --experimental-output
    "show-managed-fields": ("1.21", "#96878"),
    "patches": ("1.22", "#103063"),
    "print-manifest": ("1.25", "#109995"),
    "cleanup-tmp-dir": ("1.26", "#112172"),
    "allow-experimental-api": ("1.28", "#118866"),
    "allow-deprecated-api": ("1.36", "#135148"),
}
# Deprecated before 1.20 and gone from its source, but no release notes record
# the removal: the catalog keeps them without `removed` and says so in a note.
GONE_UNRECORDED = ("experimental-upload-certs", "experimental-control-plane", "kubelet-version")


@pytest.fixture(scope="module")
def facts() -> dict:
    return json.loads(FACTS.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def _script():
    """The import script as a module (it has no .py suffix)."""
    loader = importlib.machinery.SourceFileLoader("import_kubernetes_source_facts", str(SCRIPT))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(loader.name, module)
    loader.exec_module(module)
    return module


# --------------------------------------------------------------------------
# kubelet


def kubelet_disagreements(catalog, facts: dict) -> list[str]:
    """Every kubelet flag where catalog and 1.20 source differ, naming the flag and both sides."""
    found = []
    flags = catalog.components["kubelet"].flags
    bound = facts["kubelet"]["flags"]
    for name, fact in bound.items():
        spec = flags.get(name)
        where = f"kubelet --{name}"
        if spec is None:
            found.append(f"{where}: the 1.20 source binds it to config field {fact['field']}; not in the catalog")
            continue
        if spec.config_field != fact["field"]:
            found.append(f"{where}: config_field: catalog {spec.config_field!r}, 1.20 source {fact['field']!r}")
        if fact["deprecated_for_config_file"] and (
            spec.deprecated is None or version_key(spec.deprecated) > version_key(RELEASE)
        ):
            found.append(
                f"{where}: the 1.20 source deprecates it in favour of --config; catalog deprecated {spec.deprecated!r}"
            )
    for name, spec in flags.items():
        if spec.config_field and name not in bound:
            found.append(
                f"kubelet --{name}: catalog config_field {spec.config_field!r}; the 1.20 source binds no field"
            )
    return found


def test_kubelet_config_fields_and_deprecations_agree_with_the_source(catalog, facts):
    assert kubelet_disagreements(catalog, facts) == []


def test_the_source_deprecates_every_config_bound_kubelet_flag(facts):
    # 1.20 deprecates them all with one deferred VisitAll: a parser slip would show as a partial set.
    flags = facts["kubelet"]["flags"]
    assert len(flags) > 80
    assert all(fact["deprecated_for_config_file"] for fact in flags.values())
    assert flags["anonymous-auth"]["field"] == "authentication.anonymous.enabled"
    assert flags["cluster-dns"]["field"] == "clusterDNS"


def test_a_kubelet_disagreement_names_the_flag_and_both_sides(catalog):
    fake = {
        "kubelet": {
            "flags": {
                "cluster-dns": {"field": "dnsServers", "deprecated_for_config_file": True},
                "hostname-override": {"field": "hostname", "deprecated_for_config_file": True},
                "no-such-flag": {"field": "nothing", "deprecated_for_config_file": False},
            }
        }
    }
    found = kubelet_disagreements(catalog, fake)
    assert "kubelet --cluster-dns: config_field: catalog 'clusterDNS', 1.20 source 'dnsServers'" in found
    assert "kubelet --hostname-override: config_field: catalog None, 1.20 source 'hostname'" in found
    assert (
        "kubelet --hostname-override: the 1.20 source deprecates it in favour of --config; catalog deprecated None"
        in found
    )
    assert "kubelet --no-such-flag: the 1.20 source binds it to config field nothing; not in the catalog" in found
    assert "kubelet --address: catalog config_field 'address'; the 1.20 source binds no field" in found


def test_config_bound_kubelet_flags_cite_the_110_change(catalog, facts):
    # #60148 (1.10) deprecated every flag with a config field, and each new one on creation.
    flags = catalog.components["kubelet"].flags
    wrong = [
        f"--{name}: deprecated {spec.deprecation}"
        for name in facts["kubelet"]["flags"]
        if (spec := flags.get(name)) is not None
        and spec.deprecated_source == "#60148"
        and spec.deprecated != max("1.10", spec.introduced or "1.10", key=version_key)
        and name != "experimental-logging-sanitization"  # no page lists it; added in 1.20 (#96370)
    ]
    assert wrong == []


# --------------------------------------------------------------------------
# kubeadm


def _tops(spec) -> set[str]:
    """The top-level subcommands a catalog flag belongs to; ``global`` without ``commands``."""
    return {command.split()[0] for command in spec.commands} or {"global"}


def _registered(facts: dict, name: str) -> set[str]:
    """Where the 1.20 source registers kubeadm flag ``name``: subcommands, and ``global``."""
    kubeadm = facts["kubeadm"]
    where = {command for command, names in kubeadm["commands"].items() if name in names}
    return where | ({"global"} if name in kubeadm["global"] else set())


def kubeadm_disagreements(catalog, facts: dict) -> list[str]:
    """Catalogued kubeadm flags of 1.20 or before that the 1.20 source does not register where the catalog says."""
    found = []
    for spec in catalog.components["kubeadm"].flags.values():
        where = _registered(facts, spec.name)
        shown = ", ".join(sorted(where)) or "nowhere"
        if spec.removed and version_key(spec.removed) <= version_key(RELEASE):
            if where:
                found.append(
                    f"kubeadm {spec.flag}: catalog removed {spec.removed}; the 1.20 source registers it for {shown}"
                )
            continue
        if spec.name in ADDED_LATER or spec.name in GONE_UNRECORDED:
            continue
        if not _tops(spec) & where:
            found.append(
                f"kubeadm {spec.flag}: catalog commands {', '.join(sorted(_tops(spec)))}; "
                f"the 1.20 source registers it for {shown}"
            )
    return found


def test_kubeadm_flags_of_120_are_in_the_source(catalog, facts):
    assert kubeadm_disagreements(catalog, facts) == []


def test_a_kubeadm_disagreement_names_the_flag_and_both_sides(catalog, facts):
    fake = json.loads(json.dumps(facts))
    fake["kubeadm"]["commands"]["reset"].remove("force")
    fake["kubeadm"]["commands"]["upgrade"].remove("force")
    fake["kubeadm"]["commands"]["init"].append("skip-preflight-checks")
    found = kubeadm_disagreements(catalog, fake)
    assert "kubeadm --force: catalog commands reset, upgrade; the 1.20 source registers it for alpha" in found
    assert "kubeadm --skip-preflight-checks: catalog removed 1.12; the 1.20 source registers it for init" in found


@functools.cache
def _entries(release: str) -> tuple[str, ...]:
    """The bulleted entries of one release's notes, continuation lines joined."""
    path = NOTES / f"{release}.md"
    if not path.is_file():
        pytest.fail(f"{path} not found: the kubeadm source tests need ../shared/upstream beside the repository")
    entries: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if stripped.startswith(("- ", "* ")):
            entries.append(stripped)
        elif stripped and not stripped.startswith("#") and entries:
            entries[-1] += " " + stripped
    return tuple(entries)


@pytest.mark.parametrize(("name", "added"), sorted(ADDED_LATER.items()))
def test_kubeadm_flags_added_later_are_in_those_release_notes(catalog, facts, name, added):
    release, pull = added
    spec = catalog.components["kubeadm"].flags[name]
    assert not _tops(spec) & _registered(facts, name), f"{spec.flag} is in the 1.20 source: drop it from ADDED_LATER"
    cited = [entry for entry in _entries(release) if f"[{pull}]" in entry or f"/pull/{pull[1:]})" in entry]
    assert any(name in entry for entry in cited), f"the {release} notes cite {pull} in no entry naming {name}"


@pytest.mark.parametrize("name", GONE_UNRECORDED)
def test_kubeadm_flags_gone_without_a_recorded_removal_say_so(catalog, facts, name):
    spec = catalog.components["kubeadm"].flags[name]
    assert _registered(facts, name) == set()
    assert spec.removed is None and spec.deprecated is not None
    assert "1.20 source" in (spec.note or "")


# --------------------------------------------------------------------------
# The import script's Go reader, on a snippet.

GO_TYPES = """package v1beta1

type KubeletConfiguration struct {
	metav1.TypeMeta `json:",inline"`
	// Address is where to listen. `json:"ignored"` in a comment is not a tag.
	Address string `json:"address,omitempty"`
	Authentication KubeletAuthentication `json:"authentication"`
}

type KubeletAuthentication struct {
	Webhook KubeletWebhookAuthentication `json:"webhook"`
}

type KubeletWebhookAuthentication struct {
	CacheTTL metav1.Duration `json:"cacheTTL,omitempty"`
}
"""

GO_OPTIONS = """package options

const (
	CfgPath = "config"
)

// AddConfigFlag: a commented fs.StringVar(&x, "ghost", "", "") is not a flag.
func AddConfigFlag(fs *pflag.FlagSet, cfgPath *string) {
	fs.StringVar(cfgPath, CfgPath, *cfgPath, "Path (with a \\"quoted\\" word) to a file.")
}

func (o *Opts) AddTTLFlagWithName(fs *pflag.FlagSet, name string) {
	fs.DurationVar(&o.TTL, name, 0, `raw "string" with fs.BoolVar(&y, "fake", false, "")`)
}

func AddKubeletConfigFlags(mainfs *pflag.FlagSet, c *kubeletconfig.KubeletConfiguration) {
	fs := pflag.NewFlagSet("", pflag.ExitOnError)
	defer func() {
		deprecated := "Set it in the file given with --config."
		fs.VisitAll(func(f *pflag.Flag) {
			f.Deprecated = deprecated
		})
		mainfs.AddFlagSet(fs)
	}()
	fs.Var(utilflag.IPVar{Val: &c.Address}, "address", "where to listen")
	fs.DurationVar(&c.Authentication.Webhook.CacheTTL.Duration, "authentication-token-webhook-cache-ttl",
		c.Authentication.Webhook.CacheTTL.Duration, "cache, (nested) and long")
	fs.BoolVar(&c.Missing, "missing", false, "")
}
"""


def test_the_go_reader_finds_bound_fields_and_the_config_deprecation():
    script = _script()
    options = script.read_go("options.go", GO_OPTIONS)
    kubelet, problems = script.kubelet_facts(options, [script.read_go("types.go", GO_TYPES)])
    assert {name: fact["field"] for name, fact in kubelet["flags"].items()} == {
        "address": "address",
        "authentication-token-webhook-cache-ttl": "authentication.webhook.cacheTTL",
    }
    assert all(fact["deprecated_for_config_file"] for fact in kubelet["flags"].values())
    assert kubelet["flags"]["authentication-token-webhook-cache-ttl"]["line"] == 26
    assert problems == ["options.go:28: --missing: Missing not in the v1beta1 types"]


def test_the_go_reader_follows_helpers_and_ignores_comments_and_strings():
    script = _script()
    source = script.read_go("options.go", GO_OPTIONS)
    functions = {f.name: f for f in script.find_functions(source)}
    constants = script.flag_name_constants([source])
    assert constants == {"CfgPath": "config"}
    helpers = script._Helpers({}, {}, frozenset(), constants, [])
    assert helpers.names(functions["AddConfigFlag"], ()) == {"config"}
    assert helpers.names(functions["AddTTLFlagWithName"], ("fs", '"ttl"')) == {"ttl"}
    assert functions["AddTTLFlagWithName"].receiver == "Opts"
    assert helpers.problems == []


@pytest.mark.parametrize(
    "text",
    [
        '"unterminated',
        "/* open comment",
        "`raw",
        "f(a, (b",
        "f(a))) g(",
        ")" * 5000 + "(" * 5000,
        "func x() {",
        "func f() {" + "a(" * 20000 + ")" * 20000 + "}",
    ],
)
def test_the_go_reader_survives_damaged_and_deep_input(text):
    # Brackets are paired in one pass and arguments cut out lazily: a deep nest stays linear.
    script = _script()
    source = script.read_go("x.go", text)
    assert len(source.code) == len(text)
    script.find_functions(source)
    calls = script.find_calls(source)
    assert all(call.line == 1 for call in calls)
    if text.startswith("func f()"):
        assert len(calls) == 20001 and calls[-1].spans == () and calls[-2].arg(0) == "a()"


CATALOG_FILE = """component: demo
title: demo
kind: server
summary: A demo.
docs:
  page: https://example.org/
flags:
  cluster-dns:
    meaning: DNS servers.
    type: string-list
    config_field: {field}
"""


@pytest.mark.parametrize("field", ["clusterDNS", "authentication.x509.clientCAFile"])
def test_config_field_is_read(tmp_path, field):
    (tmp_path / "demo.yaml").write_text(CATALOG_FILE.format(field=field), encoding="utf-8")
    assert load_catalog(tmp_path).lookup("demo", "--cluster-dns").config_field == field


@pytest.mark.parametrize("field", ['""', "cluster-dns", "a..b", ".a", "[a]", "x y"])
def test_a_bad_config_field_names_file_and_line(tmp_path, field):
    (tmp_path / "demo.yaml").write_text(CATALOG_FILE.format(field=field), encoding="utf-8")
    with pytest.raises(CatalogError, match=r"demo\.yaml:11: .*config_field"):
        load_catalog(tmp_path)


def test_a_flag_deprecated_for_the_config_file_says_which_field_to_set(tmp_path):
    text = CATALOG_FILE.format(field="clusterDNS") + "    deprecated: 1.20\n"
    (tmp_path / "demo.yaml").write_text(text, encoding="utf-8")
    assert load_catalog(tmp_path).lookup("demo", "--cluster-dns").replacement == "clusterDNS in the --config file"
    # Not deprecated: nothing replaces it.
    (tmp_path / "demo.yaml").write_text(CATALOG_FILE.format(field="clusterDNS"), encoding="utf-8")
    assert load_catalog(tmp_path).lookup("demo", "--cluster-dns").replacement is None


def test_the_kubelet_entry_of_a_config_bound_flag_says_what_to_set_instead(catalog):
    assert catalog.lookup("kubelet", "--cluster-dns").replacement == "clusterDNS in the --config file"
