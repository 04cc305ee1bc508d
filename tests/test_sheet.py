"""Fact sheets (issue #15, part B.1): an analyst's YAML compiled to TriG, one assertion per
fact; every error names the sheet's line; drafts stay out until confirmed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import ROOT
from kg.graph import load_graph
from kg.namespaces import ID, TKG
from kg.sheet import compile_sheet

EXAMPLE = ROOT / "examples" / "fact-sheet.yaml"
BAN = f"{ID}policy/example-widget-export-ban"


@pytest.fixture(scope="module")
def example():
    return compile_sheet(load_graph(), EXAMPLE)


def test_the_worked_example_compiles_one_assertion_per_confirmed_fact(example):
    assert example.facts == 3 and example.drafts == [51]
    ds = example.dataset
    meta = ds.default_graph
    assertions = sorted(str(a) for a in meta.subjects(predicate=None, object=TKG.Assertion))
    assert assertions == [f"{ID}assertion/example-widget-ban-2026-{n:02d}" for n in (1, 2, 3)]
    kinds = {str(a).rsplit("-", 1)[1]: str(k) for a, k in meta.subject_objects(TKG.evidenceKind)}
    assert kinds == {"01": str(TKG.SourceStatement), "02": str(TKG.PublisherAnalysis), "03": str(TKG.CuratorInference)}
    # the date's precision follows from how it is written, as the ontology pairs them
    first = ds.graph(f"{ID}assertion/example-widget-ban-2026-01")
    from rdflib import URIRef

    ban = URIRef(BAN)
    assert str(first.value(ban, TKG.inForceFrom)) == "2026-03-01"
    assert first.value(ban, TKG.inForceFromPrecision) == TKG.DayPrecision
    # a name the graph knows becomes its IRI
    assert str(first.value(ban, TKG.imposedBy)) == f"{ID}government/china"
    # the draft (licences) is nowhere
    assert not any(f"{ID}policy/example-widget-licences" in str(t) for q in ds.quads() for t in q)
    # the lines each entity and fact were written on
    assert example.lines[BAN] == 25 and example.lines[f"{ID}assertion/example-widget-ban-2026-01"] == 21


def test_validate_reads_a_sheet_directly_and_compile_writes_what_kg_loads(invoke, tmp_path):
    result = invoke("validate", str(EXAMPLE))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "1 draft fact(s) left out (line 51)" in result.stderr
    out = tmp_path / "facts.trig"
    result = invoke("compile", str(EXAMPLE), "-o", str(out))
    assert result.exit_code == 0 and "wrote" in result.stderr and "3 fact(s)" in result.stderr
    result = invoke("--data", str(out), "impact", "Example widget export ban", "--as-of", "2026-03-01", "-f", "json")
    assert result.exit_code == 0, result.stderr
    rows = {r["target"]: r for r in json.loads(result.stdout)}
    # widgets -> magnets (the publisher's analysis) -> the automakers
    auto = rows[f"{ID}industry/automotive"]
    assert auto["status"] == "restricted"
    assert "publisher's analysis" in auto["evidence"]
    before = invoke("--data", str(out), "impact", "Example widget export ban", "--as-of", "2026-02-28")
    assert "reaches no industry" in before.stderr


def test_a_violation_names_the_sheet_line_of_the_entity(invoke, tmp_path):
    sheet = tmp_path / "no-imposer.yaml"
    sheet.write_text(EXAMPLE.read_text().replace("        imposed_by: Chinese government\n", ""))
    result = invoke("validate", str(sheet), "-f", "json")
    assert result.exit_code == 1
    (found,) = json.loads(result.stdout)["results"]
    assert found["property"] == "tkg:imposedBy" and found["file"] == f"{sheet}:25"


def _edit(old: str, new: str) -> str:
    text = EXAMPLE.read_text()
    assert old in text
    return text.replace(old, new, 1)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (_edit("date: 2026-02-10 ", "date: 2026-02-30 "), ":18: date '2026-02-30' does not exist"),
        (_edit("imposed_by:", "imposed_bye:"), ":29: unknown field 'imposed_bye' (did you mean imposed_by"),
        (_edit("imposed_by: Chinese government", "imposed_by: Chinese governmnet"), ":29: no entity 'Chinese governmnet'; did you mean"),  # noqa: E501
        (_edit("type: ExportControl", "type: ExportKontrol"), ":26: type 'ExportKontrol' is not a class of the ontology (did you mean ExportControl"),  # noqa: E501
        (_edit("evidence: stated ", "evidence: rumour "), ":22: evidence 'rumour': write one of 'curator inference', \"curator's inference\", 'inference'"),  # noqa: E501
        (_edit("quality: verified, secondary  ", "quality: solid  "), ":23: quality 'solid': write one of"),
        (_edit("status: draft", "status: maybe"), ":54: status 'maybe': write 'confirmed' or 'draft'"),
        (_edit('  - quote: "Widgets go', '  - note: "Widgets go'), ":37: a stated fact or a publisher's analysis needs the source's words"),  # noqa: E501
        (_edit("  - reasoning:", "  - note:"), ":44: a curator's inference needs 'reasoning'"),
        (_edit("restricts: commodity:example-widgets", "restricts: [unclosed"), ":33: not YAML"),
        ("source: !!python/object/apply:os.system ['true']\nfacts: []\n", ":1: not YAML"),
        ("- just a list\n", ":1: a fact sheet is a mapping"),
    ],
    ids=[
        "date", "field", "entity", "type", "evidence", "quality", "status", "quote", "reasoning", "yaml",
        "python-tag", "not-a-mapping",
    ],
)  # fmt: skip
def test_bad_sheets_are_one_line_with_the_line_and_nothing_written(invoke, tmp_path, text, message):
    sheet = tmp_path / "sheet.yaml"
    sheet.write_text(text, encoding="utf-8")
    out = tmp_path / "facts.trig"
    for args in (["compile", str(sheet), "-o", str(out)], ["validate", str(sheet)]):
        result = invoke(*args)
        assert result.exit_code == 2, (args, result.stdout, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"kg: error: {sheet}"), lines
        assert message in lines[0], lines[0]
        assert not out.exists()


def test_a_quote_is_data_in_the_trig(tmp_path):
    hostile = 'He said: """} GRAPH <x> { <a> <b> <c> } <script>alert(1)</script>\\n'
    sheet = tmp_path / "sheet.yaml"
    sheet.write_text(_edit(
        "quote: \"China's commerce ministry said on Tuesday it would ban exports of widgets from March 1.\"",
        "quote: " + json.dumps(hostile),
    ))  # fmt: skip
    compiled = compile_sheet(load_graph(), sheet)
    trig = tmp_path / "facts.trig"
    trig.write_bytes(compiled.dataset.serialize(format="trig").encode())
    kg = load_graph([trig], bundled=True)
    rows = kg.select_values(
        "SELECT ?q WHERE { ?g tkg:quote ?q FILTER (STRSTARTS(STR(?g), STR(assertion:example-widget-ban-2026-01))) }"
    )
    assert [r["q"] for r in rows] == [hostile]


def test_kg_compile_runs_as_an_installed_command(tmp_path):
    import shutil
    import subprocess

    kg = shutil.which("kg") or str(Path(__import__("sys").executable).parent / "kg")
    out = tmp_path / "facts.trig"
    done = subprocess.run([kg, "compile", str(EXAMPLE), "-o", str(out)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "assertion/example-widget-ban-2026-03" in out.read_text()
