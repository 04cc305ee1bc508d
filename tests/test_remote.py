"""Remote SPARQL endpoints (--store sparql:URL): the same answers as the embedded store.

Two real servers on loopback, each filled with the bundled graph by `kg load` over HTTP:
Oxigraph server (conformant SPARQL 1.1) and Virtuoso 7.2 (Digest-authenticated writes
through its graph store). Every shipped query, `kg impact`, `kg paths`, `kg show` and
`kg info` must answer as on the in-memory and persistent embedded stores. Virtuoso 7.2.5
answers some shipped queries wrongly or not at all (its own SPARQL defects, listed in
VIRTUOSO_DEFECTS); those are strict xfails: they fail the run the day Virtuoso agrees.
"""

from __future__ import annotations

import http.server
import json
import os
import re
import threading

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from servers import OxigraphServer, VirtuosoServer

from conftest import ROOT
from kg.errors import KgError, UsageError
from kg.graph import KnowledgeGraph, load_graph, load_into_store
from kg.queries import bind_parameters, catalogue
from kg.remote import SparqlStore, bind_values
from kg.stores import open_store

ID = "https://w3id.org/tradekg/id/"
PARAMS = {
    "date": "2025-06-06",
    "policy": f"{ID}policy/china-rare-earth-export-controls",
    "entity": f"{ID}company/ford",
    "text": "rare",
    "commodity": f"{ID}commodity/rare-earth-magnets",
    "target": f"{ID}industry/automotive",
    "agreement": f"{ID}policy/geneva-agreement",
    "from": "2025-05-01",
    "to": "2025-06-30",
    "actor": f"{ID}person/donald-trump",
}

#: Shipped queries Virtuoso 7.2.5 gets wrong (checked against Oxigraph, rdflib's semantics
#: and the memory store, which agree). The others were restated around its defects (BIND
#: inside UNION joined with OPTIONAL, nested sub-SELECTs, MINUS over a sub-SELECT, a lone
#: ``?x <= DATE`` read from its index: written ``!(?x > DATE)``); xsd:duration values come
#: back as seconds, which no query can undo.
VIRTUOSO_DEFECTS = {
    "agreement-terms": "xsd:duration stored as seconds (P90D -> 7.776e+06)",
}


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory):
    server = OxigraphServer(tmp_path_factory.mktemp("oxigraph-server"))
    added, total = load_into_store(f"sparql:{server.url}", [], update_endpoint=server.update)
    assert added == total > 2000
    yield server
    server.stop()


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    server = VirtuosoServer(tmp_path_factory.mktemp("virtuoso"))
    saved = {k: os.environ.get(k) for k in server.env}
    os.environ.update(server.env)
    try:
        spec = f"sparql:{server.url}"
        added, total = load_into_store(spec, [], update_endpoint=server.update, graph_store=server.graph_store)
        assert added == total > 2000
        yield server
    finally:
        server.stop()
        for k, v in saved.items():
            os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)


@pytest.fixture(scope="module")
def disk(tmp_path_factory) -> str:
    spec = f"oxigraph:{tmp_path_factory.mktemp('remote-disk') / 'kgdb'}"
    load_into_store(spec, [])
    return spec


@pytest.fixture(params=["oxigraph:PATH", "sparql:oxigraph-server", "sparql:virtuoso"])
def store_spec(request):
    if request.param == "oxigraph:PATH":
        return request.param, request.getfixturevalue("disk")
    server = request.getfixturevalue("oxigraph_server" if "oxigraph" in request.param else "virtuoso")
    return request.param, f"sparql:{server.url}"


def normalised(value):
    """GROUP_CONCAT's order is not defined by SPARQL: compare concatenations as sorted parts."""
    if isinstance(value, list):
        return [normalised(v) for v in value]
    if isinstance(value, dict):
        return {k: normalised(v) for k, v in value.items()}
    if isinstance(value, str) and re.search(r"; | … | \| ", value):
        return sorted(re.split(r"; | … | \| ", value))
    return value


def rows_of(graph: KnowledgeGraph, name: str) -> list:
    spec = catalogue()[name]
    given = {p.name: PARAMS[p.name] for p in spec.params if p.name in PARAMS}
    bindings = bind_parameters(graph, spec, given)
    rows = [{k: str(v) for k, v in row.items()} for row in graph.select(spec.text, bindings)]
    return sorted((normalised(r) for r in rows), key=lambda r: json.dumps(r, sort_keys=True))


@pytest.mark.parametrize("name", sorted(catalogue()))
def test_every_shipped_query_answers_alike(store_spec, kg, name, request):
    kind, spec = store_spec
    if kind == "sparql:virtuoso" and name in VIRTUOSO_DEFECTS:
        request.applymarker(pytest.mark.xfail(reason=f"Virtuoso 7.2.5: {VIRTUOSO_DEFECTS[name]}", strict=True))
    expected = rows_of(kg, name)
    assert rows_of(load_graph(store=spec), name) == expected


ENTITIES = [
    "company/ford",
    "policy/china-rare-earth-export-controls",
    "person/donald-trump",
    "government/china",
    "assertion/inf-schemes",  # facts of the default graph, sourced by prov:wasDerivedFrom
    "assertion/s07a-geneva-agreement",
]


@pytest.mark.parametrize("entity", ENTITIES)
@pytest.mark.parametrize("name", ["neighbours", "sources", "causes"])
def test_entity_queries_answer_alike(store_spec, kg, name, entity, request):
    kind, spec = store_spec
    if kind == "sparql:virtuoso" and name in VIRTUOSO_DEFECTS:
        request.applymarker(pytest.mark.xfail(reason=f"Virtuoso 7.2.5: {VIRTUOSO_DEFECTS[name]}", strict=True))
    query = catalogue()[name]
    bindings = {"entity": URIRef(ID + entity)}

    def rows(graph) -> list:
        found = [normalised({k: str(v) for k, v in r.items()}) for r in graph.select(query.text, bindings)]
        return sorted(found, key=lambda r: json.dumps(r, sort_keys=True))

    assert rows(load_graph(store=spec)) == rows(kg)


#: More Virtuoso 7.2.5 defects, each with the parameters that show it (the shipped defaults
#: above happen not to): strict xfails on Virtuoso, plain tests on the other stores.
VIRTUOSO_REPROS = {
    "two transitive paths in an OPTIONAL": (
        "interactions",
        {"actor": f"{ID}government/china"},
        "(leads|memberOf|partOf)* joined to a/rdfs:subClassOf* puts same-side actors on the other side",
    ),
}


@pytest.mark.parametrize("date", ["2025-04-03", "2025-06-06", "2025-11-08", "2025-11-10", "2026-01-01"])
def test_inactive_nodes_alike_on_every_date(store_spec, kg, date):
    """The network's activity test, on the dates where Virtuoso's one-sided ``<=`` lost rows."""
    _kind, spec = store_spec
    query = catalogue()["inactive"]

    def nodes(graph) -> set[str]:
        bindings = bind_parameters(graph, query, {"date": date})
        return {str(r["node"]) for r in graph.select(query.text, bindings)}

    expected = nodes(kg)
    assert expected  # something is inactive on every one of these dates
    assert nodes(load_graph(store=spec)) == expected


@pytest.mark.parametrize("case", sorted(VIRTUOSO_REPROS))
def test_queries_answer_alike_where_virtuoso_errs(store_spec, kg, case, request):
    kind, spec = store_spec
    name, given, defect = VIRTUOSO_REPROS[case]
    if kind == "sparql:virtuoso":
        steady = "not on every run" not in defect
        request.applymarker(pytest.mark.xfail(reason=f"Virtuoso 7.2.5: {defect}", strict=steady))
    query = catalogue()[name]

    def rows(graph) -> list:
        bindings = bind_parameters(graph, query, given)
        found = [normalised({k: str(v) for k, v in r.items()}) for r in graph.select(query.text, bindings)]
        return sorted(found, key=lambda r: json.dumps(r, sort_keys=True))

    assert rows(load_graph(store=spec)) == rows(kg)


COMMANDS = {
    "impact": ["impact", "China rare-earth export controls", "--as-of", "2025-06-06", "-f", "json"],
    "impact-claims": ["impact", "Xi Jinping", "--as-of", "2025-06-10", "--claims", "include", "-f", "json"],
    "paths": ["paths", "Xi Jinping", "automotive", "--as-of", "2025-06-06", "-f", "json"],
    "chokepoints": ["chokepoints", "--as-of", "2025-06-06", "-f", "json"],
    "show": ["show", "Ford", "-f", "json"],
    "info": ["info", "-f", "json"],
    "whatif": ["whatif", "--lift", "China rare-earth export controls", "--as-of", "2025-06-10", "-f", "json"],
    "timeline": ["timeline", "--from", "2025-05-01", "--to", "2025-06-30", "-f", "json"],
    "diff": ["diff", "2025-05-01", "2025-06-10", "-f", "json"],
    "validate": ["validate", "-f", "json"],
}
VIRTUOSO_FAILS = {
    "validate": "xsd:duration stored as seconds",
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_commands_answer_alike(store_spec, invoke, command, request):
    kind, spec = store_spec
    if kind == "sparql:virtuoso" and command in VIRTUOSO_FAILS:
        request.applymarker(pytest.mark.xfail(reason=f"Virtuoso 7.2.5: {VIRTUOSO_FAILS[command]}", strict=True))
    memory = invoke(*COMMANDS[command])
    other = invoke("--store", spec, *COMMANDS[command])
    assert memory.exit_code == 0, memory.stderr
    assert other.exit_code == 0, other.stderr
    mine, theirs = json.loads(other.stdout), json.loads(memory.stdout)
    if command == "info":  # a store opened as it is has no list of files
        mine.pop("files", None), theirs.pop("files", None)
    assert normalised(mine) == normalised(theirs)
    assert mine  # something was answered


def test_export_and_render_alike(store_spec, invoke, tmp_path, request):
    kind, spec = store_spec
    if kind == "sparql:virtuoso":
        request.applymarker(pytest.mark.xfail(reason="Virtuoso 7.2.5: xsd:duration stored as seconds", strict=True))
    for store in ([], ["--store", spec]):
        name = "remote" if store else "memory"
        result = invoke(*store, "export", "-f", "nq", "-o", str(tmp_path / f"{name}.nq"))
        assert result.exit_code == 0, result.stderr
        page = ["render", "-o", str(tmp_path / f"{name}.html"), "--as-of", "2025-06-06"]
        result = invoke(*store, *page)
        assert result.exit_code == 0, result.stderr
    quads = [sorted((tmp_path / f"{n}.nq").read_text().splitlines()) for n in ("memory", "remote")]
    assert quads[0] == quads[1] and len(quads[0]) > 1500
    ids = [sorted(re.findall(r'"id": *"([^"]+)"', (tmp_path / f"{n}.html").read_text())) for n in ("memory", "remote")]
    assert ids[0] == ids[1] and len(ids[0]) > 20


# -- loading over HTTP --------------------------------------------------------------------


@pytest.fixture
def fresh_server(tmp_path):
    """An Oxigraph server of its own, filled with the bundled graph."""
    server = OxigraphServer(tmp_path / "server")
    load_into_store(f"sparql:{server.url}", [], update_endpoint=server.update)
    yield server
    server.stop()


def test_loading_again_adds_nothing_and_a_bad_file_sends_nothing(fresh_server, tmp_path, invoke):
    oxigraph_server = fresh_server
    spec = f"sparql:{oxigraph_server.url}"
    example = ROOT / "examples" / "my-facts.ttl"
    before = len(open_store(spec))
    args = ["--store", spec, "load", "--update-endpoint", oxigraph_server.update]
    first = invoke(*args, str(example))
    assert first.exit_code == 0, first.stderr
    grown = len(open_store(spec))
    assert grown > before
    again = invoke(*args, str(example))
    assert again.exit_code == 0 and len(open_store(spec)) == grown
    bad = tmp_path / "bad.ttl"
    bad.write_text('@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:d ex:e "unclosed .\n')
    result = invoke(*args, str(bad))
    assert result.exit_code == 2 and "bad.ttl:3:11: Unexpected end of file" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert len(open_store(spec)) == grown


def test_a_load_that_fails_midway_changes_nothing(fresh_server, tmp_path):
    """Staged chunks that cannot be committed are dropped; the store keeps its content."""
    oxigraph_server = fresh_server
    spec = f"sparql:{oxigraph_server.url}"
    big = tmp_path / "big.nt"
    big.write_text("".join(f'<urn:x:s{i}> <urn:x:p> "{i}" .\n' for i in range(2500)))
    store = SparqlStore(oxigraph_server.url, oxigraph_server.update)
    before = len(store)
    calls = {"n": 0}
    real = store._update

    def failing(text: str) -> None:
        calls["n"] += 1
        if text.startswith("ADD"):
            raise KgError("injected failure before the commit")
        real(text)

    store._update = failing
    with pytest.raises(KgError, match="injected"):
        store.load_file(big)
        store.flush()
    assert calls["n"] == 5  # three staged chunks, the failed commit, the clean-up
    assert len(open_store(spec)) == before
    leftovers = open_store(spec).select_values("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert not [r for r in leftovers if r.get("g", "").startswith("urn:x-tradekg:staging:")]


def test_a_load_with_a_bad_second_file_adds_nothing(fresh_server, tmp_path, invoke):
    """A load is all or nothing on a server too: the good first file is staged, not added."""
    spec = f"sparql:{fresh_server.url}"
    good, bad = tmp_path / "a-good.nt", tmp_path / "b-bad.ttl"
    good.write_text('<urn:x:s> <urn:x:p> "good" .\n')
    bad.write_text("<urn:x:s> <urn:x:p> .\n")
    before = len(open_store(spec))
    result = invoke("--store", spec, "load", "--update-endpoint", fresh_server.update, str(good), str(bad))
    assert result.exit_code == 2 and "b-bad.ttl:1:" in result.stderr
    assert len(open_store(spec)) == before
    graphs = open_store(spec).select_values("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert not [r for r in graphs if r.get("g", "").startswith("urn:x-tradekg:staging:")]


def test_writes_need_an_update_endpoint(oxigraph_server, invoke):
    result = invoke("--store", f"sparql:{oxigraph_server.url}", "load", str(ROOT / "examples" / "my-facts.ttl"))
    assert result.exit_code == 2 and "--update-endpoint" in result.stderr


def test_virtuoso_writes_with_digest_authentication(virtuoso):
    store = open_store(f"sparql:{virtuoso.url}")
    assert len(store) == len(load_graph())
    os.environ.pop("KG_SPARQL_PASSWORD")
    try:
        with pytest.raises(KgError, match="HTTP 401"):
            SparqlStore(virtuoso.url, virtuoso.update)._update(
                "INSERT DATA { GRAPH <urn:x:g> { <urn:x:a> <urn:x:b> <urn:x:c> } }"
            )
    finally:
        os.environ["KG_SPARQL_PASSWORD"] = "dba"


# -- protocol edges -----------------------------------------------------------------------


class _Capped(http.server.BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = json.dumps(
            {"head": {"vars": ["s"]}, "results": {"bindings": [{"s": {"type": "uri", "value": "urn:a"}}]}}
        )
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("X-SPARQL-MaxRows", "1")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args):
        pass


def test_a_result_the_server_cut_short_is_an_error(invoke):
    server = http.server.HTTPServer(("127.0.0.1", 0), _Capped)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/sparql"
        result = invoke("--store", f"sparql:{url}", "query", "search", "-p", "text", "x")
        assert result.exit_code == 2
        assert "X-SPARQL-MaxRows" in result.stderr and "1 rows" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    finally:
        server.shutdown()


def test_an_unreachable_endpoint_is_one_line(invoke):
    from servers import free_port

    result = invoke("--store", f"sparql:http://127.0.0.1:{free_port()}/sparql", "info")
    assert result.exit_code == 2 and "cannot reach the SPARQL endpoint" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


# -- binding parameters -------------------------------------------------------------------

HOSTILE = [
    Literal('x" } ; DROP ALL ; SELECT * { "'),
    Literal("line\nbreak } ?date"),
    Literal("2025-06-06", datatype=XSD.date),
    Literal("chat", lang="fr"),
    URIRef("https://example.org/a#b"),
]


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_a_bound_value_is_one_term_whatever_it_holds(oxigraph_server, value):
    query = 'SELECT ?v ?echo WHERE { BIND (?v AS ?echo) FILTER (?v = ?v) } # ?v in a comment, "?v" in a string'
    store = open_store(f"sparql:{oxigraph_server.url}")
    rows = store.select(query, {"v": value})
    assert rows == [{"v": value, "echo": value}]
    assert "# ?v in a comment" in bind_values(query, {"v": value})


@pytest.mark.parametrize("iri", ["https://example.org/a> } ; DROP ALL ; <x", "https://e.org/a b", 'https://e.org/"'])
def test_an_iri_that_would_break_out_is_refused(iri):
    with pytest.raises(UsageError):
        bind_values("SELECT ?x WHERE { ?x ?p ?o }", {"x": URIRef(iri)})


def test_a_query_that_assigns_a_bound_variable_is_refused():
    with pytest.raises(UsageError, match="assigns it"):
        bind_values("SELECT ?x WHERE { BIND (1 AS ?x) }", {"x": Literal(2)})


def test_binding_keeps_the_column_and_groups_on_a_constant(oxigraph_server):
    store = open_store(f"sparql:{oxigraph_server.url}")
    query = """SELECT ?c (COUNT(?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY ?c"""
    rows = store.select(query, {"c": URIRef("https://w3id.org/tradekg/ontology#Company")})
    memory = load_graph().select(query, {"c": URIRef("https://w3id.org/tradekg/ontology#Company")})
    assert rows == memory and int(rows[0]["n"]) == 7
