"""The graph page at scale: tradekg's renderer against pyvis's defaults, side by side.

A synthetic graph (bench/generate.py) is loaded and turned into the page's view (about
5,000 nodes and 15,000 edges by default). Both renderers get the same nodes and edges;
for each: HTML generation time, file size, external URLs in the file, and the time until
the page is interactive in headless Chromium (tradekg: stabilised or drawn, physics off;
pyvis: physics stabilised), stopped after --budget seconds.

    python bench/bench_render.py --triples 72000 --edges 15000
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # measure this checkout

from generate import generate  # noqa: E402

from kg.graph import load_graph  # noqa: E402
from kg.render import build_view, render_html  # noqa: E402

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


def pyvis_html(view) -> str:
    from pyvis.network import Network

    net = Network(cdn_resources="in_line", directed=True)
    for node, data in view.graph.nodes(data=True):
        net.add_node(node, label=data["label"], color=data["color"], title=data["cls_label"])
    for s, o, data in view.graph.edges(data=True):
        net.add_edge(s, o, title=data["relation"], color=data["color"])
    return net.generate_html()


def interactive_seconds(browser, path: Path, ready: str, budget: float) -> float | None:
    page = browser.new_page()
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=72_000)
    parser.add_argument("--edges", type=int, default=15_000, help="keep this many edges of the view (sampled)")
    parser.add_argument("--budget", type=float, default=120.0)
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "synthetic.nq"
        with data.open("w", encoding="utf-8") as fh:
            fh.writelines(generate(args.triples))
        graph = load_graph([data], bundled=False)
        view = build_view(graph, as_of=dt.date(2022, 6, 1))
        edges = list(view.graph.edges(keys=True))
        if len(edges) > args.edges:
            import random

            view.graph.remove_edges_from(random.Random(7).sample(edges, len(edges) - args.edges))
        print(f"view: {view.graph.number_of_nodes()} nodes, {view.graph.number_of_edges()} edges")
        results = {}
        start = time.perf_counter()
        ours = render_html(graph, view)
        results["tradekg"] = (time.perf_counter() - start, ours, "window.kg && window.kg.ready")
        start = time.perf_counter()
        theirs = pyvis_html(view)
        results["pyvis in_line"] = (
            time.perf_counter() - start,
            theirs,
            "typeof network !== 'undefined' && network.physics && network.physics.stabilized === true",
        )
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            print(f"{'renderer':<14} {'generate s':>10} {'size MB':>8} {'external URLs':>13} {'interactive s':>13}")
            timings = {}
            for name, (seconds, html, ready) in results.items():
                path = Path(tmp) / f"{name.split()[0]}.html"
                path.write_text(html, encoding="utf-8")
                external = len(set(re.findall(r"(?:src|href)=[\"'](https?://[^\"']+)", html)))
                ttI = interactive_seconds(browser, path, ready, args.budget)
                timings[name] = (seconds, ttI)
                shown = f"{ttI:13.1f}" if ttI is not None else f">{args.budget:12.0f}"
                print(f"{name:<14} {seconds:10.2f} {len(html) / 1e6:8.2f} {external:>13} {shown}")
            browser.close()
        (ours_gen, ours_tti), (theirs_gen, theirs_tti) = timings["tradekg"], timings["pyvis in_line"]
        ratio = f"{theirs_tti / ours_tti:.1f}x" if ours_tti and theirs_tti else f">{args.budget / (ours_tti or 1):.1f}x"
        print(f"ratio pyvis/tradekg: generation {theirs_gen / ours_gen:.1f}x, time to interactive {ratio}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
