"""Load and query speed of the default store (Oxigraph in memory) against rdflib's Memory store.

Both run in this one process, side by side, on the same synthetic N-Quads file, and the
figures are printed as ratios against rdflib (the baseline named in issue #2).

    python bench/bench_load.py --triples 100000 300000
"""

from __future__ import annotations

import argparse
import gc
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # measure this checkout

from generate import generate  # noqa: E402

# Q: the restrictions in force on a date, with their imposer and commodities: the shape of
# the competency queries (a join over types, dates and scope).
QUERY = """
PREFIX tkg: <https://w3id.org/tradekg/ontology#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
SELECT ?gov (COUNT(DISTINCT ?p) AS ?n) WHERE {
  ?p tkg:inForceFrom ?from ; tkg:imposedBy ?gov ; tkg:restricts ?m .
  FILTER(?from <= "2022-06-01"^^xsd:date)
  FILTER NOT EXISTS { ?p tkg:actualEnd ?end FILTER(?end <= "2022-06-01"^^xsd:date) }
} GROUP BY ?gov ORDER BY DESC(?n) LIMIT 10
"""


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def bench_oxigraph(path: Path) -> tuple[float, float, int]:
    from kg.stores import OxigraphMemoryStore

    store = OxigraphMemoryStore()
    _, load = timed(lambda: store.load_file(path))
    rows, query = timed(lambda: store.select(QUERY))
    return load, query, len(rows)


def bench_rdflib(path: Path) -> tuple[float, float, int]:
    from rdflib import Dataset

    ds = Dataset(default_union=True)
    _, load = timed(lambda: ds.parse(path, format="nquads"))
    rows, query = timed(lambda: list(ds.query(QUERY)))
    return load, query, len(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, nargs="+", default=[100_000])
    args = parser.parse_args(argv)
    print(f"{'quads':>9}  {'store':<18} {'load s':>8} {'query s':>8} {'rows':>5}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.triples:
            path = Path(tmp) / f"synthetic-{n}.nq"
            with path.open("w", encoding="utf-8") as fh:
                fh.writelines(generate(n))
            results = {}
            for name, fn in (("oxigraph (default)", bench_oxigraph), ("rdflib Memory", bench_rdflib)):
                gc.collect()
                load, query, rows = fn(path)
                results[name] = (load, query, rows)
                print(f"{n:>9}  {name:<18} {load:8.2f} {query:8.3f} {rows:>5}")
            ox, rl = results["oxigraph (default)"], results["rdflib Memory"]
            assert ox[2] == rl[2], "the two stores disagree on the answer"
            print(f"{'':>9}  ratio rdflib/oxigraph: load {rl[0] / ox[0]:.1f}x, query {rl[1] / ox[1]:.1f}x")
    print(f"peak RSS of this process: {rss_mb():.0f} MB", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
