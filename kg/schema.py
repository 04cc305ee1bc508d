"""What the ontology declares about display and impact, read once from the loaded graph.

Nothing here names a class or a relation: colours, shapes, display order and the sign and
direction of impact all come from the ontology's annotations (``tkg:displayColour``,
``tkg:displayShape``, ``tkg:displayOrder``, ``tkg:impactSign``, ``tkg:impactDirection``),
so a user's ontology additions take effect without code changes.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from rdflib import URIRef

from kg.namespaces import ONTOLOGY_IRI

__all__ = ["Schema", "ImpactRelation", "Display"]

DEFAULT_COLOUR = "#7f8c8d"
DEFAULT_SHAPE = "dot"


@dataclass(frozen=True)
class ImpactRelation:
    property: str
    label: str
    sign: int
    forward: bool
    colour: str | None


@dataclass(frozen=True)
class Display:
    cls: str | None
    cls_label: str
    colour: str
    shape: str


@dataclass
class Schema:
    parents: dict[str, set[str]] = field(default_factory=dict)
    colour: dict[str, str] = field(default_factory=dict)
    shape: dict[str, str] = field(default_factory=dict)
    order: dict[str, int] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    impact: dict[str, ImpactRelation] = field(default_factory=dict)
    ontology_terms: set[str] = field(default_factory=set)
    impact_target: dict[str, bool] = field(default_factory=dict)
    sign_colours: dict[int, str] = field(default_factory=dict)
    #: class -> its legend family (inherited); family -> (label, order)
    family: dict[str, str] = field(default_factory=dict)
    families: dict[str, tuple[str, int]] = field(default_factory=dict)
    #: class -> hidden on the page until asked (inherited)
    hidden: dict[str, bool] = field(default_factory=dict)
    #: impact relation -> its edge role; role -> (label, colour, order)
    edge_role: dict[str, str] = field(default_factory=dict)
    roles: dict[str, tuple[str, str, int]] = field(default_factory=dict)
    #: effect word ("restricted", ...) -> (colour, order)
    effects: dict[str, tuple[str, int]] = field(default_factory=dict)

    @classmethod
    def from_graph(cls, graph) -> Schema:
        from kg.queries import catalogue

        schema = cls()
        parents = f"SELECT ?c ?p WHERE {{ GRAPH <{ONTOLOGY_IRI}> {{ ?c rdfs:subClassOf ?p FILTER(isIRI(?p)) }} }}"
        for row in graph.select(parents, union=False):
            schema.parents.setdefault(str(row["c"]), set()).add(str(row["p"]))
        for row in graph.select("""
            SELECT ?c ?colour ?shape ?order ?label ?target WHERE {
              { ?c tkg:displayColour ?colour } UNION { ?c tkg:displayShape ?shape }
              UNION { ?c tkg:displayOrder ?order } UNION { ?c tkg:impactTarget ?target }
              # labels of classes and properties only: instances are labelled by the graph
              UNION { VALUES ?meta { owl:Class rdfs:Class rdf:Property owl:ObjectProperty owl:DatatypeProperty
                                     owl:AnnotationProperty }
                      ?c a ?meta ; rdfs:label ?label }
            }"""):
            c = str(row["c"])
            if "colour" in row:
                schema.colour[c] = str(row["colour"])
            if "shape" in row:
                schema.shape[c] = str(row["shape"])
            if "order" in row:
                schema.order[c] = int(row["order"])
            if "label" in row:
                schema.labels.setdefault(c, str(row["label"]))
            if "target" in row:
                schema.impact_target[c] = row["target"].toPython() is True
        for row in graph.select(f"SELECT DISTINCT ?s WHERE {{ GRAPH <{ONTOLOGY_IRI}> {{ ?s ?p ?o }} }}", union=False):
            schema.ontology_terms.add(str(row["s"]))
        for row in graph.select("SELECT ?v ?c WHERE { ?sign tkg:signValue ?v ; tkg:displayColour ?c }"):
            schema.sign_colours[int(row["v"])] = str(row["c"])
        for row in graph.select("""
            SELECT ?kind ?x ?label ?colour ?order ?value WHERE {
              { ?x tkg:displayFamily ?value BIND ("family" AS ?kind) }
              UNION { ?x tkg:displayHidden ?value BIND ("hidden" AS ?kind) }
              UNION { ?x tkg:edgeRole ?value BIND ("role" AS ?kind) }
              UNION { VALUES (?type ?kind) { (tkg:DisplayFamily "families") (tkg:EdgeRole "roles")
                                             (tkg:EffectStatus "effects") }
                      ?x a ?type ; rdfs:label ?label
                      OPTIONAL { ?x tkg:displayColour ?colour } OPTIONAL { ?x tkg:displayOrder ?order } }
            }"""):
            kind, x = str(row["kind"]), str(row["x"])
            order = int(row["order"]) if "order" in row else 100
            if kind == "family":
                schema.family[x] = str(row["value"])
            elif kind == "hidden":
                schema.hidden[x] = row["value"].toPython() is True
            elif kind == "role":
                schema.edge_role[x] = str(row["value"])
            elif kind == "families":
                schema.families[x] = (str(row["label"]), order)
            elif kind == "roles":
                schema.roles[x] = (str(row["label"]), str(row.get("colour", DEFAULT_COLOUR)), order)
            else:
                schema.effects[str(row["label"])] = (str(row.get("colour", DEFAULT_COLOUR)), order)
        spec = catalogue()["impact-relations"]
        for row in graph.select(spec.text):  # shipped, so checked by the tests, not on every run
            prop = str(row["property"])
            schema.impact[prop] = ImpactRelation(
                prop,
                str(row.get("label", prop)),
                int(row["signValue"]),
                str(row["direction"]).endswith("#Forward"),
                str(row["colour"]) if "colour" in row else None,
            )
        return schema

    def sign_colour(self, value: int) -> str:
        """The colour the ontology gives an impact sign (-1, 0, +1)."""
        return self.sign_colours.get(value, DEFAULT_COLOUR)

    def ancestors(self, cls: str) -> list[str]:
        """``cls`` and its superclasses, nearest first."""
        cache = self.__dict__.setdefault("_ancestor_cache", {})
        if cls not in cache:
            cache[cls] = self._ancestors(cls)
        return cache[cls]

    def _ancestors(self, cls: str) -> list[str]:
        seen, queue, out = {cls}, deque([cls]), []
        while queue:
            current = queue.popleft()
            out.append(current)
            for parent in sorted(self.parents.get(current, ())):
                if parent not in seen:
                    seen.add(parent)
                    queue.append(parent)
        return out

    def role_of(self, prop: str) -> str | None:
        """The edge role of an impact relation (None: not an impact relation); pass-through if
        the ontology gives it none."""
        if prop not in self.impact:
            return None
        return self.edge_role.get(prop) or next((r for r in self.roles if r.endswith("#PassThrough")), None)

    def effect_colour(self, status: str) -> str | None:
        """The colour of an impact answer's status (its leading word: ``relieved: X`` -> relieved)."""
        word = max((w for w in self.effects if status.startswith(w)), key=len, default=None)
        return self.effects[word][0] if word else None

    def inherited(self, table: dict, cls: str):
        for c in self.ancestors(cls):
            if c in table:
                return table[c]
        return None

    def display(self, types: list[URIRef | str]) -> Display:
        """How to draw a node of ``types``: the type with the lowest display order names it."""
        candidates = [str(t) for t in types if str(t) in self.parents or str(t) in self.labels]
        if not candidates:
            return Display(None, "", DEFAULT_COLOUR, DEFAULT_SHAPE)
        best = min(candidates, key=lambda c: (self.inherited(self.order, c) or 1000, c))
        return Display(
            best,
            self.labels.get(best, best),
            self.inherited(self.colour, best) or DEFAULT_COLOUR,
            self.inherited(self.shape, best) or DEFAULT_SHAPE,
        )
