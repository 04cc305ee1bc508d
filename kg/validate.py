"""Validate a graph: SHACL shapes plus provenance coverage. Returns a result; never prints.

Two checks make up conformance:

1. The shapes of ``ontology/shapes.ttl``, run by pySHACL with ``inference="none"`` on a merged
   copy of ontology and data (RDFS inference there multiplies violations and time, shared
   TECH-NOTES §5; the ontology's ``rdfs:subClassOf`` triples in the copy let class targets
   reach subclasses).
2. Provenance coverage, which SHACL cannot see because it spans named graphs: every entity
   has its facts in an assertion graph that names a source, or names a source itself
   (``prov:wasDerivedFrom``); every named graph names a source.
3. What SHACL Core cannot say: a class or property in the ontology's namespace that the
   ontology does not declare (a misspelling, with the closest declared name), and a cycle of
   a property the ontology marks ``tkg:acyclic`` (a relaxation that relaxes itself).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx
from rdflib import Graph, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from kg import resources
from kg.errors import InputError
from kg.graph import KnowledgeGraph
from kg.namespaces import ONTOLOGY_IRI, SH, TKG, curie

__all__ = ["ValidationResult", "ValidationReport", "validate", "provenance_gaps", "model_gaps"]

SEVERITIES = {str(SH.Violation): "Violation", str(SH.Warning): "Warning", str(SH.Info): "Info"}


@dataclass(frozen=True)
class ValidationResult:
    """One problem: the node at fault, the property, a message a curator can act on."""

    focus: Node
    focus_label: str
    path: str
    message: str
    severity: str
    source_file: str | None
    value: str | None = None


@dataclass
class ValidationReport:
    """The outcome of :func:`validate`. ``conforms`` is False if any result is a Violation."""

    results: list[ValidationResult] = field(default_factory=list)
    triples: int = 0
    shapes: int = 0

    @property
    def conforms(self) -> bool:
        return not any(r.severity == "Violation" for r in self.results)

    def count(self, severity: str) -> int:
        return sum(1 for r in self.results if r.severity == severity)


_UNSOURCED_SUBJECTS = f"""
SELECT DISTINCT ?s WHERE {{
  {{ ?s ?p ?o }} UNION {{ GRAPH ?g0 {{ ?s ?p ?o }} FILTER(?g0 != <{ONTOLOGY_IRI}>) }}
  FILTER(isIRI(?s))
  FILTER NOT EXISTS {{ GRAPH <{ONTOLOGY_IRI}> {{ ?s ?anyp ?anyo }} }}
  FILTER NOT EXISTS {{
    {{ ?s a ?t }} UNION {{ GRAPH ?gt {{ ?s a ?t }} }}
    GRAPH <{ONTOLOGY_IRI}> {{ ?t rdfs:subClassOf* ?top }}
    VALUES ?top {{ tkg:Source tkg:Assertion }}
  }}
  FILTER NOT EXISTS {{ GRAPH ?s {{ ?a ?b ?c }} }}
  FILTER NOT EXISTS {{
    GRAPH ?g1 {{ ?s ?p1 ?o1 }}
    {{ ?g1 prov:wasDerivedFrom ?src1 }} UNION {{ GRAPH ?h1 {{ ?g1 prov:wasDerivedFrom ?src1 }} }}
  }}
  FILTER NOT EXISTS {{ {{ ?s prov:wasDerivedFrom ?src2 }} UNION {{ GRAPH ?g2 {{ ?s prov:wasDerivedFrom ?src2 }} }} }}
}} ORDER BY ?s
"""

_UNSOURCED_GRAPHS = f"""
SELECT DISTINCT ?g WHERE {{
  GRAPH ?g {{ ?s ?p ?o }}
  FILTER(?g != <{ONTOLOGY_IRI}>)
  FILTER NOT EXISTS {{ {{ ?g prov:wasDerivedFrom ?src }} UNION {{ GRAPH ?h {{ ?g prov:wasDerivedFrom ?src }} }} }}
}} ORDER BY ?g
"""


def provenance_gaps(graph: KnowledgeGraph) -> list[ValidationResult]:
    """Entities and assertion graphs that cite no source."""
    results = []
    for row in graph.select(_UNSOURCED_GRAPHS, union=False):
        g = row["g"]
        results.append(
            ValidationResult(
                g,
                curie(str(g)),
                "prov:wasDerivedFrom",
                "This named graph cites no source: describe it as a tkg:Assertion with prov:wasDerivedFrom <a source>.",
                "Violation",
                _first(graph.files_of(g)),
            )
        )
    for row in graph.select(_UNSOURCED_SUBJECTS, union=False):
        s = row["s"]
        results.append(
            ValidationResult(
                s,
                graph.label(s),
                "prov:wasDerivedFrom",
                "No source for this entity: put its facts in an assertion graph that has "
                "prov:wasDerivedFrom, or give it prov:wasDerivedFrom <a source>.",
                "Violation",
                _first(graph.files_of(s)),
            )
        )
    return results


_DECLARED = f"""
SELECT DISTINCT ?term WHERE {{ GRAPH <{ONTOLOGY_IRI}> {{ ?term ?p ?o }} FILTER(isIRI(?term)) }}
"""

_USED_TERMS = f"""
SELECT ?s ?term ?role WHERE {{
  {{ SELECT DISTINCT ?term (SAMPLE(?s0) AS ?s) ("class" AS ?role) WHERE {{
       {{ ?s0 a ?term }} UNION {{ GRAPH ?g {{ ?s0 a ?term }} FILTER(?g != <{ONTOLOGY_IRI}>) }}
     }} GROUP BY ?term }}
  UNION
  {{ SELECT DISTINCT ?term (SAMPLE(?s1) AS ?s) ("property" AS ?role) WHERE {{
       {{ ?s1 ?term ?o1 }} UNION {{ GRAPH ?h {{ ?s1 ?term ?o1 }} FILTER(?h != <{ONTOLOGY_IRI}>) }}
     }} GROUP BY ?term }}
  FILTER(STRSTARTS(STR(?term), STR(tkg:)))
}}
"""

#: Literals whose lexical form is not valid for their XSD datatype ("2025-02-30"^^xsd:date,
#: "abc"^^xsd:integer): valid RDF, so they load, but every comparison with them fails.
_ILL_TYPED = """
SELECT DISTINCT ?s ?p ?o WHERE {
  ?s ?p ?o FILTER (isLiteral(?o))
  BIND (DATATYPE(?o) AS ?dt) BIND (STR(?o) AS ?lex)
  FILTER (STRSTARTS(STR(?dt), STR(xsd:)))
  BIND (IF(?dt = xsd:date, xsd:date(?lex), IF(?dt = xsd:dateTime, xsd:dateTime(?lex),
        IF(?dt = xsd:integer, xsd:integer(?lex), IF(?dt = xsd:decimal, xsd:decimal(?lex),
        IF(?dt = xsd:double, xsd:double(?lex), IF(?dt = xsd:float, xsd:float(?lex),
        IF(?dt = xsd:boolean, xsd:boolean(?lex), IF(?dt = xsd:duration, xsd:duration(?lex),
        IF(?dt = xsd:gYear, xsd:gYear(?lex), IF(?dt = xsd:gYearMonth, xsd:gYearMonth(?lex),
        true)))))))))) AS ?valid)
  FILTER (!BOUND(?valid))
} ORDER BY ?s ?p ?o
"""

_ACYCLIC = """
SELECT ?property WHERE { ?property tkg:acyclic true }
"""


def model_gaps(graph: KnowledgeGraph) -> list[ValidationResult]:
    """Undeclared ``tkg:`` classes and properties, and cycles of ``tkg:acyclic`` properties."""
    results = []
    declared = {str(r["term"]) for r in graph.select(_DECLARED, union=False)}
    names = sorted(d.removeprefix(str(TKG)) for d in declared if d.startswith(str(TKG)))
    for row in sorted(graph.select(_USED_TERMS, union=False), key=lambda r: (str(r["term"]), str(r["s"]))):
        term, role = str(row["term"]), str(row["role"])
        if term in declared:
            continue
        close = difflib.get_close_matches(term.removeprefix(str(TKG)), names, n=1, cutoff=0.6)
        hint = f" (did you mean tkg:{close[0]}?)" if close else ""
        results.append(
            ValidationResult(
                row["s"],
                graph.label(row["s"]),
                curie(term) if role == "property" else "rdf:type",
                f"Unknown {role} {curie(term)}: the ontology declares no such term{hint}.",
                "Violation",
                _first(graph.files_of(row["s"])),
                term,
            )
        )
    for row in graph.select(_ILL_TYPED):
        s, p, o = row["s"], row["p"], row["o"]
        results.append(
            ValidationResult(
                s,
                graph.label(s),
                curie(str(p)),
                f'Ill-typed literal "{o}": not a valid {curie(str(o.datatype))}, so no date or number '
                "comparison can use it; correct the value.",
                "Violation",
                _first(graph.files_of(s)),
                str(o),
            )
        )
    for row in graph.select(_ACYCLIC):
        prop = str(row["property"])
        edges = nx.DiGraph((m.s, m.o) for m in graph.store.match(predicate=prop) if m.o_iri)
        for component in nx.strongly_connected_components(edges):
            if len(component) == 1 and not edges.has_edge(*component, *component):
                continue
            first = min(component)
            cycle = " → ".join(graph.label(URIRef(n)) for n in _cycle_from(edges, first, component))
            results.append(
                ValidationResult(
                    URIRef(first),
                    graph.label(URIRef(first)),
                    curie(prop),
                    f"{curie(prop)} goes round in a cycle ({cycle}): the ontology marks it tkg:acyclic, "
                    "so no chain of it may lead back to where it started.",
                    "Violation",
                    _first(graph.files_of(URIRef(first))),
                )
            )
    return results


def _cycle_from(edges, start: str, component: set[str]) -> list[str]:
    """One cycle through ``start`` inside a strongly connected ``component``, closed."""
    inside = edges.subgraph(component)
    if inside.has_edge(start, start):
        return [start, start]
    back = min(p for p in inside.predecessors(start))
    return nx.shortest_path(inside, start, back) + [start]


def _first(items: list[str]) -> str | None:
    return items[0] if items else None


def _shacl(graph: KnowledgeGraph, data: Graph, shapes_path: Path) -> tuple[list[ValidationResult], int]:
    import pyshacl

    shapes = Graph()
    try:
        shapes.parse(shapes_path, format="turtle")
    except Exception as err:  # rdflib raises many parser types; report as bad input
        raise InputError(str(shapes_path), f"cannot read shapes: {err}") from None
    _conforms, report, _text = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True
    )
    results = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        message = report.value(result, SH.resultMessage)
        severity = report.value(result, SH.resultSeverity)
        value = report.value(result, SH.value)
        results.append(
            ValidationResult(
                focus,
                graph.label(focus),
                curie(str(path)) if isinstance(path, URIRef) else "",
                str(message) if message is not None else "does not conform",
                SEVERITIES.get(str(severity), str(severity)),
                _first(graph.files_of(focus)),
                str(value) if value is not None else None,
            )
        )
    targets = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
    n_shapes = len(
        set(shapes.subjects(RDF.type, SH.NodeShape)) | {s for t in targets for s in shapes.subjects(t, None)}
    )
    return results, n_shapes


def validate(graph: KnowledgeGraph, shapes_path: Path | None = None) -> ValidationReport:
    """Check ``graph`` against the shapes and for provenance coverage.

    >>> from kg.graph import load_graph
    >>> validate(load_graph()).conforms
    True
    """
    data = graph.to_rdflib(include_ontology=True)
    results, n_shapes = _shacl(graph, data, shapes_path or resources.shapes_file())
    results += provenance_gaps(graph)
    model = model_gaps(graph)
    said = {(r.focus, r.path, r.value) for r in model}  # an ill-typed value: say why, once
    results = [r for r in results if (r.focus, r.path, r.value) not in said] + model
    results.sort(key=lambda r: (r.severity != "Violation", r.source_file or "", r.focus_label, r.path, r.message))
    return ValidationReport(results=results, triples=len(data), shapes=n_shapes)
