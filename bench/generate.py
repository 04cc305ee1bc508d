"""Synthetic trade graphs in tradekg's vocabulary, for benchmarks at scale.

Writes N-Quads (fast to write and parse) shaped like the bundled graph: countries with
governments, an industry scheme, a commodity hierarchy, companies with industries, countries
and dependencies, restrictions and relaxations with valid time, claims, and every fact inside
an assertion graph that cites a source.

    python bench/generate.py --triples 1000000 -o /tmp/synthetic.nq
"""

from __future__ import annotations

import argparse
import random
import sys
from datetime import date, timedelta
from pathlib import Path

TKG = "https://w3id.org/tradekg/ontology#"
ID = "https://w3id.org/tradekg/id/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"
XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"


def generate(triples: int, seed: int = 7):
    """Yield N-Quads lines until about ``triples`` quads have been produced."""
    rng = random.Random(seed)
    n = max(1, triples // 40)  # about 40 quads per "unit" below
    countries = [f"{ID}country/c{i}" for i in range(max(10, n // 500))]
    industries = [f"{ID}industry/i{i}" for i in range(max(5, n // 100))]
    commodities = [f"{ID}commodity/m{i}" for i in range(max(20, n // 10))]
    sources = [f"{ID}source/s{i}" for i in range(max(5, n // 50))]
    start = date(2020, 1, 1)

    def iri(x: str) -> str:
        return f"<{x}>"

    def lit(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    def day(d: date) -> str:
        return f'"{d.isoformat()}"^^<{XSD_DATE}>'

    def quad(s: str, p: str, o: str, g: str | None) -> str:
        return f"{iri(s)} {iri(p)} {o}{' ' + iri(g) if g else ''} .\n"

    for i, src in enumerate(sources):
        yield quad(src, RDF_TYPE, iri(TKG + "NewsArticle"), None)
        yield quad(src, LABEL, lit(f"Synthetic source {i}"), None)
        yield quad(src, TKG + "recordedOn", day(start + timedelta(days=i % 2000)), None)
        yield quad(src, TKG + "recordedOnPrecision", iri(TKG + "DayPrecision"), None)

    def assertion(k: int) -> tuple[str, list[str]]:
        g = f"{ID}assertion/a{k}"
        head = [
            quad(g, RDF_TYPE, iri(TKG + "Assertion"), None),
            quad(g, DERIVED, iri(rng.choice(sources)), None),
            quad(g, TKG + "evidenceKind", iri(TKG + "SourceStatement"), None),
            quad(g, TKG + "evidenceQuality", iri(TKG + "VerifiedSecondary"), None),
            quad(g, TKG + "quote", lit(f"quote {k}"), None),
        ]
        return g, head

    g, head = assertion(0)
    yield from head
    for c in countries:
        gov = c.replace("/country/", "/government/")
        yield quad(c, RDF_TYPE, iri(TKG + "Country"), g)
        yield quad(c, LABEL, lit("Country " + c.rsplit("/", 1)[1]), g)
        yield quad(gov, RDF_TYPE, iri(TKG + "Government"), g)
        yield quad(gov, LABEL, lit("Government of " + c.rsplit("/", 1)[1]), g)
        yield quad(gov, TKG + "governs", iri(c), g)
    for x in industries:
        yield quad(x, RDF_TYPE, iri(TKG + "Industry"), g)
        yield quad(x, LABEL, lit("Industry " + x.rsplit("/", 1)[1]), g)
    for k, m in enumerate(commodities):
        yield quad(m, RDF_TYPE, iri(TKG + "Commodity"), g)
        yield quad(m, LABEL, lit("Commodity " + m.rsplit("/", 1)[1]), g)
        if k >= 10:
            yield quad(m, TKG + "broaderCommodity", iri(commodities[rng.randrange(k // 2 + 1)]), g)

    produced = 0
    unit = 0
    while produced < triples:
        unit += 1
        g, head = assertion(unit)
        lines = list(head)
        company = f"{ID}company/k{unit}"
        lines += [
            quad(company, RDF_TYPE, iri(TKG + "Company"), g),
            quad(company, LABEL, lit(f"Company {unit}"), g),
            quad(company, TKG + "inIndustry", iri(rng.choice(industries)), g),
            quad(company, TKG + "inCountry", iri(rng.choice(countries)), g),
        ]
        lines += [quad(company, TKG + "dependsOn", iri(rng.choice(commodities)), g) for _ in range(3)]
        if unit > 2:
            lines += [quad(company, TKG + "suppliesTo", iri(f"{ID}company/k{rng.randrange(1, unit)}"), g)]
        if unit % 50 == 0:
            lines += [quad(rng.choice(industries), TKG + "dependsOn", iri(rng.choice(commodities)), g)]
        if unit % 2 == 0:
            p = f"{ID}policy/p{unit}"
            begin = start + timedelta(days=rng.randrange(2000))
            lines += [
                quad(p, RDF_TYPE, iri(TKG + rng.choice(["ExportControl", "Tariff", "Sanction"])), g),
                quad(p, LABEL, lit(f"Restriction {unit}"), g),
                quad(p, TKG + "imposedBy", iri(rng.choice(countries).replace("/country/", "/government/")), g),
                quad(p, TKG + "targetCountry", iri(rng.choice(countries)), g),
                quad(p, TKG + "restricts", iri(rng.choice(commodities)), g),
                quad(p, TKG + "restricts", iri(rng.choice(commodities)), g),
                quad(p, TKG + "inForceFrom", day(begin), g),
                quad(p, TKG + "inForceFromPrecision", iri(TKG + "DayPrecision"), g),
                quad(p, TKG + "announcedOn", day(begin - timedelta(days=3)), g),
                quad(p, TKG + "announcedOnPrecision", iri(TKG + "DayPrecision"), g),
            ]
            if unit % 6 == 0:
                lines += [
                    quad(p, TKG + "actualEnd", day(begin + timedelta(days=rng.randrange(30, 400))), g),
                    quad(p, TKG + "actualEndPrecision", iri(TKG + "DayPrecision"), g),
                ]
            if unit % 10 == 0:
                r = f"{ID}policy/r{unit}"
                lines += [
                    quad(r, RDF_TYPE, iri(TKG + "Licence"), g),
                    quad(r, LABEL, lit(f"Licence {unit}"), g),
                    quad(r, TKG + "relaxes", iri(p), g),
                    quad(r, TKG + "imposedBy", iri(rng.choice(countries).replace("/country/", "/government/")), g),
                    quad(r, TKG + "beneficiary", iri(company), g),
                    quad(r, TKG + "inForceFrom", day(begin + timedelta(days=20)), g),
                    quad(r, TKG + "inForceFromPrecision", iri(TKG + "DayPrecision"), g),
                ]
        produced += len(lines)
        yield from lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=100_000, help="about how many quads (default 100000)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("-o", "--output", type=Path, required=True, help="N-Quads file to write (.nq)")
    args = parser.parse_args(argv)
    tmp = args.output.with_suffix(args.output.suffix + ".part")
    count = 0
    with tmp.open("w", encoding="utf-8") as fh:
        for line in generate(args.triples, args.seed):
            fh.write(line)
            count += 1
    tmp.replace(args.output)
    print(f"wrote {count} quads to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
