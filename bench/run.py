"""The benchmark: every store, every shipped query, the analysis and the page, side by side.

For each size (synthetic graphs from bench/generate.py) and each configuration, in a fresh
subprocess (so that peak memory is its own):

- ``memory``:   tradekg's default store (Oxigraph in memory, through kg.stores), with the
  compiled impact index (kg.index) built on demand (``index``) and, side by side, without it
  (the ``_store`` rows: the store's path, as every command ran before the index; impact
  figures are the better of two runs);
- ``oxigraph``: tradekg's persistent store (``kg load`` into a folder, then reopened);
- ``raw``:      pyoxigraph used directly (the floor tradekg's wrappers are measured against);
- ``rdflib``:   rdflib's Memory store (the baseline the issues name).

It prints load time and peak RSS, reopen time, the median latency of every shipped query
(parameters bound to entities of the generated graph), and for tradekg's stores the whole
projection, ``impact`` of the restriction with most impact edges and of the busiest
government (each as `kg impact` runs it: the network outward from the source, then the
search), ``paths`` top-5, a fresh ``kg`` process that reopens the persistent store and
answers ``impact``, the render time, and the date-window index (kg/windows.py: its compile
time, and each of its four queries as cells and as ``kg query`` gets them, beside the shipped
SPARQL's ``q:`` row); then issue #6's and #14's targets beside the figures, and the
start-up times of ``kg --help`` and ``kg impact`` on the bundled graph. A query slower than
--budget seconds is stopped and shown as ``>budget``. Plain figures, never a pass/fail test.

    python bench/run.py --triples 10000 100000 1000000
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))  # measure this checkout

AS_OF = "2022-06-01"
CONFIGS = ("memory", "oxigraph", "raw", "rdflib")

PICKS = {  # a parameter of type iri -> the class of the entity it is bound to
    "policy": "tkg:Restriction",
    "actor": "tkg:Government",
    "agreement": "tkg:Agreement",
    "commodity": "tkg:Commodity",
    "target": "tkg:Industry",
    "entity": "tkg:Restriction",
}
VALUES = {
    "date": AS_OF,
    "from": "2021-01-01",
    "to": "2022-12-31",
    "knownBy": "9999-12-31",
    "claims": "exclude",
    "text": "1",
}


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def _in_child(fn, budget: float):
    """Run fn() in a forked child; its seconds, or None if it ran past the budget."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)

    def target():
        start = time.perf_counter()
        fn()
        sender.send(time.perf_counter() - start)

    process = context.Process(target=target, daemon=True)
    process.start()
    seconds = receiver.recv() if receiver.poll(budget) else None
    if process.is_alive():
        process.kill()
    process.join()
    return seconds


def parameters(kg, spec) -> dict:
    """Values for the query's parameters, drawn from the generated graph."""
    from rdflib import Literal, URIRef
    from rdflib.namespace import XSD

    bound = {}
    for param in spec.params:
        if param.type == "iri":
            cls = PICKS.get(param.name, "tkg:Restriction")
            rows = kg.select_values(f"SELECT ?x WHERE {{ ?x a/rdfs:subClassOf* {cls} }} ORDER BY ?x LIMIT 1")
            if not rows:
                rows = kg.select_values("SELECT ?x WHERE { ?x a/rdfs:subClassOf* tkg:Restriction } ORDER BY ?x LIMIT 1")
            bound[param.name] = URIRef(rows[0]["x"])
        elif param.type == "date":
            bound[param.name] = Literal(VALUES.get(param.name, AS_OF), datatype=XSD.date)
        elif param.type == "int":
            bound[param.name] = Literal(1, datatype=XSD.integer)
        else:
            bound[param.name] = Literal(VALUES.get(param.name, param.default or "x"))
    return bound


def measure(config: str, data: str, workdir: str, budget: float, repeat: int) -> dict:
    """Everything for one configuration; runs in its own process."""
    from kg.queries import catalogue

    out: dict = {"config": config}
    specs = [s for s in catalogue().values() if s.name not in ("impact-edges",)]
    if config in ("memory", "oxigraph"):
        from kg.graph import load_graph, load_into_store

        if config == "memory":
            kg, out["load"] = timed(lambda: load_graph([data], bundled=False))
        else:
            spec = f"oxigraph:{workdir}/store"
            _, out["load"] = timed(lambda: load_into_store(spec, [data], bundled=False))
            kg, out["reopen"] = timed(lambda: load_graph(store=spec))
        run = kg.select_values  # the path every query takes, without result conversion
    elif config == "raw":
        import pyoxigraph as ox

        from kg import resources
        from kg.namespaces import ONTOLOGY_IRI, PREFIXES
        from kg.stores import to_ox

        store = ox.Store()
        _, out["load"] = timed(lambda: store.load(path=data, format=ox.RdfFormat.N_QUADS))
        store.load(path=str(resources.ontology_file()), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(ONTOLOGY_IRI))
        from kg.graph import load_graph

        kg = load_graph(bundled=False)  # only to pick parameter values (ontology + nothing)
        kg.store._store.load(path=data, format=ox.RdfFormat.N_QUADS)

        def run(text, bindings):
            subs = {ox.Variable(k): to_ox(v) for k, v in bindings.items()}
            return list(store.query(text, prefixes=PREFIXES, use_default_graph_as_union=True, substitutions=subs))
    else:
        from rdflib import Dataset

        from kg import resources
        from kg.graph import load_graph
        from kg.namespaces import PREFIXES

        ds = Dataset(default_union=True)
        _, out["load"] = timed(lambda: ds.parse(data, format="nquads"))
        ds.parse(resources.ontology_file(), format="turtle")
        kg = load_graph([data], bundled=False)  # only to pick parameter values
        header = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())

        def run(text, bindings):
            return list(ds.query(header + text, initBindings=bindings))

    out["peak_mb_after_load"] = peak_mb()
    latencies = {}
    for spec in specs:
        bindings = parameters(kg, spec)
        runs = []
        for _ in range(repeat):
            seconds = _in_child(lambda s=spec, b=bindings: run(s.text, b), budget)
            if seconds is None:
                runs = None
                break
            runs.append(seconds)
        latencies[spec.name] = statistics.median(runs) if runs else None
    out["queries"] = latencies
    if config in ("memory", "oxigraph"):
        import datetime as dt

        from kg.impact import find_paths, impact
        from kg.index import impact_index
        from kg.network import project
        from kg.render import build_view, render_html

        as_of = dt.date.fromisoformat(AS_OF)
        # the compiled impact index: built by `kg load` for a persistent store (opened here),
        # on demand for a memory store
        _, out["index"] = timed(lambda: impact_index(kg))
        net, out["project"] = timed(lambda: project(kg, as_of))  # the whole network (chokepoints, whatif)
        policy = _busiest(net, "/policy/")
        government = _busiest(net, "/government/")

        def run_impact(source: str, use_index: bool | None):
            # what `kg impact` / `kg paths` do: the network outward from the source, then the search
            part = project(kg, as_of, sources=[source], use_index=use_index)
            return part, impact(part, source)

        # with the index first (peak memory read after it), then the store's path (no index:
        # what every command did before kg.index), side by side
        for suffix, use_index in (("", None), ("_store", False)):
            if use_index is False:
                out["peak_mb_index"] = peak_mb()
                _, out["project_store"] = timed(lambda: project(kg, as_of, use_index=False))
            for key, source in (("impact", policy), ("impact_gov", government)):
                # the better of two runs: the first also pays for what any first question pays
                # (reading the query files, compiling the relief query), not the path
                (part, reached), first = timed(lambda source=source, u=use_index: run_impact(source, u))
                out[key + suffix] = min(first, timed(lambda source=source, u=use_index: run_impact(source, u))[1])
                out[key + "_targets"] = len(reached)
        part = project(kg, as_of, sources=[policy])
        reached = impact(part, policy)
        target = reached[len(reached) // 2].target if reached else policy
        _, out["paths5"] = timed(  # as `kg paths` does: only what reaches the target
            lambda: find_paths(project(kg, as_of, sources=[policy], targets=[target]), policy, target, k=5)
        )
        out["sources"] = {"policy": policy, "government": government, "target": target}
        view = build_view(kg, as_of=as_of, focus=government, hops=2)
        _, out["render"] = timed(lambda: render_html(kg, view))
        out["render_nodes"] = view.graph.number_of_nodes()
        # the shipped search as `kg query search` runs it: from the name index where the
        # store has one (persistent), else the SPARQL
        from kg.queries import catalogue, execute

        search = catalogue()["search"]
        _, out["search_cli"] = timed(lambda: execute(kg, search, {"text": "electronics"}, timeout=None, limit=None))
        # the date-window index (kg/windows.py): compiled on demand in memory; for the
        # persistent store compiled again here to show what `kg load` paid for it, then opened
        from kg import windows

        if config == "memory":
            _, out["windows"] = timed(lambda: windows.window_index(kg))
        else:
            _, out["windows"] = timed(lambda: windows.build_windows(kg))
        index = windows.window_index(kg)
        for name in windows.WINDOWED:
            bindings = parameters(kg, catalogue()[name])
            # rows as plain cells (as the q: rows read values), then as `kg query` gets them
            found, seconds = timed(lambda n=name, b=bindings: windows.cells(index, n, b))
            out[f"w:{name}"] = seconds
            out[f"rows:{name}"] = len(found[1])
            _, out[f"x:{name}"] = timed(
                lambda n=name, b=bindings: execute(kg, catalogue()[n], {k: str(v) for k, v in b.items()}, None, None)
            )
        if config == "oxigraph":  # a fresh `kg` process: reopen the store, answer, exit
            command = [sys.executable, "-m", "kg", "--store", f"oxigraph:{workdir}/store", "impact", policy]
            _, out["reopen_impact_cli"] = timed(
                lambda: subprocess.run([*command, "--as-of", AS_OF, "-f", "json"], check=True, capture_output=True)
            )
            command = [sys.executable, "-m", "kg", "--store", f"oxigraph:{workdir}/store", "query"]
            command += ["restrictions-in-force", "-p", "date", AS_OF, "-f", "json", "--limit", "0"]
            _, out["reopen_rif_cli"] = timed(lambda: subprocess.run(command, check=True, capture_output=True))
    out["peak_mb"] = peak_mb()
    return out


def _busiest(net, kind: str) -> str:
    """The node of ``kind`` (an IRI path segment) with the most impact edges out, in force."""
    nodes = [n for n in net.graph if kind in n and net.graph.out_degree(n)]
    return max(sorted(nodes), key=net.graph.out_degree) if nodes else next(iter(net.graph))


def fmt(value, width=9) -> str:
    if value is None:
        return f"{'>budget':>{width}}"
    if isinstance(value, float):
        return f"{value:{width}.3f}"
    return f"{value:>{width}}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--configs", nargs="+", default=list(CONFIGS), choices=CONFIGS)
    parser.add_argument("--budget", type=float, default=60.0, help="seconds before a query is stopped")
    parser.add_argument("--repeat", type=int, default=3, help="runs per query (the median is shown)")
    parser.add_argument("--child", nargs=2, metavar=("CONFIG", "DATA"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        with tempfile.TemporaryDirectory() as work:
            print(json.dumps(measure(args.child[0], args.child[1], work, args.budget, args.repeat)))
        return 0
    from generate import generate

    print(f"cores: {multiprocessing.cpu_count()}")
    for n in args.triples:
        with tempfile.TemporaryDirectory() as tmp:
            data = Path(tmp) / f"synthetic-{n}.nq"
            with data.open("w", encoding="utf-8") as fh:
                fh.writelines(generate(n))
            results = {}
            for config in args.configs:
                done = subprocess.run(
                    [
                        sys.executable,
                        __file__,
                        "--child",
                        config,
                        str(data),
                        "--budget",
                        str(args.budget),
                        "--repeat",
                        str(args.repeat),
                    ],
                    capture_output=True,
                    text=True,
                )
                if done.returncode != 0:
                    print(f"{config}: failed: {done.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
                    continue
                results[config] = json.loads(done.stdout.strip().splitlines()[-1])
            print(f"\n== {n} triples ==")
            print(f"{'':24}" + "".join(f"{c:>10}" for c in results))
            rows = (
                "load",
                "reopen",
                "index",
                "peak_mb_after_load",
                "peak_mb_index",
                "peak_mb",
                "project_store",
                "project",
            )
            rows += ("impact_store", "impact", "impact_targets", "impact_gov_store", "impact_gov", "impact_gov_targets")
            rows += ("paths5", "reopen_impact_cli", "search_cli", "render", "render_nodes", "windows")
            rows += tuple(f"{k}:{n}" for n in WINDOWS for k in ("rows", "w", "x"))
            rows += ("reopen_rif_cli",)
            for key in rows:
                print(f"{key:<24}" + "".join(fmt(r.get(key, "-"), 10) for r in results.values()))
            names = sorted(next(iter(results.values()))["queries"]) if results else []
            for name in names:
                print(f"{'q: ' + name:<24}" + "".join(fmt(r["queries"].get(name), 10) for r in results.values()))
            if "memory" in results and "rdflib" in results and "raw" in results:
                targets(results, names, args.budget)
            index_targets(results)
    startup()
    return 0


def targets(results: dict, names: list[str], budget: float) -> None:
    """Issue #6's targets against this run's figures (information, not a verdict on the code)."""
    mem, base, raw = results["memory"], results["rdflib"], results["raw"]
    faster = base["load"] / mem["load"]
    rows = [
        ("load vs rdflib Memory", f"{faster:.1f}x faster", ">= 8x", faster >= 8),
        ("load vs raw pyoxigraph", f"{mem['load'] / raw['load']:.2f}x", "<= 1.5x", mem["load"] / raw["load"] <= 1.5),
        ("peak RSS (memory store)", f"{mem['peak_mb']:.0f} MB", "<= 500 MB", mem["peak_mb"] <= 500),
    ]
    for name in names:
        m, b, r = mem["queries"][name], base["queries"][name], raw["queries"][name]
        if m is None:
            rows.append((f"q {name}", ">budget", "", False))
            continue
        speed = b / m if b else budget / m
        rows.append((f"q {name} vs rdflib", f"{'>' if not b else ''}{speed:.0f}x faster", ">= 10x", speed >= 10))
        if r:
            rows.append((f"q {name} vs raw", f"{m / r:.2f}x", "<= 1.5x", m / r <= 1.5 or m - r < 0.005))
    if "oxigraph" in results and "reopen_impact_cli" in results["oxigraph"]:
        t = results["oxigraph"]["reopen_impact_cli"]
        rows.append(("reopen store + kg impact (process)", f"{t:.2f} s", "<= 1 s", t <= 1))
    for key, label in (("impact", "kg impact (policy) after load"), ("paths5", "kg paths top-5 after load")):
        rows.append((label, f"{mem[key]:.3f} s", "<= 0.2 s", mem[key] <= 0.2))
    rows.append(("kg impact (busiest government)", f"{mem['impact_gov']:.2f} s", "(worst case)", True))
    print("\ntarget                                    measured            target        met")
    for label, value, goal, met in rows:
        print(f"{label:<42}{value:<20}{goal:<14}{'yes' if met else 'NO'}")


def index_targets(results: dict) -> None:
    """Issue #14's targets, memory and persistent side by side (information, not a verdict)."""
    mem, disk = results.get("memory", {}), results.get("oxigraph", {})
    rows = [
        ("kg impact, policy reaching most", "impact", 0.2),
        ("kg paths top-5", "paths5", 0.05),
        ("fresh process: reopen + impact", "reopen_impact_cli", 0.5),
        ("kg impact, busiest government", "impact_gov", 1.0),
        ("whole as-of projection", "project", 1.0),
    ]
    for name in WINDOWS:
        rows.append((f"{name} (window index)", f"w:{name}", 0.1))
        rows.append(("  as kg query gets it (rdflib terms)", f"x:{name}", 0.1))
        rows.append(("  the shipped SPARQL", f"q:{name}", 0.1))
    rows.append(("search as kg query runs it (name index)", "search_cli", 0.1))
    rows.append(("  the shipped SPARQL", "q:search", 0.1))
    rows.append(("fresh process: reopen + restrictions-in-force", "reopen_rif_cli", 0.5))
    print(f"\n{'#14 target':<40}{'memory':>10}{'persistent':>12}{'target':>9}  met (memory / persistent)")
    for label, key, goal in rows:
        got = [_figure(r, key) for r in (mem, disk)]
        shown = ["-" if v is None else ">budget" if v == "budget" else f"{v:.3f}" for v in got]
        met = ["-" if v is None else "no" if v == "budget" or v > goal else "yes" for v in got]
        print(f"{label:<40}{shown[0]:>10}{shown[1]:>12}{'<= ' + str(goal):>9}  {met[0]} / {met[1]}")
    for name, r in (("memory", mem), ("persistent", disk)):
        if r:
            print(
                f"peak RSS, {name} (index path, then all):{r['peak_mb_index']:>8.0f} / {r['peak_mb']:.0f} MB (<= 500)"
            )


#: The date-window queries issue #14 wants answered in 0.1 s (kg/windows.py).
WINDOWS = ("restrictions-in-force", "timeline", "changes-between", "planned-events")


def _figure(result: dict, key: str):
    if not result:
        return None
    if key.startswith("q:"):
        value = result["queries"].get(key[2:], "missing")
        return "budget" if value is None else None if value == "missing" else value
    return result.get(key)


def startup() -> None:
    """`kg --help` and `kg impact` on the bundled graph, each a fresh process (median of 5)."""
    commands = {
        "kg --help": ["--help"],
        "kg impact (bundled graph)": ["impact", "China rare-earth export controls", "--as-of", "2025-06-06"],
    }
    goals = {"kg --help": 0.3, "kg impact (bundled graph)": 1.0}
    print()
    for label, args in commands.items():
        runs = []
        for _ in range(5):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "kg", *args], check=True, capture_output=True)
            runs.append(time.perf_counter() - start)
        median = statistics.median(runs)
        met = "yes" if median <= goals[label] else "NO"
        print(f"{label:<42}{median:<20.2f}{'<= ' + str(goals[label]) + ' s':<14}{met}")


if __name__ == "__main__":
    sys.exit(main())
