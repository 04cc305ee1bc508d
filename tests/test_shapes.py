"""The SHACL shapes of ``ontology/shapes.ttl``, tested on fixture graphs.

``tests/data/shapes/`` holds one Turtle file per defect. ``valid*.ttl`` files must conform.
Every other file is an otherwise-valid graph with one defect, and says in its leading comments
what the validator must report::

    # Broken: A claim without a claimant.
    # expect-shape: tkgsh:ClaimantShape          (the shape that catches it)
    # expect-focus: claim:no-claimant            (CURIE or IRI of the focus node)
    # expect-path: tkg:claimant                  ("-" when the result names no property:
                                                  sh:or on the node, or an alternative path)
    # expect-message: exactly one claimant       (a substring of the message)
    # expect-severity: Warning                   (optional; Violation when absent)

Adding a shape means adding such a file: ``test_every_shape_has_a_broken_fixture`` fails until
one names it. The bundled graph's conformance is tested in ``test_validate.py``, and
``shapes.ttl`` itself is parsed by rapper in ``test_independent.py``.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import RDF, RDFS, SH

from kg.graph import load_graph
from kg.namespaces import TKG, expand_curie
from kg.validate import validate

ROOT = Path(__file__).resolve().parent.parent
SHAPES_FILE = ROOT / "ontology" / "shapes.ttl"
ONTOLOGY_FILE = ROOT / "ontology" / "tradekg.ttl"
FIXTURES = Path(__file__).resolve().parent / "data" / "shapes"
TKGSH = rdflib.Namespace("https://w3id.org/tradekg/shapes#")

VALID = sorted(FIXTURES.glob("valid*.ttl"))
BROKEN = sorted(p for p in FIXTURES.glob("*.ttl") if not p.name.startswith("valid"))


def _manifest(path: Path) -> dict[str, str]:
    """The ``# expect-KEY: value`` lines at the top of a fixture."""
    expect: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        key, sep, value = line.lstrip("# ").partition(":")
        if sep and key.startswith("expect-"):
            expect[key[len("expect-") :]] = value.strip()
    return expect


def _iri(text: str) -> str:
    if text.startswith(("http://", "https://")):
        return text
    if text.startswith("tkgsh:"):
        return str(TKGSH) + text[len("tkgsh:") :]
    iri = expand_curie(text)
    assert iri is not None, f"unknown prefix in {text!r}"
    return iri


def _describe(report) -> str:
    return "\n".join(f"  {r.severity} {r.focus} [{r.path}] {r.message}" for r in report.results) or "  (no results)"


@pytest.fixture(scope="module")
def shapes() -> rdflib.Graph:
    return rdflib.Graph().parse(SHAPES_FILE, format="turtle")


def _named_shapes(shapes: rdflib.Graph) -> set[rdflib.URIRef]:
    found = set(shapes.subjects(RDF.type, SH.NodeShape)) | set(shapes.subjects(RDF.type, SH.PropertyShape))
    return {s for s in found if isinstance(s, rdflib.URIRef)}


# ---------------------------------------------------------------- the fixtures


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_valid_fixture_conforms(path: Path) -> None:
    report = validate(load_graph([path], bundled=False))
    assert report.conforms, f"{path.name} should conform, but:\n{_describe(report)}"
    assert report.results == []


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.name)
def test_broken_fixture_is_caught(path: Path) -> None:
    expect = _manifest(path)
    missing = {"shape", "focus", "path", "message"} - expect.keys()
    assert not missing, f"{path.name} lacks '# expect-…' lines for {sorted(missing)}"
    focus = _iri(expect["focus"])
    result_path = "" if expect["path"] == "-" else expect["path"]
    severity = expect.get("severity", "Violation")

    report = validate(load_graph([path], bundled=False))

    if severity == "Violation":
        assert not report.conforms, f"{path.name} should not conform"
    matches = [
        r
        for r in report.results
        if str(r.focus) == focus and r.path == result_path and expect["message"] in r.message and r.severity == severity
    ]
    assert matches, (
        f"{path.name}: expected a {severity} on {focus} [{result_path}] saying "
        f"{expect['message']!r}; got:\n{_describe(report)}"
    )
    # The fixture is otherwise valid: nothing else in it is reported.
    others = [r for r in report.results if str(r.focus) != focus]
    assert not others, f"{path.name} has defects besides the intended one:\n{_describe(report)}"


def test_there_are_fixtures() -> None:
    assert VALID and BROKEN


# ---------------------------------------------------------------- the shapes file


def test_every_shape_has_a_broken_fixture(shapes: rdflib.Graph) -> None:
    reporting = {s for s in _named_shapes(shapes) if (s, SH.message, None) in shapes}
    claimed: dict[rdflib.URIRef, list[str]] = {}
    for path in BROKEN:
        expect = _manifest(path)
        shape = rdflib.URIRef(_iri(expect["shape"]))
        assert shape in reporting, f"{path.name} names {expect['shape']}, which is not a shape with a message"
        messages = [str(m) for m in shapes.objects(shape, SH.message)]
        assert any(expect["message"] in m for m in messages), (
            f"{path.name}: {expect['message']!r} is not in the message of {expect['shape']}"
        )
        claimed.setdefault(shape, []).append(path.name)
    untested = sorted(str(s).replace(str(TKGSH), "tkgsh:") for s in reporting - claimed.keys())
    assert not untested, f"shapes without a broken fixture: {untested}"


# Predicates a shape may carry that never produce a result of its own.
_GROUPING = {
    RDF.type,
    RDFS.label,
    RDFS.comment,
    SH.severity,
    SH.property,
    SH.targetClass,
    SH.targetSubjectsOf,
    SH.targetObjectsOf,
    SH.targetNode,
}


def test_every_shape_is_labelled_has_a_severity_and_a_message(shapes: rdflib.Graph) -> None:
    for shape in _named_shapes(shapes):
        assert (shape, RDFS.label, None) in shapes, f"{shape} has no rdfs:label"
        assert shapes.value(shape, SH.severity) in {SH.Violation, SH.Warning, SH.Info}, f"{shape} has no sh:severity"
        constraints = set(shapes.predicates(shape, None)) - _GROUPING - {SH.message}
        if constraints:
            assert (shape, SH.message, None) in shapes, f"{shape} can report but has no sh:message"
    # Property shapes are named (not blank nodes), so that each has its own label and fixture.
    for owner, prop in shapes.subject_objects(SH.property):
        assert isinstance(prop, rdflib.URIRef), f"{owner} has an anonymous sh:property"


def test_messages_name_a_property_and_are_sentences(shapes: rdflib.Graph) -> None:
    for shape, message in shapes.subject_objects(SH.message):
        text = str(message)
        assert text[0].isupper() or text.startswith("tkg:"), f"{shape}: {text!r}"
        assert text.endswith((".", "?")), f"{shape}: {text!r}"
        assert "tkg:" in text or "rdfs:label" in text or "skos:altLabel" in text or "prov:" in text, (
            f"{shape}: the message should name the property it is about: {text!r}"
        )


def test_shapes_use_shacl_core_only(shapes: rdflib.Graph) -> None:
    not_core = {
        SH.sparql,
        SH.select,
        SH.ask,
        SH.construct,
        SH.update,
        SH.prefixes,
        SH.declare,
        SH.js,
        SH.jsFunctionName,
        SH.jsLibrary,
        SH.rule,
        SH.target,
    }
    used = set(shapes.predicates()) & not_core
    assert not used, f"shapes.ttl uses terms outside SHACL Core: {sorted(used)}"


def test_shapes_reference_only_defined_ontology_terms(shapes: rdflib.Graph) -> None:
    ontology = rdflib.Graph().parse(ONTOLOGY_FILE, format="turtle")
    defined = {s for s in ontology.subjects() if isinstance(s, rdflib.URIRef)}
    used = {t for triple in shapes for t in triple if isinstance(t, rdflib.URIRef) and str(t).startswith(str(TKG))}
    assert used, "the shapes reference no tkg: term"
    assert not used - defined, f"not defined in tradekg.ttl: {sorted(used - defined)}"


@pytest.mark.skipif(shutil.which("rapper") is None, reason="rapper (raptor2-utils) is not installed")
@pytest.mark.parametrize("path", [*VALID, *BROKEN], ids=lambda p: p.name)
def test_rapper_reads_the_fixture(path: Path) -> None:
    done = subprocess.run(["rapper", "-q", "-i", "turtle", "-c", str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
