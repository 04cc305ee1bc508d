"""The policy-state conformance suite: tiny graphs with answers worked out by hand.

Each ``tests/data/conformance/*.trig`` file says in its header what ``kg impact SOURCE`` must
answer for each target on several dates (``# expect D: target=status; ...``) and which
policies, events and claims are active then (``# active D: node=true; ...``). The statuses are
checked through the library and, for one fixture a pattern, through the command line; activity
through both definitions of it: :class:`kg.validtime.Timeline` and the shipped SPARQL
(``inactive.rq``, built from the fragments in ``queries/*.rqf``).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from rdflib import Literal
from rdflib.namespace import XSD

from kg.graph import load_graph
from kg.impact import impact
from kg.namespaces import ID
from kg.network import project
from kg.queries import catalogue
from kg.validtime import Timeline

HERE = Path(__file__).resolve().parent / "data" / "conformance"
CASES = sorted(HERE.glob("*.trig"))
_LINE = re.compile(
    r"^#\s*(?P<key>case|pattern|source|options|expect|active)(?:\s+(?P<day>\d{4}-\d\d-\d\d))?:\s*(?P<v>.*)$"
)


def header(path: Path) -> dict:
    """The directives of a fixture's header."""
    out: dict = {"expect": {}, "active": {}, "options": {}}
    for line in path.read_text(encoding="utf-8").splitlines():
        m = _LINE.match(line.strip())
        if not m:
            continue
        key, day, value = m["key"], m["day"], m["v"].strip()
        if key in ("expect", "active"):
            pairs = [p.split("=", 1) for p in value.split(";") if p.strip()]
            out[key][dt.date.fromisoformat(day)] = {f"{ID}{k.strip()}": v.strip() for k, v in pairs}
        elif key == "options":
            out["options"] = dict(p.split("=", 1) for p in value.split())
        else:
            out[key] = value
    return out


def category(status: str) -> str:
    """The status word a fixture names: ``relieved: X`` -> relieved; ``suspended until D by X``
    -> ``suspended until D``."""
    if status.startswith("suspended"):
        return status.split(" by ")[0]
    return status.split(":")[0]


def test_the_suite_covers_every_pattern_the_issue_names():
    patterns = {header(p)["pattern"] for p in CASES}
    assert len(CASES) >= 30
    for family in (
        "start-in-force",
        "start-announced",
        "start-event",
        "end-planned",
        "end-actual",
        "extension",
        "extension-chain",
        "suspension-before",
        "suspension-during",
        "suspension-after",
        "relief-commodity",
        "relief-destination",
        "relief-destination-sole-target",
        "relief-beneficiary",
        "relief-none-scope",
        "clause",
        "two-restrictions",
        "sign-composition",
        "claims",
        "record-time",
        "ill-typed",
    ):
        assert family in patterns, family


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_statuses_on_each_date(path):
    spec = header(path)
    kg = load_graph([path], bundled=False)
    source = f"{ID}{spec['source']}"
    options = spec["options"]
    known_by = dt.date.fromisoformat(options["known-by"]) if "known-by" in options else None
    for day, expected in spec["expect"].items():
        net = project(kg, day, known_by, options.get("claims", "exclude"), sources=[source])
        found = {r.target: category(r.status) for r in impact(net, source)}
        got = {target: found.get(target, "not reached") for target in expected}
        assert got == expected, f"{path.name} as of {day}"


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_activity_by_both_definitions(path):
    spec = header(path)
    if not spec["active"]:
        pytest.skip("no active lines")
    kg = load_graph([path], bundled=False)
    timeline = Timeline(kg)
    inactive = catalogue()["inactive"]
    for day, expected in spec["active"].items():
        bound = {"date": Literal(day.isoformat(), datatype=XSD.date), "claims": Literal("include")}
        out = {r["node"] for r in kg.select_values(inactive.text, bound)}
        for node, value in expected.items():
            want = value == "true"
            assert timeline.active(node, day) is want, f"{path.name}: Python, {node} on {day}"
            assert (node not in out) is want, f"{path.name}: SPARQL, {node} on {day}"


def test_one_case_through_the_command_line(invoke):
    path = HERE / "35-clause.trig"
    args = ["--no-bundled", "--data", str(path), "impact", "policy:announcement", "--as-of", "2030-06-01"]
    result = invoke(*args, "-f", "json")
    assert result.exit_code == 0, result.stderr
    by = {r["target"]: r["status"] for r in json.loads(result.stdout)}
    assert by[f"{ID}industry/gadgets"] == "restricted"
    assert by[f"{ID}industry/doohickeys"].startswith("suspended until 2031-03-01 by One-year pause")


WITH_RESTRICTIONS = [p for p in CASES if re.search(r"a tkg:(ExportControl|Tariff|Restriction)\b", p.read_text("utf-8"))]


@pytest.mark.parametrize("path", WITH_RESTRICTIONS, ids=[p.stem for p in WITH_RESTRICTIONS])
def test_restrictions_in_force_follow_the_engine(path):
    """``restrictions-in-force`` lists exactly the restrictions present on each date (in force or
    suspended), with the status :meth:`Timeline.status` gives: its own "suspended until" formula
    and the engine's must agree."""
    spec = header(path)
    kg = load_graph([path], bundled=False)
    timeline = Timeline(kg)
    query = catalogue()["restrictions-in-force"]
    restrictions = {
        r["x"] for r in kg.select_values("SELECT DISTINCT ?x WHERE { ?x a/rdfs:subClassOf* tkg:Restriction }", {})
    }
    assert restrictions, path.name
    for day in spec["expect"]:
        bound = {"date": Literal(day.isoformat(), datatype=XSD.date), "claims": Literal("include")}
        rows = {r["policy"]: r["status"] for r in kg.select_values(query.text, bound)}
        want = {p: timeline.status(p, day) for p in restrictions if timeline.present(p, day)}
        assert rows == want, f"{path.name} as of {day}"
