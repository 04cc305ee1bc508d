"""Independent checks: a second RDF parser (raptor's rapper) and an OWL 2 DL reasoner (HermiT).

Both install with the test command (raptor2-utils from Debian; owlready2, which ships
HermiT, from the test extra; Java is on the machine).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from conftest import ROOT

RDF_FILES = sorted(
    [*ROOT.glob("ontology/*.ttl"), *ROOT.glob("data/*.trig"), *ROOT.glob("data/*.ttl"), *ROOT.glob("examples/*.ttl")]
)

# HermiT implements the OWL 2 datatype map only: xsd:date, xsd:gYear, xsd:duration and the
# project's own datatypes are outside it (measured: UnsupportedDatatypeException). They are
# dropped, with range axioms onto them, from the copy handed to the reasoner.
_OWL2_UNSUPPORTED = {
    XSD.date,
    XSD.gYear,
    XSD.gYearMonth,
    XSD.duration,
    URIRef("https://w3id.org/tradekg/ontology#HSCode"),
    URIRef("https://w3id.org/tradekg/ontology#ECCN"),
}


@pytest.mark.parametrize("path", RDF_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_rapper_parses(path: Path):
    assert shutil.which("rapper"), "rapper missing: scripts/test installs raptor2-utils"
    syntax = "trig" if path.suffix == ".trig" else "turtle"
    done = subprocess.run(["rapper", "-q", "-i", syntax, "-c", str(path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "rapper: Error" not in done.stderr


def test_rapper_rejects_what_it_should():
    # guard against a rapper that accepts anything
    done = subprocess.run(
        ["rapper", "-q", "-i", "turtle", "-c", "-", "http://example.org/"],
        input="<a> <b> [ .",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0


def hermit_copy(kg, tmp_path: Path) -> Path:
    merged = kg.to_rdflib(include_ontology=True)
    out = Graph()
    for s, p, o in merged:
        if isinstance(o, Literal) and o.datatype in _OWL2_UNSUPPORTED:
            continue
        if p == RDFS.range and o in _OWL2_UNSUPPORTED:
            continue
        out.add((s, p, o))
    # tkg:HSCode / tkg:ECCN are declared datatypes; with their literals gone, drop them too
    for dt in _OWL2_UNSUPPORTED:
        out.remove((dt, None, None))
    path = tmp_path / "hermit.nt"
    out.serialize(path, format="nt", encoding="utf-8")
    return path


def run_hermit(path: Path):
    owlready2 = pytest.importorskip("owlready2")  # in the test extra: present whenever scripts/test runs
    world = owlready2.World()
    onto = world.get_ontology(path.as_uri()).load(format="ntriples")
    with onto:
        owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    return world


def test_hermit_finds_ontology_and_data_consistent_and_every_class_satisfiable(kg, tmp_path):
    assert shutil.which("java"), "Java is needed by HermiT"
    world = run_hermit(hermit_copy(kg, tmp_path))
    assert list(world.inconsistent_classes()) == []


def test_hermit_catches_a_disjointness_clash(tmp_path):
    # proves the check can fail: an individual of two disjoint classes is inconsistent
    from kg.graph import load_graph

    owlready2 = pytest.importorskip("owlready2")
    g = load_graph(bundled=False)
    path = hermit_copy(g, tmp_path)
    extra = Graph()
    tkg = "https://w3id.org/tradekg/ontology#"
    x = URIRef("https://w3id.org/tradekg/id/company/x")
    extra.add((URIRef(tkg + "Company"), OWL.disjointWith, URIRef(tkg + "Commodity")))
    extra.add((x, RDF.type, URIRef(tkg + "Company")))
    extra.add((x, RDF.type, URIRef(tkg + "Commodity")))
    with path.open("a", encoding="utf-8") as fh:
        fh.write(extra.serialize(format="nt"))
    with pytest.raises(owlready2.OwlReadyInconsistentOntologyError):
        run_hermit(path)
