"""The date-window index (kg/windows.py) answers the four shipped date-window queries exactly
as the queries do: on the bundled graph, on every conformance case and rate-step fixture (each
on every date at which anything in it changes, the day before and the day after, under the
three claims modes), on a worked example encoded here, and on a synthetic graph; it declines
what it cannot compare, is kept beside a persistent store's generation, and is what
``kg query`` / ``kg timeline`` / ``kg diff`` read."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from rdflib import Literal
from rdflib.namespace import XSD
from test_conformance import CASES
from test_validtime import BASE, worlds

from kg import windows
from kg.graph import load_graph, load_into_store
from kg.index import _version
from kg.queries import catalogue, execute, run_query
from kg.validtime import Timeline

HERE = Path(__file__).resolve().parent
FIXTURES = [*CASES, HERE / "data" / "policy-state" / "rate-steps.trig"]
#: Columns that are lists ("a; b"): their order is the engine's, compared as sets.
LISTS = {
    "sources",
    "evidence",
    "imposers",
    "commodities",
    "targets",
    "relaxedBy",
    "rateSource",
    "basis",
    "participants",
}
LISTS |= {"reportedBy"}


def day(value: str | dt.date) -> Literal:
    return Literal(str(value), datatype=XSD.date)


def normal(rows: list[dict]) -> list[tuple]:
    out = []
    for row in rows:
        cells = []
        for key, value in row.items():
            text = tuple(sorted(str(value).split("; "))) if key in LISTS else str(value)
            cells.append(
                (
                    key,
                    text,
                    type(value).__name__,
                    str(getattr(value, "datatype", "")),
                    value.language if isinstance(value, Literal) else None,
                )
            )
        out.append(tuple(sorted(cells)))
    return sorted(out)


def by_query(kg, name: str, bindings: dict) -> list[dict]:
    result = run_query(kg, catalogue()[name].text, bindings, timeout=None)
    return [{k: v for k, v in row.items() if k not in bindings} for row in result.rows]


def by_index(kg, name: str, bindings: dict) -> list[dict]:
    found = windows.answer(kg, name, bindings)
    assert found is not None, f"the index did not answer {name}"
    return found[1]


def compiled(kg) -> windows.WindowIndex:
    index = windows.build_windows(kg)
    kg.__dict__["_window_index"] = (_version(kg), index)
    return index


def questions(dates: list[dt.date]):
    """Every shipped window question over ``dates``: each date, windows ending on it."""
    for i, d in enumerate(dates):
        first = dates[max(0, i - 3)]
        for claims in ("include", "exclude", "confirmed-only"):
            yield "restrictions-in-force", {"date": day(d), "claims": Literal(claims)}
            yield "changes-between", {"from": day(first), "to": day(d), "claims": Literal(claims)}
        yield "timeline", {"from": day(first), "to": day(d)}
        yield "planned-events", {"date": day(d)}


def graph_dates(kg) -> list[dt.date]:
    rows = kg.select_values("SELECT DISTINCT ?d WHERE { ?x ?p ?d FILTER (datatype(?d) = xsd:date) }")
    found: set[dt.date] = {dt.date(2000, 1, 1), dt.date(2100, 1, 1)}
    for row in rows:
        try:
            d = dt.date.fromisoformat(row["d"])
        except ValueError:
            continue
        found |= {d - dt.timedelta(days=1), d, d + dt.timedelta(days=1)}
    return sorted(found)


def assert_same(kg, dates: list[dt.date]) -> int:
    """Every question on ``dates`` answered equal both ways; the number of rows compared."""
    seen = 0
    for name, bindings in questions(dates):
        expected = by_query(kg, name, bindings)
        got = by_index(kg, name, bindings)
        assert normal(got) == normal(expected), (name, {k: str(v) for k, v in bindings.items()})
        if name == "restrictions-in-force":  # and in the query's order
            key = [(str(r.get("imposer", "")), str(r.get("policyLabel", "")), str(r["policy"])) for r in got]
            assert key == [
                (str(r.get("imposer", "")), str(r.get("policyLabel", "")), str(r["policy"])) for r in expected
            ]
        else:
            assert [r.get("date", r.get("plannedFor")) for r in got] == [
                r.get("date", r.get("plannedFor")) for r in expected
            ]
        seen += len(expected)
    return seen


@pytest.fixture(scope="module")
def bundled():
    kg = load_graph()
    compiled(kg)
    return kg


def test_bundled_graph_on_every_date_that_matters(bundled):
    assert assert_same(bundled, graph_dates(bundled)) > 1000


def test_the_answers_are_not_empty(bundled):
    """The equality above is not between two empty answers."""
    rif = by_index(bundled, "restrictions-in-force", {"date": day("2025-06-06"), "claims": Literal("exclude")})
    labels = {str(r.get("policyLabel")) for r in rif}
    assert any("rare" in label.lower() for label in labels)
    assert any(str(r["status"]) != "in force" or r.get("relaxedBy") for r in rif)
    assert by_index(bundled, "timeline", {"from": day("2025-04-01"), "to": day("2025-06-30")})
    changes = by_index(
        bundled, "changes-between", {"from": day("2025-04-01"), "to": day("2025-06-30"), "claims": Literal("include")}
    )
    assert changes


@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_every_fixture_on_every_date_that_matters(path):
    kg = load_graph([path], bundled=False)
    compiled(kg)
    assert_same(kg, graph_dates(kg))


WORKED = textwrap.dedent(
    """\
    @prefix tkg: <https://w3id.org/tradekg/ontology#> .
    @prefix source: <https://w3id.org/tradekg/id/source/> .
    @prefix country: <https://w3id.org/tradekg/id/country/> .
    @prefix graph: <https://w3id.org/tradekg/id/assertion/> .
    @prefix policy: <https://w3id.org/tradekg/id/policy/> .
    @prefix step: <https://w3id.org/tradekg/id/rate-step/> .
    @prefix claim: <https://w3id.org/tradekg/id/claim/> .
    @prefix event: <https://w3id.org/tradekg/id/event/> .
    @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
    @prefix prov: <http://www.w3.org/ns/prov#> .

    source:memo rdfs:label "Memo" ; tkg:recordedOn "2025-01-05"^^xsd:date .
    country:a rdfs:label "A" . country:b rdfs:label "B" .
    graph:duty {
      policy:duty a tkg:Tariff ; rdfs:label "Duty" ; tkg:imposedBy country:a ;
          tkg:targetCountry country:b ; tkg:inForceFrom "2025-02-01"^^xsd:date ; tkg:rate 20 ;
          tkg:rateStep step:high .
      step:high tkg:rate 50 ; tkg:inForceFrom "2025-03-01"^^xsd:date ; tkg:plannedEnd "2025-04-01"^^xsd:date .
    }
    graph:duty prov:wasDerivedFrom source:memo ; tkg:quote "A puts a duty on B." .
    graph:pause {
      policy:pause a tkg:Rollback ; rdfs:label "Pause" ; tkg:relaxes policy:duty ; tkg:suspends policy:duty ;
          tkg:inForceFrom "2025-05-01"^^xsd:date ; tkg:plannedEnd "2025-06-01"^^xsd:date .
      policy:pause-2 a tkg:Rollback ; rdfs:label "Pause extended" ; tkg:extends policy:pause ;
          tkg:inForceFrom "2025-06-01"^^xsd:date ; tkg:plannedEnd "2025-07-01"^^xsd:date .
      policy:waiver a tkg:Relaxation ; rdfs:label "Waiver" ; tkg:relaxes policy:duty ;
          tkg:inForceFrom "2025-08-01"^^xsd:date ; tkg:restsOnClaim claim:waiver .
      claim:waiver a tkg:Claim ; rdfs:label "A says it waived the duty" ; tkg:claimDate "2025-08-01"^^xsd:date ;
          tkg:confirmationStatus tkg:Unconfirmed .
      event:talks a tkg:Talks ; rdfs:label "Talks" ; tkg:date "2025-09-15"^^xsd:date .
    }
    graph:levy {
      policy:levy a tkg:Tariff ; rdfs:label "Levy" ; tkg:inForceFrom "2025-01-01"^^xsd:date .
      policy:halt a tkg:Rollback ; rdfs:label "Halt" ; tkg:suspends policy:levy ; tkg:relaxes policy:levy ;
          tkg:inForceFrom "2025-04-01"^^xsd:date ; tkg:plannedEnd "2025-05-01"^^xsd:date .
      policy:halt-again a tkg:Rollback ; rdfs:label "Halt again" ; tkg:extends policy:halt ;
          tkg:inForceFrom "2025-06-01"^^xsd:date ; tkg:plannedEnd "2025-07-01"^^xsd:date .
      policy:fee a tkg:Tariff ; rdfs:label "Fee" ; tkg:inForceFrom "2025-01-01"^^xsd:date ;
          tkg:actualEnd "2025-05-01"^^xsd:date .
      policy:freeze a tkg:Rollback ; rdfs:label "Freeze" ; tkg:suspends policy:fee ; tkg:relaxes policy:fee ;
          tkg:inForceFrom "2025-04-01"^^xsd:date .
    }
    graph:levy prov:wasDerivedFrom source:memo .
    graph:pause prov:wasDerivedFrom source:memo .
    """
)


@pytest.fixture(scope="module")
def worked_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("worked") / "worked.trig"
    path.write_text(WORKED, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def worked(worked_file):
    kg = load_graph([worked_file], bundled=False)
    compiled(kg)
    return kg


def rif(kg, d: str, claims: str = "exclude") -> dict[str, dict]:
    rows = by_index(kg, "restrictions-in-force", {"date": day(d), "claims": Literal(claims)})
    return {str(r["policyLabel"]): {k: str(v) for k, v in r.items()} for r in rows}


def test_worked_example_by_hand(worked):
    """Worked out by hand from the dates above, then held equal to the query."""
    assert "Duty" not in rif(worked, "2025-01-31")  # not yet in force
    feb = rif(worked, "2025-02-01")["Duty"]
    assert (feb["status"], feb["rate"], feb.get("rateSource")) == ("in force", "20", None)
    march = rif(worked, "2025-03-15")["Duty"]  # the 50 % step runs, its source named
    assert (march["rate"], march["rateSource"]) == ("50", "Memo")
    assert rif(worked, "2025-04-01")["Duty"]["rate"] == "20"  # the step's planned end: back to the rate
    may = rif(worked, "2025-05-20")["Duty"]  # suspended; its extension carries the pause to July
    assert may["status"] == "suspended until 2025-07-01"
    assert may["relaxedBy"] == "Pause (until 2025-06-01) [suspends it]"
    june = rif(worked, "2025-06-15")["Duty"]
    assert june["relaxedBy"] == "Pause (extended beyond its planned end 2025-06-01) [suspends it]"
    assert rif(worked, "2025-07-01")["Duty"]["status"] == "in force"
    # the waiver rests on an unconfirmed claim: listed only when claims are included
    assert "relaxedBy" not in rif(worked, "2025-08-02", "exclude")["Duty"]
    assert "relaxedBy" not in rif(worked, "2025-08-02", "confirmed-only")["Duty"]
    assert rif(worked, "2025-08-02", "include")["Duty"]["relaxedBy"] == ("Waiver [rests on a claim: unconfirmed]")
    timeline = by_index(worked, "timeline", {"from": day("2025-05-01"), "to": day("2025-06-01")})
    assert [(str(r["date"]), str(r["label"]), str(r["what"])) for r in timeline if "Pause" in str(r["label"])] == [
        ("2025-05-01", "Pause", "came into force"),
        ("2025-06-01", "Pause", "planned end (extended)"),
        ("2025-06-01", "Pause extended", "came into force"),
    ]
    # (FROM, TO]: nothing on FROM itself
    changes = by_index(
        worked, "changes-between", {"from": day("2025-05-01"), "to": day("2025-08-01"), "claims": Literal("exclude")}
    )
    kinds = [(str(r["date"]), str(r["kind"])) for r in changes]
    assert ("2025-05-01", "suspended or rolled back") not in kinds
    assert ("2025-06-01", "reached its planned end (carried on by an extension)") in kinds
    assert not any("Waiver" in str(r.get("byLabel", "")) for r in changes)
    planned = by_index(worked, "planned-events", {"date": day("2025-09-14")})
    assert [str(r["eventLabel"]) for r in planned] == ["Talks"]
    assert by_index(worked, "planned-events", {"date": day("2025-09-15")}) == []
    assert by_index(worked, "planned-events", {"date": day("2025-01-04")}) == []  # not known yet
    assert_same(worked, graph_dates(worked))


def test_the_day_a_suspension_lifts(worked):
    """The suspension's end, never the policy's, and never across a gap: the Levy's halt ends
    on 1 May and its extension starts on 1 June (it is not carried across the gap); the Fee
    ends on 1 May while suspended by a freeze with no end (it does not resume then)."""
    april = rif(worked, "2025-04-15")
    assert april["Levy"]["status"] == "suspended until 2025-05-01"
    assert april["Fee"]["status"] == "suspended (no end date)"
    assert rif(worked, "2025-05-15")["Levy"]["status"] == "in force"
    assert "Fee" not in rif(worked, "2025-05-15")
    assert rif(worked, "2025-06-15")["Levy"]["status"] == "suspended until 2025-07-01"


def test_declines_what_it_cannot_compare(tmp_path):
    """A date with a time zone is compared by the engine's rules: the query answers."""
    path = tmp_path / "tz.trig"
    path.write_text(WORKED.replace('"2025-09-15"^^xsd:date', '"2025-09-15Z"^^xsd:date'), encoding="utf-8")
    kg = load_graph([path], bundled=False)
    with pytest.raises(windows.Declined, match="2025-09-15Z"):
        windows.build_windows(kg)
    assert windows.window_index(kg) is None
    spec = catalogue()["timeline"]
    result, _ = execute(kg, spec, {"from": "2025-09-01", "to": "2025-09-30"}, timeout=None)
    assert [str(r["label"]) for r in result.rows] == ["Talks"]


def test_a_memory_store_compiles_on_its_second_question(worked_file):
    kg = load_graph([worked_file], bundled=False)
    spec = catalogue()["timeline"]
    execute(kg, spec, {"from": "2025-01-01", "to": "2025-12-31"}, timeout=None)
    assert "_window_index" not in kg.__dict__  # one question: the query answered
    execute(kg, spec, {"from": "2025-01-01", "to": "2025-12-31"}, timeout=None)
    assert kg.__dict__["_window_index"][1] is not None


def test_persistent_store_keeps_it_beside_the_generation(tmp_path, worked_file, monkeypatch):
    spec = f"oxigraph:{tmp_path / 'store'}"
    load_into_store(spec, [worked_file], bundled=False)
    saved = sorted(p.name for p in (tmp_path / "store").glob("*.windows.npz"))
    assert saved == ["g-000001.windows.npz"]
    kg = load_graph(store=spec)
    index = windows.window_index(kg, build=False)
    assert index is not None
    assert_same(kg, [dt.date(2025, 5, 20), dt.date(2025, 8, 2), dt.date(2025, 9, 14)])
    # the index answers `kg query`: the query is not run
    monkeypatch.setattr("kg.queries.run_query", lambda *a, **k: pytest.fail("the query ran"))
    result, _ = execute(kg, catalogue()["restrictions-in-force"], {"date": "2025-05-20"}, timeout=None)
    assert {str(r["policyLabel"]): str(r["status"]) for r in result.rows} == {
        "Duty": "suspended until 2025-07-01",
        "Levy": "in force",
    }
    monkeypatch.undo()
    # a damaged file is compiled again
    (tmp_path / "store" / "g-000001.windows.npz").write_bytes(b"not a zip")
    kg = load_graph(store=spec)
    assert windows.window_index(kg) is not None
    assert windows.WindowIndex.open(tmp_path / "store" / "g-000001.windows.npz") is not None


def test_a_changed_query_file_fails_loudly(monkeypatch):
    monkeypatch.setattr(windows, "_PLANNED_LIFTED", ("FILTER (no such line)",))
    with pytest.raises(RuntimeError, match="planned-events.rq"):
        windows.build_windows(load_graph())


def test_synthetic_graph(tmp_path):
    """A generated graph (rate steps, suspensions without commodities, claims) on 5 dates x 3
    claims modes."""
    import subprocess
    import sys

    out = tmp_path / "s.nq"
    generator = HERE.parent / "bench" / "generate.py"
    subprocess.run([sys.executable, str(generator), "--triples", "20000", "--seed", "7", "-o", str(out)], check=True)
    kg = load_graph([out], bundled=False)
    compiled(kg)
    assert (
        assert_same(
            kg,
            [dt.date(2024, 6, 1), dt.date(2025, 1, 1), dt.date(2025, 6, 6), dt.date(2026, 3, 1), dt.date(2027, 1, 1)],
        )
        > 500
    )


#: found by hypothesis: a relaxation with an ill-typed planned end in force beside another:
#: Oxigraph's GROUP_CONCAT over its failed words leaves relaxedBy unbound for both
_P = "<https://w3id.org/tradekg/id/policy/p{}>".format
_T = "<https://w3id.org/tradekg/ontology#{}>".format
_A, _CONTROL = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>", _T("ExportControl")
_D = '"{}"^^<http://www.w3.org/2001/XMLSchema#date>'.format
_ILL_TYPED_BESIDE_ANOTHER = (
    5,
    "".join(
        f"{s} {p} {o} .\n"
        for s, p, o in [
            *[(_P(i), _A, _CONTROL) for i in range(5)],
            (_P(1), _T("announcedOn"), _D("2030-01-01")),
            (_P(2), _T("announcedOn"), _D("2030-01-01")),
            (_P(2), _T("plannedEnd"), _D("2030-02-30")),
            (_P(3), _T("announcedOn"), _D("2030-01-01")),
            (_P(1), _T("suspends"), _P(3)),
            (_P(2), _T("suspends"), _P(3)),
        ]
    ),
)


@settings(max_examples=80, deadline=None)
@given(world=worlds(), offsets=st.lists(st.integers(-2, 64), min_size=3, max_size=6))
@example(world=_ILL_TYPED_BESIDE_ANOTHER, offsets=[0, 0, 0])
def test_random_worlds_agree(tmp_path_factory, world, offsets):
    """Random small worlds of restrictions (random dates, ill-typed ones too; extensions,
    suspensions that also relax, clauses, a scoped suspension): the index, the query and
    ``Timeline.status`` give the same rows and the same words, "suspended until D" included."""
    n, text = world
    text += "".join(
        line.replace("#suspends>", "#relaxes>") + "\n" for line in text.splitlines() if "#suspends>" in line
    )
    path = tmp_path_factory.mktemp("world") / "world.ttl"
    path.write_text(text, encoding="utf-8")
    kg = load_graph([path], bundled=False)
    compiled(kg)
    timeline = Timeline(kg)
    for offset in offsets:
        d = BASE + dt.timedelta(days=offset)
        for claims in ("include", "exclude"):
            bindings = {"date": day(d), "claims": Literal(claims)}
            got = by_index(kg, "restrictions-in-force", bindings)
            assert normal(got) == normal(by_query(kg, "restrictions-in-force", bindings)), (d, text)
        for row in got:
            words = timeline.status(str(row["policy"]), d)
            assert str(row["status"]) == (words if words.startswith("suspended") else "in force"), (d, text)
