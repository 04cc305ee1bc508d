"""The query engine: catalogue headers, bound parameters, refusals, timeouts, result formats."""

from __future__ import annotations

import http.server
import io
import json
import sys
import threading
from pathlib import Path

import pytest
from rdflib.query import Result

from kg import resources
from kg.errors import KgError, UsageError
from kg.queries import QueryRefused, QueryTimeout, catalogue, check_query, load_spec, run_query

QUERY_FILES = sorted(resources.queries_dir().glob("*.rq"))


def _lone_binds(algebra) -> list[str]:
    """BINDs alone in their group ({ BIND (?x AS ?y) }) that read a variable: the group sees
    nothing outside it, so the variable is unbound there and the BIND yields nothing."""
    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.term import Variable

    def walk(node):
        if isinstance(node, CompValue):
            yield node
            for child in node.values():
                yield from walk(child)
        elif isinstance(node, (list, tuple)):
            for child in node:
                yield from walk(child)

    def reads(expr) -> bool:
        return (
            isinstance(expr, Variable)
            or any(isinstance(n, Variable) for n in walk(expr))
            or (isinstance(expr, CompValue) and any(isinstance(v, Variable) for v in expr.values()))
        )

    return [
        f"BIND (... AS ?{n.var})"
        for n in walk(algebra)
        if n.name == "Extend" and n.p.name == "BGP" and not n.p.triples and reads(n.expr)
    ]


def test_lone_bind_check_sees_the_trap():
    from rdflib.plugins.sparql import prepareQuery

    trap = prepareQuery("SELECT * WHERE { ?a <p> ?b { BIND (?a AS ?c) } UNION { ?c <q> ?a } }")
    fine = prepareQuery("SELECT * WHERE { ?a <p> ?b BIND (?a AS ?c) { BIND (1 AS ?z) } }")
    assert _lone_binds(trap.algebra) == ["BIND (... AS ?c)"]
    assert _lone_binds(fine.algebra) == []


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_shipped_query_binds_only_what_its_group_sees(path: Path):
    # { BIND (?s AS ?e) } UNION { ... } in restrictions-in-force left ?e unbound, so every end
    # date in the store was tried as the day a suspension lifts: right by luck (MIN over a
    # superset), 100 s at 1M triples
    from rdflib.plugins.sparql import prepareQuery

    from kg.namespaces import PREFIXES

    spec = load_spec(path)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 20000))  # the expanded fragments nest deep
    try:
        assert _lone_binds(prepareQuery(spec.text, initNs=PREFIXES).algebra) == []
    finally:
        sys.setrecursionlimit(limit)


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_shipped_query_is_valid_and_self_describing(path: Path):
    spec = load_spec(path)
    assert spec.title and spec.description, "header needs # title: and # description:"
    assert check_query(spec.text, spec.name) in {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}
    from kg.queries import _projected

    projected = _projected(spec.text)
    for param in spec.params:
        assert f"?{param.name}" in spec.text, f"parameter {param.name} is not used"
        assert projected is None or param.name in projected, f"parameter ?{param.name} must be projected"
    assert spec.returns, "header needs # returns:"
    for var in spec.returns:
        assert projected is None or var in projected, f"# returns: names ?{var}, which is not projected"


def test_catalogue_lists_every_file_and_list_command_shows_them(invoke):
    specs = catalogue()
    assert set(specs) == {p.stem for p in QUERY_FILES}
    result = invoke("query", "--list")
    assert result.exit_code == 0
    for name in specs:
        assert name in result.stdout


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


PARAM_QUERY = """# title: Labels of an entity
# description: test query with every parameter type
# param: entity iri required -- the entity
# param: text string default=x -- any text
# param: when date default=today -- a date
# param: n int default=1 -- a number
# param: mode choice(a|b) default=a -- a mode
# returns: label
SELECT ?label ?entity ?text ?when ?n ?mode WHERE { ?entity rdfs:label ?label }
"""


@pytest.mark.parametrize(
    "value",
    ['x" } ; DROP ALL ; {"', "<http://evil>", "line one\nline two", "# comment", "http://evil> ?p ?o } #"],
)
def test_injected_iri_values_are_values(invoke, tmp_path, value):
    query = write(tmp_path, "labels.rq", PARAM_QUERY)
    result = invoke("query", str(query), "-p", "entity", value)
    assert result.exit_code == 2
    assert "parameter 'entity': no entity" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_injected_string_value_is_bound_verbatim(kg):
    spec_text = """# title: t
# description: d
# param: needle string required -- text
# returns: s
SELECT ?s ?needle WHERE { ?s rdfs:label ?l FILTER(CONTAINS(LCASE(STR(?l)), LCASE(?needle))) }"""
    from kg.queries import bind_parameters

    tmp = load_spec_from_text(spec_text)
    before = len(kg)
    for value in ['x" } ; DROP ALL ; {"', '") || true || ("', "#"]:
        rows = run_query(kg, tmp.text, bind_parameters(kg, tmp, {"needle": value}), timeout=None).rows
        assert rows == []
    rows = run_query(kg, tmp.text, bind_parameters(kg, tmp, {"needle": "geneva agreement"}), timeout=None).rows
    assert "https://w3id.org/tradekg/id/policy/geneva-agreement" in {str(r["s"]) for r in rows}
    assert len(kg) == before


def load_spec_from_text(text: str):
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "inline.rq"
        path.write_text(text)
        return load_spec(path)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-p", "nope", "1", "-p", "entity", "Trump"], "unknown parameter 'nope'"),
        ([], "needs parameter 'entity'"),
        (["-p", "entity", "Trump", "-p", "when", "2025-13-01"], "parameter 'when': '2025-13-01' is not a date"),
        (["-p", "entity", "Trump", "-p", "n", "two"], "parameter 'n': 'two' is not a whole number"),
        (["-p", "entity", "Trump", "-p", "mode", "c"], "parameter 'mode': 'c' is not one of a, b"),
    ],
)
def test_parameter_errors_name_the_parameter(invoke, tmp_path, args, message):
    query = write(tmp_path, "labels.rq", PARAM_QUERY)
    result = invoke("query", str(query), *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_parameters_are_bound_and_hidden(invoke, tmp_path):
    query = write(tmp_path, "labels.rq", PARAM_QUERY)
    result = invoke("query", str(query), "-p", "entity", "Trump", "-f", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == [{"label": "Donald Trump"}]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("INSERT DATA { <http://a> <http://b> <http://c> }", "INSERT DATA would change the graph"),
        ("DELETE WHERE { ?s ?p ?o }", "DELETE WHERE would change the graph"),
        ("DROP ALL", "DROP would change the graph"),
        ("LOAD <http://127.0.0.1:9/x.ttl>", "LOAD would change the graph"),
        ("CLEAR DEFAULT", "CLEAR would change the graph"),
        ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?a ?b ?c } }", "SERVICE"),
        ("select * where { service silent <http://127.0.0.1:9/> { ?a ?b ?c } }", "SERVICE"),
        ("SELECT * WHERE { VALUES ?e { <http://127.0.0.1:9/> } SERVICE ?e { ?a ?b ?c } }", "SERVICE"),
        ("SELECT * WHERE { ?a ?b ?c FILTER EXISTS { SERVICE <http://127.0.0.1:9/> { ?d ?e ?f } } }", "SERVICE"),
        ("SELECT * WHERE { OPTIONAL { SELECT ?d WHERE { SERVICE <http://127.0.0.1:9/> { ?d ?e ?f } } } }", "SERVICE"),
        ("SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:9/> { ?a ?b ?c } }", "the escape \\u0053"),
        ("SELECT * FROM <file:///etc/hostname> WHERE { ?a ?b ?c }", "FROM"),
        ("SELECT * FROM NAMED <http://127.0.0.1:9/> WHERE { ?a ?b ?c }", "FROM"),
    ],
)
def test_refused_queries_exit_2_and_leave_the_graph_alone(kg, invoke, tmp_path, text, message):
    before = len(kg)
    with pytest.raises(QueryRefused) as err:
        run_query(kg, text, timeout=None)
    assert message in str(err.value)
    assert len(kg) == before
    result = invoke("query", str(write(tmp_path, "q.rq", text)))
    assert result.exit_code == 2 and message in result.stderr


def test_syntax_error_names_line_and_column(invoke, tmp_path):
    result = invoke("query", str(write(tmp_path, "bad.rq", "SELECT ?s WHERE {\n  ?s ?p \n")))
    assert result.exit_code == 2
    assert "bad.rq: SPARQL syntax error at line 2, column " in result.stderr


def test_timeout_stops_a_runaway_query(kg, invoke, tmp_path):
    text = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    before = len(kg)
    with pytest.raises(QueryTimeout):
        run_query(kg, text, timeout=0.5)
    assert len(kg) == before
    result = invoke("query", str(write(tmp_path, "slow.rq", text)), "--timeout", "0.5")
    assert result.exit_code == 2
    assert "stopped after 0.5 s" in result.stderr


def test_a_result_over_the_limit_is_refused_whole_and_limit_raises_it(kg, invoke, tmp_path):
    everything = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
    total = len(run_query(kg, everything, timeout=None).rows)
    assert total == len(kg) > 2000
    for timeout in (None, 10):  # in this process and in the worker
        with pytest.raises(KgError, match=f"more than {total - 1:,} rows"):
            run_query(kg, everything, timeout=timeout, limit=total - 1)
        assert len(run_query(kg, everything, timeout=timeout, limit=total).rows) == total
    construct = write(tmp_path, "all.rq", "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    refused = invoke("query", str(construct), "-f", "nt", "--limit", "100")
    assert refused.exit_code == 2 and refused.stdout == ""
    assert "more than 100 triples" in refused.stderr and "raise --limit" in refused.stderr
    unlimited = invoke("query", str(construct), "-f", "nt", "--limit", "0")
    assert unlimited.exit_code == 0 and len(unlimited.stdout.splitlines()) > 100
    # the default is 10,000: the bundled graph's 2,600 quads pass
    assert invoke("query", str(write(tmp_path, "every.rq", everything)), "-f", "csv").exit_code == 0


class _Canary(http.server.BaseHTTPRequestHandler):
    hits = 0

    def do_GET(self):  # noqa: N802
        type(self).hits += 1
        self.send_response(200)
        self.end_headers()

    do_POST = do_GET

    def log_message(self, *args):
        pass


def test_service_makes_no_request(kg):
    server = http.server.HTTPServer(("127.0.0.1", 0), _Canary)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/sparql"
        for text in (
            f"SELECT * WHERE {{ SERVICE <{url}> {{ ?a ?b ?c }} }}",
            f"SELECT * WHERE {{ \\u0053ERVICE <{url}> {{ ?a ?b ?c }} }}",
            f"SELECT * FROM <{url}> WHERE {{ ?a ?b ?c }}",
        ):
            with pytest.raises(KgError):
                run_query(kg, text, timeout=5)
    finally:
        server.shutdown()
    assert _Canary.hits == 0


@pytest.mark.parametrize("fmt", ["sparql-json", "sparql-xml"])
def test_w3c_result_formats_parse_back(invoke, fmt):
    result = invoke("query", "impact-relations", "-f", fmt)
    assert result.exit_code == 0, result.stderr
    parsed = Result.parse(io.BytesIO(result.stdout.encode()), format="json" if fmt == "sparql-json" else "xml")
    rows = list(parsed)
    assert len(rows) >= 10
    assert {str(v) for v in parsed.vars} >= {"property", "sign", "direction"}


def test_ask_and_construct_forms(invoke, tmp_path):
    ask = write(tmp_path, "ask.rq", "ASK { policy:geneva-agreement tkg:party government:china }")
    assert invoke("query", str(ask)).stdout.strip() == "true"
    parsed = Result.parse(io.BytesIO(invoke("query", str(ask), "-f", "sparql-json").stdout.encode()), format="json")
    assert parsed.askAnswer is True
    construct = write(tmp_path, "c.rq", "CONSTRUCT { ?p a tkg:Agreement } WHERE { ?p a tkg:Agreement }")
    out = invoke("query", str(construct), "-f", "nt")
    assert out.exit_code == 0 and "<https://w3id.org/tradekg/id/policy/geneva-agreement>" in out.stdout
    wrong = invoke("query", str(construct), "-f", "csv")
    assert wrong.exit_code == 2 and "use -f turtle, jsonld or nt" in wrong.stderr


def test_table_shows_labels_and_csv_shows_iris(invoke, tmp_path):
    query = write(tmp_path, "leaders.rq", "SELECT ?leader ?gov WHERE { ?leader tkg:leads ?gov } ORDER BY ?leader")
    table = invoke("query", str(query)).stdout
    assert "Donald Trump" in table and "United States government" in table and "https://" not in table
    csv = invoke("query", str(query), "-f", "csv").stdout.splitlines()
    assert csv[0] == "leader,gov"
    assert (
        csv[1] == "https://w3id.org/tradekg/id/person/donald-trump,https://w3id.org/tradekg/id/government/united-states"
    )


def test_user_query_folder_adds_and_overrides(invoke, tmp_path):
    header = "# title: My leaders\n# description: d\n# returns: l\n"
    write(tmp_path, "my-leaders.rq", header + "SELECT ?l WHERE { ?l a tkg:Leader }")
    listed = invoke("query", "--list", "--queries", str(tmp_path))
    assert "my-leaders" in listed.stdout and "My leaders" in listed.stdout
    ran = invoke("query", "my-leaders", "--queries", str(tmp_path), "-f", "json")
    assert ran.exit_code == 0 and len(json.loads(ran.stdout)) == 2
    missing = invoke("query", "--list", "--queries", str(tmp_path / "nope"))
    assert missing.exit_code == 2 and "no such query folder" in missing.stderr


def test_unknown_query_name_suggests(invoke):
    result = invoke("query", "impact-relation")
    assert result.exit_code == 2
    assert "did you mean 'impact-relations'" in result.stderr


def test_malformed_param_header_is_reported(tmp_path):
    path = write(tmp_path, "bad.rq", "# title: t\n# param: date dat default=today\nSELECT ?date WHERE {}")
    with pytest.raises(UsageError) as err:
        load_spec(path)
    assert f"{path}:2: bad '# param:' line" in str(err.value)
