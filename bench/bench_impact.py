"""Impact analysis at scale: projection, top-5 paths and impact on synthetic graphs.

For each size: load the synthetic graph (bench/generate.py), build the as-of projection
(the shipped `impact-edges` query, then networkx), find the top-5 paths from a government to
a company it reaches, run the impact of that government, and time a naive
``nx.all_simple_paths`` with the same hop bound on the same projection (the baseline named in
issue #4), stopped after --naive-budget seconds. All in this one process.

    python bench/bench_impact.py --triples 10000 100000 1000000
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

import networkx as nx

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # measure this checkout

from generate import generate  # noqa: E402

from kg.graph import load_graph  # noqa: E402
from kg.impact import find_paths, impact  # noqa: E402
from kg.network import project  # noqa: E402

AS_OF = dt.date(2022, 6, 1)
HOPS = 6


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def naive_paths(graph: nx.MultiDiGraph, source: str, target: str, budget: float) -> tuple[int, float, bool]:
    """Enumerate every simple path (hop bound HOPS) as a naive tool would; stop at ``budget``."""
    start, count = time.perf_counter(), 0
    for _ in nx.all_simple_paths(graph, source, target, cutoff=HOPS):
        count += 1
        if time.perf_counter() - start > budget:
            return count, time.perf_counter() - start, False
    return count, time.perf_counter() - start, True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--naive-budget", type=float, default=60.0, help="seconds before the naive search is stopped")
    args = parser.parse_args(argv)
    header = (
        f"{'quads':>9} {'load s':>7} {'project s':>9} {'nodes':>7} {'edges':>8} {'paths5 s':>8} "
        f"{'impact(gov) s':>13} {'targets':>7} {'impact(policy) s':>16} {'targets':>7} "
        f"{'naive s':>9} {'naive n':>8} {'naive/paths':>11}"
    )
    print(header)
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.triples:
            path = Path(tmp) / f"synthetic-{n}.nq"
            with path.open("w", encoding="utf-8") as fh:
                fh.writelines(generate(n))
            graph, load = timed(lambda p=path: load_graph([p], bundled=False))
            net, proj = timed(lambda g=graph: project(g, AS_OF))
            governments = sorted(
                (node for node in net.graph if "/government/" in node), key=lambda x: -net.graph.out_degree(x)
            )
            source = governments[0]
            reached, impact_s = timed(lambda s=source, net=net: impact(net, s, HOPS))
            policies = sorted(
                (node for node in net.graph if "/policy/p" in node), key=lambda x: -net.graph.out_degree(x)
            )
            by_policy, policy_s = timed(lambda s=policies[0], net=net: impact(net, s, HOPS))
            companies = [r.target for r in reached if "/company/" in r.target]
            target = companies[len(companies) // 2] if companies else None
            if target is None:
                print(f"{n:>9}: {source} reaches no company", file=sys.stderr)
                continue
            paths, paths_s = timed(lambda s=source, t=target, net=net: find_paths(net, s, t, k=5, max_hops=HOPS))
            count, naive_s, complete = naive_paths(net.graph, source, target, args.naive_budget)
            naive_txt = f"{naive_s:9.2f}" if complete else f">{naive_s:8.0f}"
            print(
                f"{len(graph):>9} {load:7.2f} {proj:9.2f} {net.graph.number_of_nodes():>7} "
                f"{net.graph.number_of_edges():>8} {paths_s:8.3f} {impact_s:13.2f} {len(reached):>7} "
                f"{policy_s:16.2f} {len(by_policy):>7} "
                f"{naive_txt} {count:>8} {naive_s / paths_s:>10.0f}x" + ("" if complete else " (naive stopped)")
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
