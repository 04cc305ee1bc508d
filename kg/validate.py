"""Validate a graph: SHACL shapes plus provenance coverage. Returns a result; never prints.

Two checks make up conformance:

1. The shapes of ``ontology/shapes.ttl``, run by pySHACL with ``inference="none"`` on a merged
   copy of ontology and data (RDFS inference there multiplies violations and time, shared
   TECH-NOTES §5; the ontology's ``rdfs:subClassOf`` triples in the copy let class targets
   reach subclasses).
2. Provenance coverage, which SHACL cannot see because it spans named graphs: every entity
   has its facts in an assertion graph that names a source, or names a source itself
   (``prov:wasDerivedFrom``); every named graph names a source.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from kg import resources
from kg.errors import InputError
from kg.graph import KnowledgeGraph
from kg.namespaces import ONTOLOGY_IRI, SH, curie

__all__ = ["ValidationResult", "ValidationReport", "validate", "provenance_gaps"]

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
    results.sort(key=lambda r: (r.severity != "Violation", r.source_file or "", r.focus_label, r.path, r.message))
    return ValidationReport(results=results, triples=len(data), shapes=n_shapes)
