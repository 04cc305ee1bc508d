"""Positions for big pages (kg.layout): the spread layout spreads, the spectral one did not.

The graph is shaped like the page's view of a trade graph: a few dozen governments with
Zipf-like weights (a few hubs), a commodity hierarchy, policies between them, many companies
hanging off one government each, and a few small components. No timings are asserted.
"""

from __future__ import annotations

import math
import random

import networkx as nx
import numpy as np
import pytest

from kg.layout import SPACING, crowding, spectral_layout, spread_layout


def trade_like(seed: int = 3) -> nx.MultiDiGraph:
    """About 5,080 nodes and 8,500 edges: hubs, a hierarchy, leaves and 12 small components."""
    rng = random.Random(seed)
    graph = nx.MultiDiGraph()
    governments = [f"government/{i}" for i in range(40)]
    weights = [1 / (i + 1) for i in range(40)]
    for i, government in enumerate(governments[1:], 1):
        graph.add_edge(government, governments[rng.randrange(i)], key="partner")
    commodities = [f"commodity/{i}" for i in range(400)]
    for i, commodity in enumerate(commodities[1:], 1):
        graph.add_edge(commodity, commodities[(i - 1) // 8], key="broader")
    for i in range(2600):
        policy = f"policy/{i}"
        graph.add_edge(policy, rng.choices(governments, weights)[0], key="imposedBy")
        for commodity in rng.sample(commodities, rng.choice((1, 1, 2))):
            graph.add_edge(policy, commodity, key="restricts")
    for i in range(2000):
        graph.add_edge(f"company/{i}", rng.choices(governments, weights)[0], key="inCountry")
    for i in range(12):
        nx.add_path(graph, [f"island/{i}/{j}" for j in range((2, 3, 6)[i % 3])])
    return graph


@pytest.fixture(scope="module")
def graph() -> nx.MultiDiGraph:
    return trade_like()


@pytest.fixture(scope="module")
def spread(graph) -> dict[str, tuple[float, float]]:
    return spread_layout(graph)


def components(graph) -> list[set[str]]:
    return sorted(nx.connected_components(nx.Graph(graph)), key=len, reverse=True)


def test_the_graph_is_big_with_hubs_and_small_components(graph):
    sizes = [len(c) for c in components(graph)]
    assert graph.number_of_nodes() >= 5000 and len(sizes) == 13 and sizes[1:] == [6] * 4 + [3] * 4 + [2] * 4
    assert max(d for _, d in nx.Graph(graph).degree()) > 500


def test_spread_layout_spreads(spread):
    assert crowding(spread) < 0.10


def test_spectral_layout_draws_nearly_everything_in_one_spot(graph):
    # the figure discriminates: the layout the issue reported reads as one smear
    assert crowding(spectral_layout(graph)) > 0.90


def test_every_node_gets_finite_coordinates(graph, spread):
    assert set(spread) == set(graph.nodes)
    assert all(isinstance(v, float) and math.isfinite(v) for xy in spread.values() for v in xy)


def test_same_input_same_positions_whatever_the_insertion_order(graph, spread):
    reversed_graph = nx.MultiDiGraph()
    reversed_graph.add_nodes_from(reversed(list(graph.nodes)))
    reversed_graph.add_edges_from(reversed(list(graph.edges(keys=True))))
    assert spread_layout(reversed_graph) == spread


def test_the_seed_is_the_only_source_of_randomness():
    small = trade_like(seed=5).subgraph([f"government/{i}" for i in range(40)] + [f"policy/{i}" for i in range(300)])
    assert spread_layout(small, seed=1) == spread_layout(small, seed=1) != spread_layout(small, seed=2)


def test_components_do_not_overlap(graph, spread):
    boxes = []
    for component in components(graph):
        xy = np.array([spread[n] for n in component])
        boxes.append((xy.min(axis=0), xy.max(axis=0)))
    for i, (low_a, high_a) in enumerate(boxes):
        for low_b, high_b in boxes[i + 1 :]:
            assert (high_a < low_b).any() or (high_b < low_a).any()


def test_largest_component_first_and_nodes_spaced_for_labels(graph, spread):
    from scipy.spatial import cKDTree

    first, second = components(graph)[:2]
    assert max(spread[n][1] for n in first) < min(spread[n][1] for n in second)  # the next row
    xy = np.array(list(spread.values()))
    width = xy[:, 0].max() - xy[:, 0].min()
    assert 0.8 < width / (SPACING * math.sqrt(len(xy))) < 1.5  # about as wide as the old layout's rows
    nearest, _ = cKDTree(xy).query(xy, k=2)
    assert np.median(nearest[:, 1]) > SPACING / 2 and np.mean(nearest[:, 1] < SPACING / 3) < 0.01


def test_no_time_for_forces_still_places_every_node(graph):
    positions = spread_layout(graph, seconds=0.0)
    assert set(positions) == set(graph.nodes) and np.isfinite(list(positions.values())).all()


@pytest.mark.parametrize(
    ("graph", "count"),
    [
        (nx.Graph(), 0),
        (nx.empty_graph(["a"]), 1),
        (nx.path_graph(3), 3),
        (nx.star_graph(9), 10),
        (nx.empty_graph(5), 5),
    ],
)
def test_small_graphs(graph, count):
    positions = spread_layout(graph)
    assert len(positions) == count and np.isfinite(list(positions.values()) or [0.0]).all()


def test_render_draws_big_pages_with_the_spread_layout():
    from kg.render import layout

    graph = trade_like().subgraph([f"government/{i}" for i in range(40)] + [f"company/{i}" for i in range(400)])
    assert layout(graph) == spread_layout(graph)


def test_crowding_is_the_share_in_the_fullest_window_of_two_percent():
    grid = {(i, j): (float(i), float(j)) for i in range(100) for j in range(100)}
    assert 0.015 < crowding(grid) < 0.03
    assert crowding({**grid, **{k: (50.0, 50.0) for k in range(10_000)}}) > 0.5
    assert crowding({"a": (0.0, 0.0), "b": (0.0, 0.0), "c": (100.0, 100.0)}) == pytest.approx(2 / 3)
    assert crowding({}) == 0.0
    assert crowding({"a": (3.0, 3.0)}) == 1.0
