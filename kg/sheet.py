"""Fact sheets: one YAML file per article, written by an analyst, compiled to TriG.

A sheet names its source once and lists facts; each fact has the source's words (``quote``),
how it was obtained (``evidence``: stated / publisher's analysis / curator's inference), how
firmly it is verified (``quality``) and what it says (``says``: statements in the ontology's
own property names, written in snake case: ``imposed_by`` is ``tkg:imposedBy``). ``kg compile``
writes one assertion graph per fact; ``kg validate SHEET.yaml`` checks the sheet directly.
Every error names the sheet's line. A fact marked ``status: draft`` is left out until a person
confirms it (``status: confirmed``). ``examples/fact-sheet.yaml`` is a worked example.

The field names, which fields take entities or values, and the precision a date needs are all
read from the ontology (``tkg:precisionProperty``, ``rdfs:range``): a property added there is
a field here.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import RDF, RDFS, XSD, Dataset, Literal, URIRef
from rdflib.namespace import OWL, PROV, SKOS

from kg.errors import InputError
from kg.namespaces import ID, TKG, expand_curie

__all__ = ["Sheet", "compile_sheet", "read_sheet", "SHEET_SUFFIXES"]

SHEET_SUFFIXES = (".yaml", ".yml")

_STATUSES = ("confirmed", "draft")
_DATE = re.compile(r"^(\d{4})(?:-(\d\d)(?:-(\d\d))?)?$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
#: the statement keys that are not ontology properties
_RESERVED = {"entity", "type", "label", "aliases"}


class _Node(dict):
    """A YAML mapping that remembers the line of each key (1-based)."""

    line: int = 0
    lines: dict


def _loader():
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    def mapping(loader, node):
        out = _Node()
        out.line = node.start_mark.line + 1
        out.lines = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            out[key] = loader.construct_object(value_node, deep=True)
            out.lines[key] = key_node.start_mark.line + 1
        return out

    # dates stay text: the sheet's "2025-04" and "2025-04-04" are read alike, below
    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    Loader.add_constructor("tag:yaml.org,2002:timestamp", Loader.construct_yaml_str)
    return Loader


@dataclass
class Sheet:
    """A compiled sheet: the dataset, and where each entity and assertion was written."""

    path: Path
    dataset: Dataset
    lines: dict[str, int] = field(default_factory=dict)  # IRI -> the sheet line that made it
    drafts: list[int] = field(default_factory=list)  # lines of facts left out as drafts
    facts: int = 0


class _Schema:
    """What a sheet may say, from the ontology."""

    def __init__(self, graph) -> None:
        self._graph = graph
        rows = graph.select_values(
            """SELECT ?p ?kind ?range WHERE {
                 VALUES ?kind { owl:ObjectProperty owl:DatatypeProperty }
                 ?p a ?kind FILTER (STRSTARTS(STR(?p), STR(tkg:)))
                 OPTIONAL { ?p rdfs:range ?range } }"""
        )
        self.properties: dict[str, tuple[str, str | None]] = {}
        for r in rows:
            name = _snake(r["p"][len(str(TKG)) :])
            # an object property takes entities; a datatype property its range's values
            self.properties[name] = (r["p"], "object" if r["kind"] == str(OWL.ObjectProperty) else r.get("range"))
        self.precision = {
            r["d"]: r["p"] for r in graph.select_values("SELECT ?d ?p WHERE { ?d tkg:precisionProperty ?p }")
        }
        self.classes = {
            r["c"][len(str(TKG)) :]
            for r in graph.select_values("SELECT ?c WHERE { ?c a owl:Class FILTER (STRSTARTS(STR(?c), STR(tkg:))) }")
        }
        # the words an analyst may write for an evidence kind, a quality or a kind of source:
        # the ontology's labels and aliases ("stated", "curator's inference", "news article")
        self.kinds = self._named("?x a tkg:EvidenceKind")
        self.qualities = self._named("?x a tkg:EvidenceQuality")
        self.source_types = self._named("?x rdfs:subClassOf+ tkg:Source")

    def _named(self, pattern: str) -> dict[str, str]:
        rows = self._graph.select_values(
            f"SELECT ?x ?name WHERE {{ {pattern} . {{ ?x rdfs:label ?name }} UNION {{ ?x skos:altLabel ?name }} }}"
        )
        return {r["name"].lower(): r["x"] for r in rows}


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def read_sheet(path: Path) -> _Node:
    """The sheet's YAML, with lines; an :class:`InputError` naming the line if it is not YAML."""
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(str(path), f"cannot read the sheet: {err}") from None
    try:
        data = yaml.load(text, Loader=_loader())  # noqa: S506 -- a SafeLoader subclass
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        problem = getattr(err, "problem", None) or str(err)
        raise InputError(str(path), f"not YAML: {problem}", mark.line + 1 if mark else None) from None
    if not isinstance(data, _Node):
        raise InputError(str(path), "a fact sheet is a mapping with 'source' and 'facts'", 1)
    return data


def compile_sheet(graph, path: Path) -> Sheet:
    """Compile the sheet at ``path`` against ``graph`` (the ontology, and the entities the
    sheet may name by label). Raises :class:`InputError` naming the sheet's line."""
    path = Path(path)
    data = read_sheet(path)
    schema = _Schema(graph)
    out = Sheet(path, Dataset())
    ds = out.dataset
    for prefix, ns in (("tkg", TKG), ("prov", PROV), ("skos", SKOS), ("xsd", XSD)):
        ds.bind(prefix, ns)

    def fail(line: int | None, message: str):
        raise InputError(str(path), message, line)

    unknown = set(data) - {"source", "facts"}
    if unknown:
        key = sorted(unknown)[0]
        fail(data.lines[key], f"unknown section {key!r}: a sheet has 'source' and 'facts'")
    source = data.get("source")
    if not isinstance(source, _Node):
        fail(data.lines.get("source", 1), "the sheet needs a 'source' mapping (id, title, url, publisher, date)")
    src = _source(ds, schema, source, fail)
    out.lines[str(src)] = source.line
    facts = data.get("facts")
    if not isinstance(facts, list) or not facts:
        fail(data.lines.get("facts", data.line), "the sheet needs a 'facts' list")

    # entities the sheet defines (so a later fact may name them by label), then every fact
    local: dict[str, str] = {}
    for fact in facts:
        if isinstance(fact, _Node):
            for statement in fact.get("says") or []:
                if isinstance(statement, _Node) and isinstance(statement.get("entity"), str):
                    iri = _entity_iri(statement["entity"], statement.lines["entity"], fail)
                    for name in [statement.get("label"), *(statement.get("aliases") or [])]:
                        if isinstance(name, str):
                            local[name.casefold()] = iri
    slug = str(src).rsplit("/", 1)[-1]
    for number, fact in enumerate(facts, 1):
        if not isinstance(fact, _Node):
            fail(data.lines["facts"], f"fact {number} is not a mapping (quote, evidence, quality, says)")
        status = str(fact.get("status", "confirmed"))
        if status not in _STATUSES:
            fail(fact.lines.get("status"), f"status {status!r}: write 'confirmed' or 'draft'")
        if status == "draft":
            out.drafts.append(fact.line)
            continue
        assertion = URIRef(f"{ID}assertion/{slug}-{number:02d}")
        out.lines[str(assertion)] = fact.line
        _fact(ds, schema, graph, fact, assertion, src, local, out, fail)
        out.facts += 1
    return out


def _source(ds: Dataset, schema: _Schema, source: _Node, fail) -> URIRef:
    for key in ("id", "title", "date"):
        if not source.get(key):
            fail(source.line, f"the source needs '{key}'")
    raw = str(source["id"])
    local = raw.split(":", 1)[1] if raw.startswith("source:") else raw
    if not _SLUG.match(local):
        fail(source.lines["id"], f"source id {raw!r}: a slug of lower-case letters, digits and hyphens")
    src = URIRef(f"{ID}source/{local}")
    kind = str(source.get("type", "news article")).lower()
    if kind not in schema.source_types:
        names = " or ".join(repr(k) for k in sorted(schema.source_types))
        fail(source.lines.get("type"), f"source type {kind!r}: write {names}")
    g = ds.default_graph
    g.add((src, RDF.type, URIRef(schema.source_types[kind])))
    g.add((src, RDFS.label, Literal(str(source["title"]), lang="en")))
    if source.get("url"):
        url = str(source["url"])
        if not url.startswith(("https://", "http://")):
            fail(source.lines["url"], f"url {url!r}: an http(s) address")
        g.add((src, TKG.url, Literal(url)))
    day, precision = _date(str(source["date"]), source.lines["date"], fail)
    g.add((src, TKG.recordedOn, day))
    g.add((src, TKG.recordedOnPrecision, precision))
    return src


def _date(text: str, line: int, fail) -> tuple[Literal, URIRef]:
    """``2025-06-06`` (day), ``2025-06`` (month: stored as the 1st) or ``2025`` (year)."""
    m = _DATE.match(text.strip())
    if not m:
        fail(line, f"date {text!r}: write YYYY-MM-DD, YYYY-MM or YYYY")
    year, month, day = m.group(1), m.group(2), m.group(3)
    try:
        value = dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        fail(line, f"date {text!r} does not exist")
    precision = TKG.DayPrecision if day else TKG.MonthPrecision if month else TKG.YearPrecision
    return Literal(value.isoformat(), datatype=XSD.date), precision


def _entity_iri(raw: Any, line: int, fail) -> str:
    text = str(raw).strip()
    if text.startswith(("http://", "https://")):
        return text
    iri = expand_curie(text)
    if iri is None or not iri.startswith(str(ID)):
        fail(line, f"entity {text!r}: write kind:slug (policy:china-rare-earth-export-controls) or an IRI")
    return iri


def _fact(ds, schema: _Schema, graph, fact: _Node, assertion: URIRef, src: URIRef, local, out: Sheet, fail) -> None:
    meta = ds.default_graph
    meta.add((assertion, RDF.type, TKG.Assertion))
    meta.add((assertion, PROV.wasDerivedFrom, src))
    kind_text = str(fact.get("evidence", "")).strip().lower().replace("\u2019", "'")
    if kind_text not in schema.kinds:
        fail(
            fact.lines.get("evidence", fact.line),
            f"evidence {kind_text!r}: write one of " + ", ".join(repr(k) for k in sorted(schema.kinds)),
        )
    kind = URIRef(schema.kinds[kind_text])
    meta.add((assertion, TKG.evidenceKind, kind))
    quality_text = str(fact.get("quality", "")).strip().lower()
    quality = schema.qualities.get(quality_text) or schema.qualities.get(
        quality_text.replace("-", ", ").replace("verified ", "verified, ")
    )
    if quality is None:
        fail(
            fact.lines.get("quality", fact.line),
            f"quality {quality_text!r}: write one of " + ", ".join(repr(q) for q in sorted(schema.qualities)),
        )
    meta.add((assertion, TKG.evidenceQuality, URIRef(quality)))
    quote, reasoning = fact.get("quote"), fact.get("reasoning")
    if kind != TKG.CuratorInference and not quote:
        fail(fact.line, "a stated fact or a publisher's analysis needs the source's words: add 'quote'")
    if kind == TKG.CuratorInference and not reasoning:
        fail(fact.line, "a curator's inference needs 'reasoning': how it was reached")
    if quote:
        meta.add((assertion, TKG.quote, Literal(str(quote))))
    if reasoning:
        meta.add((assertion, TKG.reasoning, Literal(str(reasoning))))
    says = fact.get("says")
    if not isinstance(says, list) or not says:
        fail(fact.lines.get("says", fact.line), "a fact needs 'says': a list of statements")
    g = ds.graph(assertion)
    for statement in says:
        if not isinstance(statement, _Node) or "entity" not in statement:
            fail(fact.lines["says"], "each statement is a mapping that starts with 'entity'")
        subject = URIRef(_entity_iri(statement["entity"], statement.lines["entity"], fail))
        out.lines.setdefault(str(subject), statement.line)
        for key, value in statement.items():
            line = statement.lines[key]
            if key == "entity":
                continue
            values = value if isinstance(value, list) else [value]
            if key == "type":
                for v in values:
                    if str(v) not in schema.classes:
                        fail(line, f"type {v!r} is not a class of the ontology{_near(str(v), schema.classes)}")
                    g.add((subject, RDF.type, TKG[str(v)]))
            elif key in ("label", "aliases"):
                for v in values:
                    g.add((subject, RDFS.label if key == "label" else SKOS.altLabel, Literal(str(v), lang="en")))
            elif key in schema.properties:
                prop, rng = schema.properties[key]
                for v in values:
                    _statement(g, schema, graph, subject, URIRef(prop), rng, v, line, local, fail)
            else:
                fail(line, f"unknown field {key!r}{_near(key, set(schema.properties) | _RESERVED)}")


def _statement(g, schema: _Schema, graph, subject, prop: URIRef, rng, value, line: int, local, fail) -> None:
    if rng == "object":
        g.add((subject, prop, URIRef(_resolve(graph, value, line, local, fail))))
    elif rng == str(XSD.date):
        day, precision = _date(str(value), line, fail)
        g.add((subject, prop, day))
        if str(prop) in schema.precision:
            g.add((subject, URIRef(schema.precision[str(prop)]), precision))
    elif rng == str(XSD.decimal):
        try:
            g.add((subject, prop, Literal(str(float(value)), datatype=XSD.decimal)))
        except (TypeError, ValueError):
            fail(line, f"{value!r} is not a number")
    elif rng == str(XSD.boolean):
        if not isinstance(value, bool):
            fail(line, f"{value!r}: write true or false")
        g.add((subject, prop, Literal(value)))
    else:
        g.add((subject, prop, Literal(str(value))))


def _resolve(graph, value, line: int, local: dict[str, str], fail) -> str:
    """An entity the sheet names: kind:slug, an IRI, a label or alias defined in the sheet, or
    one of the graph's (the nearest names suggested on a miss)."""
    text = str(value).strip()
    if text.startswith(("http://", "https://")) or (expand_curie(text) or "").startswith(str(ID)):
        return _entity_iri(text, line, fail)
    if text.casefold() in local:
        return local[text.casefold()]
    from kg.errors import KgError
    from kg.lookup import resolve_entity

    try:
        return str(resolve_entity(graph, text))
    except KgError as err:
        fail(line, str(err))


def _near(word: str, names: set[str]) -> str:
    from kg.lookup import nearest_words

    found = nearest_words(word, sorted(names))
    return f" (did you mean {', '.join(found)}?)" if found else ""
