"""What the query guard (#17) costs on ordinary queries, and how fast it ends hostile ones.

    python bench/query_guard.py [--no-baseline]

On the bundled graph, in one process:

- ordinary queries: Oxigraph alone (``store.select``) beside ``run_query`` in this process
  (screen, rdflib check, deep-stack thread) and in a worker (``--timeout``), best of 5 runs;
- hostile queries, as ``run_query(timeout=2)`` gets them: time to the one-line error;
- the baseline the issue names: rdflib parsing the same text untimed in this process, which
  is what the check did before it ran in the timed worker (skip it with ``--no-baseline``:
  it takes about a minute).
"""

from __future__ import annotations

import sys
import time


def _best(function, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times)


def hostile() -> dict[str, str]:
    ors = " || ".join(f"?x = {i}" for i in range(20_000))
    short = "||".join(f"?x={i % 10}" for i in range(10_000))
    return {
        "270 KB, 20,000 || (the issue's)": "SELECT * WHERE { ?x ?p ?o FILTER(" + ors + ") }",
        "189 KB, 20,000 objects (the issue's)": "SELECT * WHERE { ?s <http://e/p> "
        + ", ".join(f'"o{i}"' for i in range(20_000))
        + " }",
        "60 KB, 10,000 ||": "SELECT * WHERE { ?x ?p ?o FILTER(" + short + ") }",
        "40 KB, 20,000 objects": "SELECT * WHERE { ?s <http://e/p> " + ",".join("1" for _ in range(20_000)) + " }",
        "44 KB, 3,000 flat patterns": "SELECT * WHERE { " + " ".join(f"?s ?p ?o{i} ." for i in range(3000)) + " }",
    }


def main(baseline: bool = True) -> None:
    from rdflib.plugins.sparql.parser import parseQuery

    from kg.errors import KgError
    from kg.graph import load_graph
    from kg.queries import catalogue, run_query

    kg = load_graph()
    shipped = catalogue()
    ordinary = {
        "a small own query": "SELECT ?s ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l } LIMIT 5",
        "impact-relations (shipped)": shipped["impact-relations"].text,
        "mitigations (shipped, 27 KB)": shipped["mitigations"].text,
    }
    print("ordinary queries, best of 5 (s): Oxigraph alone | guarded, in process | guarded, in a worker")
    for name, text in ordinary.items():
        run_query(kg, text, timeout=None)  # the check is cached per text, as in one kg process
        raw = _best(lambda text=text: kg.store.select(text, {}))
        here = _best(lambda text=text: run_query(kg, text, timeout=None))
        worker = _best(lambda text=text: run_query(kg, text, timeout=30))
        print(f"  {name:32} {raw:.4f} | {here:.4f} ({here / raw:.2f}x) | {worker:.4f} ({worker / raw:.2f}x)")
    print("hostile queries, run_query(timeout=2): time to the error" + (" | rdflib parse alone" if baseline else ""))
    for name, text in hostile().items():
        started = time.perf_counter()
        try:
            run_query(kg, text, timeout=2)
            outcome = "answered"
        except KgError as err:
            outcome = str(err).split(": ", 1)[-1][:60]
        guarded = time.perf_counter() - started
        line = f"  {name:38} {guarded:7.3f} s  {outcome}"
        if baseline:
            started = time.perf_counter()
            try:
                parseQuery(text)
                parsed = "parsed"
            except RecursionError:
                parsed = "RecursionError"
            alone = time.perf_counter() - started
            line += f" | {alone:6.2f} s ({parsed}; {alone / guarded:.0f}x the guarded time)"
        print(line, flush=True)


if __name__ == "__main__":
    main(baseline="--no-baseline" not in sys.argv[1:])
