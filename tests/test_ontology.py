"""The ontology is checkable: labelled, commented, OWL 2 without punning, impact declared."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from kg import resources
from kg.namespaces import TKG

ONTOLOGY = URIRef("https://w3id.org/tradekg/ontology")
KINDS = (
    OWL.Class,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    OWL.NamedIndividual,
    RDFS.Datatype,
)


@pytest.fixture(scope="module")
def onto() -> Graph:
    return Graph().parse(resources.ontology_file(), format="turtle")


def own_terms(onto: Graph) -> set[URIRef]:
    return {s for s in onto.subjects() if isinstance(s, URIRef) and str(s).startswith(str(TKG))}


def test_header_has_title_description_licence_version(onto):
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in onto
    for prop in (DCTERMS.title, DCTERMS.description, DCTERMS.license, OWL.versionInfo):
        assert onto.value(ONTOLOGY, prop) is not None, prop


def test_every_term_is_declared_labelled_commented_and_defined_here(onto):
    terms = own_terms(onto)
    assert len(terms) > 100
    for term in terms:
        assert any((term, RDF.type, kind) in onto for kind in KINDS), f"{term} has no OWL declaration"
        assert onto.value(term, RDFS.label) is not None, f"{term} has no rdfs:label"
        assert onto.value(term, RDFS.comment) or onto.value(term, SKOS.definition), f"{term} has no comment"
        assert onto.value(term, RDFS.isDefinedBy) == ONTOLOGY, f"{term} lacks rdfs:isDefinedBy"


def test_no_punning(onto):
    for term in own_terms(onto):
        kinds = {
            k
            for k in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDFS.Datatype)
            if (term, RDF.type, k) in onto
        }
        assert len(kinds) <= 1, f"{term} is declared as {kinds}"


def test_impact_properties_declare_sign_and_direction(onto):
    carrying = set(onto.subjects(TKG.impactSign, None))
    assert {TKG.restricts, TKG.relaxes, TKG.dependsOn, TKG.imposedBy, TKG.adverselyAffects} <= carrying
    for prop in carrying:
        assert (prop, RDF.type, OWL.ObjectProperty) in onto
        assert onto.value(prop, TKG.impactDirection) in {TKG.Forward, TKG.Inverse}, prop
        assert onto.value(onto.value(prop, TKG.impactSign), TKG.signValue) in {Literal(-1), Literal(0), Literal(1)}
    assert onto.value(TKG.restricts, TKG.impactSign) == TKG.Negative
    assert onto.value(TKG.relaxes, TKG.impactSign) == TKG.Negative
    assert onto.value(TKG.dependsOn, TKG.impactDirection) == TKG.Inverse


def test_date_properties_name_their_precision_property(onto):
    dates = set(onto.transitive_subjects(RDFS.subPropertyOf, TKG.validTimeProperty)) - {TKG.validTimeProperty}
    assert {TKG.announcedOn, TKG.inForceFrom, TKG.plannedEnd, TKG.actualEnd, TKG.date, TKG.claimDate} <= dates
    for prop in dates | {TKG.recordedOn}:
        precision = onto.value(prop, TKG.precisionProperty)
        assert precision is not None and onto.value(precision, RDFS.range) == TKG.DatePrecision, prop


def test_alignment_to_standard_vocabularies(onto):
    PROV, ORG, SCHEMA = "http://www.w3.org/ns/prov#", "http://www.w3.org/ns/org#", "https://schema.org/"
    supers = {str(o) for o in onto.objects(None, RDFS.subClassOf)}
    supers |= {str(o) for o in onto.objects(None, RDFS.subPropertyOf)}
    for expected in (
        PROV + "Agent",
        PROV + "Entity",
        PROV + "Activity",
        ORG + "Organization",
        SCHEMA + "Person",
        SCHEMA + "NewsArticle",
        str(SKOS.Concept),
        SCHEMA + "startDate",
    ):
        assert expected in supers, expected
    assert any("2006/time" in str(o) for o in onto.objects(None, RDFS.seeAlso))


def test_display_colours_come_from_the_ontology(onto):
    for cls in (TKG.Policy, TKG.Actor, TKG.Event, TKG.Claim, TKG.Commodity, TKG.Industry):
        colour = str(onto.value(cls, TKG.displayColour))
        assert colour.startswith("#") and len(colour) == 7, cls
    for sign in (TKG.Negative, TKG.Positive, TKG.Neutral):
        assert onto.value(sign, TKG.displayColour) is not None
