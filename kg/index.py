"""The compiled impact index: every impact edge and the valid time of its ends, as arrays.

``kg impact``, ``kg paths``, ``whatif``, ``chokepoints`` and the page ask one question in many
forms: *which impact edges count on day D?* Answered from the store, that is index look-ups
and :class:`kg.validtime.Timeline` node by node, each time. The index answers it once per
store: it holds

- every impact edge (a triple whose property the ontology gives ``tkg:impactSign``), in the
  direction effects flow (``head`` -> ``tail``), its relation, and the assertion graphs that
  state it;
- for each node at an end of an edge, the intervals in which it *counts* (kg.validtime: active,
  or suspended and flagged), those in which it is *suspended*, those in which it is *active*
  (shown), its label, its classes, the first day its sources were recorded (``knownBy``), and
  whether it rests on claims (unconfirmed ones);

so that a date, a record time and a claims mode become vectorised masks (numpy) over the
edges, and the part a source reaches is a breadth-first walk over the masked edge arrays.
Nothing here decides validity: the intervals are :class:`~kg.validtime.Timeline`'s, probed at
every date where its rules may change, so the index answers exactly what the Timeline does
(``tests/test_index.py`` holds :func:`kg.network.project` with and without it equal).

Arrays, not a database: ``numpy`` is already a dependency (the page's layout), an ``.npz``
file of uncompressed arrays opens in milliseconds, and each question touches whole columns.
Strings (IRIs, labels) are kept as one JSON list each. A persistent store keeps its index
beside the generation it describes (``g-NNNNNN.index.npz``, written by ``kg load`` and
removed with it); a memory store builds it on demand and keeps it while the store is unchanged.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import json
import os
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from rdflib import URIRef

from kg.namespaces import TKG, curie
from kg.validtime import Timeline, date_of, valid_time_span

__all__ = ["ImpactIndex", "NameIndex", "build_index", "build_names", "impact_index", "name_index", "FORMAT"]

#: Bumped when the file layout changes: an index of another format is rebuilt.
FORMAT = 4
#: Day numbers (``date.toordinal()``) stand for dates; these two for open ends.
DAWN = -1
NEVER = np.iinfo(np.int32).max

_PROV_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_CONFIRMED = str(TKG.Confirmed)
_ARRAYS = (
    "head tail pred forward g_edge g_id count_node count_lo count_hi susp_node susp_lo susp_hi susp_until "
    "active_off active_lo active_hi node_rec graph_rec claimed unconfirmed type_off type_id span"
).split()
_STRINGS = ("nodes", "predicates", "graphs", "labels", "type_names")


def _day(value: dt.date | None, open_end: int) -> int:
    return value.toordinal() if value is not None else open_end


def _date(day: int) -> dt.date | None:
    return None if day in (DAWN, NEVER) else dt.date.fromordinal(int(day))


@dataclass
class ImpactIndex:
    """The arrays (see the module's text). Edge ``i`` runs ``head[i] -> tail[i]`` by relation
    ``predicates[pred[i]]``, stated ``head -> tail`` when ``forward[i]``; ``g_edge``/``g_id``
    pair edges with the assertion graphs that state them. ``count_*``/``susp_*`` are intervals
    ``[lo, hi)`` of day numbers, one row each, with their node (``susp_until``: the day the
    suspension lifts, :meth:`Timeline.suspended_until`); ``active_*`` the active
    intervals by node (offsets). ``node_rec``/``graph_rec`` the first ``recordedOn`` day of a
    node's or graph's sources (``NEVER``: none)."""

    nodes: list[str]
    predicates: list[str]
    graphs: list[str]
    labels: list[str]
    type_names: list[str]
    arrays: dict[str, np.ndarray]
    claim_basis: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    position: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if not self.position:
            self.position = {n: i for i, n in enumerate(self.nodes)}
        for name in _ARRAYS:
            setattr(self, name, self.arrays[name])

    def __len__(self) -> int:
        return len(self.head)

    # -- masks -----------------------------------------------------------------------------
    def _within(self, node: np.ndarray, lo: np.ndarray, hi: np.ndarray, day: int) -> np.ndarray:
        mask = np.zeros(len(self.nodes), dtype=bool)
        mask[node[(lo <= day) & (day < hi)]] = True
        return mask

    def counting(self, as_of: dt.date, claims: str, dropped: Iterable[str] = ()) -> np.ndarray:
        """Nodes that count on ``as_of`` (:meth:`Timeline.counts`) and rest on no claim the
        claims mode leaves out, minus ``dropped``: a boolean per node."""
        mask = self._within(self.count_node, self.count_lo, self.count_hi, as_of.toordinal())
        if claims == "exclude":
            mask &= ~self.claimed
        elif claims == "confirmed-only":
            mask &= ~self.unconfirmed
        for node in dropped:
            i = self.position.get(node)
            if i is not None:
                mask[i] = False
        return mask

    def suspended(self, as_of: dt.date) -> np.ndarray:
        return self._within(self.susp_node, self.susp_lo, self.susp_hi, as_of.toordinal())

    def usable(self, as_of: dt.date, known_by: dt.date | None, claims: str, dropped: Iterable[str] = ()) -> np.ndarray:
        """Edges whose two ends count, and (with ``known_by``) whose statement or subject was
        recorded by then: a boolean per edge."""
        nodes = self.counting(as_of, claims, dropped)
        mask = nodes[self.head] & nodes[self.tail]
        if known_by is not None:
            day = known_by.toordinal()
            subject = np.where(self.forward, self.head, self.tail)
            known = self.node_rec[subject] <= day
            known[self.g_edge[self.graph_rec[self.g_id] <= day]] = True
            mask &= known
        return mask

    def reachable(self, usable: np.ndarray, sources: Iterable[str], max_hops: int, relaxes: str) -> np.ndarray:
        """The usable edges a walk of at most ``max_hops`` from ``sources`` takes, plus the
        ``relaxes`` edges into every node it reaches: a boolean per edge."""
        counting = np.zeros(len(self.nodes), dtype=bool)
        counting[self.head[usable]] = True
        counting[self.tail[usable]] = True
        seen = np.zeros(len(self.nodes), dtype=bool)
        for source in sources:
            i = self.position.get(source)
            if i is not None and counting[i]:
                seen[i] = True
        frontier = seen.copy()
        taken = np.zeros(len(self.head), dtype=bool)
        is_relaxes = self.pred == (self.predicates.index(relaxes) if relaxes in self.predicates else -1)
        for hop in range(max_hops + 1):
            taken |= usable & is_relaxes & frontier[self.tail]
            if hop == max_hops or not frontier.any():
                break
            out = usable & frontier[self.head]
            taken |= out
            nxt = np.zeros(len(self.nodes), dtype=bool)
            nxt[self.tail[out]] = True
            frontier = nxt & ~seen
            seen |= frontier
        return taken

    def reaching(self, usable: np.ndarray, targets: Iterable[str], max_hops: int) -> np.ndarray:
        """The nodes from which a walk of at most ``max_hops`` usable edges reaches one of
        ``targets`` (the targets too): a boolean per node."""
        seen = np.zeros(len(self.nodes), dtype=bool)
        for target in targets:
            i = self.position.get(target)
            if i is not None:
                seen[i] = True
        frontier = seen.copy()
        for _ in range(max_hops):
            back = usable & frontier[self.tail]
            if not back.any():
                break
            nxt = np.zeros(len(self.nodes), dtype=bool)
            nxt[self.head[back]] = True
            frontier = nxt & ~seen
            seen |= frontier
        return seen

    def valid_span(self) -> tuple[dt.date, dt.date] | None:
        """The first and last valid-time date of the whole graph (kg.validtime.valid_time_span)."""
        first, last = self.span.tolist()
        return None if first == DAWN else (dt.date.fromordinal(first), dt.date.fromordinal(last))

    def relaxed(self, relaxes: str) -> set[str]:
        """Every policy some relaxation relaxes (``?r tkg:relaxes ?p``), on any date."""
        if relaxes not in self.predicates:
            return set()
        tails = self.tail[self.pred == self.predicates.index(relaxes)]
        return {self.nodes[i] for i in np.unique(tails).tolist()}

    # -- node facts ------------------------------------------------------------------------
    def types(self, i: int) -> list[str]:
        return [self.type_names[t] for t in self.type_id[self.type_off[i] : self.type_off[i + 1]]]

    def intervals(self, i: int) -> list[tuple[dt.date | None, dt.date | None]]:
        lo, hi = (
            self.active_lo[self.active_off[i] : self.active_off[i + 1]],
            self.active_hi[self.active_off[i] : self.active_off[i + 1]],
        )
        return [(_date(a), _date(b)) for a, b in zip(lo.tolist(), hi.tolist(), strict=True)]

    def suspended_until(self, i: int, as_of: dt.date) -> tuple[bool, dt.date | None]:
        """Whether node ``i`` is suspended on ``as_of``, and until when (None: no end date)."""
        day = as_of.toordinal()
        rows = np.flatnonzero((self.susp_node == i) & (self.susp_lo <= day) & (day < self.susp_hi))
        if not len(rows):
            return False, None
        return True, _date(int(self.susp_until[rows[0]]))

    def edge_graphs(self, edges: np.ndarray) -> dict[int, list[str]]:
        """Edge number -> the assertion graphs stating it, for ``edges`` (edge numbers)."""
        wanted = np.zeros(len(self.head), dtype=bool)
        wanted[edges] = True
        rows = np.flatnonzero(wanted[self.g_edge])
        out: dict[int, list[str]] = {}
        for e, g in zip(self.g_edge[rows].tolist(), self.g_id[rows].tolist(), strict=True):
            out.setdefault(e, []).append(self.graphs[g])
        return out

    # -- files -----------------------------------------------------------------------------
    def save(self, path: Path) -> None:
        """Write the index to ``path`` in one rename (a reader sees no half-written file)."""
        strings = {name: _text(getattr(self, name)) for name in _STRINGS}
        _save(path, {**strings, "claim_basis": _text(self.claim_basis), **self.arrays})

    @classmethod
    def open(cls, path: Path) -> ImpactIndex | None:
        """The index saved at ``path``; None when missing, unreadable or of another format."""
        data = _open(path, (*_STRINGS, "claim_basis", *_ARRAYS))
        if data is None:
            return None
        try:
            strings = {name: json.loads(data[name].tobytes().decode()) for name in _STRINGS}
            basis = json.loads(data["claim_basis"].tobytes().decode())
        except ValueError:  # damaged text (also bad UTF-8): rebuilt
            return None
        return cls(
            **strings,
            arrays={name: data[name] for name in _ARRAYS},
            claim_basis={k: [tuple(pair) for pair in v] for k, v in basis.items()},
        )


def build_index(kg, schema=None, claim_basis: dict[str, list[tuple[str, str]]] | None = None) -> ImpactIndex:
    """Compile the impact index of ``kg`` (an embedded store: read by index look-ups)."""
    from kg.graph import _plain_or_english
    from kg.network import _claim_basis
    from kg.schema import Schema

    schema = schema or Schema.from_graph(kg)
    basis = _claim_basis(kg) if claim_basis is None else claim_basis
    match = kg.store.match
    triples: dict[tuple[str, str, str], set[str]] = {}
    for prop in sorted(schema.impact):
        for m in match(None, prop):
            if m.o_iri:
                graphs = triples.setdefault((m.s, prop, m.o), set())
                if m.g:
                    graphs.add(m.g)
    nodes = sorted({x for s, _, o in triples for x in (s, o)})
    position = {n: i for i, n in enumerate(nodes)}
    predicates = sorted(schema.impact)
    pred_pos = {p: i for i, p in enumerate(predicates)}
    graphs = sorted({g for found in triples.values() for g in found})
    graph_pos = {g: i for i, g in enumerate(graphs)}

    head, tail, pred, forward, g_edge, g_id = [], [], [], [], [], []
    for e, ((s, p, o), found) in enumerate(sorted(triples.items())):
        ahead = schema.impact[p].forward
        head.append(position[s if ahead else o])
        tail.append(position[o if ahead else s])
        pred.append(pred_pos[p])
        forward.append(ahead)
        for g in sorted(found):
            g_edge.append(e)
            g_id.append(graph_pos[g])

    timeline = Timeline(kg)
    wanted = set(nodes)
    bulk = len(nodes) > 1000
    if bulk:  # read every node's dates, classes and labels property by property, not node by node
        timeline.preload()
        classes: dict[str, dict[str, None]] = {}
        for m in match(None, _RDF_TYPE):
            if m.o_iri and m.s in wanted:
                classes.setdefault(m.s, {})[m.o] = None
        named: dict[str, str] = {}
        for m in match(None, _RDFS_LABEL):
            if not m.o_iri and m.s in wanted and _plain_or_english(m):
                named[m.s] = min(named[m.s], m.o) if m.s in named else m.o
    counts: list[tuple[int, int, int]] = []
    suspensions: list[tuple[int, int, int, int]] = []
    active_off, active_lo, active_hi = [0], [], []
    type_names: list[str] = []
    type_pos: dict[str, int] = {}
    type_off, type_id = [0], []
    for i, node in enumerate(nodes):
        f = timeline.facts(node)
        shown = timeline.intervals(node)
        if f.policy and (f.clause_of or f.suspended_by or f.dates or f.claim_dates or timeline.extensions(node)):
            spans = timeline.spans(node, timeline.counts)
        else:  # counts exactly when active: anything but a policy, and a plain policy
            spans = shown
        counts += [(i, _day(a, DAWN), _day(b, NEVER)) for a, b in spans]
        if f.policy and (f.suspended_by or any(timeline.facts(m).suspended_by for m in f.clause_of)):
            for a, b in timeline.spans(node, timeline.suspended):  # with the day the suspension lifts
                until = timeline.suspended_until(node, a or dt.date.min)
                suspensions.append((i, _day(a, DAWN), _day(b, NEVER), _day(until, NEVER)))
        for a, b in shown:
            active_lo.append(_day(a, DAWN))
            active_hi.append(_day(b, NEVER))
        active_off.append(len(active_lo))
        for t in list(classes.get(node, ())) if bulk else timeline.types(node):
            if t not in type_pos:
                type_pos[t] = len(type_names)
                type_names.append(t)
            type_id.append(type_pos[t])
        type_off.append(len(type_id))

    first_record: dict[str, int] = {}
    recorded: dict[str, int] = {}
    for m in match(None, str(TKG.recordedOn)):
        day = date_of(m.o, m.datatype)
        if day is not None:
            recorded[m.s] = min(recorded.get(m.s, NEVER), day.toordinal())
    if recorded:
        wanted = set(nodes) | set(graphs)
        for m in match(None, _PROV_DERIVED):
            if m.s in wanted and m.o in recorded:
                first_record[m.s] = min(first_record.get(m.s, NEVER), recorded[m.o])

    span = valid_time_span(kg)

    def column(rows: list[tuple[int, ...]], k: int) -> np.ndarray:
        return np.array([r[k] for r in rows], dtype=np.int32)

    arrays = {
        "head": np.array(head, dtype=np.int32),
        "tail": np.array(tail, dtype=np.int32),
        "pred": np.array(pred, dtype=np.int16),
        "forward": np.array(forward, dtype=bool),
        "g_edge": np.array(g_edge, dtype=np.int32),
        "g_id": np.array(g_id, dtype=np.int32),
        "count_node": column(counts, 0),
        "count_lo": column(counts, 1),
        "count_hi": column(counts, 2),
        "susp_node": column(suspensions, 0),
        "susp_lo": column(suspensions, 1),
        "susp_hi": column(suspensions, 2),
        "susp_until": column(suspensions, 3),
        "active_off": np.array(active_off, dtype=np.int64),
        "active_lo": np.array(active_lo, dtype=np.int32),
        "active_hi": np.array(active_hi, dtype=np.int32),
        "node_rec": np.array([first_record.get(n, NEVER) for n in nodes], dtype=np.int32),
        "graph_rec": np.array([first_record.get(g, NEVER) for g in graphs], dtype=np.int32),
        "claimed": np.array([bool(basis.get(n)) for n in nodes], dtype=bool),
        "unconfirmed": np.array([any(st != _CONFIRMED for _, st in basis.get(n, ())) for n in nodes], dtype=bool),
        "type_off": np.array(type_off, dtype=np.int64),
        "type_id": np.array(type_id, dtype=np.int32),
        "span": np.array([d.toordinal() for d in span] if span else [DAWN, DAWN], dtype=np.int32),
    }
    labels = [named.get(n) or curie(n) for n in nodes] if bulk else [kg.label(URIRef(n)) for n in nodes]
    return ImpactIndex(nodes, predicates, graphs, labels, type_names, arrays, basis, position)


def impact_index(kg, build: bool = True) -> ImpactIndex | None:
    """The impact index of ``kg``: a persistent store's saved one (built and saved if missing),
    a memory store's cached one (built if ``build``); None for a SPARQL server, which is asked
    instead."""
    store = kg.store
    if not getattr(store, "local", False):
        return None
    cached = kg.__dict__.get("_impact_index")
    if cached is not None and cached[0] == _version(kg):
        return cached[1]
    index = None
    path = getattr(store, "index_path", lambda: None)()
    if path is not None:
        index = ImpactIndex.open(path)
    if index is None:
        if not build and path is None:
            return None
        index = build_index(kg)
        if path is not None:
            try:
                index.save(path)
            except OSError:  # a reader without write access: use it, keep it in memory
                pass
    kg.__dict__["_impact_index"] = (_version(kg), index)
    return index


def _version(kg) -> tuple:
    """What the cached index was built from: the files loaded into a memory store, or the
    generation a persistent store reads."""
    path = getattr(kg.store, "index_path", lambda: None)()
    return (str(path), len(kg.files))


# -- names ---------------------------------------------------------------------------------


@dataclass
class NameIndex:
    """Every label and alias of every entity (:func:`kg.lookup.entity_names`), with its
    normalised form (:func:`kg.lookup.normalise_name`), read by exact look-up instead of a
    query and a pass over every name: what resolving a typed name needs."""

    iris: list[str]
    names: list[str]
    norms: list[str]
    primary: np.ndarray
    by_norm: dict[str, list[int]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if not self.by_norm:
            for i, norm in enumerate(self.norms):
                self.by_norm.setdefault(norm, []).append(i)

    def containing(self, needle: str) -> list[tuple[str, str]]:
        """(entity, name) for every name whose lower case holds ``needle`` (lower case): one
        search in C over all the names joined, not a Python test per name."""
        if not hasattr(self, "_joined"):
            lowered = [n.lower().replace("\x00", " ") for n in self.names]
            self._joined = "\x00".join(lowered)
            self._starts = list(itertools.accumulate((len(n) + 1 for n in lowered), initial=0))
        if not needle:  # every name holds the empty text
            return list(zip(self.iris, self.names, strict=True))
        joined, starts = self._joined, self._starts
        found: list[int] = []
        at = joined.find(needle) if "\x00" not in needle else -1
        while at >= 0:
            row = bisect.bisect_right(starts, at) - 1
            if at + len(needle) < starts[row + 1]:  # inside one name
                found.append(row)
            at = joined.find(needle, at + 1)
        return [(self.iris[i], self.names[i]) for i in dict.fromkeys(found)]

    def save(self, path: Path) -> None:
        _save(path, {k: _text(getattr(self, k)) for k in ("iris", "names", "norms")} | {"primary": self.primary})

    @classmethod
    def open(cls, path: Path) -> NameIndex | None:
        data = _open(path, ("iris", "names", "norms", "primary"))
        if data is None:
            return None
        try:
            texts = [json.loads(data[k].tobytes().decode()) for k in ("iris", "names", "norms")]
        except ValueError:  # damaged text (also bad UTF-8): rebuilt
            return None
        return cls(*texts, data["primary"])


def build_names(kg) -> NameIndex:
    from kg.lookup import entity_names, normalise_name

    rows = entity_names(kg)
    return NameIndex(
        [r.iri for r in rows],
        [r.name for r in rows],
        [normalise_name(r.name) for r in rows],
        np.array([r.primary for r in rows], dtype=bool),
    )


def name_index(kg) -> NameIndex | None:
    """The name index of ``kg``: a persistent store's saved one (built and saved if missing);
    None for a memory store (one pass over its names costs what building would) and a server."""
    path = getattr(kg.store, "index_path", lambda kind="": None)("names")
    if path is None or not getattr(kg.store, "local", False):
        return None
    cached = kg.__dict__.get("_name_index")
    if cached is not None and cached[0] == str(path):
        return cached[1]
    index = NameIndex.open(path)
    if index is None:
        index = build_names(kg)
        try:
            index.save(path)
        except OSError:
            pass
    kg.__dict__["_name_index"] = (str(path), index)
    return index


def _text(values) -> np.ndarray:
    return np.frombuffer(json.dumps(values).encode(), dtype=np.uint8)


def _save(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Write ``arrays`` to ``path`` in one rename (a reader sees no half-written file)."""
    fd, tmp = tempfile.mkstemp(prefix=".index-", suffix=".npz", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, format=np.array([FORMAT]), **arrays)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _open(path: Path, names: Iterable[str]) -> dict[str, np.ndarray] | None:
    """The arrays saved at ``path``; None when missing, unreadable or of another format."""
    try:
        with np.load(path, allow_pickle=False) as data:
            if int(data["format"][0]) != FORMAT:
                return None
            return {name: data[name] for name in names}
    except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile):
        return None
