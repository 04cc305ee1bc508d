"""Fuzz query-parameter binding, locally and for a remote store.

Each input picks a query (a shipped one, or a small one with the parameter in awkward places)
and values for its parameters. Locally the values go through ``bind_parameters`` (the text a
user types) or straight in as rdflib terms, and the query runs with ``run_query`` on the
bundled graph, loaded once. For a remote store, ``kg.remote.bind_values`` writes each term into
the query text; that text must still parse, and differ from the text bound to a placeholder
term only where the placeholder was: the value is one term, never query text.

Findings: an exception other than :class:`kg.errors.KgError`, an error message of several
lines, a bound column holding anything but the bound term, bound text that does not parse or
whose parse tree differs elsewhere.

    python fuzz/bind.py -atheris_runs=20000
    python fuzz/bind.py -max_total_time=300
"""

from __future__ import annotations

import sys

import atheris
from _common import forbid_network, with_seeds

with atheris.instrument_imports():
    import pyoxigraph as ox
    from pyparsing import ParseResults
    from rdflib import Literal, URIRef, Variable
    from rdflib.namespace import XSD
    from rdflib.plugins.sparql.parserutils import CompValue

    from kg.errors import KgError
    from kg.graph import load_graph
    from kg.lookup import entity_names
    from kg.queries import Param, QuerySpec, _parse, bind_parameters, catalogue, check_query, run_query
    from kg.remote import _serialise, bind_values
    from kg.stores import to_ox

GRAPH = load_graph()
EMPTY = ox.Store()
SPECS = list(catalogue().values())
# the parameter in a sub-SELECT, GROUP BY, ORDER BY, a nested FILTER EXISTS, next to a string
# and a comment that mention it (bind_values must leave those alone)
AWKWARD = """# title: awkward
# description: the parameter where textual binding is easy to get wrong
# param: v string required -- a value
# returns: s
SELECT ?s ?v (COUNT(*) AS ?n) WHERE {
  { SELECT ?s ?v WHERE { ?s rdfs:label ?l FILTER(STR(?l) = STR(?v) || "?v" = ?v) } }  # ?v
  FILTER NOT EXISTS { ?s skos:altLabel ?v }
  OPTIONAL { ?s rdfs:comment ?c FILTER(CONTAINS(STR(?c), STR(?v))) }
}
GROUP BY ?s ?v
ORDER BY ?v ?s
"""
SPECS.append(
    QuerySpec(
        "awkward",
        path=SPECS[0].path.with_name("awkward.rq"),
        text=AWKWARD,
        params=(Param("v", "string", required=True),),
        returns=("s",),
    )
)
ENTITIES = sorted({n.iri for n in entity_names(GRAPH)})
NAMES = sorted({n.name for n in entity_names(GRAPH)})
LANGS = ["en", "zh-Hans", "en-US"]
DATATYPES = [None, XSD.date, XSD.integer, XSD.string, XSD.boolean]

SEEDS = {
    "search": b"\x00\x00" + b'" } UNION { ?s ?p ?o } #',
    "iri": b"\x01\x01" + b"https://w3id.org/tradekg/id/person/donald-trump> ?p ?o } #",
    "date": b"\x02\x02" + b'2025-06-06"^^xsd:date } UNION { ?s ?p ?o',
    "service": b"\x03\x03" + b"\\u0053ERVICE <http://127.0.0.1:9/> { ?a ?b ?c }",
}


def _text(fdp: atheris.FuzzedDataProvider, size: int = 40) -> str:
    """Fuzzed text, now and then around a real IRI or name."""
    text = fdp.ConsumeUnicode(size)
    choice = fdp.ConsumeIntInRange(0, 5)
    if choice == 1:
        return fdp.PickValueInList(ENTITIES) + text
    if choice == 2:
        return f"<{fdp.PickValueInList(ENTITIES)}{text}>"
    if choice == 3:
        return fdp.PickValueInList(NAMES) + text
    return text


def _term(fdp: atheris.FuzzedDataProvider, text: str):
    """An rdflib term holding ``text``, as a library caller might pass one."""
    kind = fdp.ConsumeIntInRange(0, 3)
    if kind == 0:
        return URIRef(text)
    if kind == 1:
        return Literal(text, lang=fdp.PickValueInList(LANGS))
    return Literal(text, datatype=fdp.PickValueInList(DATATYPES))


def _one_line(err: KgError) -> None:
    if len(str(err).splitlines()) > 1:
        raise AssertionError(f"a message of several lines: {str(err)!r}")


def _shape(node):
    """The parse tree as plain nested tuples, with literals as rdflib terms (comparable)."""
    if isinstance(node, CompValue):
        if node.name == "literal":
            lang, datatype = (dict.get(node, k) for k in ("lang", "datatype"))  # CompValue.get's default is k
            return Literal(str(dict.get(node, "string")), lang=lang, datatype=datatype)
        return (node.name, tuple((k, _shape(v)) for k, v in node.items()))
    if isinstance(node, (ParseResults, list, tuple)):
        return tuple(_shape(child) for child in node)
    return node


def _swap(shape, old, new):
    if isinstance(shape, tuple):
        return tuple(_swap(part, old, new) for part in shape)
    if type(shape) is type(old) and shape == old:
        return new
    return shape


def _plain(term):
    """xsd:string literals as the parser reads them back: without a datatype."""
    if isinstance(term, Literal) and term.datatype == XSD.string:
        return Literal(str(term))
    return term


def _placeholder(name: str, term):
    if isinstance(term, URIRef):
        return URIRef(f"urn:x-kg-fuzz:placeholder:{name}")
    return Literal(f"x-kg-fuzz-placeholder-{name}", lang=term.language, datatype=term.datatype)


def check_remote(spec: QuerySpec, bound: dict) -> None:
    """The text ``bind_values`` sends parses, and differs from a placeholder's only there."""
    try:
        text = bind_values(spec.text, bound)
    except KgError as err:
        _one_line(err)
        return
    # the bound text must parse (an exception here is a finding); it is kg's own text, whose
    # literals may hold the serialiser's \u escapes, so it is parsed, not screened as a user's
    _parse(text)
    for term in bound.values():  # and Oxigraph (a server) reads each term back as it was
        got = list(EMPTY.query(f"SELECT ?x WHERE {{ BIND({_serialise(term)} AS ?x) }}"))[0]["x"]
        if got != to_ox(term):
            raise AssertionError(f"{term!r} sent as {_serialise(term)} reads back as {got!r}")
    placeholders = {name: _placeholder(name, term) for name, term in bound.items()}
    expected = _shape(_parse(bind_values(spec.text, placeholders)))
    for name, term in bound.items():
        expected = _swap(expected, _plain(placeholders[name]), _plain(term))
    actual = _shape(_parse(text))
    if actual != expected:
        raise AssertionError(f"bound text differs from the placeholder's beyond the value: {text!r}")


def test_one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    spec = SPECS[fdp.ConsumeIntInRange(0, len(SPECS) - 1)]
    if not spec.params:
        return
    direct = fdp.ConsumeBool()
    given = {p.name: _text(fdp) for p in spec.params if p.required or fdp.ConsumeBool()}
    try:
        bound = bind_parameters(GRAPH, spec, given)
    except KgError as err:
        _one_line(err)
        return
    if direct:  # library callers may pass any term
        name = fdp.PickValueInList([p.name for p in spec.params])
        bound[name] = _term(fdp, _text(fdp))
    try:
        result = run_query(GRAPH, spec.text, bound, timeout=None, origin=spec.name)
    except KgError as err:
        _one_line(err)
    else:
        for row in result.rows:
            for name, term in bound.items():
                if name in row and row[name] != term:
                    raise AssertionError(f"?{name} came back as {row[name]!r}, bound to {term!r}")
    try:
        check_query(spec.text, spec.name)
    except KgError:
        return
    if all(isinstance(v, (URIRef, Literal, Variable)) for v in bound.values()):
        try:
            check_remote(spec, bound)
        except KgError as err:
            raise AssertionError(f"bound text does not parse: {err}") from None


def main() -> None:
    forbid_network()
    atheris.Setup(with_seeds(sys.argv, "bind", SEEDS), test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
