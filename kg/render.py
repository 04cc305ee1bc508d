"""One self-contained, offline HTML page of the graph, time-aware and safe with any data.

pyvis is kept for what it does well: it ships vis-network (Apache-2.0 OR MIT), which is
inlined here from pyvis's own copy with its licence header. Its template is not used: it
injects headings and menu values as raw HTML, switches every tooltip to ``innerHTML`` when
one title contains ``href``, still loads Bootstrap from a CDN in ``in_line`` mode, and its
``add_node`` is quadratic (shared TECH-NOTES §3). Here the data is embedded with Jinja's
``tojson`` under autoescaping, tooltips and panels are built with ``textContent``, and a
Content-Security-Policy forbids every network request. Colours, shapes and class labels come
from the ontology's annotations (:mod:`kg.schema`).

>>> from kg.graph import load_graph
>>> html = render_html(load_graph(), focus="Geneva agreement", hops=1)
>>> "Geneva agreement" in html and "https://cdn" not in html
True
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import networkx as nx
from rdflib import URIRef

from kg.errors import UsageError
from kg.graph import KnowledgeGraph
from kg.namespaces import ONTOLOGY_IRI, TKG, curie
from kg.schema import DEFAULT_COLOUR, DEFAULT_SHAPE, Schema
from kg.validtime import Timeline

__all__ = [
    "View",
    "build_view",
    "dates_in_words",
    "layered_layout",
    "layout",
    "render_html",
    "write_html",
    "show_in_notebook",
    "LAYOUT_THRESHOLD",
]

#: Above this many nodes positions are computed in Python, physics is off, and the page opens
#: on an overview: policies, the story and the OVERVIEW_NODES best-connected nodes.
LAYOUT_THRESHOLD = 1000
OVERVIEW_NODES = 300
#: Up to LABEL_ALL nodes every label is drawn at any zoom; above, the LABELLED_NODES
#: best-connected (and the story) keep theirs and the rest appear when zoomed in.
LABEL_ALL = 150
LABELLED_NODES = 60
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


@dataclass
class View:
    """The graph as drawn: a networkx graph whose node and edge attributes are the page's data.

    ``story`` (for ``--impact`` and ``--path``) maps the nodes of the story to their layer, left
    to right from the source; ``story_edges`` are its hops as stated ``(s, o, predicate)``.
    """

    graph: nx.MultiDiGraph
    title: str
    as_of: dt.date
    highlighted: set[str] = field(default_factory=set)
    source: str | None = None
    story: dict[str, int] = field(default_factory=dict)
    story_edges: set[tuple[str, str, str]] = field(default_factory=set)
    evidence: list[dict] = field(default_factory=list)
    mode: str = "graph"


@lru_cache(maxsize=1)
def _vis_assets() -> tuple[str, str]:
    import pyvis

    folder = Path(pyvis.__file__).parent / "templates" / "lib"
    candidates = sorted(folder.glob("vis-9*/vis-network.min.js"))
    if not candidates:
        raise UsageError("pyvis's copy of vis-network was not found; reinstall pyvis")
    js = candidates[-1]
    return js.read_text(encoding="utf-8"), js.with_name("vis-network.css").read_text(encoding="utf-8")


def _entity_rows(kg: KnowledgeGraph):
    """Every IRI-valued relation between entities, with the assertion graph it sits in."""
    return kg.select_values(
        f"""
        SELECT ?s ?p ?o ?g WHERE {{
          {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{ONTOLOGY_IRI}>) }} UNION {{ ?s ?p ?o }}
          FILTER(isIRI(?s) && isIRI(?o))
          FILTER(?p NOT IN (rdf:type, prov:wasDerivedFrom, schema:sameAs, owl:sameAs))
        }}""",
        union=False,
    )


def build_view(
    kg: KnowledgeGraph,
    *,
    as_of: dt.date | None = None,
    focus: str | None = None,
    hops: int = 1,
    path: tuple[str, str] | None = None,
    impact_source: str | None = None,
    claims: str = "exclude",
    k: int = 5,
) -> View:
    """The entities and their relations (evidence nodes left out: they show in the panel).

    ``focus``/``hops`` keep a neighbourhood; ``path`` makes the top-``k`` impact paths between
    two entities as of ``as_of`` the page's story; ``impact_source`` makes what it reaches the
    story and colours every target by its net effect. Names, aliases, CURIEs and IRIs are all
    accepted.
    """
    from kg.lookup import resolve_entity

    as_of = as_of or dt.date.today()
    schema = Schema.from_graph(kg)
    types: dict[str, list[str]] = {}
    for row in kg.select_values("SELECT ?s ?t WHERE { ?s a ?t FILTER(isIRI(?t)) }"):
        types.setdefault(row["s"], []).append(row["t"])
    evidence_classes = {str(TKG.Assertion), str(TKG.Source)}

    def is_evidence(node: str) -> bool:
        return any(evidence_classes & set(schema.ancestors(t)) for t in types.get(node, ()))

    keep: set[str] | None = None
    title = "tradekg"
    if focus:
        from kg.export import neighbourhood

        centre = resolve_entity(kg, focus)
        keep = neighbourhood(kg, centre, hops)
        title = f"tradekg: {kg.label(centre)} and {hops} hop(s) around it"

    graph = nx.MultiDiGraph()
    for row in _entity_rows(kg):
        s, p, o = row["s"], row["p"], row["o"]
        if o in schema.ontology_terms or s in schema.ontology_terms or is_evidence(s) or is_evidence(o):
            continue
        if keep is not None and (s not in keep or o not in keep):
            continue
        if graph.has_edge(s, o, key=p):
            if "g" in row:
                graph.edges[s, o, p]["graphs"].add(row["g"])
            continue
        graph.add_edge(s, o, key=p, graphs={row["g"]} if "g" in row else set())
    if keep is not None:
        graph.add_nodes_from(n for n in keep if not is_evidence(n))

    view = View(graph, title, as_of)
    _describe(kg, schema, view, types)
    if path is not None:
        _highlight_paths(kg, view, resolve_entity(kg, path[0]), resolve_entity(kg, path[1]), claims, k)
    if impact_source is not None:
        _colour_impact(kg, view, resolve_entity(kg, impact_source), claims)
    return view


def _day_words(day: dt.date) -> str:
    """``4 Apr 2025``."""
    return f"{day.day} {day:%b %Y}"


def dates_in_words(timeline: Timeline, node: str, as_of: dt.date) -> str | None:
    """A policy's, event's or claim's dates as a reader says them: ``in force since 4 Apr 2025;
    no end announced``, ``planned to end 12 Aug 2025, extended to 10 Nov 2025``, ``on 6 Jun
    2025``. None for what has no date. Ill-typed dates are not read (kg.validtime)."""
    f = timeline.facts(node)
    if not f.policy:
        days = sorted({*f.dates, *f.claim_dates})
        if not days:
            return None
        if len(days) == 1:
            return f"on {_day_words(days[0])}"
        return f"from {_day_words(days[0])} to {_day_words(days[-1])}"
    if f.in_force_from:
        start = f.in_force_from[0]
        begin = f"in force {'since' if start <= as_of else 'from'} {_day_words(start)}"
    elif f.announced and not f.future:
        begin = f"announced {_day_words(f.announced[0])}, in force from then (no in-force date recorded)"
    elif f.future:
        begin = "reported as future" + (f", announced {_day_words(f.announced[0])}" if f.announced else "")
    elif f.clause_of:
        begin = "starts with the measure it is a clause of"
    else:
        begin = "no start date recorded"
    if f.actual_end:
        end = f"ended {_day_words(f.actual_end[0])}"
    elif f.planned_end:
        end = f"planned to end {_day_words(f.planned_end[0])}"
        last = timeline.span(node)[1]
        if timeline.extensions(node):
            end += f", extended to {_day_words(last)}" if last and last > f.planned_end[0] else ", extended (open end)"
    else:
        end = "no end announced"
    return f"{begin}; {end}"


def _states(timeline: Timeline, node: str) -> list[list[str | None]] | None:
    """A policy's status over time for the page: ``[[from, status], ...]``, the first ``from``
    None (before anything is known of it)."""
    periods = timeline.periods(node)
    if not periods:
        return None
    first = periods[0][0]
    before = timeline.status(node, first - dt.timedelta(days=1)) if first and first > dt.date.min else None
    out: list[list[str | None]] = [[None, before]] if before else []
    for start, _until, text in periods:
        out.append([start.isoformat() if start and start > dt.date.min else None, text])
    return out


def _describe(kg: KnowledgeGraph, schema: Schema, view: View, types: dict[str, list[str]]) -> None:
    graph = view.graph
    # valid time: the one definition (kg.validtime), as in the impact network; ill-typed dates
    # are ignored there, so they never reach the page
    timeline = Timeline(kg)
    status: dict[str, str] = {}
    for row in kg.select_values("""
        SELECT ?s ?status WHERE { { ?s tkg:confirmationStatus ?status }
                                  UNION { ?s tkg:restsOnClaim ?c . ?c tkg:confirmationStatus ?status } }"""):
        status[row["s"]] = row["status"]
    aliases: dict[str, list[str]] = {}
    for row in kg.select_values("SELECT ?s ?a WHERE { ?s skos:altLabel ?a }"):
        aliases.setdefault(row["s"], []).append(row["a"])
    evidence = _Evidence(kg)
    degree = dict(graph.degree())

    def interval(node: str) -> tuple[str | None, str | None, list | None]:
        pieces = timeline.intervals(node)
        if pieces == [(None, None)]:
            return None, None, None
        text = [[a.isoformat() if a else None, b.isoformat() if b else None] for a, b in pieces]
        start, end = timeline.span(node)
        return start.isoformat() if start else None, end.isoformat() if end else None, text

    for node in graph.nodes:
        display = schema.display(types.get(node, []))
        start, end, pieces = interval(node)
        state = status.get(node)
        is_policy = timeline.facts(node).policy
        family = schema.inherited(schema.family, display.cls) if display.cls else None
        graph.nodes[node].update(
            id=node,
            label=kg.label(URIRef(node)),
            aliases=sorted(aliases.get(node, [])),
            cls=display.cls or "",
            cls_label=display.cls_label or "entity",
            family=schema.families[family][0] if family in schema.families else "other",
            color=display.colour,
            shape=display.shape,
            hidden_default=bool(display.cls and schema.inherited(schema.hidden, display.cls)),
            valid_from=start,
            valid_until=end,
            intervals=pieces,
            valid=", ".join(f"{a or 'unknown'} to {b or 'open'}" for a, b in pieces) if pieces else None,
            dates=dates_in_words(timeline, node, view.as_of) if pieces is not None or is_policy else None,
            states=_states(timeline, node) if is_policy else None,
            status=kg.label(URIRef(state)) if state else None,
            facts=evidence.facts_of(node, schema),
            degree=degree.get(node, 0),
            highlighted=False,
        )
    unconfirmed = {str(TKG.Unconfirmed), str(TKG.Disputed), str(TKG.Denied)}
    neutral = schema.sign_colour(0)
    for s, o, p, data in graph.edges(keys=True, data=True):
        role = schema.role_of(p)
        a, b = graph.nodes[s], graph.nodes[o]
        froms = [v for v in (a["valid_from"], b["valid_from"]) if v]
        untils = [v for v in (a["valid_until"], b["valid_until"]) if v]
        relation = schema.labels.get(p, curie(p))
        data.update(
            id=f"{s}|{p}|{o}",
            label="",
            relation=relation,
            from_label=a["label"],
            to_label=b["label"],
            role=schema.roles[role][0] if role in schema.roles else "no impact (context)",
            color=schema.roles[role][1] if role in schema.roles else neutral,
            impact=role is not None,
            # either end rests on a claim not confirmed, or the relation itself does (its
            # assertion rests on one: a publisher's causal claim)
            dashed=status.get(s) in unconfirmed
            or status.get(o) in unconfirmed
            or any(status.get(g) in unconfirmed for g in data.get("graphs", ())),
            valid_from=max(froms) if froms else None,
            valid_until=min(untils) if untils else None,
            facts=[[f"{a['label']} \u2014 {relation} \u2014 {b['label']}", evidence.refs(data.pop("graphs", set()))]],
            highlighted=False,
            story=False,
        )
    view.evidence = evidence.table


def _claim_words(kg: KnowledgeGraph, row: dict) -> str | None:
    """``rests on a claim (disputed): <label>`` for an assertion that rests on a claim."""
    if "claim" not in row:
        return None
    status = kg.label(URIRef(row["claimStatus"])) if "claimStatus" in row else "status unknown"
    return f"rests on a claim ({status}): {kg.label(URIRef(row['claim']))}"


class _Evidence:
    """What the page's panel cites: one table of (source, date, evidence kind, link, quote) per
    assertion graph and source, shared by every node and edge that rests on it."""

    #: facts listed per node in the panel (the rest are counted)
    FACTS = 14

    def __init__(self, kg: KnowledgeGraph) -> None:
        self.kg = kg
        self.table: list[dict] = []
        self._index: dict[tuple[str, str], int] = {}
        self.by_graph: dict[str, list[tuple[str, dict]]] = {}
        for row in kg.select_values("""
            SELECT ?g ?src ?quote ?kind ?quality ?claim ?claimStatus ?date ?url WHERE { ?g prov:wasDerivedFrom ?src
              OPTIONAL { ?g tkg:quote ?quote } OPTIONAL { ?g tkg:evidenceKind ?kind }
              OPTIONAL { ?g tkg:evidenceQuality ?quality }
              OPTIONAL { ?g tkg:restsOnClaim ?claim OPTIONAL { ?claim tkg:confirmationStatus ?claimStatus } }
              OPTIONAL { ?src tkg:recordedOn ?date } OPTIONAL { ?src tkg:url ?url } }"""):
            url = row.get("url")
            item = {
                "source": kg.label(URIRef(row["src"])),
                "date": row.get("date"),
                "kind": kg.label(URIRef(row["kind"])) if "kind" in row else None,
                "quality": kg.label(URIRef(row["quality"])) if "quality" in row else None,
                # the claim this assertion rests on (a relation only claimed), with its status
                "claim": _claim_words(kg, row),
                # a link only to the web: never javascript:, data: or a file
                "url": url if url and url.lower().startswith(("https://", "http://")) else None,
                "quote": row.get("quote"),
            }
            self.by_graph.setdefault(row["g"], []).append((row["src"], item))

    def refs(self, graphs) -> list[int]:
        """The table rows for what ``graphs`` (assertion graph IRIs) derive from."""
        out: list[int] = []
        for g in sorted(graphs):
            for src, item in self.by_graph.get(g, ()):
                key = (g, src)
                if key not in self._index:
                    self._index[key] = len(self.table)
                    self.table.append(item)
                if self._index[key] not in out:
                    out.append(self._index[key])
        return out

    def facts_of(self, node: str, schema: Schema) -> list[list]:
        """What is said of ``node`` (as subject) in assertion graphs: ``[text, refs]`` each."""
        grouped: dict[tuple[str, str], set[str]] = {}
        for m in self.kg.store.match(node):
            if m.g is None or m.g == ONTOLOGY_IRI or m.p in _PANEL_SKIP:
                continue
            value = self.kg.label(URIRef(m.o)) if m.o_iri else m.o
            if m.p == _RDF_TYPE:
                value = schema.labels.get(m.o, curie(m.o))
            grouped.setdefault((schema.labels.get(m.p, curie(m.p)), value), set()).add(m.g)
        facts = [[f"{p}: {v}", self.refs(gs)] for (p, v), gs in sorted(grouped.items())]
        if len(facts) > self.FACTS:
            facts = [*facts[: self.FACTS], [f"\u2026 and {len(facts) - self.FACTS} more (kg show)", []]]
        return facts


_PANEL_SKIP = {
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://www.w3.org/2004/02/skos/core#altLabel",
}


def _layers(paths) -> tuple[dict[str, int], set[tuple[str, str, str]]]:
    """Each node of the paths at its earliest position along one of them, and their hops."""
    layer: dict[str, int] = {}
    hops: set[tuple[str, str, str]] = set()
    for found in paths:
        for i, node in enumerate(found.nodes):
            layer[node] = min(layer.get(node, i), i)
        for hop in found.hops:
            hops.add((*hop.stated, hop.predicate))
    return layer, hops


def _mark_story(view: View, layer: dict[str, int], hops: set[tuple[str, str, str]]) -> None:
    graph = view.graph
    view.story = {n: i for n, i in layer.items() if n in graph}
    view.story_edges = {h for h in hops if graph.has_edge(*h)}
    for node in view.story:
        graph.nodes[node]["story"] = True
    for s, o, p in view.story_edges:
        graph.edges[s, o, p]["story"] = True


def _highlight_paths(kg: KnowledgeGraph, view: View, source: URIRef, target: URIRef, claims: str, k: int) -> None:
    from kg.impact import find_paths
    from kg.network import project

    net = project(kg, view.as_of, claims=claims)
    paths = find_paths(net, str(source), str(target), k=k)
    if not paths:
        raise UsageError(f"no impact path from {kg.label(source)} to {kg.label(target)} as of {view.as_of}")
    for found in paths:
        for node in found.nodes:
            if node in view.graph:
                view.graph.nodes[node]["highlighted"] = True
                view.highlighted.add(node)
        for hop in found.hops:
            s, o = hop.stated
            if view.graph.has_edge(s, o, key=hop.predicate):
                view.graph.edges[s, o, hop.predicate]["highlighted"] = True
    _mark_story(view, *_layers(paths))
    view.source, view.mode = str(source), "path"
    if str(target) in view.graph:
        view.graph.nodes[str(target)]["target"] = True
    view.title = f"tradekg: impact paths from {kg.label(source)} to {kg.label(target)} as of {view.as_of}"


def _colour_impact(kg: KnowledgeGraph, view: View, source: URIRef, claims: str) -> None:
    from kg.impact import impact
    from kg.network import project

    net = project(kg, view.as_of, claims=claims, sources=[str(source)])
    paths = []
    schema = net.schema
    for row in impact(net, str(source)):
        paths += [p for p in (row.negative, row.positive) if p is not None]
        if row.target not in view.graph:
            continue
        node = view.graph.nodes[row.target]
        node["effect"] = row.status
        colour = schema.effect_colour(row.status)
        if colour:
            node["color"] = colour
    _mark_story(view, *_layers(paths))
    unaffected = schema.effect_colour("unaffected")
    for _node, data in view.graph.nodes(data=True):  # targets it does not reach, said so
        if "effect" not in data and data["cls"] and schema.inherited(schema.impact_target, data["cls"]):
            data["effect"] = "unaffected"
            data["color"] = unaffected or data["color"]
    view.source, view.mode = str(source), "impact"
    view.title = f"tradekg: what {kg.label(source)} does, as of {view.as_of}"


def layered_layout(view: View) -> dict[str, tuple[float, float]]:
    """The story left to right: each node in the column of its layer (its earliest position on
    a path from the source), ordered within the column by the mean row of its predecessors
    (fewer crossings), the columns centred on the source's row."""
    columns: dict[int, list[str]] = {}
    for node, i in sorted(view.story.items(), key=lambda kv: (kv[1], view.graph.nodes[kv[0]]["label"])):
        columns.setdefault(i, []).append(node)
    before: dict[str, list[str]] = {}
    for s, o, _p in view.story_edges:
        a, b = (s, o) if view.story[s] <= view.story[o] else (o, s)
        before.setdefault(b, []).append(a)
    row: dict[str, float] = {}
    positions: dict[str, tuple[float, float]] = {}
    for i in sorted(columns):
        nodes = columns[i]
        nodes.sort(key=lambda n: sum(row.get(a, 0.0) for a in before.get(n, ())) / max(1, len(before.get(n, ()))))
        for j, node in enumerate(nodes):
            row[node] = j - (len(nodes) - 1) / 2
            positions[node] = (i * 300.0, row[node] * 110.0)
    return positions


def layout(graph: nx.MultiDiGraph) -> dict[str, tuple[float, float]]:
    """Positions for a big graph, computed here so the page can draw without physics.

    :func:`kg.layout.spread_layout` with its defaults: a force layout that spreads the graph
    over its drawing (each component a disc, packed in rows, largest first), its forces given
    5 s at most (20,000 nodes take about 3 s in all). The spectral layout used before is
    :func:`kg.layout.spectral_layout`.
    """
    from kg.layout import spread_layout

    return spread_layout(graph)


def _page_data(view: View, schema: Schema) -> dict:
    graph = view.graph
    n = graph.number_of_nodes()
    large = n > LAYOUT_THRESHOLD
    positions: dict[str, tuple[float, float]] = {}
    if view.story:
        positions = layered_layout(view)
    if large:  # the story beside the whole graph's layout, to its left
        spread = layout(graph)
        if positions and spread:
            left = min(x for x, _ in spread.values()) - 300.0 * (max(view.story.values()) + 2)
            middle = sum(y for _, y in spread.values()) / len(spread)
            positions = {k: (x + left, y + middle) for k, (x, y) in positions.items()}
        positions = {**spread, **positions}
    by_degree = sorted(graph.nodes, key=lambda x: (-graph.degree(x), x))
    labelled = set(by_degree if n <= LABEL_ALL else by_degree[:LABELLED_NODES]) | set(view.story)
    overview: set[str] = set()
    if large:  # the first view of a big graph: policies, the story and the best-connected nodes
        shown = [x for x in by_degree if not graph.nodes[x]["hidden_default"]]
        overview = {x for x in shown if graph.nodes[x]["family"] == "policies"}
        overview |= set(shown[:OVERVIEW_NODES]) | set(view.story)
    nodes = []
    for node, data in graph.nodes(data=True):
        item = dict(data)
        item.setdefault("story", False)
        item["source"] = node == view.source
        item["top"] = node in labelled
        item["overview"] = node in overview
        if node in positions:
            item["x"], item["y"] = (round(float(v), 1) for v in positions[node])
            item["fixed"] = bool(view.story) and node in view.story
        nodes.append(item)
    edges = [{**data, "from": s, "to": o} for s, o, data in graph.edges(data=True)]
    dates = [d for item in nodes + edges for d in (item.get("valid_from"), item.get("valid_until")) if d]
    counts: dict[str, int] = {}
    for item in nodes:
        counts[item["cls"]] = counts.get(item["cls"], 0) + 1
    families: dict[str, list[dict]] = {}
    for cls, count in counts.items():
        display = schema.display([cls]) if cls else None
        family = schema.inherited(schema.family, cls) if cls else None
        families.setdefault(family or "", []).append(
            {
                "cls": cls,
                "label": schema.labels.get(cls, "other entity") if cls else "other entity",
                "count": count,
                "color": display.colour if display else DEFAULT_COLOUR,
                "shape": display.shape if display else DEFAULT_SHAPE,
                "hidden": bool(cls and schema.inherited(schema.hidden, cls)),
            }
        )
    legend = [
        {
            "label": schema.families[f][0] if f in schema.families else "other",
            "classes": sorted(rows, key=lambda r: r["label"]),
        }
        for f, rows in sorted(families.items(), key=lambda kv: schema.families.get(kv[0], ("", 99))[1])
    ]
    roles = [
        {"label": label, "color": colour, "dashed": False}
        for label, colour, _ in sorted(schema.roles.values(), key=lambda r: r[2])
    ]
    roles += [
        {"label": "no impact (context)", "color": schema.sign_colour(0), "dashed": False, "thin": True},
        {"label": "rests on a claim not confirmed", "color": schema.sign_colour(0), "dashed": True},
    ]
    effects = []
    if view.mode == "impact":
        found: dict[str, int] = {}
        for item in nodes:
            if item.get("effect"):
                word = max((w for w in schema.effects if item["effect"].startswith(w)), key=len, default=None)
                if word:
                    found[word] = found.get(word, 0) + 1
        effects = [
            {"label": word, "color": colour, "count": found.get(word, 0)}
            for word, (colour, _) in sorted(schema.effects.items(), key=lambda kv: kv[1][1])
        ]
    return {
        "nodes": sorted(nodes, key=lambda x: x["id"]),
        "edges": sorted(edges, key=lambda e: e["id"]),
        "evidence": view.evidence,
        "legend": legend,
        "roles": roles,
        "effects": effects,
        "mode": view.mode,
        "source": view.source,
        "as_of": view.as_of.isoformat(),
        "first_day": min(dates) if dates else None,
        "last_day": max(dates) if dates else None,
        "physics": not large,
        "large": large,
    }


def render_html(kg: KnowledgeGraph, view: View | None = None, **options) -> str:
    """The page as a string (``options`` as for :func:`build_view`). Works in notebooks too."""
    from jinja2 import Environment, PackageLoader, select_autoescape
    from markupsafe import Markup

    view = view or build_view(kg, **options)
    schema = Schema.from_graph(kg)
    env = Environment(loader=PackageLoader("kg", "templates"), autoescape=select_autoescape(["html"]))
    js, css = _vis_assets()
    return env.get_template("graph.html").render(
        title=view.title,
        data=_page_data(view, schema),
        vis_js=Markup(js),  # the vendored library, verbatim with its licence header
        vis_css=Markup(css),
    )


def write_html(html: str, output: str) -> None:
    """Write the page atomically (a failure leaves any previous file as it was), with the
    mode of the file it replaces, else of any file the user writes (their umask); a device
    or a pipe (``/dev/stdout``) is written directly (:func:`kg.export.write_atomic`)."""
    from kg.export import write_atomic

    write_atomic(output, html.encode("utf-8"))


def show_in_notebook(html: str):
    """Display the page inline in Jupyter (in a sandboxed iframe)."""
    from html import escape

    from IPython.display import HTML

    return HTML(
        f'<iframe srcdoc="{escape(html)}" style="width:100%;height:640px;border:0" sandbox="allow-scripts"></iframe>'
    )
