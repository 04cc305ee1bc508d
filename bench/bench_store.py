"""The persistent store (``oxigraph:PATH``): loading, adding to it, reopening, side by side.

On the same synthetic N-Quads file, each in its own process (so that peak memory is its own):

- ``raw load``:   pyoxigraph's transactional ``Store(path).load`` (how ``kg load`` loaded until
                  issue #7, and the baseline here);
- ``raw bulk``:   pyoxigraph's ``bulk_load`` straight into a store (fast, not transactional:
                  a failure leaves a half-loaded store; the floor);
- ``kg load``:    tradekg's load: a new generation beside the current one, bulk-loaded, then
                  published in one rename;
- ``kg add``:     ``kg load`` of a 10-quad file into that store (the cost of a generation:
                  table files hard-linked, the rest copied);
- ``kg reopen``:  opening the store to read it (``load_graph(store=...)``).

    python bench/bench_store.py --triples 100000 1000000
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))  # measure this checkout

CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[4])
config, data, folder = sys.argv[1:4]
start = time.perf_counter()
if config == "raw load":
    import pyoxigraph as ox
    ox.Store(folder).load(path=data, format=ox.RdfFormat.N_QUADS)
elif config == "raw bulk":
    import pyoxigraph as ox
    ox.Store(folder).bulk_load(path=data, format=ox.RdfFormat.N_QUADS)
elif config in ("kg load", "kg add"):
    from kg.graph import load_into_store
    load_into_store("oxigraph:" + folder, [data], bundled=False)
elif config == "kg reopen":
    from kg.graph import load_graph
    graph = load_graph(store="oxigraph:" + folder)
    assert len(graph) > 0
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run(config: str, data: Path, folder: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, config, str(data), str(folder), str(HERE.parent)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, nargs="+", default=[100_000])
    args = parser.parse_args(argv)
    from generate import generate

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        small = work / "small.nq"
        small.write_text("".join(f'<urn:x:s{i}> <urn:x:p> "{i}" <urn:x:g> .\n' for i in range(10)))
        print(f"{'quads':>9}  {'config':<10} {'seconds':>8} {'× raw load':>10} {'peak MB':>8}")
        for n in args.triples:
            data = work / f"g{n}.nq"
            with data.open("w", encoding="utf-8") as fh:
                fh.writelines(generate(n))
            results = {
                "raw load": run("raw load", data, work / f"raw-{n}"),
                "raw bulk": run("raw bulk", data, work / f"bulk-{n}"),
                "kg load": run("kg load", data, work / f"kg-{n}"),
                "kg add": run("kg add", small, work / f"kg-{n}"),
                "kg reopen": run("kg reopen", data, work / f"kg-{n}"),
            }
            base = results["raw load"]["seconds"]
            for config, r in results.items():
                print(f"{n:>9,}  {config:<10} {r['seconds']:>8.2f} {r['seconds'] / base:>10.2f} {r['peak_mb']:>8.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
