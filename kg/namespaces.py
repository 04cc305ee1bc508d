"""Namespaces and prefixes bound on every graph and predeclared in every query."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import OWL, PROV, RDF, RDFS, SKOS, XSD

__all__ = [
    "TKG",
    "ID",
    "SCHEMA",
    "DCTERMS",
    "ORG",
    "TIME",
    "RDF",
    "RDFS",
    "OWL",
    "XSD",
    "SKOS",
    "PROV",
    "ONTOLOGY_IRI",
    "PREFIXES",
    "ID_KINDS",
    "curie",
    "expand_curie",
]

TKG = Namespace("https://w3id.org/tradekg/ontology#")
ID = Namespace("https://w3id.org/tradekg/id/")
SCHEMA = Namespace("https://schema.org/")
DCTERMS = Namespace("http://purl.org/dc/terms/")
ORG = Namespace("http://www.w3.org/ns/org#")
TIME = Namespace("http://www.w3.org/2006/time#")
SH = Namespace("http://www.w3.org/ns/shacl#")

#: The ontology's own IRI; the ontology is loaded into the named graph of that name.
ONTOLOGY_IRI = "https://w3id.org/tradekg/ontology"

#: The kinds of entity IRIs under ``id/`` (``id/person/donald-trump``); each is also a prefix.
ID_KINDS = (
    "person",
    "government",
    "body",
    "company",
    "actor",
    "country",
    "place",
    "policy",
    "event",
    "claim",
    "commodity",
    "industry",
    "scheme",
    "measurement",
    "rate",
    "source",
    "assertion",
)

PREFIXES: dict[str, str] = {
    "tkg": str(TKG),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "prov": str(PROV),
    "schema": str(SCHEMA),
    "dcterms": str(DCTERMS),
    "org": str(ORG),
    "time": str(TIME),
    "sh": str(SH),
    "id": str(ID),
    **{kind: f"{ID}{kind}/" for kind in ID_KINDS},
}


def curie(iri: str) -> str:
    """The shortest CURIE for ``iri`` with the known prefixes, or the IRI itself.

    >>> curie("https://w3id.org/tradekg/id/person/donald-trump")
    'person:donald-trump'
    """
    best: tuple[str, str] | None = None
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and (best is None or len(ns) > len(best[1])):
            local = iri[len(ns) :]
            if local and "/" not in local and "#" not in local:
                best = (prefix, ns)
    if best is None:
        return iri
    return f"{best[0]}:{iri[len(best[1]) :]}"


def expand_curie(text: str) -> str | None:
    """The IRI a ``prefix:local`` CURIE stands for, or None if the prefix is unknown.

    >>> expand_curie("policy:geneva-agreement")
    'https://w3id.org/tradekg/id/policy/geneva-agreement'
    """
    prefix, sep, local = text.partition(":")
    if not sep or prefix not in PREFIXES or local.startswith("//"):
        return None
    return PREFIXES[prefix] + local
