"""The bounded network (built outward from a source) agrees with the whole network.

`kg paths` and `kg impact` build only what a source reaches; `chokepoints`, `whatif` and
`render` build everything. Both must give the same edges, the same node facts and hence the
same answers, on the bundled graph (every date, claims mode, record time, lift and assumed
claim that matters there) and on a synthetic graph.
"""

from __future__ import annotations

import datetime as dt

import networkx as nx
import pytest

from kg.graph import load_graph
from kg.impact import find_paths, impact
from kg.namespaces import ID
from kg.network import project

HOPS = 6
CONTROLS = f"{ID}policy/china-rare-earth-export-controls"
XI_AGREED = f"{ID}claim/xi-agreed-to-resume-rare-earth-exports"


@pytest.fixture(scope="module")
def bundled():
    return load_graph()


def within(graph: nx.MultiDiGraph, source: str, hops: int) -> set[str]:
    """Nodes of ``graph`` at most ``hops`` edges from ``source``."""
    return set(nx.single_source_shortest_path_length(graph, source, cutoff=hops))


def edges(graph: nx.MultiDiGraph, heads: set[str]) -> dict:
    return {
        (u, v, k): (d["sign"], frozenset(d["graphs"]), d["valid_from"], d["valid_until"], tuple(d["claims"]))
        for u, v, k, d in graph.edges(keys=True, data=True)
        if u in heads
    }


def assert_agree(whole, kg, source: str, **options) -> None:
    part = project(kg, whole.as_of, whole.known_by, whole.claims, sources=[source], max_hops=HOPS, **options)
    if source not in whole.graph:
        assert source not in part.graph or part.graph.number_of_edges() == 0
        return
    expanded = within(whole.graph, source, HOPS - 1)  # nodes whose out-edges a path may use
    assert edges(part.graph, expanded) == edges(whole.graph, expanded)
    # every edge of the part is an edge of the whole, with the same facts at both ends
    for u, v, k in part.graph.edges(keys=True):
        assert whole.graph.has_edge(u, v, key=k), (u, v, k)
        for node in (u, v):
            mine, theirs = part.graph.nodes[node], whole.graph.nodes[node]
            for key in ("label", "types", "cls", "target", "valid_from", "valid_until"):
                assert mine.get(key) == theirs.get(key), (node, key)
    answer = [(r.target, r.status, r.net_effect, r.sources) for r in impact(whole, source, HOPS)]
    assert [(r.target, r.status, r.net_effect, r.sources) for r in impact(part, source, HOPS)] == answer


DATES = [dt.date(2025, 3, 1), dt.date(2025, 5, 1), dt.date(2025, 6, 6), dt.date(2025, 6, 10), dt.date(2025, 8, 1)]


@pytest.mark.parametrize("as_of", DATES, ids=str)
@pytest.mark.parametrize("claims", ["exclude", "include", "confirmed-only"])
def test_every_source_agrees_on_the_bundled_graph(bundled, as_of, claims):
    whole = project(bundled, as_of, claims=claims)
    sources = sorted(n for n in whole.graph if whole.graph.out_degree(n))
    assert len(sources) > 5
    for source in sources:
        assert_agree(whole, bundled, source)


def test_record_time_agrees(bundled):
    whole = project(bundled, dt.date(2025, 6, 10), known_by=dt.date(2025, 6, 5))
    assert whole.graph.number_of_edges() < project(bundled, dt.date(2025, 6, 10)).graph.number_of_edges()
    for source in sorted(n for n in whole.graph if whole.graph.out_degree(n)):
        assert_agree(whole, bundled, source)


def test_lift_and_assumed_claims_agree(bundled):
    as_of = dt.date(2025, 6, 10)
    whole = project(bundled, as_of, assume_claims=[XI_AGREED], lift=[CONTROLS])
    assert CONTROLS not in whole.graph
    for source in sorted(n for n in whole.graph if whole.graph.out_degree(n)):
        assert_agree(whole, bundled, source, assume_claims=[XI_AGREED], lift=[CONTROLS])


def test_an_inactive_source_reaches_nothing(bundled):
    part = project(bundled, dt.date(2025, 3, 1), sources=[CONTROLS])
    assert part.graph.number_of_edges() == 0
    assert impact(part, CONTROLS) == []


def test_the_synthetic_graph_agrees(synthetic):
    whole = project(synthetic, dt.date(2022, 6, 1))
    policies = sorted(n for n in whole.graph if "/policy/" in n and whole.graph.out_degree(n))
    governments = sorted(n for n in whole.graph if "/government/" in n and whole.graph.out_degree(n))
    assert policies and governments
    for source in policies[:15] + governments[:3]:
        assert_agree(whole, synthetic, source)
    # and the top paths from a government to what it reaches are the same
    source = governments[0]
    part = project(synthetic, whole.as_of, sources=[source], max_hops=HOPS)
    targets = sorted(within(whole.graph, source, HOPS) - {source})[:10]
    for target in targets:
        assert [p.nodes for p in find_paths(part, source, target, k=5, max_hops=HOPS)] == [
            p.nodes for p in find_paths(whole, source, target, k=5, max_hops=HOPS)
        ]
