"""How much of the curated seed graph `kg ingest` proposes from the seed article's text.

    python bench/ingest_recall.py [ARTICLE.txt]

Against ``data/seed.trig`` (the curated statements of the seed article, ``assertion:sNN-…``):

- quotes: the share of curated statements whose quote lies in the proposed sentences (every
  sentence is proposed, so this measures the sentence split and the furniture filter);
- entities: of the entities each statement's graph names, the share found among the
  mentions of the sentences holding its quote;
- dates: of the valid-time dates the curated graph gives from the article (its own and the
  curator's inferences from its words: "on Friday" is 6 June 2025), the share the resolver
  gives (a month it resolves counts for a day in that month).
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "tests" / "data" / "ingest" / "seed-article.txt"
PUBLISHED = dt.date(2025, 6, 7)


def _norm(text: str) -> str:
    from kg.lookup import normalise_name

    return normalise_name(text)


def recall(article: Path = ARTICLE) -> dict:
    from rdflib import URIRef

    from kg.graph import load_graph
    from kg.ingest import ingest, read_article
    from kg.namespaces import ID

    kg = load_graph()
    found = ingest(kg, read_article(article), PUBLISHED)
    quotes = kg.select_values(
        """SELECT ?g ?q WHERE { ?g prov:wasDerivedFrom source:econotimes-1712529 ; tkg:quote ?q
             FILTER (REGEX(STR(?g), "/assertion/s[0-9]")) }"""
    )
    skip = tuple(f"{ID}{k}/" for k in ("source", "assertion", "scheme"))
    proposed = [(_norm(s.text), s) for s in found]
    q_hit = e_total = e_hit = 0
    missed_entities: list[str] = []
    for row in quotes:
        quote = _norm(row["q"])
        holding = [s for text, s in proposed if quote in text or text in quote]
        if holding:
            q_hit += 1
        graph_entities = {
            v
            for r in kg.select_values("SELECT ?g ?s ?o WHERE { GRAPH ?g { ?s ?p ?o } }", {"g": URIRef(row["g"])})
            for v in (r["s"], r["o"])
            if v.startswith(str(ID)) and not v.startswith(skip)
        }
        mentioned = {e for s in holding for m in s.mentions for e in m.entities}
        e_total += len(graph_entities)
        e_hit += len(graph_entities & mentioned)
        missed_entities += sorted(graph_entities - mentioned)
    dates = kg.select_values(
        """SELECT DISTINCT ?d WHERE { ?g prov:wasDerivedFrom source:econotimes-1712529 .
             GRAPH ?g { ?e ?p ?d } ?p tkg:precisionProperty ?pp . FILTER (DATATYPE(?d) = xsd:date)
             FILTER (?p != tkg:recordedOn) }"""
    )
    expected = sorted(dt.date.fromisoformat(r["d"]) for r in dates)
    resolved = [d for s in found for d in s.dates]

    def hit(day: dt.date) -> bool:
        return any(
            d.date == day or (d.precision == "month" and (d.date.year, d.date.month) == (day.year, day.month))
            for d in resolved
        )

    return {
        "sentences": len(found),
        "quotes": (q_hit, len(quotes)),
        "entities": (e_hit, e_total),
        "dates": (sum(hit(d) for d in expected), len(expected)),
        "expected_dates": expected,
        "missed_dates": [d for d in expected if not hit(d)],
        "missed_entities": sorted(set(missed_entities)),
    }


def main() -> int:
    article = Path(sys.argv[1]) if len(sys.argv) > 1 else ARTICLE
    r = recall(article)
    print(f"sentences proposed: {r['sentences']}")
    for key in ("quotes", "entities", "dates"):
        hit, total = r[key]
        print(f"{key:9s} {hit}/{total} = {hit / total:.0%}" if total else f"{key}: none")
    print("dates missed:", ", ".join(d.isoformat() for d in r["missed_dates"]) or "none")
    print("entities missed:", ", ".join(e.rsplit("/id/", 1)[1] for e in r["missed_entities"]) or "none")
    return 0


if __name__ == "__main__":
    sys.exit(main())
