"""The impact network: a networkx projection of the RDF graph as of a date.

Which relations carry impact, in which direction and with which sign is read from the
ontology (by the shipped queries ``impact-relations`` and ``impact-edges``; the only relation
named here is ``tkg:relaxes``, to keep the relaxations of reached policies in view). Each edge
points the way effects flow: a ``tkg:Forward`` property keeps its direction, a
``tkg:Inverse`` one is reversed (an industry ``dependsOn`` a commodity, so the commodity's
troubles flow to the industry). What does not count on the date never enters the network:
policies not in force (not started, ended, expired), events and claims after the date, facts
from sources published after ``known_by``, and what rests on claims the claims mode leaves
out. A policy suspended on the date stays in, flagged (node attribute ``suspended``: ``"suspended
until D"``), so that :func:`kg.impact.impact` can say what the suspension holds back. Valid time
is :mod:`kg.validtime`'s one definition.

The whole network comes from ``impact-edges`` (whose SPARQL includes the fragment
``present.rqf``); the part one source reaches (``kg paths``, ``kg impact``) is built outward
from it, with what counts taken from :class:`kg.validtime.Timeline`. A test holds the two to
the same edges.

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
import numpy as np
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from kg.errors import UsageError
from kg.graph import KnowledgeGraph
from kg.namespaces import TKG, curie
from kg.schema import Schema
from kg.validtime import Timeline

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
    timeline: Timeline | None = None
    cache: dict = field(default_factory=dict, repr=False)
    #: the compiled impact index it was built from (kg.index), if any
    index: object | None = field(default=None, repr=False)

    @property
    def suspended(self) -> dict[str, str]:
        """Policies in the network suspended on the date -> ``suspended until …`` (cached)."""
        found = self.cache.get("suspended")
        if found is None:
            found = self.cache["suspended"] = {
                n: d["suspended"] for n, d in self.graph.nodes(data=True) if d.get("suspended")
            }
        return found

    def evidence_of(self, hop_graphs: Iterable[str], stated: tuple[str, str]) -> list[dict]:
        """Who says a hop, and how: one entry per source, with its quote and evidence kind
        (stated by the source, publisher's analysis, curator's inference). Facts outside any
        sourced assertion graph (a plain Turtle file) fall back to their subject's
        ``prov:wasDerivedFrom``, with no kind given. Cached on the network."""
        cache = self.cache.setdefault("evidence", {})
        out: list[dict] = []
        for g in sorted(hop_graphs):
            if g not in cache:
                cache[g] = self._graph_evidence(g)
            out.extend(cache[g])
        if not out:
            key = ("subject", stated[0])
            if key not in cache:
                rows = self.kg.select("SELECT ?x ?src WHERE { ?x prov:wasDerivedFrom ?src }", {"x": URIRef(stated[0])})
                cache[key] = [
                    {"source": self.kg.label(r["src"]), "quote": None, "kind": None, "quality": None, "weak": False}
                    for r in rows
                ]
            out.extend(cache[key])
        unique: list[dict] = []
        for item in sorted(out, key=lambda e: (e["source"], e["quote"] or "", e["kind"] or "")):
            if item not in unique:
                unique.append(item)
        return unique

    def _graph_evidence(self, g: str) -> list[dict]:
        """Source, quote and evidence kind of one assertion graph: index look-ups on an embedded
        store (a query each would cost more than the rest of ``kg impact``), a query on a server."""
        if getattr(self.kg.store, "local", False):
            match = self.kg.store.match
            sources = [m.o for m in match(g, _PROV_DERIVED) if m.o_iri]
            quotes = [m.o for m in match(g, str(TKG.quote)) if not m.o_iri]
            kinds = [m.o for m in match(g, str(TKG.evidenceKind)) if m.o_iri]
            qualities = [m.o for m in match(g, str(TKG.evidenceQuality)) if m.o_iri]
            return [
                {
                    "source": self.kg.label(URIRef(src)),
                    "quote": quote,
                    "kind": self.kg.label(URIRef(kind)) if kind else None,
                    **self._quality(quality),
                }
                for src in sources
                for quote in (quotes or [None])
                for kind in (kinds or [None])
                for quality in (qualities or [None])
            ]
        rows = self.kg.select(
            """SELECT ?g ?src ?quote ?kind ?quality WHERE { ?g prov:wasDerivedFrom ?src
                 OPTIONAL { ?g tkg:quote ?quote } OPTIONAL { ?g tkg:evidenceKind ?kind }
                 OPTIONAL { ?g tkg:evidenceQuality ?quality } }""",
            {"g": URIRef(g)},
        )
        return [
            {
                "source": self.kg.label(r["src"]),
                "quote": str(r["quote"]) if "quote" in r else None,
                "kind": self.kg.label(r["kind"]) if "kind" in r else None,
                **self._quality(str(r["quality"]) if "quality" in r else None),
            }
            for r in rows
        ]

    def graph_claims(self, hop_graphs: Iterable[str]) -> list[str]:
        """Claims the assertions behind a hop rest on (``?g tkg:restsOnClaim ?claim``): a
        relation only someone claims, such as a publisher's causal claim. Shown beside the hop;
        the claims mode filters what entities rest on, not these. Cached on the network."""
        cache = self.cache.setdefault("graph-claims", {})
        out: list[str] = []
        for g in sorted(hop_graphs):
            if g not in cache:
                rows = self.kg.select_values("SELECT ?g ?c WHERE { ?g tkg:restsOnClaim ?c }", {"g": URIRef(g)})
                cache[g] = sorted(r["c"] for r in rows)
            out.extend(c for c in cache[g] if c not in out)
        return out

    def _quality(self, quality: str | None) -> dict:
        """``quality``: the evidence quality's label; ``weak``: true when the ontology ranks it
        (tkg:qualityRank) below the weakest verified quality, tkg:VerifiedQuoted: contested,
        assumed."""
        ranks = self.cache.get("quality-ranks")
        if ranks is None:
            rows = self.kg.select_values("SELECT ?q ?rank WHERE { ?q tkg:qualityRank ?rank }")
            ranks = self.cache["quality-ranks"] = {r["q"]: int(r["rank"]) for r in rows}
        if quality is None:
            return {"quality": None, "weak": False}
        floor = ranks.get(str(TKG.VerifiedQuoted), 0)
        return {"quality": self.kg.label(URIRef(quality)), "weak": ranks.get(quality, 0) < floor}

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
    use_index: bool | None = None,
    targets: Iterable[str] | None = None,
) -> ImpactNetwork:
    """Build the impact network of ``kg`` as of ``as_of``.

    ``assume_claims`` are claims treated as confirmed fact (what rests on them counts whatever
    the claims mode); ``lift`` removes policies, as if they had never been adopted.

    With ``sources``, only the part reachable from them within ``max_hops`` (plus the
    relaxations of the policies in it) is built: hop by hop, by index look-ups from the
    frontier, so the cost follows the size of the answer, not of the store. Without, the
    whole network, from the shipped ``impact-edges`` query. Both give the same edges on what
    they share (a test holds them to it).

    With the compiled impact index (:mod:`kg.index`), both are masks over its arrays instead,
    with the same answers (a test holds them equal). ``use_index``: None uses it where it
    exists or pays off (a persistent store's, built by ``kg load``; a memory store's once
    built; the whole network of an embedded store), True always on an embedded store (built
    if needed), False never. With the index, ``targets`` (with ``sources``: ``kg paths``)
    keeps only the edges into nodes that reach a target within ``max_hops``: every path from
    a source to a target, and the relaxations of the policies on them, are still there.
    """
    from kg.queries import catalogue

    if claims not in CLAIM_MODES:
        raise UsageError(f"claims must be one of {', '.join(CLAIM_MODES)}, not {claims!r}")
    assumed = tuple(str(c) for c in assume_claims)
    index = None
    if use_index is not False:
        from kg.index import impact_index

        index = impact_index(kg, build=use_index is True or sources is None)
    schema = Schema.from_graph(kg)
    spec = catalogue()["impact-edges"]
    mode = "include" if assumed else claims
    bindings = {"date": _date(as_of, ""), "knownBy": _date(known_by, _FAR_FUTURE), "claims": Literal(mode)}
    claim_basis = index.claim_basis if index is not None else _claim_basis(kg)
    timeline = Timeline(kg)
    dropped = set(map(str, lift))
    if assumed:
        for node, basis in claim_basis.items():
            for claim, status in basis:
                if claim in assumed:
                    continue
                if claims == "exclude" or (claims == "confirmed-only" and status != str(TKG.Confirmed)):
                    dropped.add(node)
    if index is not None:
        usable = index.usable(as_of, known_by, mode, dropped)
        if sources is not None:
            taken = index.reachable(usable, [str(x) for x in sources], max_hops, str(TKG.relaxes))
            wanted = None if targets is None else {str(x) for x in targets}
            if wanted and not wanted & {str(x) for x in sources}:  # (a source is its own trivial path)
                taken &= index.reaching(usable, wanted, max_hops)[index.tail]
            usable = taken
        graph = _graph_from_index(index, schema, np.flatnonzero(usable))
        rows = []
    elif sources is not None:
        rows = _reachable_rows(
            kg, schema, [str(x) for x in sources], max_hops, bindings, dropped, timeline, claim_basis
        )
        graph = nx.MultiDiGraph()
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
        facts = timeline.facts(node)
        if any(d <= as_of for d in (*facts.in_force_from, *facts.announced, *facts.dates)):
            _add_edges_of(kg, schema, graph, node, dropped)
    _describe_nodes(kg, schema, graph, claim_basis, timeline, as_of, index)
    lifted = tuple(sorted(dropped & set(map(str, lift))))
    return ImpactNetwork(
        graph, as_of, known_by, claims, schema, kg, claim_basis, assumed, lifted, timeline, index=index
    )


def _reachable_rows(
    kg: KnowledgeGraph,
    schema: Schema,
    sources: list[str],
    max_hops: int,
    bindings: dict,
    dropped: set[str],
    timeline: Timeline,
    claim_basis: dict[str, list[tuple[str, str]]],
) -> list[dict[str, str]]:
    """The rows ``impact-edges`` would give for the edges reachable from ``sources`` within
    ``max_hops`` in the direction effects flow, plus the ``tkg:relaxes`` edges into the
    policies reached. What counts on the date comes from :class:`kg.validtime.Timeline` (the
    rules of the fragment ``present.rqf`` that ``impact-edges`` includes); record time
    (``knownBy``) from the sources' ``tkg:recordedOn``."""
    day = dt.date.fromisoformat(str(bindings["date"]))
    mode = str(bindings["claims"])
    checked: dict[str, bool] = {x: True for x in dropped}

    def is_inactive(node: str) -> bool:
        """Not counted on the date (kg.validtime: suspended policies count, flagged later), or
        resting on a claim the claims mode leaves out (the tests of ``inactive.rq``)."""
        if node in checked:
            return checked[node]
        out = not timeline.counts(node, day)
        if not out and mode != "include":
            basis = claim_basis.get(node, ())
            out = any(mode == "exclude" or status != str(TKG.Confirmed) for _, status in basis)
        checked[node] = out
        return out

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


def _graph_from_index(index, schema: Schema, edges) -> nx.MultiDiGraph:
    """The network of the index's ``edges`` (edge numbers), as ``project`` builds it from rows."""
    graph = nx.MultiDiGraph()
    nodes, predicates = index.nodes, index.predicates
    graphs = index.edge_graphs(edges)
    labels = [schema.labels.get(p, curie(p)) for p in predicates]
    signs = [schema.impact[p].sign for p in predicates]
    heads, tails = index.head[edges].tolist(), index.tail[edges].tolist()
    preds, forward = index.pred[edges].tolist(), index.forward[edges].tolist()
    graph.add_edges_from(
        (
            nodes[h],
            nodes[t],
            predicates[p],
            {
                "predicate": predicates[p],
                "label": labels[p],
                "sign": signs[p],
                "strength": 1.0,
                "cost": 0.0,
                "stated": (nodes[h], nodes[t]) if f else (nodes[t], nodes[h]),
                "graphs": set(graphs.get(e, ())),
            },
        )
        for e, h, t, p, f in zip(edges.tolist(), heads, tails, preds, forward, strict=True)
    )
    return graph


_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_PROV_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"


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


def _node_types(kg: KnowledgeGraph, graph: nx.MultiDiGraph, timeline: Timeline) -> dict[str, list[str]]:
    """The asserted classes of the network's nodes: read with their dates, node by node, on an
    embedded store; one query on a server."""
    types: dict[str, list[str]] = {}
    if getattr(kg.store, "local", False):
        for node in graph.nodes:
            found = timeline.types(node)
            if found:
                types[node] = list(found)
        return types
    for row in kg.select_values("SELECT ?s ?t WHERE { ?s a ?t FILTER(isIRI(?t)) }"):
        s = row["s"]
        if s in graph and row["t"] not in types.setdefault(s, []):
            types[s].append(row["t"])
    return types


def _describe_nodes(
    kg: KnowledgeGraph,
    schema: Schema,
    graph: nx.MultiDiGraph,
    claim_basis: dict[str, list[tuple[str, str]]],
    timeline: Timeline,
    as_of: dt.date,
    index=None,
) -> None:
    if index is not None:
        _describe_from_index(kg, schema, graph, timeline, as_of, index)
    else:
        _describe_from_store(kg, schema, graph, timeline, as_of)
    # An edge holds while both its ends do; it rests on the claims its ends rest on.
    for head, tail, data in graph.edges(data=True):
        froms = [v for v in (graph.nodes[head].get("valid_from"), graph.nodes[tail].get("valid_from")) if v]
        untils = [v for v in (graph.nodes[head].get("valid_until"), graph.nodes[tail].get("valid_until")) if v]
        data["valid_from"] = max(froms) if froms else None
        data["valid_until"] = min(untils) if untils else None
        data["claims"] = sorted({c for n in (head, tail) for c, _ in claim_basis.get(n, ())})


def _described(schema: Schema, by_types: dict, node_types: list[str]) -> tuple:
    """How a node of ``node_types`` is drawn, and whether it is an impact target (decided once
    per set of classes: most nodes share theirs)."""
    key = tuple(node_types)
    if key not in by_types:
        targets = {c for c, flag in schema.impact_target.items() if flag}
        by_types[key] = (
            schema.display(node_types),
            any(targets & set(schema.ancestors(t)) for t in node_types),
        )
    return by_types[key]


def _describe_from_index(kg, schema: Schema, graph: nx.MultiDiGraph, timeline: Timeline, as_of: dt.date, index) -> None:
    by_types: dict[tuple[str, ...], tuple] = {}
    suspended = index.suspended(as_of)
    for node in graph.nodes:
        i = index.position.get(node)
        if i is None:  # not at an end of an impact edge of the store (edges added for an assumed claim)
            _describe_from_store(kg, schema, graph.subgraph([node]), timeline, as_of)
            continue
        note = None
        if suspended[i]:
            until = index.suspended_until(i, as_of)[1]
            note = f"suspended until {until}" if until else "suspended (no end date)"
        types = index.types(i)
        described = _described(schema, by_types, types)
        _set_facts(graph.nodes[node], index.labels[i], types, described, index.intervals(i), note)


def _describe_from_store(kg, schema: Schema, graph: nx.MultiDiGraph, timeline: Timeline, as_of: dt.date) -> None:
    types = _node_types(kg, graph, timeline)
    by_types: dict[tuple[str, ...], tuple] = {}
    for node in graph.nodes:
        node_types = types.get(node, [])
        note = timeline.suspension_note(node, as_of) if timeline.suspended(node, as_of) else None
        described = _described(schema, by_types, node_types)
        _set_facts(graph.nodes[node], kg.label(URIRef(node)), node_types, described, timeline.intervals(node), note)


def _set_facts(data: dict, label: str, types: list[str], described: tuple, intervals: list, note: str | None) -> None:
    """A node's facts: label, classes, display class, whether a target, active intervals
    (None for what is always active) and their span, and its suspension on the date."""
    display, is_target = described
    dated = intervals != [(None, None)]
    start, end = (intervals[0][0], intervals[-1][1]) if dated and intervals else (None, None)
    data.update(
        label=label,
        types=types,
        cls=display.cls,
        cls_label=display.cls_label,
        target=is_target,
        valid_from=start.isoformat() if start else None,
        valid_until=end.isoformat() if end else None,
        intervals=[[a.isoformat() if a else None, b.isoformat() if b else None] for a, b in intervals]
        if dated
        else None,
        suspended=note,
    )
