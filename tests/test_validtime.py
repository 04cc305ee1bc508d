"""The two definitions of valid time agree: kg.validtime (Python) and the SPARQL fragments.

Property tests: on random dates, every node of the bundled graph and of a 10k synthetic graph
is active in Python exactly when ``inactive.rq`` (built from ``queries/active.rqf``) leaves it
out; on random small graphs of policies with random dates (ill-typed ones too), extensions,
suspensions and clauses, the same holds for ``active``, ``present``, ``suspended`` and the
``status`` words. And the page's intervals are the projection's.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from kg.errors import UsageError
from kg.graph import load_graph
from kg.network import project
from kg.queries import catalogue, expand_includes, fragment_expression
from kg.validtime import Timeline, check_as_of, date_of, parse_date

ROOT = Path(__file__).resolve().parent.parent

T = "https://w3id.org/tradekg/ontology#"
ID = "https://w3id.org/tradekg/id/"
XSD_DATE = str(XSD.date)


def inactive_on(kg, day: dt.date) -> set[str]:
    spec = catalogue()["inactive"]
    bound = {"date": Literal(day.isoformat(), datatype=XSD.date), "claims": Literal("include")}
    return {r["node"] for r in kg.select_values(spec.text, bound)}


def every_node(kg) -> list[str]:
    return sorted({r["s"] for r in kg.select_values("SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s)) }")})


days = st.dates(min_value=dt.date(2019, 1, 1), max_value=dt.date(2027, 12, 31))


def disagree(kg, day: dt.date) -> list[str]:
    """The nodes of ``kg`` whose activity on ``day`` differs between Python and SPARQL."""
    timeline, out = Timeline(kg), inactive_on(kg, day)
    return [n for n in every_node(kg) if timeline.active(n, day) == (n in out)]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(day=days)
def test_python_and_sparql_agree_on_every_node_of_the_bundled_graph(bundled, day):
    assert disagree(bundled, day) == []


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(day=days)
def test_python_and_sparql_agree_on_every_node_of_a_synthetic_graph(synthetic, day):
    assert len(every_node(synthetic)) > 1000
    assert disagree(synthetic, day) == []


# -- random small worlds ----------------------------------------------------------------------

BASE = dt.date(2030, 1, 1)
a_date = st.one_of(
    st.integers(0, 60).map(lambda k: f'"{(BASE + dt.timedelta(days=k)).isoformat()}"^^<{XSD_DATE}>'),
    st.just(f'"2030-02-30"^^<{XSD_DATE}>'),  # ill-typed: ignored everywhere
    st.just('"2030-01-20"'),  # a plain string, not a date: ignored too
)
policy = st.fixed_dictionaries(
    {
        "inForceFrom": st.lists(a_date, max_size=2),
        "announcedOn": st.lists(a_date, max_size=1),
        "plannedEnd": st.lists(a_date, max_size=1),
        "actualEnd": st.lists(a_date, max_size=1),
        "future": st.booleans(),
    }
)


@st.composite
def worlds(draw):
    n = draw(st.integers(2, 6))
    policies = [draw(policy) for _ in range(n)]
    pairs = st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(lambda p: p[0] != p[1])
    links = {
        "extends": draw(st.lists(pairs, max_size=3, unique=True)),
        "suspends": draw(st.lists(pairs, max_size=3, unique=True)),
        "clauseOf": draw(st.lists(pairs, max_size=2, unique=True)),
    }
    scoped = draw(st.lists(st.integers(0, n - 1), max_size=1))
    lines = []
    for i, p in enumerate(policies):
        node = f"<{ID}policy/p{i}>"
        lines.append(f"{node} a <{T}ExportControl> .")
        for prop in ("inForceFrom", "announcedOn", "plannedEnd", "actualEnd"):
            lines.extend(f"{node} <{T}{prop}> {d} ." for d in p[prop])
        if p["future"]:
            lines.append(f"{node} <{T}modality> <{T}Future> .")
    for prop, edges in links.items():
        lines.extend(f"<{ID}policy/p{a}> <{T}{prop}> <{ID}policy/p{b}> ." for a, b in edges)
    lines.extend(f"<{ID}policy/p{i}> <{T}coversCommodity> <{ID}commodity/widgets> ." for i in scoped)
    return n, "\n".join(lines) + "\n"


_STATE = """
SELECT ?node ?date ?active ?present ?suspended ?node_status WHERE {
  ?node a <https://w3id.org/tradekg/ontology#ExportControl> .
  OPTIONAL { FILTER (%s) BIND (true AS ?active) }
  OPTIONAL { FILTER (%s) BIND (true AS ?present) }
  OPTIONAL { FILTER (%s) BIND (true AS ?suspended) }
  #include status(?node)
}"""


def sparql_state(kg, day: dt.date) -> dict[str, tuple[bool, bool, bool, str]]:
    text = _STATE % tuple(fragment_expression(n, "?node") for n in ("active", "present", "suspended"))
    text = expand_includes(text, ["status"])
    rows = kg.select_values(text, {"date": Literal(day.isoformat(), datatype=XSD.date)})
    return {r["node"]: ("active" in r, "present" in r, "suspended" in r, r["node_status"]) for r in rows}


@settings(max_examples=120, deadline=None)
@given(world=worlds(), offsets=st.lists(st.integers(-2, 64), min_size=3, max_size=6))
def test_random_worlds_agree(tmp_path_factory, world, offsets):
    n, text = world
    path = tmp_path_factory.mktemp("world") / "world.ttl"
    path.write_text(text, encoding="utf-8")
    kg = load_graph([path], bundled=False)
    timeline = Timeline(kg)
    for offset in offsets:
        day = BASE + dt.timedelta(days=offset)
        sparql = sparql_state(kg, day)
        for i in range(n):
            node = f"{ID}policy/p{i}"
            python = (timeline.active(node, day), timeline.present(node, day), timeline.suspended(node, day))
            assert python == sparql[node][:3], (node, day, text)
            words = timeline.status(node, day)
            expected = sparql[node][3]
            assert words.split(" ")[0] == expected.split(" ")[0] or (
                words.startswith("measure") and expected == "expired"
            ), (node, day, words, expected, text)
        # the intervals are exactly the days on which it is active
        for i in range(n):
            node = f"{ID}policy/p{i}"
            pieces = timeline.intervals(node)
            inside = any((a is None or a <= day) and (b is None or day < b) for a, b in pieces)
            assert inside == timeline.active(node, day)


# -- the page and the projection read the same intervals ---------------------------------------


@pytest.mark.parametrize("day", ["2025-06-06", "2025-09-01", "2025-12-01"])
def test_the_page_and_the_projection_give_each_node_the_same_interval(bundled, day):
    from kg.render import build_view

    as_of = dt.date.fromisoformat(day)
    net = project(bundled, as_of)
    view = build_view(bundled, as_of=as_of)
    shared = set(net.graph.nodes) & set(view.graph.nodes)
    assert len(shared) > 40
    differ = [
        n
        for n in shared
        if (net.graph.nodes[n]["valid_from"], net.graph.nodes[n]["valid_until"], net.graph.nodes[n]["intervals"])
        != (view.graph.nodes[n]["valid_from"], view.graph.nodes[n]["valid_until"], view.graph.nodes[n]["intervals"])
    ]
    assert differ == []


def test_an_extension_chain_carries_the_rollback_in_paths_and_on_the_page(bundled):
    """Issue #12's example: the Geneva rollback, extended in August and November 2025."""
    rollback = f"{ID}policy/us-geneva-tariff-rollback"
    timeline = Timeline(bundled)
    assert timeline.intervals(rollback) == [(dt.date(2025, 5, 14), dt.date(2026, 11, 10))]
    net = project(bundled, dt.date(2025, 9, 1))
    assert (net.graph.nodes[rollback]["valid_from"], net.graph.nodes[rollback]["valid_until"]) == (
        "2025-05-14",
        "2026-11-10",
    )


def test_suspension_is_a_gap_in_the_intervals(bundled):
    october = f"{ID}policy/china-october-2025-rare-earth-controls"
    timeline = Timeline(bundled)
    assert timeline.intervals(october) == [
        (dt.date(2025, 10, 9), dt.date(2025, 11, 7)),
        (dt.date(2026, 11, 10), None),
    ]
    assert timeline.status(october, dt.date(2025, 12, 1)) == "suspended until 2026-11-10"
    assert timeline.status(october, dt.date(2026, 11, 10)) == "in force"


# -- dates --------------------------------------------------------------------------------------


def test_ill_typed_and_mistyped_dates_are_ignored():
    assert date_of("2025-02-30", XSD_DATE) is None
    assert date_of("2025-02-28", XSD_DATE) == dt.date(2025, 2, 28)
    assert date_of("2025-02-28", str(XSD.string)) is None
    assert date_of("2025-02-28Z", XSD_DATE) == dt.date(2025, 2, 28)
    # what Python's fromisoformat would take but xsd:date is not
    assert date_of("20250228xx", XSD_DATE) is None and date_of("2025-W01-1", XSD_DATE) is None


def test_as_of_parsing_and_its_guard(bundled):
    assert parse_date("2025-06-06", "--as-of") == dt.date(2025, 6, 6)
    with pytest.raises(UsageError, match="--as-of: '2025-13-01' is not a date"):
        parse_date("2025-13-01", "--as-of")
    with pytest.raises(UsageError, match="more than 10 years outside the graph's valid time"):
        check_as_of(bundled, dt.date(2205, 6, 6))
    assert check_as_of(bundled, dt.date(2026, 1, 1)) == dt.date(2026, 1, 1)


def test_an_ill_typed_date_never_reaches_the_page(tmp_path):
    from kg.render import build_view

    path = tmp_path / "bad.ttl"
    path.write_text(
        f"""<{ID}policy/bad> a <{T}ExportControl> ; <http://www.w3.org/2000/01/rdf-schema#label> "Bad" ;
            <{T}inForceFrom> "2025-02-30"^^<{XSD_DATE}> ; <{T}announcedOn> "2025-02-01"^^<{XSD_DATE}> ;
            <{T}restricts> <{ID}commodity/widgets> .
        <{ID}commodity/widgets> a <{T}Commodity> .""",
        encoding="utf-8",
    )
    kg = load_graph([path], bundled=False)
    view = build_view(kg, as_of=dt.date(2025, 6, 1))
    node = view.graph.nodes[f"{ID}policy/bad"]
    assert node["valid_from"] == "2025-02-01" and node["intervals"] == [["2025-02-01", None]]
    assert "2025-02-30" not in str(node)
    assert Timeline(kg).active(str(URIRef(f"{ID}policy/bad")), dt.date(2025, 3, 1))


# -- levels over time ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "rate", "source"),
    [
        ("2030-04-09", None, None),  # not yet in force: no row
        ("2030-04-10", "145", "Order 1 (imposes the tariff) (stated by the source)"),
        ("2030-05-13", "145", "Order 1 (imposes the tariff) (stated by the source)"),
        (
            "2030-05-14",
            "30",
            "Order 2 (cuts it to 30%) (stated by the source)",
        ),  # the 145% step's end is its first day without effect
        ("2031-01-01", "30", "Order 2 (cuts it to 30%) (stated by the source)"),
    ],
)
def test_restrictions_in_force_print_the_rate_step_in_force_with_its_source(invoke, day, rate, source):
    import json

    path = ROOT / "tests" / "data" / "policy-state" / "rate-steps.trig"
    result = invoke(
        "--no-bundled", "--data", str(path), "query", "restrictions-in-force", "-p", "date", day, "-f", "json"
    )
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    if rate is None:
        assert rows == []
        return
    (row,) = rows
    assert (row["rate"], row["rateSource"], row["status"]) == (rate, source, "in force")


# -- the examples, through the command line ------------------------------------------


def test_paths_print_the_extended_interval_and_impact_its_status(invoke):
    """#12: the extended rollback counted active on 1 September 2025 printed "2025-05-14 to
    2025-08-12" (extensions ignored); the hop now shows the interval its extensions reach."""
    result = invoke(
        "paths", "Geneva agreement", "policy:us-reciprocal-tariffs-on-china", "--as-of", "2025-09-01", "-f", "json"
    )
    assert result.exit_code == 0, result.stderr
    (first, *_) = __import__("json").loads(result.stdout)
    hop = first["detail"][-1]
    assert (hop["valid_from"], hop["valid_until"]) == ("2025-05-14", "2026-11-10")
    assert all(e["kind"] for h in first["detail"] for e in h["evidence"])  # every quote says how it is known


def test_a_plain_turtle_fact_shows_its_source_in_impact_and_paths(invoke):
    """examples/my-facts.ttl has no named graphs: Acme's dependency cites its source with
    prov:wasDerivedFrom on the company, which impact and paths now show."""
    import json

    args = ("--data", str(ROOT / "examples" / "my-facts.ttl"))
    result = invoke(*args, "impact", "China rare-earth export controls", "--as-of", "2025-06-06", "-f", "json")
    assert result.exit_code == 0, result.stderr
    acme = {r["label"]: r for r in json.loads(result.stdout)}["Acme Motors"]
    assert "Supplier survey, June 2025 (internal)" in acme["sources"]
    paths = invoke(*args, "paths", "China rare-earth export controls", "Acme", "--as-of", "2025-06-06", "-f", "json")
    assert paths.exit_code == 0, paths.stderr
    detail = json.loads(paths.stdout)[0]["detail"]
    last = detail[-1]["evidence"]
    assert [e["source"] for e in last] == ["Supplier survey, June 2025 (internal)"]
    assert last[0]["kind"] is None  # a plain file says no evidence kind: none is invented


def test_read_node_by_node_or_all_at_once_alike(bundled, synthetic, monkeypatch):
    """Timeline reads nodes one by one at first, then everything property by property."""
    from kg import validtime

    for kg in (bundled, synthetic):
        nodes = every_node(kg)
        monkeypatch.setattr(validtime, "BULK_AFTER", 10**9)
        one_by_one = Timeline(kg)
        read = {n: one_by_one.facts(n) for n in nodes}
        assert one_by_one._bulk is None
        monkeypatch.setattr(validtime, "BULK_AFTER", 0)
        at_once = Timeline(kg)
        assert [n for n in nodes if read[n] != at_once.facts(n)] == []
        assert at_once._bulk is not None
