"""Summaries of a graph (``kg info``) and of one entity (``kg show``), as plain data.

Every fact on an entity card carries the sources that support it: the assertion graphs it
sits in (source, quote, evidence kind and quality) or the entity's own prov:wasDerivedFrom.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

from rdflib import Literal, URIRef
from rdflib.term import Node

from kg.graph import KnowledgeGraph
from kg.namespaces import ONTOLOGY_IRI, curie

__all__ = ["graph_info", "entity_card", "EntityCard", "Fact", "Evidence", "precision_properties"]


@dataclass(frozen=True)
class Evidence:
    """Why a fact is in the graph: a source, and how it supports the fact."""

    source: str
    source_label: str
    url: str | None = None
    recorded_on: str | None = None
    assertion: str | None = None
    quote: str | None = None
    kind: str | None = None
    quality: str | None = None
    reasoning: str | None = None


@dataclass
class Fact:
    direction: str  # "out": entity -> value; "in": value -> entity
    predicate: str
    predicate_label: str
    value: str
    value_label: str
    precision: str | None = None
    evidence: list[int] = field(default_factory=list)  # indexes into EntityCard.evidence


@dataclass
class EntityCard:
    iri: str
    curie: str
    label: str
    types: list[str]
    aliases: list[str]
    facts: list[Fact]
    evidence: list[Evidence]
    state: dict | None = None  # a policy's status on a date and over time (kg.validtime)

    def to_dict(self) -> dict:
        return asdict(self)


def precision_properties(graph: KnowledgeGraph) -> dict[str, str]:
    """Date property IRI -> the property holding its precision, as the ontology declares."""
    rows = graph.select(
        f"SELECT ?d ?p WHERE {{ GRAPH <{ONTOLOGY_IRI}> {{ ?d tkg:precisionProperty ?p }} }}", union=False
    )
    return {str(r["d"]): str(r["p"]) for r in rows}


_FACTS = f"""
SELECT ?e ?dir ?p ?v ?g WHERE {{
  {{ {{ GRAPH ?g {{ ?e ?p ?v }} FILTER(?g != <{ONTOLOGY_IRI}>) }} UNION {{ ?e ?p ?v }} BIND("out" AS ?dir) }}
  UNION
  {{ {{ GRAPH ?g {{ ?v ?p ?e }} FILTER(?g != <{ONTOLOGY_IRI}>) }} UNION {{ ?v ?p ?e }} BIND("in" AS ?dir) }}
}}
"""

_ASSERTION = """
SELECT ?g ?src ?quote ?kind ?quality ?reasoning WHERE {
  ?g prov:wasDerivedFrom ?src .
  OPTIONAL { ?g tkg:quote ?quote }
  OPTIONAL { ?g tkg:evidenceKind ?kind }
  OPTIONAL { ?g tkg:evidenceQuality ?quality }
  OPTIONAL { ?g tkg:reasoning ?reasoning }
}
"""

_SOURCE = """
SELECT ?src ?url ?recorded WHERE {
  OPTIONAL { ?src tkg:url ?url }
  OPTIONAL { ?src tkg:recordedOn ?recorded }
}
"""

_OWN_SOURCES = "SELECT ?e ?src WHERE { ?e prov:wasDerivedFrom ?src }"

_HIDDEN = {
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://www.w3.org/2004/02/skos/core#altLabel",
}


def _text(term: Node | None) -> str | None:
    return None if term is None else str(term)


def _value_label(graph: KnowledgeGraph, term: Node) -> str:
    if isinstance(term, Literal):
        return str(term)
    return graph.label(term)


def entity_card(graph: KnowledgeGraph, iri: URIRef, as_of: dt.date | None = None) -> EntityCard:
    """Everything the graph says about ``iri``, each fact with its evidence; for a policy, its
    status on ``as_of`` (default today) and over time, by :class:`kg.validtime.Timeline`."""
    # in a fixed order, so evidence is numbered alike on every store
    rows = sorted(
        graph.select(_FACTS, {"e": iri}, union=False),
        key=lambda r: (str(r["dir"]), str(r["p"]), str(r["v"]), str(r.get("g", ""))),
    )
    precision_of = precision_properties(graph)
    precision_props = set(precision_of.values())

    evidence: list[Evidence] = []
    evidence_index: dict[tuple[str, str], int] = {}

    def add_evidence(key: tuple[str, str], item: Evidence) -> int:
        if key not in evidence_index:
            evidence_index[key] = len(evidence)
            evidence.append(item)
        return evidence_index[key]

    def source_details(src: Node) -> tuple[str | None, str | None]:
        found = graph.select(_SOURCE, {"src": src})
        if not found:
            return None, None
        return _text(found[0].get("url")), _text(found[0].get("recorded"))

    def graph_evidence(g: Node) -> list[int]:
        indexes = []
        for row in sorted(graph.select(_ASSERTION, {"g": g}), key=lambda r: str(r["src"])):
            src = row["src"]
            url, recorded = source_details(src)
            indexes.append(
                add_evidence(
                    (str(g), str(src)),
                    Evidence(
                        source=str(src),
                        source_label=graph.label(src),
                        url=url,
                        recorded_on=recorded,
                        assertion=curie(str(g)),
                        quote=_text(row.get("quote")),
                        kind=graph.label(row["kind"]) if "kind" in row else None,
                        quality=graph.label(row["quality"]) if "quality" in row else None,
                        reasoning=_text(row.get("reasoning")),
                    ),
                )
            )
        return indexes

    own: list[int] = []
    for row in sorted(graph.select(_OWN_SOURCES, {"e": iri}), key=lambda r: str(r["src"])):
        src = row["src"]
        url, recorded = source_details(src)
        own.append(add_evidence(("", str(src)), Evidence(str(src), graph.label(src), url, recorded)))

    types, aliases, label = [], [], graph.label(iri)
    merged: dict[tuple[str, str, str], Fact] = {}
    precisions: dict[str, str] = {}
    for row in rows:
        p, v, direction = str(row["p"]), row["v"], str(row["dir"])
        if direction == "out" and p in precision_props:
            precisions[p] = graph.label(v)
            continue
        if direction == "out" and p == str(_RDF_TYPE):
            if graph.label(v) not in types:
                types.append(graph.label(v))
            continue
        if direction == "out" and p == str(_ALT):
            if str(v) not in aliases:
                aliases.append(str(v))
            continue
        if direction == "out" and p in _HIDDEN:
            continue
        key = (direction, p, str(v))
        fact = merged.get(key)
        if fact is None:
            fact = merged[key] = Fact(direction, curie(p), graph.label(URIRef(p)), str(v), _value_label(graph, v))
        g = row.get("g")
        indexes = graph_evidence(g) if g is not None else []
        if direction == "out":
            indexes += own
        for i in indexes:
            if i not in fact.evidence:
                fact.evidence.append(i)

    by_precision_prop = {prec: date for date, prec in precision_of.items()}
    for prec_prop, value in precisions.items():
        date_prop = by_precision_prop.get(prec_prop)
        for fact in merged.values():
            if fact.direction == "out" and fact.predicate == curie(date_prop or ""):
                fact.precision = value

    facts = sorted(merged.values(), key=lambda f: (f.direction != "out", f.predicate_label, f.value_label))
    aliases.sort(key=str.casefold)
    return EntityCard(
        str(iri), curie(str(iri)), label, sorted(types), aliases, facts, evidence, policy_state(graph, iri, as_of)
    )


def policy_state(graph: KnowledgeGraph, iri: URIRef, as_of: dt.date | None = None) -> dict | None:
    """A policy's status on ``as_of`` and its periods (from, until, status); None for others."""
    from kg.validtime import Timeline

    timeline = Timeline(graph)
    if not timeline.facts(str(iri)).policy:
        return None
    day = as_of or dt.date.today()
    return {
        "as_of": day.isoformat(),
        "status": timeline.status(str(iri), day),
        "periods": [
            {"from": a.isoformat() if a else None, "until": b.isoformat() if b else None, "status": text}
            for a, b, text in timeline.periods(str(iri))
        ],
    }


_RDF_TYPE = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_ALT = URIRef("http://www.w3.org/2004/02/skos/core#altLabel")


def graph_info(graph: KnowledgeGraph) -> dict:
    """Counts by class, sources, date ranges and sizes of the loaded graph."""
    classes = graph.select(
        f"""
        SELECT ?class (COUNT(DISTINCT ?s) AS ?direct) WHERE {{
          {{ ?s a ?class }} UNION {{ GRAPH ?g {{ ?s a ?class }} FILTER(?g != <{ONTOLOGY_IRI}>) }}
          FILTER(STRSTARTS(STR(?class), STR(tkg:)))
        }} GROUP BY ?class""",
        union=False,
    )
    totals = graph.select(
        f"""
        SELECT ?top (COUNT(DISTINCT ?s) AS ?n) WHERE {{
          GRAPH <{ONTOLOGY_IRI}> {{ ?top a owl:Class . ?class rdfs:subClassOf* ?top }}
          FILTER(STRSTARTS(STR(?top), STR(tkg:)))
          {{ ?s a ?class }} UNION {{ GRAPH ?g {{ ?s a ?class }} FILTER(?g != <{ONTOLOGY_IRI}>) }}
        }} GROUP BY ?top""",
        union=False,
    )
    total_of = {str(r["top"]): int(r["n"]) for r in totals}
    class_rows = sorted(
        (
            {
                "class": curie(str(r["class"])),
                "label": graph.label(r["class"]),
                "direct": int(r["direct"]),
                "with_subclasses": total_of.get(str(r["class"]), int(r["direct"])),
            }
            for r in classes
        ),
        key=lambda r: (-r["with_subclasses"], r["label"]),
    )
    # Top-level classes that only have instances through subclasses still deserve a line.
    seen = {r["class"] for r in class_rows}
    for top, n in total_of.items():
        if curie(top) not in seen:
            class_rows.append(
                {"class": curie(top), "label": graph.label(URIRef(top)), "direct": 0, "with_subclasses": n}
            )
    class_rows.sort(key=lambda r: (-r["with_subclasses"], r["label"]))

    sources = graph.select("""
        SELECT ?src ?kind ?recorded (COUNT(DISTINCT ?a) AS ?assertions) WHERE {
          ?src a ?kind . ?kind rdfs:subClassOf* tkg:Source .
          FILTER(?kind != tkg:Source || NOT EXISTS { ?src a ?k2 . ?k2 rdfs:subClassOf tkg:Source })
          OPTIONAL { ?src tkg:recordedOn ?recorded }
          OPTIONAL { ?a prov:wasDerivedFrom ?src }
        } GROUP BY ?src ?kind ?recorded""")
    source_rows = sorted(
        (
            {
                "source": curie(str(r["src"])),
                "label": graph.label(r["src"]),
                "kind": graph.label(r["kind"]),
                "recorded_on": _text(r.get("recorded")),
                "assertions": int(r["assertions"]),
            }
            for r in sources
        ),
        key=lambda r: (-r["assertions"], r["label"]),
    )
    valid = graph.select("""
        SELECT (MIN(?d) AS ?first) (MAX(?d) AS ?last) WHERE {
          ?p rdfs:subPropertyOf* tkg:validTimeProperty . ?x ?p ?d . FILTER(datatype(?d) = xsd:date)
        }""")
    recorded = graph.select("SELECT (MIN(?d) AS ?first) (MAX(?d) AS ?last) WHERE { ?s tkg:recordedOn ?d }")
    kinds = graph.select("""
        SELECT ?kind (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a tkg:Assertion ; tkg:evidenceKind ?kind } GROUP BY ?kind""")
    ontology_quads = int(
        graph.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{ONTOLOGY_IRI}> {{ ?s ?p ?o }} }}", union=False)[0]["n"]
    )
    return {
        "triples": len(graph),
        "data_triples": len(graph) - ontology_quads,
        "ontology_triples": ontology_quads,
        "files": [{"path": str(f.path), "quads": f.quads, "bundled": f.bundled} for f in graph.files],
        "classes": class_rows,
        "sources": source_rows,
        "assertions_by_kind": {graph.label(r["kind"]): int(r["n"]) for r in kinds},
        "valid_time": {"first": _text(valid[0].get("first")), "last": _text(valid[0].get("last"))},
        "record_time": {"first": _text(recorded[0].get("first")), "last": _text(recorded[0].get("last"))},
    }
