"""Valid time: the one definition of what holds, is suspended or is active on a date.

The rules (``docs/policy-state.md``) in short. Dates are ``xsd:date``; an end is the first day
without effect; an ill-typed date is ignored as if absent.

- A **policy** *started* on D when some ``inForceFrom`` <= D; lacking one, some ``announcedOn``
  <= D unless reported only as future (``tkg:modality tkg:Future``); lacking both, a clause
  (``tkg:clauseOf``) starts with its measure. It *holds* on D when started, not actually ended
  (``actualEnd`` <= D), and not expired (``plannedEnd`` <= D) unless an extension
  (``?e tkg:extends+ ?policy``) *runs* on D (started, neither end reached). It is *suspended*
  on D when a policy that ``tkg:suspends`` it, naming no commodity, holds on D. It is
  *active* when it holds and is not suspended, and (a clause) its measure holds and is not
  suspended either.
- An **event** (``tkg:date``) is active from its latest date, a **claim** from its latest
  ``tkg:claimDate``; anything else is always active.

The SPARQL fragments ``queries/*.rqf`` state the same rules for the shipped queries; a test
holds the two equal on random dates, node by node.

>>> import datetime as dt
>>> from kg.graph import load_graph
>>> from kg.namespaces import ID
>>> timeline = Timeline(load_graph())
>>> timeline.status(f"{ID}policy/us-geneva-tariff-rollback", dt.date(2025, 9, 1))
'in force'
>>> timeline.intervals(f"{ID}policy/us-geneva-tariff-rollback")[0][0]
datetime.date(2025, 5, 14)
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from kg.errors import UsageError
from kg.namespaces import TKG

__all__ = [
    "Dated",
    "Timeline",
    "parse_date",
    "check_as_of",
    "as_of_date",
    "valid_time_span",
    "coverage",
    "coverage_notes",
    "AS_OF_MARGIN_YEARS",
]

_XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_T = str(TKG)
_DATE_PROPS = {
    _T + "inForceFrom": "in_force_from",
    _T + "announcedOn": "announced",
    _T + "plannedEnd": "planned_end",
    _T + "actualEnd": "actual_end",
    _T + "date": "dates",
    _T + "claimDate": "claim_dates",
}
_LEXICAL = re.compile(r"^(-?\d{4,})-(\d\d)-(\d\d)(Z|[+-]\d\d:\d\d)?$")

#: Nodes read one by one (index look-ups) before everything is read at once, property by property.
BULK_AFTER = 20_000

#: An --as-of further than this from every valid-time date of the graph is taken for a typo.
AS_OF_MARGIN_YEARS = 10


def parse_date(value: str | None, option: str) -> dt.date | None:
    """``YYYY-MM-DD`` or ``today`` (None stays None); a :class:`UsageError` naming ``option`` else."""
    if value is None:
        return None
    if value == "today":
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{option}: {value!r} is not a date (YYYY-MM-DD)") from None


def check_as_of(kg, day: dt.date) -> dt.date:
    """Refuse ``day`` when it lies more than ten years outside the graph's valid time (2205
    for 2025: a likely typo). Only well-typed dates count."""
    span = coverage(kg)
    if span is None:
        return day
    first, last = span

    def shifted(d: dt.date, years: int) -> dt.date:
        year = min(max(d.year + years, 1), 9999)
        return d.replace(year=year, day=28) if (d.month, d.day) == (2, 29) else d.replace(year=year)

    low, high = shifted(first, -AS_OF_MARGIN_YEARS), shifted(last, AS_OF_MARGIN_YEARS)
    if not low <= day <= high:
        raise UsageError(
            f"--as-of {day} is more than {AS_OF_MARGIN_YEARS} years outside the graph's valid time "
            f"({first} to {last}); a typo? give a date from {low} to {high}"
        )
    return day


def valid_time_span(kg) -> tuple[dt.date, dt.date] | None:
    """The first and last well-typed date of any valid-time property in ``kg`` (None: none)."""
    span = kg.select("""
        SELECT (MIN(?d) AS ?first) (MAX(?d) AS ?last) WHERE {
          ?p rdfs:subPropertyOf* tkg:validTimeProperty . ?x ?p ?d . FILTER(datatype(?d) = xsd:date) }""")
    if not span or span[0].get("first") is None:
        return None
    first, last = span[0]["first"].toPython(), span[0]["last"].toPython()
    if not (isinstance(first, dt.date) and isinstance(last, dt.date)):
        return None
    return first, last


def coverage(kg) -> tuple[dt.date, dt.date] | None:
    """The graph's coverage window: :func:`valid_time_span`, read from the impact index where
    there is one (a persistent store keeps it there), and cached on ``kg`` per load."""
    from kg.index import _version

    version = _version(kg)
    cached = kg.__dict__.get("_coverage")
    if cached is not None and cached[0] == version:
        return cached[1]
    index = None
    if "_impact_index" in kg.__dict__ or getattr(kg.store, "index_path", lambda: None)() is not None:
        from kg.index import impact_index

        index = impact_index(kg, build=False)
    span = index.valid_span() if index is not None else valid_time_span(kg)
    kg.__dict__["_coverage"] = (version, span)
    return span


def coverage_notes(kg, days: Iterable[dt.date]) -> list[str]:
    """What a date-dependent answer must say beside it: the graph's coverage window, and a
    warning for each of ``days`` outside it (an empty answer there means no data, not that
    nothing was in force)."""
    span = coverage(kg)
    if span is None:
        return ["coverage: the graph holds no valid-time dates; a date-dependent answer rests on no dated fact"]
    first, last = span
    notes = [f"coverage: the graph's valid-time dates run from {first} to {last}"]
    for day in dict.fromkeys(days):
        if day < first:
            notes.append(
                f"warning: {day} is before the graph's coverage (it starts {first}): "
                "an empty or short answer there means no data, not that nothing happened"
            )
        elif day > last:
            notes.append(
                f"warning: {day} is after the graph's coverage (it ends {last}): "
                "what happened since is not in the graph"
            )
    return notes


def as_of_date(kg, value: str | None) -> dt.date | None:
    """Parse ``--as-of``; a date typed by hand (not ``today``) is checked by :func:`check_as_of`."""
    day = parse_date(value, "--as-of")
    if day is None or value == "today":
        return day
    return check_as_of(kg, day)


def date_of(lexical: str, datatype: str | None) -> dt.date | None:
    """The date an ``xsd:date`` literal stands for; None when it is of another type or ill-typed
    (``"2025-02-30"``), so that it is ignored as the SPARQL comparisons ignore it."""
    if datatype != _XSD_DATE:
        return None
    if (
        len(lexical) == 10
        and lexical[4] == lexical[7] == "-"
        and lexical[:4].isdigit()
        and lexical[5:7].isdigit()
        and lexical[8:].isdigit()
    ):  # YYYY-MM-DD, the common case: parsed in C
        try:
            return dt.date.fromisoformat(lexical)
        except ValueError:
            return None
    m = _LEXICAL.match(lexical.strip())
    if not m or len(m[1]) != 4:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


@dataclass
class Dated:
    """What valid time reads of one node (well-typed dates only)."""

    policy: bool = False
    in_force_from: tuple[dt.date, ...] = ()
    announced: tuple[dt.date, ...] = ()
    future: bool = False
    planned_end: tuple[dt.date, ...] = ()
    actual_end: tuple[dt.date, ...] = ()
    dates: tuple[dt.date, ...] = ()
    claim_dates: tuple[dt.date, ...] = ()
    clause_of: tuple[str, ...] = ()
    extended_by: tuple[str, ...] = ()  # direct: ?e tkg:extends this
    suspended_by: tuple[str, ...] = ()  # ?s tkg:suspends this, ?s naming no commodity
    end_uncertain: bool = False  # its planned end is an estimate (tkg:plannedEndPrecision tkg:UncertainPrecision)

    def dated(self) -> list[dt.date]:
        return [
            *self.in_force_from,
            *self.announced,
            *self.planned_end,
            *self.actual_end,
            *self.dates,
            *self.claim_dates,
        ]


class Timeline:
    """The valid time of the nodes of ``kg``, read lazily node by node (index look-ups on an
    embedded store, one small query on a server) and cached.

    ``policy_classes`` are the IRIs of ``tkg:Policy`` and its subclasses (read from the
    ontology when not given).
    """

    def __init__(self, kg, policy_classes: Iterable[str] | None = None) -> None:
        self.kg = kg
        if policy_classes is None:
            rows = kg.select_values("SELECT DISTINCT ?c WHERE { ?c rdfs:subClassOf* tkg:Policy }")
            policy_classes = [r["c"] for r in rows]
        self.policy_classes = frozenset(policy_classes) | {_T + "Policy"}
        self._facts: dict[str, Dated] = {}
        self._extensions: dict[str, tuple[str, ...]] = {}
        self._bulk: dict | None = None
        self._intervals: dict[str, list[tuple[dt.date | None, dt.date | None]]] = {}
        self._types: dict[str, list[str]] = {}
        self._link_table: dict[str, dict[str, list[str]]] | None = None

    # -- reading ---------------------------------------------------------------------------
    def facts(self, node: str) -> Dated:
        found = self._facts.get(node)
        if found is None:
            if self._bulk is None and len(self._facts) >= BULK_AFTER:
                self._bulk = self._read_all()
            found = self._facts[node] = self._from_bulk(node) if self._bulk is not None else self._read(node)
        return found

    def preload(self) -> Timeline:
        """Read what valid time needs of every node now, property by property (for a question
        about the whole graph: cheaper than node by node)."""
        if self._bulk is None:
            self._bulk = self._read_all()
        return self

    def _read_all(self) -> dict:
        """Everything valid time reads, for every node at once: a look-up per property (on a
        server, a query per property), cheaper than node by node once many nodes are asked."""
        match = self.kg.store.match
        values: dict[str, dict[str, list]] = {}
        for prop, name in _DATE_PROPS.items():
            for m in match(None, prop):
                day = date_of(m.o, m.datatype)
                if day is not None:
                    values.setdefault(m.s, {}).setdefault(name, []).append(day)
        policies: set[str] = set()
        for cls in self.policy_classes:
            policies.update(m.s for m in match(None, _RDF_TYPE, cls))
        links: dict[str, dict[str, list[str]]] = {"clauseOf": {}, "extends": {}, "suspends": {}}
        for prop in links:
            for m in match(None, _T + prop):
                if m.o_iri:
                    key, value = (m.s, m.o) if prop == "clauseOf" else (m.o, m.s)
                    links[prop].setdefault(key, []).append(value)
        suspenders = {s for found in links["suspends"].values() for s in found}
        return {
            "values": values,
            "policies": policies,
            "future": {m.s for m in match(None, _T + "modality", _T + "Future")},
            "uncertain": {m.s for m in match(None, _T + "plannedEndPrecision", _T + "UncertainPrecision")},
            "links": links,
            "scoped": {m.s for m in match(None, _T + "coversCommodity") if m.s in suspenders},
        }

    def _from_bulk(self, node: str) -> Dated:
        bulk = self._bulk
        values = bulk["values"].get(node, {})
        links = bulk["links"]
        policy = node in bulk["policies"]
        suspenders = sorted(set(links["suspends"].get(node, ()))) if policy else []
        return Dated(
            policy=policy,
            in_force_from=tuple(sorted(set(values.get("in_force_from", ())))),
            announced=tuple(sorted(set(values.get("announced", ())))),
            future=node in bulk["future"],
            planned_end=tuple(sorted(set(values.get("planned_end", ())))),
            actual_end=tuple(sorted(set(values.get("actual_end", ())))),
            dates=tuple(sorted(set(values.get("dates", ())))),
            claim_dates=tuple(sorted(set(values.get("claim_dates", ())))),
            clause_of=tuple(sorted(set(links["clauseOf"].get(node, ())))),
            extended_by=tuple(sorted(set(links["extends"].get(node, ())))) if policy else (),
            suspended_by=tuple(s for s in suspenders if s not in bulk["scoped"]),
            end_uncertain=node in bulk["uncertain"],
        )

    def _read(self, node: str) -> Dated:
        values: dict[str, list] = {}
        types: dict[str, None] = {}  # in the store's order (the page and the network pick a class)
        future = uncertain = False
        clause_of: list[str] = []
        for m in self.kg.store.match(node):
            if m.p == _RDF_TYPE:
                if m.o_iri:
                    types[m.o] = None
            elif m.p in _DATE_PROPS:
                day = date_of(m.o, m.datatype)
                if day is not None:
                    values.setdefault(_DATE_PROPS[m.p], []).append(day)
            elif m.p == _T + "modality" and m.o == _T + "Future":
                future = True
            elif m.p == _T + "plannedEndPrecision" and m.o == _T + "UncertainPrecision":
                uncertain = True
            elif m.p == _T + "clauseOf" and m.o_iri:
                clause_of.append(m.o)
        self._types[node] = list(types)
        policy = not self.policy_classes.isdisjoint(types)
        extended_by: list[str] = []
        suspenders: list[str] = []
        scoped: set[str] = set()
        if policy:  # only a policy is extended or suspended
            links = self._links()
            extended_by = sorted(set(links["extends"].get(node, ())))
            suspenders = sorted(set(links["suspends"].get(node, ())))
            scoped = {s for s in suspenders if self.kg.store.match(s, _T + "coversCommodity")}
        return Dated(
            policy=policy,
            in_force_from=tuple(sorted(set(values.get("in_force_from", ())))),
            announced=tuple(sorted(set(values.get("announced", ())))),
            future=future,
            planned_end=tuple(sorted(set(values.get("planned_end", ())))),
            actual_end=tuple(sorted(set(values.get("actual_end", ())))),
            dates=tuple(sorted(set(values.get("dates", ())))),
            claim_dates=tuple(sorted(set(values.get("claim_dates", ())))),
            clause_of=tuple(sorted(set(clause_of))),
            extended_by=tuple(extended_by),
            suspended_by=tuple(s for s in suspenders if s not in scoped),
            end_uncertain=uncertain,
        )

    def extensions(self, node: str) -> tuple[str, ...]:
        """Every ``?e`` with ``?e tkg:extends+ node`` (extensions of extensions too)."""
        found = self._extensions.get(node)
        if found is None:
            seen: list[str] = []
            todo = list(self.facts(node).extended_by)
            while todo:
                e = todo.pop()
                if e in seen or e == node:
                    continue
                seen.append(e)
                todo.extend(self.facts(e).extended_by)
            found = self._extensions[node] = tuple(sorted(seen))
        return found

    def _links(self) -> dict[str, dict[str, list[str]]]:
        """Every ``tkg:extends`` and ``tkg:suspends`` link, by the policy extended or suspended:
        read once (they are few), not looked up policy by policy."""
        if self._link_table is None:
            table: dict[str, dict[str, list[str]]] = {"extends": {}, "suspends": {}}
            for prop, found in table.items():
                for m in self.kg.store.match(None, _T + prop):
                    if m.o_iri:
                        found.setdefault(m.o, []).append(m.s)
            self._link_table = table
        return self._link_table

    def types(self, node: str) -> list[str]:
        """The asserted classes of ``node`` (read with its dates when it was read node by node)."""
        found = self._types.get(node)
        if found is None:
            if node not in self._facts:
                self.facts(node)
            found = self._types.get(node)
            if found is None:
                found = self._types[node] = list(
                    dict.fromkeys(m.o for m in self.kg.store.match(node, _RDF_TYPE) if m.o_iri)
                )
        return found

    # -- the rules -------------------------------------------------------------------------
    def started(self, node: str, day: dt.date) -> bool:
        f = self.facts(node)
        if f.in_force_from:
            return f.in_force_from[0] <= day
        if f.announced and not f.future:
            return f.announced[0] <= day
        if not f.announced and f.clause_of:
            return True  # a clause without dates of its own starts with its measure
        return False

    def _not_ended(self, f: Dated, day: dt.date) -> bool:
        return not (f.actual_end and f.actual_end[0] <= day)

    def runs(self, node: str, day: dt.date) -> bool:
        """Started, and neither its actual nor its planned end reached (what an extension must
        do to carry the policy it extends)."""
        f = self.facts(node)
        return self.started(node, day) and self._not_ended(f, day) and not (f.planned_end and f.planned_end[0] <= day)

    def holds(self, node: str, day: dt.date) -> bool:
        f = self.facts(node)
        if not (self.started(node, day) and self._not_ended(f, day)):
            return False
        if f.planned_end and f.planned_end[0] <= day:
            return any(self.runs(e, day) for e in self.extensions(node))
        return True

    def suspenders(self, node: str, day: dt.date) -> list[str]:
        """The policies that suspend ``node`` itself (whole) on ``day``."""
        return [s for s in self.facts(node).suspended_by if self.holds(s, day)]

    def present(self, node: str, day: dt.date) -> bool:
        """A policy that holds on ``day``, and (a clause) whose measure holds: active or suspended."""
        f = self.facts(node)
        return self.holds(node, day) and all(self.holds(m, day) for m in f.clause_of if m != node)

    def _suspended_any(self, node: str, day: dt.date) -> bool:
        f = self.facts(node)
        return bool(self.suspenders(node, day)) or any(self.suspenders(m, day) for m in f.clause_of if m != node)

    def suspended(self, node: str, day: dt.date) -> bool:
        """Present on ``day`` but suspended: itself, or the measure it is a clause of."""
        f = self.facts(node)
        if not f.policy or not (f.suspended_by or any(self.facts(m).suspended_by for m in f.clause_of)):
            return False  # nothing suspends it, ever
        return self.present(node, day) and self._suspended_any(node, day)

    def active(self, node: str, day: dt.date) -> bool:
        """Whether ``node`` counts on ``day`` (policies, events, claims, anything else)."""
        f = self.facts(node)
        if f.dates and f.dates[-1] > day:
            return False
        if f.claim_dates and f.claim_dates[-1] > day:
            return False
        if not f.policy:
            return True
        return self.present(node, day) and not self._suspended_any(node, day)

    def counts(self, node: str, day: dt.date) -> bool:
        """What the impact network keeps on ``day``: the active, and the suspended (flagged),
        so that what a suspension holds back shows as ``suspended until …``."""
        f = self.facts(node)
        if (f.dates and f.dates[-1] > day) or (f.claim_dates and f.claim_dates[-1] > day):
            return False
        return self.present(node, day) if f.policy else True

    # -- intervals and words ---------------------------------------------------------------
    def _critical(self, node: str, seen: set[str] | None = None) -> set[dt.date]:
        """Every date at which the rules for ``node`` may change their answer."""
        seen = set() if seen is None else seen
        if node in seen:
            return set()
        seen.add(node)
        f = self.facts(node)
        days = set(f.dated())
        for other in (*self.extensions(node), *f.suspended_by, *f.clause_of):
            days |= self._critical(other, seen)
        return days

    def intervals(self, node: str) -> list[tuple[dt.date | None, dt.date | None]]:
        """The half-open intervals ``[from, until)`` in which ``node`` is active (None: open).

        [(None, None)] for what is always active, [] for what never is.
        """
        found = self._intervals.get(node)
        if found is None:
            found = self._intervals[node] = self._compute_intervals(node)
        return list(found)

    def _compute_intervals(self, node: str) -> list[tuple[dt.date | None, dt.date | None]]:
        f = self.facts(node)
        if not f.policy and not f.dates and not f.claim_dates:
            return [(None, None)]  # undated: always active
        if f.policy and not (f.clause_of or f.suspended_by or f.dates or f.claim_dates or self.extensions(node)):
            # most policies: one interval, from the start to the first end
            start = f.in_force_from[0] if f.in_force_from else f.announced[0] if f.announced and not f.future else None
            if start is None:
                return []
            end = min((*f.actual_end[:1], *f.planned_end[:1]), default=None)
            return [(start, end)] if end is None or start < end else []
        return self.spans(node, self.active)

    def spans(self, node: str, rule) -> list[tuple[dt.date | None, dt.date | None]]:
        """The half-open intervals in which ``rule(node, day)`` holds (None: open), found by
        asking it on the first day and on every date at which the rules may change their
        answer: for :meth:`active`, :meth:`counts`, :meth:`suspended` (the compiled index)."""
        days = sorted(self._critical(node))
        probes = [dt.date.min, *days]
        out: list[tuple[dt.date | None, dt.date | None]] = []
        start: dt.date | None = None
        on = False
        for probe in probes:
            now = rule(node, probe)
            if now and not on:
                start = None if probe == dt.date.min else probe
            elif on and not now:
                out.append((start, probe))
            on = now
        if on:
            out.append((start, None))
        return out

    def span(self, node: str) -> tuple[dt.date | None, dt.date | None]:
        """The first start and the last end of ``node``'s active intervals (None: open or never)."""
        pieces = self.intervals(node)
        if not pieces:
            return None, None
        return pieces[0][0], pieces[-1][1]

    def _stopped(self, node: str, day: dt.date) -> dt.date | None:
        """The day on or before ``day`` on which ``node`` last stopped holding (its planned end,
        or the end of the last extension that carried it)."""
        for probe in sorted((d for d in self._critical(node) if d <= day), reverse=True):
            if probe > dt.date.min and self.holds(node, probe - dt.timedelta(days=1)) and not self.holds(node, probe):
                return probe
        f = self.facts(node)
        return f.planned_end[0] if f.planned_end else None

    def periods(self, node: str) -> list[tuple[dt.date | None, dt.date | None, str]]:
        """The status of ``node`` over time: ``[(from, until, status), ...]`` (None: open), one
        row a change, from the first day anything is known of it."""
        days = sorted(self._critical(node))
        out: list[tuple[dt.date | None, dt.date | None, str]] = []
        for i, day in enumerate(days):
            status = self.status(node, day)
            if out and out[-1][2] == status:
                out[-1] = (out[-1][0], days[i + 1] if i + 1 < len(days) else None, status)
                continue
            out.append((day, days[i + 1] if i + 1 < len(days) else None, status))
        return out

    def suspended_until(self, node: str, day: dt.date) -> dt.date | None:
        """The first day after ``day`` on which nothing suspends ``node`` any more (itself or
        its measure; None: no end date). The suspension's end, not the policy's: a policy that
        ends while suspended does not resume, so its own end is never given as the day the
        suspension lifts."""
        for probe in sorted(d for d in self._critical(node) if d > day):
            if not self._suspended_any(node, probe):
                return probe
        return None

    def suspension_note(self, node: str, day: dt.date) -> str:
        """``suspended until 2026-11-10`` or ``suspended (no end date)``."""
        until = self.suspended_until(node, day)
        return f"suspended until {until}" if until else "suspended (no end date)"

    def status(self, node: str, day: dt.date) -> str:
        """In words, the state of a policy on ``day``: ``in force``, ``not yet in force``,
        ``reported as future; not in force``, ``no start date recorded``, ``ended D``, ``expired D``
        (``expired D (end uncertain)`` where the planned end is an estimate), ``suspended until D``
        (or ``suspended (no end date)``); a clause whose measure is not active says
        ``measure …``. Events and claims: ``happened`` / ``not yet``."""
        f = self.facts(node)
        if not f.policy:
            return "happened" if self.active(node, day) else "not yet"
        if f.actual_end and f.actual_end[0] <= day:
            return f"ended {f.actual_end[0]}"
        if not self.started(node, day):
            if f.future:
                return "reported as future; not in force"
            if not f.in_force_from and not f.announced:
                return "no start date recorded"
            return "not yet in force"
        if not self.holds(node, day):
            # an estimated end (no source gives it) is said to be one
            return f"expired {self._stopped(node, day)}" + (" (end uncertain)" if f.end_uncertain else "")
        if self.suspended(node, day):
            return self.suspension_note(node, day)
        for m in f.clause_of:
            if m != node and not self.holds(m, day):
                return f"measure {self.status(m, day)}"
        return "in force"
