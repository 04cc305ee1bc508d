"""Date-window answers by index: the shipped ``timeline``, ``changes-between``,
``planned-events`` and ``restrictions-in-force`` without a query per question.

Each of these queries asks the same graph again and again with another date. Their rows change
with the date only in a known way, so the store's answer for *every* date is compiled once
per generation (or, for a memory store, once per process when asked a second time), and a
question becomes a search in sorted arrays:

- ``timeline`` (FROM..TO) and ``changes-between`` ((FROM, TO]): a row depends on the window
  only through the filter on its own date. The shipped query is run once over the whole range
  (0001-01-01 to 9999-12-31); its rows, in its own order, are kept with their dates, and a
  window is two binary searches. ``changes-between`` is compiled with ``claims=include``; each
  row carries whether it counts under ``exclude`` and ``confirmed-only`` (admitted: the policy
  and what changed it rest on no claim / on confirmed claims only, as ``admitted.rqf`` says).
- ``planned-events`` (DATE): a row depends on DATE only through its planned date (after DATE)
  and its first report (on or before DATE). The shipped query is run without its known-on
  filter; the two dates are kept per row.
- ``restrictions-in-force`` (DATE, claims): what is said of a restriction (its class, label,
  imposers, commodities, targets, sources, evidence, basis) does not depend on the date: it is
  read by the shipped query with its three date and claims filters lifted. What does — whether
  it holds, its status, the rate step that runs, the relaxations in force — is
  :class:`kg.validtime.Timeline`'s answer (the one definition of policy state), evaluated on
  every day at which the rules may change for the restriction or anything it depends on
  (``Timeline._critical``), and kept as intervals.

Nothing here is a third definition of valid time: the rows come from the shipped queries, the
states from ``Timeline``. ``tests/test_windows.py`` holds every answer equal to the query's
on the bundled graph, on the conformance cases and on a synthetic graph.

The index declines (the query runs instead) when a date it would compare is not a plain
``YYYY-MM-DD`` ``xsd:date`` (a time zone, an ill-typed value), or a rate is not a number:
there the engine's comparison rules, not a calendar, decide.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import numpy as np

from kg import resources
from kg.namespaces import TKG
from kg.queries import WINDOWED

__all__ = ["WINDOWED", "WindowIndex", "build_windows", "window_index", "answer", "cells"]

MODES = ("include", "exclude", "confirmed-only")
_FIRST, _LAST = "0001-01-01", "9999-12-31"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_DATE = _XSD + "date"
_STRING = _XSD + "string"
_NUMERIC = {_XSD + t for t in ("decimal", "integer", "double", "float", "int", "long", "nonNegativeInteger")}
_PLAIN_DATE = re.compile(r"^\d{4}-\d\d-\d\d$")
DAWN, NEVER = -1, 2**31 - 1
_CONFIRMED = str(TKG.Confirmed)

# restrictions-in-force: the columns that do not depend on the date, those that do
_STATIC = (
    "policy policyLabel policyType imposer imposers commodities targets inForceFrom plannedEnd basis evidence sources"
).split()
_LAYOUT = [*_STATIC, "status", "rate", "rateSource", "relaxedBy"]
_RIF_LIFTED = ("#include holds(?policy)", "#include admitted(?policy)", "#include measure-holds(?policy)")
_PLANNED_LIFTED = ("FILTER (!BOUND(?reportedOn) || ?reportedOn <= ?date)",)


class Declined(Exception):
    """The graph holds what the index cannot answer exactly (the reason); the query runs."""


# -- cells: a term as [value, tag]: "I" IRI, "B" blank node, "@lang", or a datatype ("" for xsd:string)


def _encode(term) -> list[str]:
    import pyoxigraph as ox

    if type(term) is ox.NamedNode:
        return [term.value, "I"]
    if type(term) is ox.BlankNode:
        return [term.value, "B"]
    if term.language:
        return [term.value, "@" + term.language]
    datatype = term.datatype.value
    return [term.value, "" if datatype == _STRING else datatype]


def _term(cell):
    from rdflib import BNode, Literal, URIRef

    value, tag = cell
    if tag == "I":
        return URIRef(value)
    if tag == "B":
        return BNode(value)
    if tag.startswith("@"):
        return Literal(value, lang=tag[1:])
    return Literal(value, datatype=URIRef(tag)) if tag else Literal(value)


def _day(cell, what: str) -> int | None:
    """The day number of a date cell (None: unbound); Declined when not a plain xsd:date."""
    if cell is None:
        return None
    value, tag = cell
    if tag != _DATE or not _PLAIN_DATE.match(value):
        raise Declined(f"{what} {value!r} is not a plain xsd:date")
    try:
        return dt.date.fromisoformat(value).toordinal()
    except ValueError:
        raise Declined(f"{what} {value!r} is not a date") from None


def _string(text: str | None):
    return None if text is None else [text, ""]


# -- the compiled rows -------------------------------------------------------------------


@dataclass
class Rows:
    """Rows of one query in its order, kept as JSON lines (decoded only for the rows asked),
    with per-row keys (dates, flags) as arrays."""

    variables: list[str]
    text: bytes
    offsets: np.ndarray
    keys: dict[str, np.ndarray]

    @classmethod
    def of(cls, variables: list[str], rows: list[list], keys: dict[str, list]) -> Rows:
        lines = [json.dumps(r, ensure_ascii=False, separators=(",", ":")).encode() for r in rows]
        offsets = np.zeros(len(lines) + 1, dtype=np.int64)
        np.cumsum([len(x) for x in lines], out=offsets[1:])
        return cls(variables, b"".join(lines), offsets, {k: np.asarray(v, dtype=np.int32) for k, v in keys.items()})

    def decode(self, picked: np.ndarray) -> list[list]:
        """The rows at the (ascending) positions ``picked``; consecutive runs are read at once."""
        out: list[list] = []
        if len(picked) == 0:
            return out
        text, offsets = self.text, self.offsets
        breaks = np.flatnonzero(np.diff(picked) != 1) + 1
        for run in np.split(picked, breaks):
            lo, hi = int(run[0]), int(run[-1]) + 1
            chunk = text[offsets[lo] : offsets[hi]]
            ends = offsets[lo + 1 : hi + 1] - offsets[lo]
            starts = offsets[lo:hi] - offsets[lo]
            out.extend(json.loads(chunk[s:e]) for s, e in zip(starts.tolist(), ends.tolist(), strict=True))
        return out

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        out = {f"{prefix}.text": np.frombuffer(self.text, dtype=np.uint8), f"{prefix}.offsets": self.offsets}
        out[f"{prefix}.variables"] = np.frombuffer(json.dumps(self.variables).encode(), dtype=np.uint8)
        out |= {f"{prefix}.key.{k}": v for k, v in self.keys.items()}
        return out

    @classmethod
    def from_arrays(cls, data: Mapping[str, np.ndarray], prefix: str) -> Rows:
        keys = {k.split(".", 2)[2]: data[k] for k in data if k.startswith(f"{prefix}.key.")}
        variables = json.loads(data[f"{prefix}.variables"].tobytes().decode())
        return cls(variables, data[f"{prefix}.text"].tobytes(), data[f"{prefix}.offsets"], keys)


@dataclass
class WindowIndex:
    """The compiled answers of :data:`WINDOWED` for one graph (see the module's text).

    ``restrictions``: the static rows of every restriction in the query's order (key
    ``policy``: its number), and ``segments``: for each restriction the intervals ``[lo, hi)``
    of day numbers in which it holds with one state (key ``state``, a row of ``states``:
    status, rates, rate source, relaxations in force per claims mode).
    """

    timeline: Rows
    changes: Rows
    planned: Rows
    restrictions: Rows
    seg_policy: np.ndarray
    seg_lo: np.ndarray
    seg_hi: np.ndarray
    seg_state: np.ndarray
    states: list
    admitted: np.ndarray  # restriction number x mode (exclude, confirmed-only)

    # -- the four questions ----------------------------------------------------------------
    def timeline_rows(self, first: dt.date, last: dt.date) -> list[list]:
        days = self.timeline.keys["date"]
        lo = int(np.searchsorted(days, first.toordinal(), "left"))
        hi = int(np.searchsorted(days, last.toordinal(), "right"))
        return self.timeline.decode(np.arange(lo, hi)) if lo < hi else []

    def changes_rows(self, after: dt.date, last: dt.date, claims: str) -> list[list]:
        days = self.changes.keys["date"]
        lo = int(np.searchsorted(days, after.toordinal(), "right"))
        hi = int(np.searchsorted(days, last.toordinal(), "right"))
        picked = np.arange(lo, max(lo, hi))
        if claims != "include":
            picked = picked[self.changes.keys[claims][picked].astype(bool)]
        return self.changes.decode(picked)

    def planned_rows(self, day: dt.date) -> list[list]:
        d = day.toordinal()
        keys = self.planned.keys
        # still to come on D (dated after it, or undated and reported as future) and known on D
        keep = (keys["planned"] > d) & (keys["reported"] <= d)
        return self.planned.decode(np.flatnonzero(keep))

    def restriction_rows(self, day: dt.date, claims: str) -> list[list]:
        d = day.toordinal()
        on = (self.seg_lo <= d) & (d < self.seg_hi)
        if claims != "include":
            on &= self.admitted[self.seg_policy, MODES.index(claims) - 1]
        state_of = dict(zip(self.seg_policy[on].tolist(), self.seg_state[on].tolist(), strict=True))
        policies = self.restrictions.keys["policy"]
        picked = np.flatnonzero(np.isin(policies, np.fromiter(state_of, dtype=np.int32, count=len(state_of))))
        relaxed_at = 3 + MODES.index(claims)
        # static rows are distinct, and so are a state's rates: the rows are (SELECT DISTINCT)
        out: list[list] = []
        for static, number in zip(self.restrictions.decode(picked), policies[picked].tolist(), strict=True):
            state = self.states[state_of[number]]
            tail = [_string(state[0]), None, _string(state[2]), _string(state[relaxed_at])]
            for rate in state[1]:
                tail[1] = rate
                out.append([*static, *tail])
        return out

    # -- files -----------------------------------------------------------------------------
    def save(self, path: Path) -> None:
        from kg.index import _save, _text

        arrays: dict[str, np.ndarray] = {}
        for name in ("timeline", "changes", "planned", "restrictions"):
            arrays |= getattr(self, name).arrays(name)
        arrays |= {
            "seg_policy": self.seg_policy,
            "seg_lo": self.seg_lo,
            "seg_hi": self.seg_hi,
            "seg_state": self.seg_state,
            "states": _text(self.states),
            "admitted": self.admitted,
        }
        _save(path, arrays)

    @classmethod
    def open(cls, path: Path) -> WindowIndex | None:
        import zipfile

        from kg.index import FORMAT

        try:
            with np.load(path, allow_pickle=False) as data:
                if int(data["format"][0]) != FORMAT:
                    return None
                arrays = {name: data[name] for name in data.files}
            parts = [Rows.from_arrays(arrays, n) for n in ("timeline", "changes", "planned", "restrictions")]
            states = json.loads(arrays["states"].tobytes().decode())
            return cls(
                *parts,
                arrays["seg_policy"],
                arrays["seg_lo"],
                arrays["seg_hi"],
                arrays["seg_state"],
                states,
                arrays["admitted"],
            )
        except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile):
            return None


# -- compiling ---------------------------------------------------------------------------


def _variant(name: str, lifted: tuple[str, ...] = ()) -> str:
    """The shipped query ``name`` with the lines ``lifted`` (stripped text) left out, its
    fragments included. A line not found means the query changed: fail loudly (a test runs it)."""
    from kg.queries import _INCLUDE_LINE, expand_includes

    path = resources.queries_dir() / f"{name}.rq"
    lines = path.read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines if line.strip() not in lifted]
    if len(lines) - len(kept) != len(lifted):
        raise RuntimeError(f"{path.name}: the lines the window index lifts are not there: {lifted}")
    text = "\n".join(kept)
    used = list(dict.fromkeys(m["name"] for m in _INCLUDE_LINE.finditer(text)))
    return expand_includes(text, used, path)


def _run(kg, text: str, bindings: dict) -> tuple[list[str], list[list]]:
    """Variables (the bound ones left out) and rows as cells, read from the store directly."""
    from kg.stores import to_ox

    store = kg.store
    result = store._store.query(
        text,
        prefixes=_prefixes(),
        use_default_graph_as_union=True,
        substitutions={_var(k): to_ox(v) for k, v in bindings.items()},
    )
    names = [v.value for v in result.variables if v.value not in bindings]
    rows = []
    for solution in result:
        row = []
        for name in names:
            value = solution[name]
            row.append(None if value is None else _encode(value))
        rows.append(row)
    return names, rows


def _prefixes() -> dict[str, str]:
    from kg.namespaces import PREFIXES

    return dict(PREFIXES)


def _var(name: str):
    import pyoxigraph as ox

    return ox.Variable(name)


def _date(value: str):
    from rdflib import Literal
    from rdflib.namespace import XSD

    return Literal(value, datatype=XSD.date)


def _claims(kg) -> tuple[dict[str, set[str]], set[str]]:
    """What each node rests on (``tkg:restsOnClaim``), and the confirmed claims."""
    rests: dict[str, set[str]] = {}
    for m in kg.store.match(None, str(TKG.restsOnClaim)):
        rests.setdefault(m.s, set()).add(m.o)
    confirmed = {m.s for m in kg.store.match(None, str(TKG.confirmationStatus), _CONFIRMED)}
    return rests, confirmed


def _admits(rests: dict[str, set[str]], confirmed: set[str], node: str | None, mode: str) -> bool:
    """``admitted.rqf``: include all; exclude what rests on any claim; confirmed-only keeps
    what rests on confirmed claims only."""
    if node is None or mode == "include":
        return True
    claims = rests.get(node, ())
    return not claims if mode == "exclude" else all(c in confirmed for c in claims)


def build_windows(kg) -> WindowIndex:
    """Compile the window index of ``kg`` (an embedded store). Raises :class:`Declined`.

    A persistent store is first copied into memory: the whole-range queries run about 7x
    slower on RocksDB (72 s at 1M quads) than the copy and the compiling together (25 s)."""
    from rdflib import Literal

    from kg.queries import catalogue

    kg = _in_memory(kg)
    shipped = catalogue()
    rests, confirmed = _claims(kg)

    # timeline: the whole range, in the query's order (by date first)
    names, rows = _run(kg, shipped["timeline"].text, {"from": _date(_FIRST), "to": _date(_LAST)})
    at = names.index("date")
    timeline = Rows.of(names, rows, {"date": [_day(r[at], "timeline date") for r in rows]})

    # changes-between: the whole range with every claim, each row's admission per mode
    names, rows = _run(
        kg, shipped["changes-between"].text, {"from": _date(_FIRST), "to": _date(_LAST), "claims": Literal("include")}
    )
    at, p, b = names.index("date"), names.index("policy"), names.index("by")
    keys: dict[str, list] = {"date": [_day(r[at], "change date") for r in rows]}
    for mode in MODES[1:]:
        keys[mode] = [
            _admits(rests, confirmed, r[p][0], mode) and _admits(rests, confirmed, r[b] and r[b][0], mode) for r in rows
        ]
    changes = Rows.of(names, rows, keys)

    # planned-events: every event still to come on the first day, without the known-on filter
    names, rows = _run(kg, _variant("planned-events", _PLANNED_LIFTED), {"date": _date(_FIRST)})
    at, rep = names.index("plannedFor"), names.index("reportedOn")
    planned_days = [_day(r[at], "planned date") for r in rows]
    reported = [_day(r[rep], "first report date") for r in rows]
    planned = Rows.of(
        names,
        rows,
        {
            "planned": [NEVER if d is None else d for d in planned_days],
            "reported": [DAWN if d is None else d for d in reported],
        },
    )

    restrictions, segments, states, admitted = _restrictions(kg, rests, confirmed)
    return WindowIndex(timeline, changes, planned, restrictions, *segments, states, admitted)


def _in_memory(kg):
    """``kg`` itself when it is in memory; else a memory copy of its store."""
    if getattr(kg.store, "index_path", None) is None:
        return kg
    from kg.graph import KnowledgeGraph
    from kg.stores import OxigraphMemoryStore

    copy = OxigraphMemoryStore()
    copy._store.bulk_extend(kg.store._store.quads_for_pattern(None, None, None, None))
    return KnowledgeGraph(copy)


def _restrictions(kg, rests, confirmed):
    """restrictions-in-force: the static rows (the query with its date and claims filters
    lifted), and each restriction's states over time from :class:`~kg.validtime.Timeline`."""
    from rdflib import Literal

    from kg.validtime import Timeline

    names, rows = _run(
        kg, _variant("restrictions-in-force", _RIF_LIFTED), {"date": _date(_FIRST), "claims": Literal("include")}
    )
    cols = [names.index(c) for c in _STATIC]
    static = sorted({json.dumps([r[i] for i in cols]) for r in rows})
    static_rows = [json.loads(s) for s in static]

    def order(value) -> tuple:  # SPARQL ORDER BY: unbound first, then IRIs, then literals
        return (0, "") if value is None else (1 if value[1] == "I" else 2, value[0])

    position = {c: i for i, c in enumerate(_STATIC)}
    static_rows.sort(key=lambda r: (order(r[position["imposer"]]), order(r[position["policyLabel"]]), r[0][0]))
    policies = list(dict.fromkeys(r[0][0] for r in static_rows))
    number = {p: i for i, p in enumerate(policies)}
    restrictions = Rows.of(
        names,  # the query's columns, in its order (rows are kept in the order of _LAYOUT)
        static_rows,
        {"policy": [number[r[0][0]] for r in static_rows]},
    )

    steps, own_rates, relaxations = _dynamic_facts(kg, policies)
    timeline = Timeline(kg).preload()
    state_pos: dict[str, int] = {}
    states: list = []
    seg_policy, seg_lo, seg_hi, seg_state = [], [], [], []
    for p in policies:
        days = set(timeline._critical(p))
        for step in steps.get(p, {}):
            days |= timeline._critical(step)
        for r in relaxations.get(p, {}):
            days |= timeline._critical(r)
        probes = [dt.date.min, *sorted(days)]
        current = None  # (start, state number)
        for probe in probes:
            state = _state(
                timeline, p, probe, steps.get(p, {}), own_rates.get(p, [None]), relaxations.get(p, {}), rests, confirmed
            )
            key = None if state is None else state_pos.setdefault(json.dumps(state), len(state_pos))
            if key is not None and key == len(states):
                states.append(state)
            start = DAWN if probe == dt.date.min else probe.toordinal()
            if current is not None and current[1] != key:
                seg_policy.append(number[p])
                seg_lo.append(current[0])
                seg_hi.append(start)
                seg_state.append(current[1])
                current = None
            if current is None and key is not None:
                current = (start, key)
        if current is not None:
            seg_policy.append(number[p])
            seg_lo.append(current[0])
            seg_hi.append(NEVER)
            seg_state.append(current[1])
    admitted = np.array([[_admits(rests, confirmed, p, m) for m in MODES[1:]] for p in policies], dtype=bool).reshape(
        len(policies), 2
    )
    segments = tuple(np.array(x, dtype=np.int32) for x in (seg_policy, seg_lo, seg_hi, seg_state))
    return restrictions, segments, states, admitted


_STEPS = """
SELECT ?policy ?step ?stepRate ?stepSrcLabel WHERE {
  ?policy tkg:rateStep ?step .
  ?step tkg:rate ?stepRate .
  OPTIONAL {
    { GRAPH ?stepGraph { ?step tkg:rate ?stepRate } ?stepGraph prov:wasDerivedFrom ?stepSrc
      OPTIONAL { ?stepGraph tkg:evidenceKind ?stepKind . ?stepKind rdfs:label ?stepKindName } }
    UNION
    { ?step prov:wasDerivedFrom ?stepSrc }
    OPTIONAL { ?stepSrc rdfs:label ?stepSrcName }
    BIND (CONCAT(COALESCE(?stepSrcName, STR(?stepSrc)),
                 IF(BOUND(?stepKindName), CONCAT(" (", ?stepKindName, ")"), "")) AS ?stepSrcLabel)
  }
}"""

_RELAXATIONS = """
SELECT ?policy ?relaxation ?namePart ?rPlanned ?suspendsPart ?claimPart ?uncertainPart WHERE {
  ?relaxation tkg:relaxes ?policy .
  OPTIONAL { ?relaxation rdfs:label ?rName }
  OPTIONAL { ?relaxation tkg:plannedEnd ?rPlanned }
  OPTIONAL {
    ?relaxation tkg:restsOnClaim ?rClaim .
    OPTIONAL { ?rClaim tkg:confirmationStatus ?rStatus . ?rStatus rdfs:label ?rStatusLabel }
  }
  BIND (COALESCE(?rName, STR(?relaxation)) AS ?namePart)
  BIND (IF(EXISTS { ?relaxation tkg:suspends ?policy }, " [suspends it]", "") AS ?suspendsPart)
  BIND (IF(EXISTS { ?relaxation tkg:plannedEndPrecision tkg:UncertainPrecision }, ", end uncertain", "")
        AS ?uncertainPart)
  BIND (IF(BOUND(?rClaim), CONCAT(" [rests on a claim: ", COALESCE(?rStatusLabel, "status unknown"), "]"), "")
        AS ?claimPart)
}"""


def _dynamic_facts(kg, policies: list[str]):
    """What the dated columns are made of, per restriction: its rate steps (rates and their
    sources), its own rates, and the words for each relaxation of it (in the query's words:
    ``restrictions-in-force.rq``'s ``?rText`` without the part that compares dates)."""
    wanted = set(policies)
    steps: dict[str, dict[str, list]] = {}
    for row in _run(kg, _STEPS, {})[1]:
        if row[0][0] in wanted:
            found = steps.setdefault(row[0][0], {}).setdefault(row[1][0], [[], set()])
            if row[2] not in found[0]:
                found[0].append(row[2])
            if row[3] is not None:
                found[1].add(row[3][0])
    own: dict[str, list] = {}
    for m in kg.store.match(None, str(TKG.rate)):
        if m.s in wanted and not m.o_iri:
            cell = [m.o, "@" + m.lang] if m.lang else [m.o, "" if m.datatype == _STRING else m.datatype]
            own.setdefault(m.s, []).append(cell)
    for rates in (*own.values(), *(r[0] for found in steps.values() for r in found.values())):
        for cell in rates:
            _number(cell)
    relaxations: dict[str, dict[str, list]] = {}
    for row in _run(kg, _RELAXATIONS, {})[1]:
        if row[0][0] in wanted:
            planned = row[3]
            if planned is not None:  # an ill-typed planned end makes the query's words an error: none
                try:
                    _day(planned, "relaxation's planned end")
                except Declined:
                    planned = [False, None]
            parts = (row[2][0], planned and planned[0], row[4][0], row[5][0], row[6][0])
            found = relaxations.setdefault(row[0][0], {}).setdefault(row[1][0], [])
            if parts not in found:
                found.append(parts)
    return steps, own, relaxations


def _number(cell) -> Decimal:
    value, tag = cell
    if tag not in _NUMERIC:
        raise Declined(f"rate {value!r} is not a number")
    try:
        return Decimal(value)
    except InvalidOperation:
        raise Declined(f"rate {value!r} is not a number") from None


def _state(timeline, policy: str, day: dt.date, steps, own_rates, relaxations, rests, confirmed) -> list | None:
    """What restrictions-in-force says of ``policy`` on ``day`` beyond its static columns:
    [status, rates, rate source, relaxed by (include, exclude, confirmed-only)]; None when it
    is not listed (does not hold, or its measure does not)."""
    if not timeline.present(policy, day):
        return None
    status = timeline.suspension_note(policy, day) if timeline.suspended(policy, day) else "in force"
    running = [found for step, found in steps.items() if timeline.runs(step, day)]
    if running:
        rates = [cell for found in running for cell in found[0]]
        rates = [min(rates, key=_number)]
        labels = sorted({label for found in running for label in found[1]})
        source = "; ".join(labels) if labels else None
    else:
        rates, source = [json.loads(r) for r in dict.fromkeys(json.dumps(r) for r in own_rates)], None
    relaxed = []
    for mode in MODES:
        texts = set()
        broken = False
        for relaxation, parts in relaxations.items():
            if not (_admits(rests, confirmed, relaxation, mode) and timeline.active(relaxation, day)):
                continue
            for name, planned, suspends, claim, uncertain in parts:
                if planned is False:  # ill-typed: the query's IF fails, and with it the whole
                    broken = True  # GROUP_CONCAT in Oxigraph (a hypothesis world found it)
                    continue
                if planned is None:
                    when = ""
                elif dt.date.fromisoformat(planned) <= day:
                    when = f" (extended beyond its planned end {planned})"
                else:
                    when = f" (until {planned}{uncertain})"
                texts.add(name + when + suspends + claim)
        # unbound when no relaxation in force has words, or one has an error (Oxigraph's
        # GROUP_CONCAT over errors)
        relaxed.append("; ".join(sorted(texts)) if texts and not broken else None)
    return [status, rates, source, *relaxed]


# -- where the index lives ---------------------------------------------------------------


def window_index(kg, build: bool = True) -> WindowIndex | None:
    """The window index of ``kg``: a persistent store's saved one (compiled and saved if
    missing and ``build``), a memory store's cached one (compiled if ``build``); None for a
    SPARQL server, or when the graph holds what the index declines."""
    store = kg.store
    if not getattr(store, "local", False) or not hasattr(store, "_store"):
        return None
    from kg.index import _version

    version = _version(kg)
    cached = kg.__dict__.get("_window_index")
    if cached is not None and cached[0] == version:
        return cached[1]
    path = getattr(store, "index_path", lambda kind="": None)("windows")
    index = WindowIndex.open(path) if path is not None else None
    if index is None:
        if not build:
            return None
        try:
            index = build_windows(kg)
        except Declined:
            index = None
        if index is not None and path is not None:
            try:
                index.save(path)
            except OSError:  # a reader without write access: use it, keep it in memory
                pass
    kg.__dict__["_window_index"] = (version, index)
    return index


def answer(kg, name: str, bindings: Mapping) -> tuple[list[str], list[dict]] | None:
    """The rows of the shipped query ``name`` with ``bindings`` from the window index (as
    :func:`kg.queries.execute` returns them, parameter columns left out); None when the index
    cannot answer (another store, declined, a parameter that is not a date in 0001..9999).

    A persistent store keeps its index beside the generation. A memory store compiles one on
    its second windowed question: a one-shot ``kg`` command asks once, and compiling costs
    more than one query."""
    if name not in WINDOWED:
        return None
    store = kg.store
    persistent = getattr(store, "index_path", lambda kind="": None)("windows") is not None
    asked = kg.__dict__.get("_windowed_asked", 0) + 1
    kg.__dict__["_windowed_asked"] = asked
    index = window_index(kg, build=persistent or asked >= 2)
    if index is None:
        return None
    found = cells(index, name, bindings)
    if found is None:
        return None
    variables, rows = found
    made: dict[tuple[str, str], object] = {}  # a value met again (a date, a type, a source) is made once

    def term(cell):
        key = (cell[0], cell[1])
        found = made.get(key)
        if found is None:
            found = made[key] = _term(cell)
        return found

    return variables, [{v: term(c) for v, c in zip(variables, row, strict=True) if c is not None} for row in rows]


def cells(index: WindowIndex, name: str, bindings: Mapping) -> tuple[list[str], list[list]] | None:
    """Like :func:`answer`, from ``index``, with each value a cell ``[value, tag]`` (not yet an
    rdflib term: what ``select_values`` is to ``select``)."""
    try:
        if name == "timeline":
            rows, variables = index.timeline_rows(_py(bindings["from"]), _py(bindings["to"])), index.timeline.variables
        elif name == "changes-between":
            rows = index.changes_rows(_py(bindings["from"]), _py(bindings["to"]), _mode(bindings["claims"]))
            variables = index.changes.variables
        elif name == "planned-events":
            rows, variables = index.planned_rows(_py(bindings["date"])), index.planned.variables
        else:
            rows = index.restriction_rows(_py(bindings["date"]), _mode(bindings["claims"]))
            variables = index.restrictions.variables
            at = [_LAYOUT.index(v) for v in variables]
            rows = [[row[i] for i in at] for row in rows]
    except _NotADate:
        return None
    return variables, rows


class _NotADate(Exception):
    pass


def _py(term) -> dt.date:
    from rdflib import Literal

    if not isinstance(term, Literal) or str(term.datatype) != _DATE or not _PLAIN_DATE.match(str(term)):
        raise _NotADate
    try:
        return dt.date.fromisoformat(str(term))
    except ValueError:
        raise _NotADate from None


def _mode(term) -> str:
    mode = str(term)
    if mode not in MODES:
        raise _NotADate
    return mode
