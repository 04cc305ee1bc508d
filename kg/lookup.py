"""Find an entity by IRI, CURIE, label or alias, the way users type names.

>>> from kg.graph import load_graph
>>> graph = load_graph()
>>> str(resolve_entity(graph, "geneva AGREEMENT"))
'https://w3id.org/tradekg/id/policy/geneva-agreement'
>>> str(resolve_entity(graph, "Trump"))
'https://w3id.org/tradekg/id/person/donald-trump'
"""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass

from rdflib import URIRef

from kg.errors import AmbiguousEntity, EntityNotFound
from kg.graph import KnowledgeGraph
from kg.namespaces import ONTOLOGY_IRI, expand_curie

__all__ = ["resolve_entity", "entity_names", "normalise_name", "nearest_words", "EntityName", "search_names"]

_NAME_QUERY = f"""
SELECT DISTINCT ?s ?name ?primary WHERE {{
  VALUES (?p ?primary) {{ (rdfs:label true) (skos:prefLabel true) (skos:altLabel false) }}
  {{ ?s ?p ?name }} UNION {{ GRAPH ?g {{ ?s ?p ?name }} FILTER(?g != <{ONTOLOGY_IRI}>) }}
  FILTER(isIRI(?s) && isLiteral(?name))
}}
"""

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})


def normalise_name(text: str) -> str:
    """Case-, accent-, quote- and space-insensitive form of a name."""
    text = unicodedata.normalize("NFKD", text.translate(_QUOTES))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.casefold().replace(".", "").split())


@dataclass(frozen=True)
class EntityName:
    iri: str
    name: str
    primary: bool


def entity_names(graph: KnowledgeGraph) -> list[EntityName]:
    """Every label and alias of every entity (not of ontology terms)."""
    rows = graph.select_values(_NAME_QUERY, union=False)  # plain text: no rdflib term per name
    return [EntityName(r["s"], r["name"], r["primary"] in ("true", "1")) for r in rows]


def _exists(graph: KnowledgeGraph, iri: str) -> bool:
    try:
        return graph.ask("ASK { { ?e ?p ?o } UNION { ?s ?p ?e } }", {"e": URIRef(iri)})
    except ValueError:  # not a valid IRI: no entity has it
        return False


def resolve_entity(graph: KnowledgeGraph, text: str) -> URIRef:
    """The entity ``text`` names: an IRI (``<…>`` or ``http…``), a CURIE, a label or an alias.

    Labels win over aliases. Raises :class:`EntityNotFound` with the nearest names as
    suggestions, or :class:`AmbiguousEntity` listing the candidates.
    """
    raw = text.strip()
    iri = None
    if raw.startswith("<") and raw.endswith(">"):
        iri = raw[1:-1]
    elif raw.startswith(("http://", "https://", "urn:")):
        iri = raw
    else:
        iri = expand_curie(raw)
    if iri is not None and _exists(graph, iri):
        return URIRef(iri)

    wanted = normalise_name(raw)
    from kg.index import name_index

    index = name_index(graph)  # a persistent store's saved name index: no pass over every name
    if index is not None:
        found = [(index.iris[i], bool(index.primary[i])) for i in index.by_norm.get(wanted, ())]
        by_norm = None
    else:
        names = entity_names(graph)
        by_norm = _by_norm(names)
        found = [(n.iri, n.primary) for n in names if normalise_name(n.name) == wanted]
    for primary in (True, False):
        hits = sorted({iri for iri, first in found if first == primary})
        if len(hits) == 1:
            return URIRef(hits[0])
        if len(hits) > 1:
            raise AmbiguousEntity(raw, [(h, graph.label(URIRef(h))) for h in hits])

    if by_norm is None:
        by_norm = {}
        for i in sorted(range(len(index.norms)), key=lambda i: not index.primary[i]):
            by_norm.setdefault(index.norms[i], index.iris[i])
    raise EntityNotFound(raw, _suggestions(graph, wanted, by_norm))


def _by_norm(names: list[EntityName]) -> dict[str, str]:
    """Normalised name -> an entity it names (labels before aliases)."""
    by_norm: dict[str, str] = {}
    for entry in sorted(names, key=lambda e: not e.primary):
        by_norm.setdefault(normalise_name(entry.name), entry.iri)
    return by_norm


#: Above this many names, rapidfuzz picks the candidates difflib then ranks.
_MANY_NAMES = 5000


def _suggestions(graph: KnowledgeGraph, wanted: str, by_norm: dict[str, str], n: int = 3) -> list[str]:
    keys = list(by_norm)
    if len(keys) > _MANY_NAMES:
        # difflib's ratio never exceeds the Indel similarity rapidfuzz computes (in C++), so
        # every name difflib would accept (ratio >= 0.6) scores >= 60 there
        from rapidfuzz import fuzz, process

        picked = process.extract(wanted, keys, scorer=fuzz.ratio, score_cutoff=60, limit=500)
        keys = [key for key, _, _ in picked]
    close = difflib.get_close_matches(wanted, keys, n=n * 2, cutoff=0.6)
    if wanted:
        close += sorted(k for k in by_norm if wanted in k and k not in close)
    labels: list[str] = []
    for key in close:
        label = graph.label(URIRef(by_norm[key]))
        if label not in labels:
            labels.append(label)
    return labels[:n]


def nearest_words(word: str, candidates: list[str], n: int = 3) -> list[str]:
    """The nearest of ``candidates`` to ``word`` (for misspelt query names and the like)."""
    return difflib.get_close_matches(word, candidates, n=n, cutoff=0.6)


_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
_ONTOLOGY_NAMES = f"""
SELECT ?s ?name ?text WHERE {{
  GRAPH <{ONTOLOGY_IRI}> {{ ?s rdfs:label|skos:prefLabel|skos:altLabel ?name }}
  FILTER (isIRI(?s) && isLiteral(?name) && !STRSTARTS(STR(?s), "{ONTOLOGY_IRI}"))
  FILTER (CONTAINS(LCASE(STR(?name)), LCASE(STR(?text))))
}}"""


def search_names(graph: KnowledgeGraph, text: str) -> list[dict] | None:
    """The rows of the shipped ``search`` query, answered from the store's name index (a
    persistent store's): entity, label (one row per ``rdfs:label``), most specific asserted
    class (the least IRI among them), the matching names; exact matches first, then names
    starting with ``text``, then the rest, by label and entity. None without a name index.
    ``tests/test_index.py`` holds it equal to the query."""
    from rdflib import Literal

    from kg.index import name_index

    index = name_index(graph)
    if index is None:
        return None
    needle = text.lower()
    matched: dict[str, dict[str, int]] = {}  # entity -> its matching names -> rank
    for iri, name in [*index.containing(needle), *_ontology_names(graph, text)]:
        if iri.startswith(ONTOLOGY_IRI):  # ontology terms, as the query leaves them out
            continue
        lowered = name.lower()
        rank = 0 if lowered == needle else 1 if lowered.startswith(needle) else 2
        matched.setdefault(iri, {})[name] = rank
    rows = []
    for iri, names in matched.items():
        labels = [m for m in graph.store.match(iri, _RDFS_LABEL) if not m.o_iri] or [None]
        kind = _most_specific(graph, iri)
        seen: set = set()
        for m in labels:
            label = None if m is None else Literal(m.o, lang=m.lang, datatype=None if m.lang else m.datatype)
            if label in seen and label is not None:
                continue
            seen.add(label)
            row = {"entity": URIRef(iri), "matched": Literal("; ".join(names))}
            if label is not None:
                row["label"] = label
            if kind is not None:
                row["type"] = URIRef(kind)
            rows.append((min(names.values()), "" if label is None else str(label), iri, row))
    rows.sort(key=lambda r: (r[0], r[1] != "", r[1], r[2]))
    return [r[3] for r in rows]


def _ontology_names(graph: KnowledgeGraph, text: str) -> list[tuple[str, str]]:
    from rdflib import Literal

    rows = graph.select_values(_ONTOLOGY_NAMES, {"text": Literal(text)})
    return [(r["s"], r["name"]) for r in rows]


def _most_specific(graph: KnowledgeGraph, iri: str) -> str | None:
    """The least of ``iri``'s asserted classes that no other asserted class of it is under."""
    match = graph.store.match
    types = {m.o for m in match(iri, _RDF_TYPE) if m.o_iri}
    below: set[str] = set()  # classes some asserted class is (transitively) under
    for t in types:
        todo, seen = [t], set()
        while todo:
            for m in match(todo.pop(), _SUBCLASS):
                if m.o_iri and m.o not in seen:
                    seen.add(m.o)
                    todo.append(m.o)
        below |= seen
    kept = [t for t in types if t not in below]
    return min(kept) if kept else None
