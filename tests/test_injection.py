"""Property-based injection tests (issue #7, part 3): hostile names, parameter values and labels.

Arbitrary text, mixed with fragments of SPARQL, Turtle, HTML and JavaScript, goes in as entity
names (``kg show``, ``kg impact``), as query parameter values (``kg query``, and
``bind_parameters`` + ``run_query`` directly) and as labels, aliases, notes and quotes in a
``--data`` file that ``kg show``, ``kg query`` and ``kg render`` read; the rendered page is
opened in Debian's headless Chromium (never ``playwright install``).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from kg.errors import KgError, UsageError
from kg.lookup import entity_names, normalise_name, resolve_entity
from kg.namespaces import ID, curie
from kg.queries import bind_parameters, catalogue, load_spec, run_query

# rdflib logs a traceback for every ill-typed literal built here ("x"^^xsd:date)
logging.getLogger("rdflib.term").setLevel(logging.CRITICAL)

FRAGMENTS = [
    '"',
    "'",
    "}",
    "{",
    ">",
    "<",
    "\n",
    "\r",
    "\t",
    "\x00",
    "\u2028",
    "?date",
    "$text",
    "} UNION { ?s ?p ?o }",
    '" } UNION { ?s ?p ?o } #',
    "') || true || ('",
    "; DROP ALL ;",
    "\\u0053ERVICE <http://127.0.0.1:9/> { ?a ?b ?c }",
    "SERVICE <http://127.0.0.1:9/>",
    "#",
    "\\",
    '\\"',
    "<script>",
    "</script>",
    "<http://evil.example/>",
    "javascript:",
    "person:",
    "policy:geneva-agreement",
    "http://",
    "urn:",
    "@prefix",
    "\udcff",  # what Python makes of an undecodable byte in argv
]

#: Arbitrary text mixed with hostile fragments.
hostile = st.lists(st.one_of(st.text(max_size=8), st.sampled_from(FRAGMENTS)), min_size=1, max_size=5).map("".join)

QUICK = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
SLOW = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

CATALOGUE = catalogue()
ONTOLOGY = "https://w3id.org/tradekg/ontology"
_NAMES_QUERY = f"""
SELECT ?entity ?name WHERE {{
  ?entity rdfs:label|skos:prefLabel|skos:altLabel ?name .
  FILTER (isIRI(?entity) && isLiteral(?name) && !STRSTARTS(STR(?entity), "{ONTOLOGY}"))
}}"""


def assert_one_line_error(result) -> None:
    """Exit 2, one ``kg: error:`` line on stderr, nothing on stdout."""
    assert result.exit_code == 2, (result.exit_code, result.stderr)
    assert result.stderr.startswith("kg: error: "), result.stderr
    assert len(result.stderr.splitlines()) == 1 and result.stderr.endswith("\n"), result.stderr
    assert result.stdout == ""


def has_surrogate(text: str) -> bool:
    return any(0xD800 <= ord(c) <= 0xDFFF for c in text)


@pytest.fixture(scope="module")
def names(kg) -> list[tuple[str, str]]:
    """(entity IRI, name) for every label and alias the search query looks at."""
    return [(str(r["entity"]), str(r["name"])) for r in kg.select(_NAMES_QUERY)]


def perturb(name: str, data) -> str:
    """``name`` as a user might type it: other case, extra spaces."""
    if data.draw(st.booleans()):
        name = name.upper() if data.draw(st.booleans()) else name.lower()
    return data.draw(st.sampled_from(["", " ", "  "])) + name + data.draw(st.sampled_from(["", " ", "\t"]))


# -- entity names --------------------------------------------------------------------------


@QUICK
@given(data=st.data(), command=st.sampled_from(["show", "impact"]), kind=st.sampled_from(["hostile", "real", "mixed"]))
def test_entity_names_are_found_or_refused_in_one_line(kg, invoke, data, command, kind):
    """Any NAME: the entity it names (exit 0), or one ``kg: error:`` line with exit 2."""
    known = entity_names(kg)
    real = data.draw(st.sampled_from(sorted({n.name for n in known})))
    if kind == "hostile":
        name = data.draw(hostile)
    elif kind == "real":
        name = perturb(real, data)
    else:
        name = real + data.draw(hostile) if data.draw(st.booleans()) else data.draw(hostile) + real
    args = [command, "--", name] if command == "impact" else [command, "-f", "json", "--", name]
    result = invoke(*args)
    try:
        expected = resolve_entity(kg, name)
    except KgError:
        expected = None
    if expected is None:
        assert_one_line_error(result)
        assert "no entity" in result.stderr or "entities:" in result.stderr
        if kind == "real":  # a real name, typed loosely, is found or ambiguous
            assert "entities:" in result.stderr
        return
    assert result.exit_code == 0, result.stderr
    iri = str(expected)
    # found by its IRI, its CURIE, or one of its names, never anything else
    own = {normalise_name(n.name) for n in known if n.iri == iri}
    raw = name.strip()
    assert raw in (iri, f"<{iri}>", curie(iri)) or normalise_name(name) in own
    if command == "show":
        assert json.loads(result.stdout)["iri"] == iri


@QUICK
@given(data=st.data())
def test_real_names_typed_loosely_are_found(kg, invoke, data):
    """Every primary label, in any case and spacing, finds its entity."""
    known = [n for n in entity_names(kg) if n.primary]
    entry = data.draw(st.sampled_from(sorted(known, key=lambda n: (n.iri, n.name))))
    same = {n.iri for n in known if normalise_name(n.name) == normalise_name(entry.name)}
    assume(len(same) == 1)
    result = invoke("show", "-f", "json", "--", perturb(entry.name, data))
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["iri"] == entry.iri


# -- query parameter values ----------------------------------------------------------------


def search_oracle(names: list[tuple[str, str]], text: str) -> set[str]:
    """Entities the search query must return for ``text``, computed in Python."""
    needle = text.lower()
    return {iri for iri, name in names if needle in name.lower()}


@QUICK
@given(value=st.one_of(hostile, st.text(max_size=6)))
def test_search_text_is_one_value_on_the_command_line(invoke, names, value):
    """``kg query search -p text VALUE``: exactly the entities whose names contain VALUE."""
    result = invoke("query", "search", "-p", "text", value, "-f", "json")
    if has_surrogate(value):  # not Unicode text: no RDF literal holds it
        assert_one_line_error(result)
        assert "parameter ?text" in result.stderr
        return
    assert result.exit_code == 0, result.stderr
    assert {row["entity"] for row in json.loads(result.stdout)} == search_oracle(names, value)


@QUICK
@given(value=hostile)
def test_crafted_strings_never_grow_the_results(kg, names, value):
    """Through the library: a crafted string finds what the text finds; no match is no row."""
    assume(not has_surrogate(value))
    spec = CATALOGUE["search"]
    before = len(kg)
    rows = run_query(kg, spec.text, bind_parameters(kg, spec, {"text": value}), timeout=None).rows
    assert {str(r["entity"]) for r in rows} == search_oracle(names, value)
    if not search_oracle(names, value):
        harmless = run_query(kg, spec.text, bind_parameters(kg, spec, {"text": "zz no such name zz"}), timeout=None)
        assert len(rows) == len(harmless.rows) == 0
    assert all(str(r["text"]) == value for r in rows)  # bound verbatim, as one literal
    assert len(kg) == before


EXACT = """# title: t
# description: d
# param: needle string required -- text
# returns: s
SELECT ?s ?needle WHERE { ?s rdfs:label ?l FILTER(STR(?l) = ?needle) }
"""


@QUICK
@given(data=st.data())
def test_string_equal_to_a_label_matches_exactly_that_label(kg, names, tmp_path_factory, data):
    """A label with hostile text around it matches nothing; the label itself matches its entities."""
    folder = tmp_path_factory.getbasetemp() / "exact"
    folder.mkdir(exist_ok=True)
    (folder / "exact.rq").write_text(EXACT, encoding="utf-8")
    spec = load_spec(folder / "exact.rq")
    label = data.draw(st.sampled_from(sorted({n for _, n in names})))
    value = data.draw(st.sampled_from(["", label])) + data.draw(hostile) + data.draw(st.sampled_from(["", label]))
    assume(not has_surrogate(value))
    for text in (value, label):
        rows = run_query(kg, spec.text, bind_parameters(kg, spec, {"needle": text}), timeout=None).rows
        labelled = {str(r["s"]) for r in kg.select("SELECT ?s ?l WHERE { ?s rdfs:label ?l }") if str(r["l"]) == text}
        assert {str(r["s"]) for r in rows} == labelled


DATE_QUERIES = sorted(n for n, s in CATALOGUE.items() if any(p.type == "date" for p in s.params))
#: Values for the required iri parameters of the queries that take dates.
ENTITIES = {"policy": "China rare-earth export controls", "commodity": "Rare-earth magnets"}
_ISO_DATE = re.compile(r"\s*[+-]?\d{4,}-\d\d-\d\d(Z|[+-]\d\d:\d\d)?\s*")


@settings(QUICK, max_examples=30)
@given(name=st.sampled_from(DATE_QUERIES), value=hostile)
def test_crafted_date_literals_match_what_any_bad_date_matches(kg, name, value):
    """A crafted xsd:date value gives the rows a plain ill-typed date gives, never more."""
    assume(not has_surrogate(value) and not _ISO_DATE.fullmatch(value))
    spec = CATALOGUE[name]
    given_ = {p.name: "2025-06-06" if p.type == "date" else ENTITIES[p.name] for p in spec.params if p.required}
    bound = bind_parameters(kg, spec, given_)
    counts = []
    for text in (value, "not-a-date"):
        for param in spec.params:
            if param.type == "date":
                bound[param.name] = Literal(text, datatype=XSD.date)
        counts.append(len(run_query(kg, spec.text, bound, timeout=None).rows))
    assert counts[0] == counts[1]


@QUICK
@given(value=hostile)
def test_crafted_dates_on_the_command_line_are_refused_or_dates(invoke, value):
    result = invoke("query", "restrictions-in-force", "-p", "date", value, "-f", "json")
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        assert_one_line_error(result)
        assert "parameter 'date'" in result.stderr
        return
    assert result.exit_code == 0, result.stderr


IRI_PARAMS = sorted((n, p.name) for n, s in CATALOGUE.items() for p in s.params if p.type == "iri")


@QUICK
@given(data=st.data(), query=st.sampled_from(IRI_PARAMS))
def test_iri_parameters_are_refused_or_exactly_the_iri(kg, data, query):
    """An iri parameter: a clean UsageError, or the IRI of an entity, bound as that IRI."""
    name, param = query
    spec = CATALOGUE[name]
    iri = data.draw(st.sampled_from(sorted({n.iri for n in entity_names(kg)})))
    value = data.draw(
        st.one_of(
            hostile,
            hostile.map(lambda h: f"<{iri}{h}>"),
            hostile.map(lambda h: f"{iri}{h}"),
            hostile.map(lambda h: f"{curie(iri)}{h}"),
            st.sampled_from([iri, f"<{iri}>", curie(iri)]),
        )
    )
    try:
        bound = bind_parameters(kg, spec, {param: value})
    except UsageError as err:
        assert f"parameter {param!r}" in str(err) and len(str(err).splitlines()) == 1
        return
    term = bound[param]
    assert isinstance(term, URIRef) and kg.ask("ASK { { ?e ?p ?o } UNION { ?s ?p ?e } }", {"e": term})
    raw = value.strip()
    if raw in (iri, f"<{iri}>", curie(iri)):
        assert str(term) == iri
    elif raw.startswith("<") and raw.endswith(">"):
        assert str(term) == raw[1:-1]
    result = run_query(kg, spec.text, bound, timeout=None)
    assert all(row.get(param) == term for row in result.rows)


NEIGHBOURS = CATALOGUE["neighbours"]


@QUICK
@given(data=st.data())
def test_iri_terms_given_directly_are_refused_or_bound_as_that_iri(kg, data):
    """``run_query`` with a crafted URIRef: a one-line UsageError, or rows about exactly it."""
    iri = data.draw(st.sampled_from(sorted({n.iri for n in entity_names(kg)})))
    value = data.draw(st.one_of(hostile, hostile.map(lambda h: iri + h), st.just(iri)))
    term = URIRef(value)
    try:
        rows = run_query(kg, NEIGHBOURS.text, {"entity": term}, timeout=None).rows
    except UsageError as err:
        assert "parameter ?entity" in str(err) and len(str(err).splitlines()) == 1
        return
    assert all(row["entity"] == term for row in rows)
    if not kg.ask("ASK { { ?e ?p ?o } UNION { ?s ?p ?e } }", {"e": term}):
        assert rows == []
    linked = "ASK { { ?e ?p ?o } UNION { ?o ?p ?e } }"
    assert all(kg.ask(linked, {"e": term, "o": row["other"]}) for row in rows)


@pytest.mark.parametrize("timeout", [None, 10.0])
@pytest.mark.parametrize(
    ("term", "reason"),
    [(URIRef("http://a b"), "Invalid IRI code point"), (URIRef(""), "No scheme"), (Literal("x\udcff"), "")],
)
def test_terms_no_rdf_store_can_hold_are_a_usage_error(kg, term, reason, timeout):
    """Regression (fuzz/bind.py): an invalid IRI or a lone surrogate raised ValueError or
    TypeError from run_query(timeout=None), and a vague 'query failed' with a timeout."""
    with pytest.raises(UsageError, match=r"parameter \?entity: .* is not a valid RDF term") as err:
        run_query(kg, NEIGHBOURS.text, {"entity": term}, timeout=timeout)
    assert reason in str(err.value)


# -- the remote store's textual binding ------------------------------------------------------

REMOTE_QUERY = "SELECT ?s ?v WHERE { ?s rdfs:label ?l FILTER(STR(?l) = ?v) }"


def _bound_literal(text: str):
    """The literal rdflib's parser reads where ``bind_values`` put the value."""
    from rdflib.plugins.sparql.parser import parseQuery

    from kg.remote import bind_values

    tree = parseQuery(bind_values(REMOTE_QUERY, {"v": Literal(text)}))
    projection = tree[1]["projection"]
    return projection[1]["expr"]["expr"]["expr"]["expr"]["expr"]["expr"]["string"]


@QUICK
@given(value=st.one_of(hostile, st.text(st.sampled_from('\\u0123456789abcdefABCDEF\x03\x00"U'), max_size=12)))
def test_remote_binding_sends_exactly_the_value(value):
    """The text sent to a server holds the value as one literal, read back alike by rdflib's
    parser and by Oxigraph's."""
    import pyoxigraph as ox

    from kg.remote import _serialise

    assume(not has_surrogate(value))
    assert str(_bound_literal(value)) == value
    rows = list(ox.Store().query(f"SELECT ?x WHERE {{ BIND({_serialise(Literal(value))} AS ?x) }}"))
    assert rows[0]["x"] == ox.Literal(value)


@pytest.mark.parametrize("value", [",\x0302E0802E0", "a\\u0041", "\\U00000041", "\\u0022 } #"])
def test_remote_binding_of_backslash_u_values(value):
    """Regression (fuzz/bind.py): rdflib read the serialiser's "\\u000302E0" as U+302E0, and
    failed on a value holding a backslash before u."""
    assert str(_bound_literal(value)) == value


# -- hostile labels and quotes in a data file ----------------------------------------------

PAYLOADS = [
    "<img src=x onerror=\"window.__pwned='img'\">",
    "<script>window.__pwned='script'</script>",
    "</script><script>window.__pwned='breakout'</script>",
    "<svg onload=\"window.__pwned='svg'\"></svg>",
    "javascript:window.__pwned='js'",
    '"><iframe src="javascript:window.parent.__pwned=\'iframe\'">',
    "{{7*7}}${window.__pwned='tpl'}",
    "<!--",
    "]]>",
    "\u2028\u2029",
]
HUB = "javascript:window.__pwned='hub'"  # a valid IRI: it is the id of a node on the page


def turtle_string(text: str) -> str:
    """``text`` as a Turtle string literal."""
    escaped = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r"}
    out = []
    for c in text:
        if c in escaped:
            out.append(escaped[c])
        elif ord(c) < 0x20 or ord(c) == 0x7F:
            out.append(f"\\u{ord(c):04X}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


label_text = st.lists(
    st.one_of(st.text(st.characters(exclude_categories=["Cs"]), max_size=8), st.sampled_from(PAYLOADS)),
    min_size=1,
    max_size=3,
).map("".join)


@st.composite
def hostile_entities(draw) -> list[dict[str, str]]:
    """A few companies with hostile labels, aliases, notes, source labels and quotes."""
    labels = draw(st.lists(label_text, min_size=2, max_size=4, unique_by=normalise_name))
    taken = {normalise_name(x) for x in labels} | {"hub", "source"}
    assume(not any(normalise_name(x).startswith(("hub", "source")) for x in labels))
    out = []
    for i, label in enumerate(labels):
        alias = draw(label_text)
        assume(normalise_name(alias) not in taken)
        taken.add(normalise_name(alias))
        out.append(
            {
                "iri": f"{ID}company/hostile-{i}",
                "label": label,
                "alias": alias,
                "note": draw(label_text),
                "source": draw(label_text),
                "quote": draw(label_text),
            }
        )
    return out


def write_trig(path: Path, entities: list[dict[str, str]]) -> Path:
    lines = [
        "@prefix tkg: <https://w3id.org/tradekg/ontology#> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
        "@prefix prov: <http://www.w3.org/ns/prov#> .",
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
        f"<{HUB}> a tkg:Commodity ; rdfs:label {turtle_string('hub ' + PAYLOADS[0])} .",
    ]
    for i, e in enumerate(entities):
        source, assertion = f"{ID}source/hostile-{i}", f"{ID}assertion/hostile-{i}"
        lines += [
            f"<{e['iri']}> a tkg:Company ; rdfs:label {turtle_string(e['label'])} ;",
            f"    skos:altLabel {turtle_string(e['alias'])} ; tkg:note {turtle_string(e['note'])} .",
            f"<{assertion}> {{ <{e['iri']}> tkg:dependsOn <{HUB}> }}",
            f"<{assertion}> a tkg:Assertion ; prov:wasDerivedFrom <{source}> ;",
            f"    tkg:quote {turtle_string(e['quote'])} .",
            f"<{source}> a tkg:NewsArticle ; rdfs:label {turtle_string('source ' + e['source'])} ;",
            '    tkg:publishedOn "2025-06-01"^^xsd:date .',
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@SLOW
@given(entities=hostile_entities())
def test_hostile_labels_are_shown_and_searched_as_text(invoke, entities):
    """``kg show`` finds each entity by its hostile label; ``kg query search`` finds it too."""
    with tempfile.TemporaryDirectory() as tmp:
        data = write_trig(Path(tmp) / "hostile.trig", entities)
        base = ["--no-bundled", "--data", str(data)]
        for e in entities:
            shown = invoke(*base, "show", "-f", "json", "--", e["label"])
            assert shown.exit_code == 0, shown.stderr
            card = json.loads(shown.stdout)
            assert card["iri"] == e["iri"] and card["label"] == (e["label"] or curie(e["iri"]))
            assert e["alias"] in card["aliases"]
            assert [ev["quote"] for ev in card["evidence"]] == [e["quote"]]
            assert [ev["source_label"] for ev in card["evidence"]] == ["source " + e["source"]]
            table = invoke(*base, "show", "--", e["label"])
            assert table.exit_code == 0, table.stderr
            found = invoke(*base, "query", "search", "-p", "text", e["label"], "-f", "json")
            assert found.exit_code == 0, found.stderr
            assert e["iri"] in {row["entity"] for row in json.loads(found.stdout)}
            by_alias = invoke(*base, "show", "-f", "json", "--", e["alias"])
            assert by_alias.exit_code == 0 and json.loads(by_alias.stdout)["iri"] == e["iri"]


# -- the page, in headless Chromium ----------------------------------------------------------


def html_text(text: str) -> str:
    """``text`` as the HTML parser hands it to the DOM (CR to LF, NUL dropped)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entities=hostile_entities())
def test_rendered_page_shows_hostile_labels_as_text_and_runs_nothing(browser, invoke, entities):
    """The page of a file full of payloads: labels in its data and panels, ``window.__pwned`` unset."""
    with tempfile.TemporaryDirectory() as tmp:
        data = write_trig(Path(tmp) / "hostile.trig", entities)
        out = Path(tmp) / "page.html"
        result = invoke(
            "--no-bundled",
            "--data",
            str(data),
            "render",
            "--focus",
            f"<{HUB}>",
            "--hops",
            "1",
            "--as-of",
            "2025-06-06",
            "-o",
            str(out),
        )
        assert result.exit_code == 0, result.stderr
        page = browser.new_page()
        errors: list[str] = []
        requests: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        try:
            page.goto(out.as_uri())
            page.wait_for_function("window.kg && window.kg.ready", timeout=30_000)
            nodes = page.evaluate("Object.fromEntries(window.kg.data.nodes.map(n => [n.id, n]))")
            hub_label = "hub " + PAYLOADS[0]
            assert nodes[HUB]["label"] == hub_label
            heading = page.evaluate(
                "[document.querySelector('h1').textContent, document.querySelector('h1').children.length]"
            )
            assert heading == [html_text(f"tradekg: {hub_label} and 1 hop(s) around it"), 0]
            for e in entities:
                node = nodes[e["iri"]]
                shown_label = e["label"] or curie(e["iri"])  # an empty label shows the CURIE
                assert (node["label"], node["aliases"]) == (shown_label, [e["alias"]])
                cited = page.evaluate(
                    "id => { const n = window.kg.data.nodes.find(x => x.id === id);"
                    " return n.facts.flatMap(([, refs]) => refs.map(i => window.kg.data.evidence[i])); }",
                    e["iri"],
                )
                assert {ev["quote"] for ev in cited} == {e["quote"]}
                assert {ev["source"] for ev in cited} == {"source " + e["source"]}
                tip = page.evaluate(
                    "id => { const t = window.kg.nodes.get(id).title; return [t.firstChild.textContent,"
                    " [...t.querySelectorAll('*')].every(x => x.tagName === 'DIV')]; }",
                    e["iri"],
                )
                assert tip == [shown_label, True]
                page.evaluate("id => window.kg.select(id)", e["iri"])
                shown = page.evaluate(
                    """() => { const info = document.getElementById('info');
                       return [info.querySelector('.name').textContent, info.textContent,
                               [...info.querySelectorAll('*')].every(x =>
                                 ['DIV', 'SPAN', 'H2', 'UL', 'OL', 'LI', 'SUP', 'BUTTON'].includes(x.tagName))]; }"""
                )
                assert shown[0] == shown_label and e["quote"] in shown[1] and shown[2] is True
                blank, hit = page.evaluate("text => [norm(text) === '', window.kg.search(text)]", e["label"])
                assert blank or hit is not None  # the page's search ignores a blank query
                assert page.evaluate("document.getElementById('search-result').children.length") == 0
            # the search box takes hostile text too
            page.fill("#search", "</script><script>window.__pwned='search'</script>")
            page.press("#search", "Enter")
            page.mouse.move(300, 300)
            assert page.evaluate("window.__pwned === undefined")
            assert page.evaluate("document.querySelectorAll('script').length") == 2  # vis-network and the page's
            assert page.evaluate("document.querySelectorAll('img, iframe, object, embed').length") == 0
            # the legend's shape icons are the only SVG, and links go to the web only
            assert page.evaluate(
                "document.querySelectorAll('svg').length === document.querySelectorAll('.legend-item svg').length"
            )
            assert page.evaluate("[...document.querySelectorAll('a[href]')].every(a => /^https?:/.test(a.href))")
            assert errors == []
            assert all(url.startswith(("file://", "data:")) for url in requests), requests
        finally:
            page.close()
