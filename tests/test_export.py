"""`kg export`: RDF keeps provenance; GraphML/GEXF carry labels, classes and signs; writes are atomic."""

from __future__ import annotations

import networkx as nx
from rdflib import Dataset, Graph, URIRef


def test_trig_export_round_trips_with_assertion_graphs(invoke, kg, tmp_path):
    out = tmp_path / "kg.trig"
    result = invoke("export", "-f", "trig", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    ds = Dataset().parse(out, format="trig")
    data_quads = kg.select(
        """SELECT (COUNT(*) AS ?n) WHERE {
        { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } FILTER(?g != <https://w3id.org/tradekg/ontology>) } }""",
        union=False,
    )[0]["n"]
    assert sum(1 for _ in ds.quads()) == int(data_quads)
    graphs = {str(c.identifier) for c in ds.graphs()}
    assert "https://w3id.org/tradekg/id/assertion/s07a-geneva-agreement" in graphs
    assert "https://w3id.org/tradekg/ontology" not in graphs


def test_turtle_focus_export_is_the_neighbourhood(invoke, tmp_path):
    out = tmp_path / "geneva.ttl"
    result = invoke("export", "--focus", "Geneva agreement", "--hops", "1", "-f", "turtle", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    g = Graph().parse(out, format="turtle")
    subjects = {str(s) for s in g.subjects()}
    assert "https://w3id.org/tradekg/id/policy/geneva-agreement" in subjects
    assert "https://w3id.org/tradekg/id/government/china" in subjects  # a party: one hop
    assert "https://w3id.org/tradekg/id/industry/defence" not in subjects  # far away


def test_graphml_has_labels_classes_colours_and_signs(invoke, tmp_path):
    out = tmp_path / "kg.graphml"
    assert invoke("export", "-f", "graphml", "-o", str(out)).exit_code == 0
    g = nx.read_graphml(out)
    node = g.nodes["https://w3id.org/tradekg/id/policy/china-rare-earth-export-controls"]
    assert node["label"] == "China rare-earth export controls"
    assert node["cls"] == "tkg:ExportControl"
    assert node["colour"].startswith("#")
    signs = {d["predicate"]: d["sign"] for _, _, d in g.edges(data=True)}
    assert signs["tkg:restricts"] == -1 and signs["tkg:relaxes"] == -1 and signs["tkg:party"] == 0


def test_gexf_export_reads_back(invoke, tmp_path):
    out = tmp_path / "kg.gexf"
    assert invoke("export", "-f", "gexf", "-o", str(out)).exit_code == 0
    g = nx.read_gexf(out)
    assert g.number_of_nodes() > 50 and g.number_of_edges() > 50


def test_jsonld_export_parses(invoke, tmp_path):
    out = tmp_path / "kg.jsonld"
    assert invoke("export", "-f", "jsonld", "-o", str(out)).exit_code == 0
    ds = Dataset().parse(out, format="json-ld")
    xi = URIRef("https://w3id.org/tradekg/id/person/xi-jinping")
    assert any(q[0] == xi for q in ds.quads((xi, None, None, None)))


def test_bad_output_paths_exit_2_and_write_nothing(invoke, tmp_path):
    missing = tmp_path / "no" / "such" / "kg.trig"
    result = invoke("export", "-o", str(missing))
    assert result.exit_code == 2 and "does not exist" in result.stderr
    assert not missing.parent.exists()
    folder = invoke("export", "-o", str(tmp_path))
    assert folder.exit_code == 2 and "is a folder" in folder.stderr
    assert list(tmp_path.iterdir()) == []


def test_failed_export_keeps_the_previous_file(invoke, tmp_path):
    out = tmp_path / "kg.trig"
    out.write_text("previous")
    result = invoke("export", "--focus", "No such entity", "-o", str(out))
    assert result.exit_code == 2
    assert out.read_text() == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["kg.trig"]
