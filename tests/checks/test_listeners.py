"""The listener index answers as ``serves`` does, one client at a time; values never crash on odd text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flagref.checks.evaluate import _ports
from flagref.checks.values import Listeners, addresses, normalise_value, parse_address, serves

pytestmark = pytest.mark.unit  # but for the tests marked slow (see tests/conftest.py)

# Few hosts and ports, so that the random cases meet each other: same host, wildcard, loopback, names.
HOSTS = ["127.0.0.1", "[::1]", "localhost", "0.0.0.0", "[::]", "10.0.0.1", "10.0.0.2", "etcd.example", "[fd00::1]"]
URL = st.builds(
    "{}://{}:{}".format, st.sampled_from(["https", "http"]), st.sampled_from(HOSTS), st.sampled_from([2379, 2380])
)
ITEM = st.one_of(URL, URL, URL, st.sampled_from(["not-a-url", "https://", "unix:///run/etcd.sock"]))


def _brute_force(listeners: list[str], client: str) -> tuple[bool | None, int | None]:
    """The verdict as the checks first computed it: serves() for every listen item, in order."""
    addr = parse_address(client)
    verdicts = [
        (serves(item, addr) if addr and item else None, i) for i, item in enumerate(map(parse_address, listeners))
    ]
    hit = next((i for verdict, i in verdicts if verdict), None)
    if hit is not None:
        return True, hit
    return (None, None) if any(verdict is None for verdict, _ in verdicts) else (False, None)


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(st.lists(ITEM, max_size=6), ITEM)
def test_index_agrees_with_serves(listeners, client):
    index = Listeners((parse_address(item), i) for i, item in enumerate(listeners))
    assert index.decide(parse_address(client)) == _brute_force(listeners, client)


@pytest.mark.parametrize("port", ["²", "٣", "9" * 5000, "-1", "0x10", ""])
def test_ports_of_odd_values_are_empty_not_errors(port):
    assert _ports(port, "http") == set()
    assert _ports(f"127.0.0.1:{port}", "http") == set()


@pytest.mark.parametrize("value", ["9" * 5000, "²", "https://[::1", "10.0.0.0/٣", "," * 1000, "https://a:99999"])
@pytest.mark.parametrize("type_", [None, "int", "port", "cidr", "url-list", "bool", "path"])
def test_normalise_value_never_raises(value, type_):
    normalise_value(value, type_)
    addresses(value)
