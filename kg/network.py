"""The impact network: a networkx projection of the RDF graph as of a date.

Which relations carry impact, in which direction and with which sign is read from the
ontology (by the shipped queries ``impact-relations`` and ``impact-edges``; the only relation
named here is ``tkg:relaxes``, to keep the relaxations of reached policies in view). Each edge
points the way effects flow: a ``tkg:Forward`` property keeps its direction, a
``tkg:Inverse`` one is reversed (an industry ``dependsOn`` a commodity, so the commodity's
troubles flow to the industry). What is not active on the date never enters the network:
policies not in force (or suspended), events and claims after the date, facts from sources
published after ``known_by``, and what rests on claims the claims mode leaves out.

The whole network comes from ``impact-edges``; the part one source reaches (``kg paths``,
``kg impact``) is built outward from it, with what is inactive taken from ``inactive``.

>>> import datetime as dt
>>> from kg.graph import load_graph
>>> net = project(load_graph(), dt.date(2025, 6, 6))
>>> net.graph.has_edge(
...     "https://w3id.org/tradekg/id/policy/china-rare-earth-export-controls",
...     "https://w3id.org/tradekg/id/commodity/rare-earth-magnets")
True
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import networkx as nx
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from kg.errors import UsageError
from kg.graph import KnowledgeGraph
from kg.namespaces import TKG, curie
from kg.schema import Schema

__all__ = ["ImpactNetwork", "project", "CLAIM_MODES"]

CLAIM_MODES = ("exclude", "include", "confirmed-only")
_FAR_FUTURE = "9999-12-31"


@dataclass
class ImpactNetwork:
    """A directed multigraph in the direction effects flow, with what it was built from.

    Nodes are IRIs with ``label``, ``types``, ``cls`` (display class), ``target`` (an
    industry, company or country: a class the ontology marks ``tkg:impactTarget``).
    Edges carry ``predicate``, ``label``, ``sign`` (-1/0/+1), ``strength`` (1 unless a
    source gives one), ``cost`` (-log strength), ``stated`` (the triple's own subject and
    object), ``graphs`` (the assertion graphs that support it, hence sources and quotes),
    ``valid_from``/``valid_until`` (the interval in which both ends hold, where dated) and
    ``claims`` (the claims either end rests on).
    """

    graph: nx.MultiDiGraph
    as_of: dt.date
    known_by: dt.date | None
    claims: str
    schema: Schema
    kg: KnowledgeGraph
    claim_basis: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    assumed: tuple[str, ...] = ()
    lifted: tuple[str, ...] = ()
    cache: dict = field(default_factory=dict, repr=False)

    def sources_of(self, graph: str) -> list[str]:
        """Labels of the sources an assertion graph cites (cached on the network)."""
        found = self.cache.setdefault("graph_sources", {})
        if graph not in found:
            rows = self.kg.select("SELECT ?g ?src WHERE { ?g prov:wasDerivedFrom ?src }", {"g": URIRef(graph)})
            found[graph] = [self.kg.label(row["src"]) for row in rows]
        return found[graph]

    def label(self, node: str) -> str:
        return self.graph.nodes[node].get("label") if node in self.graph else self.kg.label(URIRef(node))

    def is_a(self, node: str, cls: URIRef) -> bool:
        types = self.graph.nodes[node].get("types", ()) if node in self.graph else ()
        return any(str(cls) in self.schema.ancestors(t) for t in types)


def _date(value: dt.date | None, default: str) -> Literal:
    return Literal(value.isoformat() if value else default, datatype=XSD.date)


def project(
    kg: KnowledgeGraph,
    as_of: dt.date,
    known_by: dt.date | None = None,
    claims: str = "exclude",
    assume_claims: Iterable[str] = (),
    lift: Iterable[str] = (),
    sources: Iterable[str] | None = None,
    max_hops: int = 6,
) -> ImpactNetwork:
    """Build the impact network of ``kg`` as of ``as_of``.

    ``assume_claims`` are claims treated as confirmed fact (what rests on them counts whatever
    the claims mode); ``lift`` removes policies, as if they had never been adopted.

    With ``sources``, only the part reachable from them within ``max_hops`` (plus the
    relaxations of the policies in it) is built: hop by hop, by index look-ups from the
    frontier, so the cost follows the size of the answer, not of the store. Without, the
    whole network, from the shipped ``impact-edges`` query. Both give the same edges on what
    they share (a test holds them to it).
    """
    from kg.queries import catalogue

    if claims not in CLAIM_MODES:
        raise UsageError(f"claims must be one of {', '.join(CLAIM_MODES)}, not {claims!r}")
    assumed = tuple(str(c) for c in assume_claims)
    schema = Schema.from_graph(kg)
    spec = catalogue()["impact-edges"]
    mode = "include" if assumed else claims
    bindings = {"date": _date(as_of, ""), "knownBy": _date(known_by, _FAR_FUTURE), "claims": Literal(mode)}
    claim_basis = _claim_basis(kg)
    dropped = set(map(str, lift))
    if assumed:
        for node, basis in claim_basis.items():
            for claim, status in basis:
                if claim in assumed:
                    continue
                if claims == "exclude" or (claims == "confirmed-only" and status != str(TKG.Confirmed)):
                    dropped.add(node)
    if sources is not None:
        rows = _reachable_rows(kg, schema, [str(x) for x in sources], max_hops, bindings, dropped)
    else:
        rows = kg.select_values(spec.text, bindings)

    graph = nx.MultiDiGraph()
    labels: dict[str, str] = {}
    for row in rows:
        s, p, o = row["s"], row["p"], row["o"]
        if s in dropped or o in dropped:
            continue
        head, tail = (s, o) if row["forward"] == "true" else (o, s)
        if graph.has_edge(head, tail, key=p):
            if "g" in row:
                graph.edges[head, tail, p]["graphs"].add(row["g"])
            continue
        if p not in labels:
            labels[p] = schema.labels.get(p, curie(p))
        graph.add_edge(
            head,
            tail,
            key=p,
            predicate=p,
            label=labels[p],
            sign=int(row["sign"]),
            strength=1.0,
            cost=-math.log(1.0),
            stated=(s, o),
            graphs={row["g"]} if "g" in row else set(),
        )
    for node, basis in claim_basis.items():
        # A claim taken as fact makes what rests on it real, from its date on, even where the
        # source reported it as future ("Xi agreed to resume exports").
        if node in graph or node in dropped or not any(c in assumed for c, _ in basis):
            continue
        if _started(kg, node, as_of):
            _add_edges_of(kg, schema, graph, node, dropped)
    _describe_nodes(kg, schema, graph, claim_basis)
    lifted = tuple(sorted(dropped & set(map(str, lift))))
    return ImpactNetwork(graph, as_of, known_by, claims, schema, kg, claim_basis, assumed, lifted)


def _reachable_rows(
    kg: KnowledgeGraph, schema: Schema, sources: list[str], max_hops: int, bindings: dict, dropped: set[str]
) -> list[dict[str, str]]:
    """The rows ``impact-edges`` would give for the edges reachable from ``sources`` within
    ``max_hops`` in the direction effects flow, plus the ``tkg:relaxes`` edges into the
    policies reached. What is inactive on the date comes from the shipped ``inactive`` query;
    record time (``knownBy``) from the sources' ``tkg:recordedOn``."""
    from kg.queries import catalogue

    spec = catalogue()["inactive"]
    given = {"date": bindings["date"], "claims": bindings["claims"]}
    # Whether a node is inactive: asked node by node while few are met (a small reach should
    # not pay for the whole graph's policies), then once for all.
    checked: dict[str, bool] = {x: True for x in dropped}
    everything: set[str] | None = None

    def is_inactive(node: str) -> bool:
        nonlocal everything
        if node in checked:
            return checked[node]
        if everything is None and len(checked) - len(dropped) >= _ASK_EACH:
            everything = {row["node"] for row in kg.select_values(spec.text, given)}
        if everything is not None:
            checked[node] = node in everything
        else:
            checked[node] = bool(kg.select_values(spec.text, {**given, "node": URIRef(node)}))
        return checked[node]

    known: set[str] | None = None
    if str(bindings["knownBy"]) != _FAR_FUTURE:
        known = {row["x"] for row in kg.select_values(_KNOWN_BY, {"knownBy": bindings["knownBy"]})}
    relaxes = str(TKG.relaxes)

    def rows_of(matches, forward: bool) -> list[dict[str, str]]:
        by_triple: dict[tuple[str, str, str], list] = {}
        for m in matches:
            relation = schema.impact.get(m.p)
            if relation is None or relation.forward != forward or not m.o_iri:
                continue
            if is_inactive(m.s) or is_inactive(m.o):
                continue
            by_triple.setdefault((m.s, m.p, m.o), []).append(m.g)
        out = []
        for (s, p, o), graphs in by_triple.items():
            if known is not None and s not in known and not any(g in known for g in graphs if g):
                continue
            relation = schema.impact[p]
            base = {"s": s, "p": p, "o": o, "sign": str(relation.sign), "forward": "true" if forward else "false"}
            named = sorted({g for g in graphs if g})
            out.extend([{**base, "g": g} for g in named] or [base])
        return out

    rows: list[dict[str, str]] = []
    seen = {x for x in sources if not is_inactive(x)}
    frontier = sorted(seen)
    for hop in range(max_hops + 1):
        following: list[str] = []
        for node in frontier:
            incoming = kg.store.match(obj=node)
            # the relaxations of a reached policy (impact reads them to tell relief)
            rows.extend(r for r in rows_of(incoming, True) if r["p"] == relaxes)
            if hop == max_hops:
                continue
            for row in rows_of(kg.store.match(subject=node), True) + rows_of(incoming, False):
                rows.append(row)
                nxt = row["o"] if row["forward"] == "true" else row["s"]
                if nxt not in seen:
                    seen.add(nxt)
                    following.append(nxt)
        frontier = following
    return rows


_START = (str(TKG.inForceFrom), str(TKG.announcedOn), str(TKG.date))
_END = (str(TKG.actualEnd), str(TKG.plannedEnd))
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def _node_facts_by_lookup(kg: KnowledgeGraph, graph: nx.MultiDiGraph):
    """Types, start and end dates of the network's nodes, by index look-ups node by node."""
    types: dict[str, list[str]] = {}
    starts: dict[str, str] = {}
    ends: dict[str, str] = {}
    for node in graph.nodes:
        facts: dict[str, list[str]] = {}
        for m in kg.store.match(node):
            if m.p == _RDF_TYPE:
                if m.o_iri and m.o not in facts.setdefault(m.p, []):
                    facts[m.p].append(m.o)
            elif m.p in _START or m.p in _END:
                facts.setdefault(m.p, []).append(m.o)
        if _RDF_TYPE in facts:
            types[node] = facts[_RDF_TYPE]
        # started when in force, else when announced (when no in-force date), or on its date
        begun = facts.get(_START[0], []) + facts.get(_START[2], [])
        if _START[0] not in facts:
            begun += facts.get(_START[1], [])
        if begun:
            starts[node] = min(begun)
        # ended when it actually ended, else when planned to (when no actual end)
        over = facts.get(_END[0]) or facts.get(_END[1], [])
        if over:
            ends[node] = max(over)
    return types, starts, ends


def _node_facts_by_query(kg: KnowledgeGraph, graph: nx.MultiDiGraph):
    """Types, start and end dates of the network's nodes, by two queries over the store."""
    types: dict[str, list[str]] = {}
    for row in kg.select_values("SELECT ?s ?t WHERE { ?s a ?t FILTER(isIRI(?t)) }"):
        s = row["s"]
        if s in graph and row["t"] not in types.setdefault(s, []):
            types[s].append(row["t"])
    starts: dict[str, str] = {}
    ends: dict[str, str] = {}
    for row in kg.select_values("""
        SELECT ?s ?start ?end WHERE {
          { ?s tkg:inForceFrom ?start } UNION { ?s tkg:announcedOn ?start FILTER NOT EXISTS { ?s tkg:inForceFrom ?f } }
          UNION { ?s tkg:date ?start } UNION { ?s tkg:actualEnd ?end }
          UNION { ?s tkg:plannedEnd ?end FILTER NOT EXISTS { ?s tkg:actualEnd ?a } }
        }"""):
        s = row["s"]
        if s not in graph:
            continue
        if "start" in row:
            starts[s] = min(starts.get(s, row["start"]), row["start"])
        if "end" in row:
            ends[s] = max(ends.get(s, row["end"]), row["end"])
    return types, starts, ends


#: Nodes whose activity is asked one by one before the inactive query runs once for all.
_ASK_EACH = 300

_KNOWN_BY = """
SELECT DISTINCT ?x ?knownBy WHERE {
  ?x prov:wasDerivedFrom ?src . ?src tkg:recordedOn ?rec FILTER (?rec <= ?knownBy)
}"""

_EDGES_OF = """
SELECT ?x ?s ?p ?o ?sign ?forward WHERE {
  ?p tkg:impactSign ?signNode ; tkg:impactDirection ?direction . ?signNode tkg:signValue ?sign .
  BIND (?direction = tkg:Forward AS ?forward)
  { ?x ?p ?o BIND (?x AS ?s) } UNION { ?s ?p ?x BIND (?x AS ?o) }
  FILTER (isIRI(?o))
}"""


def _started(kg: KnowledgeGraph, node: str, as_of: dt.date) -> bool:
    rows = kg.select(
        "SELECT ?x ?d WHERE { { ?x tkg:inForceFrom ?d } UNION { ?x tkg:announcedOn ?d } UNION { ?x tkg:date ?d } }",
        {"x": URIRef(node)},
    )
    return any(r["d"].toPython() <= as_of for r in rows if isinstance(r["d"].toPython(), dt.date))


def _add_edges_of(kg: KnowledgeGraph, schema: Schema, graph: nx.MultiDiGraph, node: str, dropped: set[str]) -> None:
    for row in kg.select(_EDGES_OF, {"x": URIRef(node)}):
        s, p, o = str(row["s"]), str(row["p"]), str(row["o"])
        if s in dropped or o in dropped:
            continue
        head, tail = (s, o) if row["forward"].toPython() is True else (o, s)
        graph.add_edge(
            head,
            tail,
            key=p,
            predicate=p,
            label=schema.labels.get(p, curie(p)),
            sign=int(row["sign"]),
            strength=1.0,
            cost=0.0,
            stated=(s, o),
            graphs=set(),
        )


def _claim_basis(kg: KnowledgeGraph) -> dict[str, list[tuple[str, str]]]:
    basis: dict[str, list[tuple[str, str]]] = {}
    query = "SELECT ?x ?c ?status WHERE { ?x tkg:restsOnClaim ?c OPTIONAL { ?c tkg:confirmationStatus ?status } }"
    for row in kg.select(query):
        basis.setdefault(str(row["x"]), []).append((str(row["c"]), str(row.get("status", ""))))
    return basis


def _describe_nodes(
    kg: KnowledgeGraph, schema: Schema, graph: nx.MultiDiGraph, claim_basis: dict[str, list[tuple[str, str]]]
) -> None:
    if getattr(kg.store, "local", False):
        types, starts, ends = _node_facts_by_lookup(kg, graph)
    else:
        types, starts, ends = _node_facts_by_query(kg, graph)
    targets = {c for c, flag in schema.impact_target.items() if flag}
    for node in graph.nodes:
        node_types = types.get(node, [])
        display = schema.display(node_types)
        graph.nodes[node].update(
            label=kg.label(URIRef(node)),
            types=node_types,
            cls=display.cls,
            cls_label=display.cls_label,
            target=any(targets & set(schema.ancestors(t)) for t in node_types),
            valid_from=starts.get(node),
            valid_until=ends.get(node),
        )
    # An edge holds while both its ends do; it rests on the claims its ends rest on.
    for head, tail, data in graph.edges(data=True):
        froms = [v for v in (graph.nodes[head].get("valid_from"), graph.nodes[tail].get("valid_from")) if v]
        untils = [v for v in (graph.nodes[head].get("valid_until"), graph.nodes[tail].get("valid_until")) if v]
        data["valid_from"] = max(froms) if froms else None
        data["valid_until"] = min(untils) if untils else None
        data["claims"] = sorted({c for n in (head, tail) for c, _ in claim_basis.get(n, ())})
