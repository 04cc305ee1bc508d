"""`kg validate` and provenance coverage: the bundled graph conforms; gaps are named."""

from __future__ import annotations

import json

from conftest import ROOT
from kg.graph import load_graph
from kg.validate import provenance_gaps, validate

PREFIXES = """@prefix tkg: <https://w3id.org/tradekg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix company: <https://w3id.org/tradekg/id/company/> .
@prefix assertion: <https://w3id.org/tradekg/id/assertion/> .
"""


def test_bundled_graph_conforms(kg):
    report = validate(kg)
    assert report.conforms, [(r.focus_label, r.path, r.message) for r in report.results if r.severity == "Violation"]
    assert report.shapes >= 10
    assert report.triples > 1500


def test_every_subject_of_the_bundled_data_has_a_source(kg):
    assert provenance_gaps(kg) == []
    # and the check is not vacuous: the bundled data does put its facts in sourced graphs
    assert kg.ask("""ASK { GRAPH ?g { ?s a ?c } ?c rdfs:subClassOf* tkg:Policy .
                           ?g a tkg:Assertion ; prov:wasDerivedFrom ?src . ?src a/rdfs:subClassOf* tkg:Source }""")


def test_every_named_graph_of_the_bundled_data_is_a_described_assertion(kg):
    rows = kg.select("""SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o }
                         FILTER(?g != <https://w3id.org/tradekg/ontology>)
                         FILTER NOT EXISTS { ?g a tkg:Assertion ; prov:wasDerivedFrom ?src ; tkg:evidenceKind ?k } }""")
    assert rows == []


def test_unsourced_entity_and_graph_are_reported(tmp_path):
    path = tmp_path / "unsourced.trig"
    path.write_text(
        PREFIXES
        + """
company:orphan a tkg:Company ; rdfs:label "Orphan Ltd"@en .
assertion:nameless { company:other a tkg:Company ; rdfs:label "Other plc"@en . }
"""
    )
    graph = load_graph([path], bundled=False)
    gaps = {(r.focus_label, r.path): r for r in provenance_gaps(graph)}
    assert ("Orphan Ltd", "prov:wasDerivedFrom") in gaps
    assert ("Other plc", "prov:wasDerivedFrom") in gaps
    assert ("assertion:nameless", "prov:wasDerivedFrom") in gaps
    assert gaps[("Orphan Ltd", "prov:wasDerivedFrom")].source_file == str(path)
    assert not validate(graph).conforms


def test_cli_validate_ok_exits_0_with_one_line(invoke):
    result = invoke("validate")
    assert result.exit_code == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("conforms: ")


def test_cli_validate_violations_exit_1_with_a_table(invoke, tmp_path):
    path = tmp_path / "bad-claim.ttl"
    path.write_text(
        PREFIXES
        + """
@prefix claim: <https://w3id.org/tradekg/id/claim/> .
@prefix source: <https://w3id.org/tradekg/id/source/> .
claim:floating a tkg:Claim ; rdfs:label "A claim nobody made"@en ; prov:wasDerivedFrom source:econotimes-1712529 .
"""
    )
    result = invoke("validate", str(path))
    assert result.exit_code == 1
    out = result.stdout
    assert "A claim nobody made" in out and "tkg:claimant" in out
    assert "bad-claim.ttl" in out
    assert out.strip().splitlines()[-1].startswith("does not conform: ")
    as_json = json.loads(invoke("validate", str(path), "-f", "json").stdout)
    assert as_json["conforms"] is False
    assert any(r["property"] == "tkg:claimant" and r["entity"] == "A claim nobody made" for r in as_json["results"])


def test_cli_validate_syntax_error_exits_2(invoke, tmp_path):
    path = tmp_path / "syntax.ttl"
    path.write_text(PREFIXES + 'company:x a tkg:Company ;\n  rdfs:label "unterminated .\n')
    result = invoke("validate", str(path))
    assert result.exit_code == 2
    assert f"{path}:" in result.stderr and result.stdout == ""


def test_worked_example_conforms(invoke):
    result = invoke("validate", str(ROOT / "examples" / "my-facts.ttl"))
    assert result.exit_code == 0, result.stdout


TKG = (
    "@prefix tkg: <https://w3id.org/tradekg/ontology#> .\n"
    "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
    "@base <https://w3id.org/tradekg/id/> .\n"
)


def test_undeclared_terms_and_cycles_are_violations_with_a_hint(tmp_path):
    path = tmp_path / "x.ttl"
    path.write_text(
        TKG
        + "<policy/a> a tkg:Tarif ; tkg:imposedby <government/china> ; tkg:extends <policy/b> .\n"
        + "<policy/b> a tkg:Tariff ; tkg:extends <policy/c> .\n"
        + "<policy/c> a tkg:Tariff ; tkg:extends <policy/a> .\n"
        + "<policy/d> a tkg:Tariff ; tkg:suspends <policy/d> .\n"
        + '<policy/e> a tkg:Tariff ; tkg:rate "12,5"^^xsd:decimal .\n'
    )
    report = validate(load_graph([path]))
    found = {(r.path, r.message) for r in report.results if "No source" not in r.message}
    messages = " | ".join(m for _, m in found)
    assert "Unknown class tkg:Tarif: the ontology declares no such term (did you mean tkg:Tariff?)." in messages
    assert "Unknown property tkg:imposedby" in messages and "did you mean tkg:imposedBy?" in messages
    cycles = sorted(m.split(":", 1)[1].split(":")[0] for p, m in found if "cycle" in m)
    assert cycles == [
        "extends goes round in a cycle (policy",
        "suspends goes round in a cycle (policy",
    ]
    assert any("(policy:a → policy:b → policy:c → policy:a)" in m for _, m in found)
    assert any("(policy:d → policy:d)" in m for _, m in found)
    assert (
        "tkg:rate",
        'Ill-typed literal "12,5": not a valid xsd:decimal, so no date or number comparison '
        "can use it; correct the value.",
    ) in found
    # the bundled graph has none of these
    assert not [r for r in validate(load_graph()).results]
