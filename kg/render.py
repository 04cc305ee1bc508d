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
from kg.schema import Schema
from kg.validtime import Timeline

__all__ = ["View", "build_view", "layout", "render_html", "write_html", "show_in_notebook", "LAYOUT_THRESHOLD"]

#: Above this many nodes positions are computed in Python and physics is off.
LAYOUT_THRESHOLD = 1000
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
#: Net-effect statuses drawn in the colour the ontology gives the matching impact sign.
_STATUS_SIGN = {"restricted": -1, "partly relieved": 0, "relieved": 1, "benefits": 1}


@dataclass
class View:
    """The graph as drawn: a networkx graph whose node and edge attributes are the page's data."""

    graph: nx.MultiDiGraph
    title: str
    as_of: dt.date
    highlighted: set[str] = field(default_factory=set)


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
    """The entities and their relations (evidence nodes left out: they show in tooltips).

    ``focus``/``hops`` keep a neighbourhood; ``path`` highlights the top-``k`` impact paths
    between two entities as of ``as_of``; ``impact_source`` colours every target by its net
    effect. Names, aliases, CURIEs and IRIs are all accepted.
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
    evidence = _graph_evidence(kg)
    node_evidence: dict[str, set[str]] = {}
    for row in kg.select_values(
        f"""
        SELECT DISTINCT ?s ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{ONTOLOGY_IRI}>) }}""",
        union=False,
    ):
        if row["s"] in graph:
            node_evidence.setdefault(row["s"], set()).add(row["g"])

    def interval(node: str) -> tuple[str | None, str | None, list | None, str | None]:
        pieces = timeline.intervals(node)
        if pieces == [(None, None)]:
            return None, None, None, None
        text = [[a.isoformat() if a else None, b.isoformat() if b else None] for a, b in pieces]
        start, end = timeline.span(node)
        state = timeline.status(node, view.as_of) if timeline.facts(node).policy else None
        return start.isoformat() if start else None, end.isoformat() if end else None, text, state

    for node in graph.nodes:
        display = schema.display(types.get(node, []))
        start, end, pieces, policy_state = interval(node)
        state = status.get(node)
        graph.nodes[node].update(
            id=node,
            label=kg.label(URIRef(node)),
            aliases=sorted(aliases.get(node, [])),
            cls=display.cls or "",
            cls_label=display.cls_label or "entity",
            color=display.colour,
            shape=display.shape,
            valid_from=start,
            valid_until=end,
            intervals=pieces,
            valid=", ".join(f"{a or 'unknown'} to {b or 'open'}" for a, b in pieces) if pieces else None,
            state=policy_state,
            status=kg.label(URIRef(state)) if state else None,
            evidence=[e for g in sorted(node_evidence.get(node, ())) for e in evidence.get(g, [])][:6],
            highlighted=False,
        )
    unconfirmed = {str(TKG.Unconfirmed), str(TKG.Disputed), str(TKG.Denied)}
    for s, o, p, data in graph.edges(keys=True, data=True):
        relation = schema.impact.get(p)
        a, b = graph.nodes[s], graph.nodes[o]
        froms = [v for v in (a["valid_from"], b["valid_from"]) if v]
        untils = [v for v in (a["valid_until"], b["valid_until"]) if v]
        data.update(
            id=f"{s}|{p}|{o}",
            label="",
            relation=schema.labels.get(p, curie(p)),
            from_label=a["label"],
            to_label=b["label"],
            sign=relation.sign if relation else 0,
            color=(relation.colour if relation and relation.colour else schema.sign_colour(0)),
            dashed=status.get(s) in unconfirmed or status.get(o) in unconfirmed,
            valid_from=max(froms) if froms else None,
            valid_until=min(untils) if untils else None,
            evidence=[e for g in sorted(data.pop("graphs", set())) for e in evidence.get(g, [])][:4],
            highlighted=False,
        )


def _graph_evidence(kg: KnowledgeGraph) -> dict[str, list[dict[str, str | None]]]:
    found: dict[str, list[dict[str, str | None]]] = {}
    for row in kg.select_values("""
        SELECT ?g ?src ?quote ?kind WHERE { ?g prov:wasDerivedFrom ?src
          OPTIONAL { ?g tkg:quote ?quote } OPTIONAL { ?g tkg:evidenceKind ?kind } }"""):
        found.setdefault(row["g"], []).append(
            {
                "source": kg.label(URIRef(row["src"])),
                "quote": row.get("quote"),
                "kind": kg.label(URIRef(row["kind"])) if "kind" in row else None,
            }
        )
    return found


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
    view.title = f"tradekg: impact paths from {kg.label(source)} to {kg.label(target)} as of {view.as_of}"


def _colour_impact(kg: KnowledgeGraph, view: View, source: URIRef, claims: str) -> None:
    from kg.impact import impact
    from kg.network import project

    net = project(kg, view.as_of, claims=claims)
    for row in impact(net, str(source)):
        if row.target not in view.graph:
            continue
        word = next((w for w in _STATUS_SIGN if row.status.startswith(w)), None)
        node = view.graph.nodes[row.target]
        node["effect"] = row.status
        if word:
            node["color"] = net.schema.sign_colour(_STATUS_SIGN[word])
    view.title = f"tradekg: what {kg.label(source)} does, as of {view.as_of}"


def layout(graph: nx.MultiDiGraph) -> dict[str, tuple[float, float]]:
    """Positions for a big graph, computed here so the page can draw without physics.

    Each connected component gets a spectral layout (sparse eigenvectors: 0.2 s for 5,000
    nodes, where networkx's spring layout took 26 s), scaled to its size; components are
    packed in rows, largest first.
    """
    simple = nx.Graph(graph)
    components = sorted(nx.connected_components(simple), key=lambda c: (-len(c), min(c)))
    positions: dict[str, tuple[float, float]] = {}
    x = y = row_height = 0.0
    width = 60.0 * len(simple) ** 0.5
    for component in components:
        size = 12.0 * len(component) ** 0.5 + 20.0
        if x + size > width and x > 0:
            x, y, row_height = 0.0, y + row_height + 20.0, 0.0
        sub = simple.subgraph(component)
        local = _spectral(sub) if len(component) > 3 else nx.circular_layout(sub)
        for node, (px, py) in local.items():
            positions[node] = (x + size / 2 + float(px) * size / 2, y + size / 2 + float(py) * size / 2)
        x += size + 20.0
        row_height = max(row_height, size)
    return positions


def _spectral(graph: nx.Graph) -> dict[str, tuple[float, float]]:
    """Spectral coordinates: the Laplacian's 2nd and 3rd smallest eigenvectors, scaled to [-1, 1].

    networkx's spectral_layout asks ARPACK for full precision (4.3 s on a 5,000-node graph
    here); a layout needs three digits (0.2 s).
    """
    import numpy as np
    from scipy.sparse.linalg import eigsh

    nodes = list(graph)
    laplacian = nx.laplacian_matrix(graph, nodelist=nodes).astype(float)
    values, vectors = eigsh(laplacian, k=3, which="SM", tol=1e-3, maxiter=20 * len(nodes))
    order = np.argsort(values)
    coords = vectors[:, order[1:3]]
    coords = coords - coords.mean(axis=0)
    coords = coords / (np.abs(coords).max(axis=0) + 1e-12)
    return {node: (float(x), float(y)) for node, (x, y) in zip(nodes, coords, strict=True)}


def _page_data(view: View, schema: Schema) -> dict:
    graph = view.graph
    physics = graph.number_of_nodes() <= LAYOUT_THRESHOLD
    positions = {} if physics else layout(graph)
    nodes = []
    for node, data in graph.nodes(data=True):
        item = dict(data)
        if node in positions:
            item["x"], item["y"] = (float(v) for v in positions[node])
        nodes.append(item)
    edges = [{**data, "from": s, "to": o} for s, o, data in graph.edges(data=True)]
    dates = [d for item in nodes + edges for d in (item.get("valid_from"), item.get("valid_until")) if d]
    counts: dict[str, int] = {}
    for item in nodes:
        counts[item["cls"]] = counts.get(item["cls"], 0) + 1
    classes = [
        {
            "cls": cls,
            "label": schema.labels.get(cls, "entity"),
            "count": n,
            "color": schema.display([cls]).colour,
            "shape": schema.display([cls]).shape,
        }
        for cls, n in sorted(counts.items(), key=lambda kv: schema.labels.get(kv[0], ""))
    ]
    signs = [
        {"label": "restricts, harms (\u2212)", "color": schema.sign_colour(-1), "dashed": False},
        {"label": "relieves, passes on (+)", "color": schema.sign_colour(1), "dashed": False},
        {"label": "no impact", "color": schema.sign_colour(0), "dashed": False},
        {"label": "rests on a claim not confirmed", "color": schema.sign_colour(0), "dashed": True},
    ]
    return {
        "nodes": sorted(nodes, key=lambda n: n["id"]),
        "edges": sorted(edges, key=lambda e: e["id"]),
        "classes": classes,
        "signs": signs,
        "as_of": view.as_of.isoformat(),
        "first_day": min(dates) if dates else None,
        "last_day": max(dates) if dates else None,
        "physics": physics,
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
    """Write the page atomically (a failure leaves any previous file as it was)."""
    from kg.export import write_atomic

    write_atomic(output, html.encode("utf-8"))


def show_in_notebook(html: str):
    """Display the page inline in Jupyter (in a sandboxed iframe)."""
    from html import escape

    from IPython.display import HTML

    return HTML(
        f'<iframe srcdoc="{escape(html)}" style="width:100%;height:640px;border:0" sandbox="allow-scripts"></iframe>'
    )
