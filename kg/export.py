"""Write the graph, or the neighbourhood of one entity, as RDF or as GraphML/GEXF.

Files are written whole or not at all: to a temporary file beside the target, then renamed.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.term import Node

from kg.errors import UsageError
from kg.graph import KnowledgeGraph
from kg.namespaces import ONTOLOGY_IRI, PREFIXES, curie

__all__ = ["export_graph", "neighbourhood", "to_networkx", "write_atomic"]

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def _umask() -> int:
    """The process's umask (read by setting it, then put back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomic(output: str, data: bytes) -> None:
    """Write ``data`` to ``output`` (``-``: stdout) via a temporary file and a rename."""
    if output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    target = Path(output)
    if target.is_dir():
        raise UsageError(f"{output}: is a folder; give a file name")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"{output}: folder {folder} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
    try:
        # mkstemp makes the file 0600; give it the mode any file the user writes gets
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def neighbourhood(graph: KnowledgeGraph, focus: URIRef, hops: int) -> set[str]:
    """Entities within ``hops`` relations of ``focus`` (ontology terms do not link entities)."""
    from kg.schema import Schema

    ontology_terms = Schema.from_graph(graph).ontology_terms
    seen, frontier = {str(focus)}, {str(focus)}
    query = "SELECT ?e ?n WHERE { { ?e ?p ?n } UNION { ?n ?p ?e } FILTER(isIRI(?n)) }"
    for _ in range(hops):
        nxt: set[str] = set()
        for node in frontier:
            for row in graph.select(query, {"e": URIRef(node)}):
                n = str(row["n"])
                if n not in seen and n not in ontology_terms:
                    nxt.add(n)
        seen |= nxt
        frontier = nxt
    return seen


def _quads(graph: KnowledgeGraph, keep: set[str] | None):
    """Data quads (not the ontology's), limited to subjects in ``keep`` and their evidence."""
    quads = [q for q in graph.store.quads() if q[3] is None or str(q[3]) != ONTOLOGY_IRI]
    if keep is None:
        return quads
    graphs = {str(q[3]) for q in quads if q[3] is not None and str(q[0]) in keep}
    sources = {str(q[2]) for q in quads if str(q[0]) in graphs and str(q[1]).endswith("prov#wasDerivedFrom")}
    wanted = keep | graphs | sources
    return [q for q in quads if str(q[0]) in wanted]


def export_graph(graph: KnowledgeGraph, fmt: str, output: str, focus: URIRef | None = None, hops: int = 1) -> int:
    """Write the data (ontology excluded) in ``fmt``; return how many quads or items were written."""
    keep = neighbourhood(graph, focus, hops) if focus is not None else None
    quads = _quads(graph, keep)
    if fmt in ("graphml", "gexf"):
        import networkx as nx

        nxg = to_networkx(graph, quads)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"export.{fmt}"
            (nx.write_graphml if fmt == "graphml" else nx.write_gexf)(nxg, path)
            write_atomic(output, path.read_bytes())
        return nxg.number_of_nodes() + nxg.number_of_edges()
    if fmt in ("trig", "nq", "jsonld"):
        ds = Dataset()
        for prefix, ns in PREFIXES.items():
            ds.bind(prefix, ns)
        for s, p, o, g in quads:
            ds.add((s, p, o, g if g is not None else ds.default_graph.identifier))
        rdf_format = {"trig": "trig", "nq": "nquads", "jsonld": "json-ld"}[fmt]
        data = ds.serialize(format=rdf_format)
    else:
        flat = Graph()
        for prefix, ns in PREFIXES.items():
            flat.bind(prefix, ns)
        for s, p, o, _ in quads:
            flat.add((s, p, o))
        data = flat.serialize(format={"turtle": "turtle", "nt": "nt"}[fmt])
    write_atomic(output, data.encode("utf-8") if isinstance(data, str) else data)
    return len(quads)


def to_networkx(graph: KnowledgeGraph, quads):
    """Entities as nodes (label, class, colour, shape, literal facts); relations as edges
    (predicate, label, impact sign, assertion graph). Values that are ontology terms (a
    confirmation status, a precision) become node attributes, not edges."""
    import networkx as nx

    from kg.schema import Schema

    schema = Schema.from_graph(graph)
    nxg = nx.MultiDiGraph()
    types: dict[str, list[str]] = {}
    attrs: dict[str, dict[str, str]] = {}
    edges: list[tuple[str, str, dict]] = []

    def text(node: Node) -> str:
        return str(node)

    for s, p, o, g in quads:
        s_, p_ = text(s), text(p)
        if p_ == _RDF_TYPE:
            types.setdefault(s_, []).append(text(o))
            continue
        key = curie(p_)
        if isinstance(o, Literal) or text(o) in schema.ontology_terms:
            value = str(o) if isinstance(o, Literal) else schema.labels.get(text(o), curie(text(o)))
            node_attrs = attrs.setdefault(s_, {})
            if key in node_attrs and value not in node_attrs[key]:
                value = f"{node_attrs[key]}; {value}"
            node_attrs[key] = value
            continue
        relation = schema.impact.get(p_)
        edges.append(
            (
                s_,
                text(o),
                {
                    "predicate": key,
                    "label": schema.labels.get(p_, key),
                    "sign": relation.sign if relation else 0,
                    "impact": "forward" if relation and relation.forward else ("inverse" if relation else "none"),
                    "assertion": curie(text(g)) if g is not None else "",
                },
            )
        )
    for node in set(types) | set(attrs) | {e[0] for e in edges} | {e[1] for e in edges}:
        display = schema.display(types.get(node, []))
        node_attrs = {k.replace(":", "_"): v for k, v in attrs.get(node, {}).items()}
        nxg.add_node(
            node,
            label=node_attrs.pop("rdfs_label", curie(node)),
            iri=node,
            cls=curie(display.cls) if display.cls else "",
            colour=display.colour,
            shape=display.shape,
            **node_attrs,
        )
    for s, o, data in edges:
        nxg.add_edge(s, o, **data)
    return nxg
