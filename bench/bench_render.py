"""The graph page at scale: the spread layout against the spectral one it replaced, and pyvis.

For each size (--nodes, about 5,000 and 20,000 nodes by default) a synthetic graph
(bench/generate.py, with enough triples for about that many nodes) is loaded and turned into
the page's view, keeping --edges-per-node edges per node (sampled: 20,000 nodes keep 60,000
edges). The same view is drawn with each layout, in the same process: ``spectral`` swaps
``kg.render.layout`` for ``kg.layout.spectral_layout`` (the layout before), ``spread`` for
``kg.layout.spread_layout`` with --seconds. For each: nodes, edges, the layout's own time,
layout + page + write time, file size, the time until the page is interactive in headless
Chromium (``document.body.dataset.ready``; physics is off above 1,000 nodes, so that is the
first full drawing), stopped after --budget seconds, and crowding (``kg.layout.crowding``: the
largest share of nodes inside any window of 2 % of the drawing's area; the bar is < 10 %).

With --pyvis, pyvis's defaults (physics on, vis-network inlined) get the same nodes and edges
too: generation time, external URLs, and time until its physics has stabilised.

    python bench/bench_render.py --nodes 5000 20000 --seconds 5
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # measure this checkout

from generate import generate  # noqa: E402

import kg.render  # noqa: E402
from kg.graph import load_graph  # noqa: E402
from kg.layout import crowding, spectral_layout, spread_layout  # noqa: E402
from kg.render import build_view, render_html, write_html  # noqa: E402

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
OURS_READY = "document.body && document.body.dataset.ready === 'true'"
PYVIS_READY = "typeof network !== 'undefined' && network.physics && network.physics.stabilized === true"


def triples_for(nodes: int) -> int:
    """Quads to generate for a view of about ``nodes`` nodes (fitted: 72,000 → 4,947; 334,000 → 19,962)."""
    return max(2_000, round(17.4 * nodes - 14_000))


def synthetic_view(folder: Path, nodes: int, edges_per_node: float):
    """The page's view of a generated graph of about ``nodes`` nodes, edges sampled down."""
    data = folder / f"synthetic-{nodes}.nq"
    with data.open("w", encoding="utf-8") as fh:
        fh.writelines(generate(triples_for(nodes)))
    graph = load_graph([data], bundled=False)
    view = build_view(graph, as_of=dt.date(2022, 6, 1))
    edges = list(view.graph.edges(keys=True))
    keep = round(edges_per_node * view.graph.number_of_nodes())
    if len(edges) > keep:
        view.graph.remove_edges_from(random.Random(7).sample(edges, len(edges) - keep))
    return graph, view


def pyvis_html(view) -> str:
    from pyvis.network import Network

    net = Network(cdn_resources="in_line", directed=True)
    for node, data in view.graph.nodes(data=True):
        net.add_node(node, label=data["label"], color=data["color"], title=data["cls_label"])
    for s, o, data in view.graph.edges(data=True):
        net.add_edge(s, o, title=data["relation"], color=data["color"])
    return net.generate_html()


def interactive_seconds(browser, path: Path, ready: str, budget: float) -> float | None:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    start = time.perf_counter()
    page.goto(path.as_uri(), wait_until="commit")  # pyvis waits on CDN requests that never load
    try:
        page.wait_for_function(ready, timeout=budget * 1000, polling=100)
    except Exception:
        page.close()
        return None
    seconds = time.perf_counter() - start
    page.close()
    return seconds


def draw(graph, view, name: str, layout, folder: Path) -> dict:
    """Render and write the page with ``layout`` in place of kg.render.layout; its figures."""
    took: dict = {}

    def recorded(g):
        start = time.perf_counter()
        took["positions"] = layout(g)
        took["layout"] = time.perf_counter() - start
        return took["positions"]

    path = folder / f"{name}-{view.graph.number_of_nodes()}.html"
    original = kg.render.layout
    kg.render.layout = recorded
    try:
        start = time.perf_counter()
        html = render_html(graph, view)
        write_html(html, str(path))
        seconds = time.perf_counter() - start
    finally:
        kg.render.layout = original
    return {
        "name": name,
        "path": path,
        "ready": OURS_READY,
        "layout": took.get("layout"),
        "write": seconds,
        "size": len(html),
        "external": len(set(re.findall(r"(?:src|href)=[\"'](https?://[^\"']+)", html))),
        "crowding": crowding(took["positions"]) if "positions" in took else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, nargs="+", default=[5_000, 20_000], help="view sizes, about")
    parser.add_argument("--edges-per-node", type=float, default=3.0, help="keep this many edges per node (sampled)")
    parser.add_argument("--seconds", type=float, default=5.0, help="the spread layout's time budget")
    parser.add_argument("--budget", type=float, default=120.0, help="stop waiting for a page after this long")
    parser.add_argument("--pyvis", action="store_true", help="also draw the view with pyvis's defaults")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    layouts = {"spectral": spectral_layout, "spread": lambda g: spread_layout(g, seconds=args.seconds)}
    rows = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        folder = Path(tmp)
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for size in args.nodes:
            graph, view = synthetic_view(folder, size, args.edges_per_node)
            counts = (view.graph.number_of_nodes(), view.graph.number_of_edges())
            print(
                f"view of about {size:,} nodes: {counts[0]:,} nodes, {counts[1]:,} edges", file=sys.stderr, flush=True
            )
            draw(graph, view, "warm-up", lambda g: {}, folder)  # first-call costs (schema, template) paid here
            results = [draw(graph, view, name, layout, folder) for name, layout in layouts.items()]
            if args.pyvis:
                start = time.perf_counter()
                html = pyvis_html(view)
                path = folder / f"pyvis-{counts[0]}.html"
                path.write_text(html, encoding="utf-8")
                external = len(set(re.findall(r"(?:src|href)=[\"'](https?://[^\"']+)", html)))
                results.append(
                    {"name": "pyvis physics", "path": path, "ready": PYVIS_READY, "layout": None}
                    | {"write": time.perf_counter() - start, "size": len(html), "external": external, "crowding": None}
                )
            for result in results:
                result["interactive"] = interactive_seconds(browser, result["path"], result["ready"], args.budget)
                rows.append((*counts, result))
        browser.close()

    def cell(value, fmt: str, width: int, missing: str = "-") -> str:
        return f"{missing:>{width}}" if value is None else f"{value:{width}{fmt}}"

    print(
        f"{'layout':<14} {'nodes':>7} {'edges':>7} {'layout s':>9} {'layout+write s':>14} {'MB':>6} "
        f"{'URLs':>4} {'interactive s':>13} {'crowding %':>10}"
    )
    for nodes, edges, r in rows:
        interactive = cell(r["interactive"], ".1f", 13, f">{args.budget:.0f}")
        crowded = cell(None if r["crowding"] is None else 100 * r["crowding"], ".1f", 10)
        print(
            f"{r['name']:<14} {nodes:>7,} {edges:>7,} {cell(r['layout'], '.2f', 9)} {r['write']:14.2f} "
            f"{r['size'] / 1e6:6.1f} {r['external']:>4} {interactive} {crowded}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
