"""Impact paths, net exposure, what-if and chokepoints: pure functions on an ImpactNetwork.

A path's sign is the product of its hops' signs (two negatives make a positive); its strength
is the product of its hops' strengths, so the strongest paths are the shortest under
``cost = -log(strength)``. Paths are found by a bounded best-first search: strength never
grows along a path, so the first paths to reach a target are the strongest within the hop
cap (shared TECH-NOTES §2: 0.15 s where Yen's algorithm over the whole graph took 6.4 s).

>>> import networkx as nx
>>> g = nx.MultiDiGraph()
>>> g.add_edge("policy", "commodity", key="restricts", sign=-1, cost=0.0)
>>> g.add_edge("commodity", "industry", key="dependsOn", sign=1, cost=0.0)
>>> [p.nodes for p in search_paths(g, "policy", {"industry"}, per_target=1)["industry"]]
[['policy', 'commodity', 'industry']]
>>> search_paths(g, "policy", {"industry"}, per_target=1)["industry"][0].sign
-1
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import networkx as nx
from rdflib import URIRef

from kg.errors import UsageError
from kg.namespaces import TKG
from kg.network import ImpactNetwork

__all__ = [
    "Hop",
    "Path",
    "Relief",
    "TargetImpact",
    "search_paths",
    "find_paths",
    "impact",
    "exposure",
    "whatif",
    "chokepoints",
    "evidence_kinds",
    "impact_on",
    "hop_reliefs",
    "StatusChange",
    "Chokepoint",
]

DEFAULT_MAX_HOPS = 6
DEFAULT_MIN_STRENGTH = 1e-4
MAX_POPS = 200_000


@dataclass(frozen=True)
class Hop:
    source: str
    target: str
    predicate: str
    sign: int
    strength: float
    stated: tuple[str, str]
    graphs: tuple[str, ...]
    valid_from: str | None = None
    valid_until: str | None = None
    claims: tuple[str, ...] = ()


@dataclass(frozen=True)
class Path:
    nodes: list[str]
    hops: list[Hop]

    @property
    def sign(self) -> int:
        return math.prod(h.sign for h in self.hops) if self.hops else 1

    @property
    def strength(self) -> float:
        return math.prod(h.strength for h in self.hops) if self.hops else 1.0


def _hop(graph: nx.MultiDiGraph, node: str, nxt: str, key, data) -> Hop:
    step = data.get("cost", 0.0)
    return Hop(
        node,
        nxt,
        str(key),
        int(data.get("sign", 0)),
        math.exp(-step),
        tuple(data.get("stated", (node, nxt))),
        tuple(sorted(data.get("graphs", ()))),
        data.get("valid_from"),
        data.get("valid_until"),
        tuple(data.get("claims", ())),
    )


def search_paths(
    graph: nx.MultiDiGraph,
    source: str,
    targets: set[str] | None,
    per_target: int = 5,
    max_hops: int = DEFAULT_MAX_HOPS,
    min_strength: float = DEFAULT_MIN_STRENGTH,
    want_sign: int | None = None,
    max_pops: int = MAX_POPS,
) -> dict[str, list[Path]]:
    """The strongest simple paths from ``source`` to each of ``targets``.

    One target: A* over partial paths, with the exact remaining cost and hop count to the
    target as the heuristic, so no partial path that cannot reach the target within the caps
    is ever expanded; the first ``per_target`` arrivals are the strongest simple paths
    (strongest first, then shortest). Several targets (or None for every node): the strongest
    path of each sign to each node, by Dijkstra over (node, sign) states (``per_target`` 1).
    Paths of sign ``want_sign`` only, if given; bounded by ``max_hops``, ``min_strength``,
    ``max_pops``.
    """
    if source not in graph:
        return {}
    if targets is not None and len(targets) == 1:
        (target,) = targets
        return _astar(graph, source, target, per_target, max_hops, min_strength, want_sign, max_pops)
    best = best_signed_paths(graph, source, max_hops, min_strength, max_pops, wanted=targets)
    found: dict[str, list[Path]] = {}
    for (node, sign), path in best.items():
        if node == source or (targets is not None and node not in targets):
            continue
        if want_sign is not None and sign != want_sign:
            continue
        found.setdefault(node, []).append(path)
    for paths in found.values():
        paths.sort(key=lambda p: (-p.strength, len(p.hops), p.sign))
        del paths[per_target:]
    return found


def best_signed_paths(
    graph: nx.MultiDiGraph,
    source: str,
    max_hops: int = DEFAULT_MAX_HOPS,
    min_strength: float = DEFAULT_MIN_STRENGTH,
    max_pops: int = MAX_POPS,
    wanted: set[str] | None = None,
) -> dict[tuple[str, int], Path]:
    """For every node and sign, the strongest (then shortest) path from ``source`` with that sign.

    Dijkstra over (node, sign) states: each state is settled once, so the work is
    O(E log V) whatever the number of paths. A state's path is simple unless it loops back
    through a node with the other sign; such paths are dropped.
    """
    floor = -math.log(min_strength) if min_strength > 0 else math.inf
    start = (source, 1)
    # a settled state keeps its parent and the edge (key) it came by; Hops are built only for
    # the paths returned
    settled: dict[tuple[str, int], tuple[tuple[str, int] | None, object]] = {}
    # ties broken by the IRIs involved, so results do not depend on the store's row order
    heap = [(0.0, 0, (source, 1, "", 0, ""), start, None, None)]
    succ = graph._succ  # noqa: SLF001 - direct adjacency access: the hot loop of the analysis
    pops = 0
    while heap and pops < max_pops:
        cost, hops, _, state, parent, hop = heapq.heappop(heap)
        if state in settled:
            continue
        settled[state] = (parent, hop)
        pops += 1
        if hops >= max_hops:
            continue
        node, sign = state
        for nxt, keyed in succ[node].items():
            for key, data in keyed.items():
                step = data.get("cost", 0.0)
                nxt_state = (nxt, sign * data.get("sign", 0))
                if nxt_state in settled or cost + step > floor:
                    continue
                tie = (nxt, nxt_state[1], node, sign, str(key))
                heapq.heappush(heap, (cost + step, hops + 1, tie, nxt_state, state, key))
    paths: dict[tuple[str, int], Path] = {}
    made: dict[tuple[str, str, object], Hop] = {}  # a hop shared by many paths is built once
    for state in settled:
        if wanted is not None and state[0] not in wanted:
            continue
        hops_back: list[Hop] = []
        current = state
        while settled[current][0] is not None:
            parent, key = settled[current]
            edge = (parent[0], current[0], key)
            hop = made.get(edge)
            if hop is None:
                hop = made[edge] = _hop(graph, parent[0], current[0], key, graph.edges[edge])
            hops_back.append(hop)
            current = parent
        hops_list = hops_back[::-1]
        nodes = [source] + [h.target for h in hops_list]
        if len(set(nodes)) == len(nodes):
            paths[state] = Path(nodes, hops_list)
    return paths


def _astar(graph, source, target, k, max_hops, min_strength, want_sign, max_pops) -> dict[str, list[Path]]:
    if target not in graph:
        return {}
    reverse = graph.reverse(copy=False)
    # exact remaining hops and cost to the target: the heuristic (admissible and consistent)
    to_go_hops = _hops_to(graph, target, max_hops)
    if source not in to_go_hops:
        return {}
    to_go_cost = nx.single_source_dijkstra_path_length(
        reverse, target, weight=lambda u, v, d: min(e.get("cost", 0.0) for e in d.values())
    )
    floor = -math.log(min_strength) if min_strength > 0 else math.inf
    # ties broken by the path's nodes and relations, so results do not depend on row order
    heap = [(to_go_cost.get(source, 0.0), to_go_hops[source], ((source,), ()), 0.0, source, (source,), ())]
    found: list[Path] = []
    pops = 0
    while heap and pops < max_pops and len(found) < k:
        _, _, _, cost, node, nodes, edges = heapq.heappop(heap)
        pops += 1
        if node == target:
            path = Path(list(nodes), list(edges))
            if want_sign is None or path.sign == want_sign:
                found.append(path)
            continue
        for _, nxt, key, data in graph.out_edges(node, keys=True, data=True):
            if nxt in nodes or nxt not in to_go_hops:
                continue
            hops = len(edges) + 1
            if hops + to_go_hops[nxt] > max_hops:
                continue
            step = cost + data.get("cost", 0.0)
            if step + to_go_cost.get(nxt, 0.0) > floor:
                continue
            hop = _hop(graph, node, nxt, key, data)
            heapq.heappush(
                heap,
                (
                    step + to_go_cost.get(nxt, 0.0),
                    hops + to_go_hops[nxt],
                    (nodes + (nxt,), tuple(h.predicate for h in edges) + (str(key),)),
                    step,
                    nxt,
                    nodes + (nxt,),
                    edges + (hop,),
                ),
            )
    return {target: found} if found else {}


def _hops_to(graph: nx.MultiDiGraph, target: str, cutoff: int) -> dict[str, int]:
    """Fewest hops from each node to ``target`` (at most ``cutoff``): a walk back over the
    predecessors (networkx's own asks len() of the graph, which a filtered view counts anew)."""
    found = {target: 0}
    frontier = [target]
    pred = graph.pred
    for hops in range(1, cutoff + 1):
        following = []
        for node in frontier:
            for before in pred[node]:
                if before not in found:
                    found[before] = hops
                    following.append(before)
        if not following:
            break
        frontier = following
    return found


def find_paths(
    net: ImpactNetwork, source: str, target: str, k: int = 5, max_hops: int = DEFAULT_MAX_HOPS
) -> list[Path]:
    """The ``k`` strongest impact paths from ``source`` to ``target``, strongest (then shortest) first."""
    if k < 1:
        raise UsageError("--k must be at least 1")
    if max_hops < 1:
        raise UsageError("--max-hops must be at least 1")
    return search_paths(net.graph, source, {target}, per_target=k, max_hops=max_hops).get(target, [])


@dataclass(frozen=True)
class Relief:
    """A relaxation in force that eases a policy on the target's path."""

    relaxation: str
    label: str
    relaxes: str
    whole: bool  # reaches the whole target (else only part of it: some firms, some destinations)
    how: str
    claim: str | None
    claim_status: str | None
    hops: tuple[tuple[str, str], ...] = ()  # the eased hops (policy, commodity) when scoped by commodity


@dataclass
class TargetImpact:
    target: str
    label: str
    kind: str
    status: str
    net_effect: float
    negative: Path | None
    positive: Path | None
    reliefs: list[Relief] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)  # relaxations in force the claims mode left out


def _policies_on(net: ImpactNetwork, path: Path) -> list[str]:
    policies = net.cache.get("policies")
    if policies is None:
        policies = net.cache["policies"] = {n for n in net.graph.nodes if net.is_a(n, TKG.Policy)}
    return [n for n in path.nodes if n in policies]


def _relaxed(net: ImpactNetwork) -> set[str]:
    """Policies that some relaxation relaxes (cached on the network)."""
    if "relaxed" not in net.cache:
        if net.index is not None:  # every tkg:relaxes triple is an impact edge of the index
            net.cache["relaxed"] = net.index.relaxed(str(TKG.relaxes))
        else:
            rows = net.kg.select_values("SELECT DISTINCT ?p WHERE { ?r tkg:relaxes ?p }")
            net.cache["relaxed"] = {r["p"] for r in rows}
        net.cache["reliefs_of"] = {}
    return net.cache["relaxed"]


def _relief_rows(net: ImpactNetwork, policy: str) -> dict[str, list[dict]]:
    """relaxation -> the rows of the shipped ``relief-reach`` query for ``policy`` (every target
    each relaxation reaches, and how), asked policy by policy: one policy is cheap, all of
    them at once would join every destination with every company there. Which relaxations are
    in force is the network's (kg.validtime), not this query's. Cached on the network."""
    from kg.queries import bind_parameters, catalogue

    cache = net.cache
    if policy not in _relaxed(net):
        return {}
    if policy not in cache["reliefs_of"]:
        spec = catalogue()["relief-reach"]
        given = {"claims": "include", "policy": policy}
        table: dict[str, list[dict]] = {}
        for row in net.kg.select_values(spec.text, bind_parameters(net.kg, spec, given)):
            table.setdefault(row["relaxation"], []).append(row)
        cache["reliefs_of"][policy] = table
    return cache["reliefs_of"][policy]


def _rows_reaching(net: ImpactNetwork, policy: str, relaxation: str, target: str) -> list[dict]:
    """The ``relief-reach`` rows of ``relaxation`` (of ``policy``) that reach ``target``: those
    naming it, and those naming no target (they reach every one), in the query's order.
    Indexed by target once per policy, so that thousands of targets do not rescan the rows."""
    index = net.cache.setdefault("relief_index", {})
    if policy not in index:
        by_target: dict[tuple[str, str | None], list[tuple[int, dict]]] = {}
        for relax, rows in _relief_rows(net, policy).items():
            for i, row in enumerate(rows):
                by_target.setdefault((relax, row.get("target")), []).append((i, row))
        index[policy] = by_target
    found = index[policy].get((relaxation, target), []) + index[policy].get((relaxation, None), [])
    return [row for _, row in sorted(found, key=lambda pair: pair[0])]


def _scope_of(net: ImpactNetwork, relaxation: str) -> frozenset[str] | None:
    """The commodities a relaxation names (``tkg:coversCommodity``) and every commodity
    narrower than them (``tkg:broaderCommodity``, followed down); None when it names none."""
    scopes = net.cache.setdefault("scope", {})
    if relaxation not in scopes:
        match = net.kg.store.match
        named = [m.o for m in match(relaxation, str(TKG.coversCommodity)) if m.o_iri]
        found: set[str] = set()
        todo = list(named)
        while todo:
            c = todo.pop()
            if c in found:
                continue
            found.add(c)
            todo.extend(m.s for m in match(None, str(TKG.broaderCommodity), c))
        scopes[relaxation] = frozenset(found) if named else None
    return scopes[relaxation]


def _broader(net: ImpactNetwork, commodity: str) -> set[str]:
    """Every commodity broader than ``commodity`` (``tkg:broaderCommodity``, followed up)."""
    cache = net.cache.setdefault("broader", {})
    if commodity not in cache:
        cache[commodity] = _broader_of(net, commodity)
    return cache[commodity]


def _broader_of(net: ImpactNetwork, commodity: str) -> set[str]:
    found: set[str] = set()
    todo = [commodity]
    while todo:
        for m in net.kg.store.match(todo.pop(), str(TKG.broaderCommodity)):
            if m.o_iri and m.o not in found:
                found.add(m.o)
                todo.append(m.o)
    return found


def _reliefs(net: ImpactNetwork, path: Path, target: str) -> list[Relief]:
    """Relaxations active in the network that relax a policy on ``path`` and reach ``target``.

    Which relaxations are active (in force, not suspended, and counted under the claims mode)
    is the network's business; how a relaxation reaches a target (its beneficiaries, the
    firms they supply, its destinations) is the ``relief-reach`` query's; its commodity scope
    (``tkg:coversCommodity``) is checked here against the hop the path takes out of the
    policy: a hop into a commodity in scope (or narrower) is eased, one into a broader
    commodity or straight to a target only in part, one into another commodity not at all.
    """
    following = dict(zip(path.nodes, path.nodes[1:], strict=False))
    reliefs: list[Relief] = []
    for policy in _policies_on(net, path):
        reliefs.extend(_policy_reliefs(net, policy, target, [following[policy]] if policy in following else []))
    return reliefs


def _policy_reliefs(net: ImpactNetwork, policy: str, target: str, nexts: list[str]) -> list[Relief]:
    """The relaxations in force of ``policy`` that the ``relief-reach`` rows let reach
    ``target``, each with the hops ``policy`` → one of ``nexts`` it eases by its commodity scope
    (a commodity in scope or narrower: whole; a broader one, or a hop naming no commodity: in
    part; another commodity: not at all, and then it is left out)."""
    reliefs: list[Relief] = []
    suspended = net.suspended
    for relaxation, _, key in net.graph.in_edges(policy, keys=True):
        if key != str(TKG.relaxes) or relaxation in suspended:
            continue
        rows = _rows_reaching(net, policy, relaxation, target)
        if not rows:
            continue
        scope = _scope_of(net, relaxation)
        hops: list[tuple[str, str]] = []
        part = False
        if scope is not None:
            for nxt in nexts:
                if nxt in scope:
                    hops.append((policy, nxt))
                elif not net.is_a(nxt, TKG.Commodity) or any(nxt in _broader(net, c) for c in scope):
                    part = True
            if not hops and not part:
                continue  # it eases only commodities the target is not reached through
            part = part and not hops
        reliefs.extend(_relief_of(net, relaxation, policy, rows, scope, tuple(sorted(hops)), part))
    return reliefs


def hop_reliefs(net: ImpactNetwork, path: Path, target: str) -> list[Relief]:
    """The relaxations in force that ease the hops of ``path`` out of its policies, for
    ``target`` (scope and reach as :func:`impact` counts them)."""
    return _reliefs(net, path, target)


def _relief_of(net, relaxation, policy, rows, scope, hops, part) -> list[Relief]:
    out = []
    for row in rows:
        whole = str(row.get("reach", "part")) == "whole" and not part
        how = "; ".join(sorted(str(row.get("via", "")).split("; ")))  # GROUP_CONCAT: no set order
        if scope is not None:
            names = ", ".join(sorted(net.label(c) for c in _named_scope(net, relaxation)))
            scoped = f"{'only for ' if part else 'for '}{names}"
            how = f"{scoped}; {how}" if how else scoped
        out.append(
            Relief(
                relaxation,
                net.label(relaxation),
                policy,
                whole,
                how,
                str(row["claim"]) if "claim" in row else None,
                net.kg.label(URIRef(row["claimStatus"])) if "claimStatus" in row else None,
                hops,
            )
        )
    return out


def _below(net: ImpactNetwork, live: nx.MultiDiGraph, node: str) -> set[str]:
    """What ``node`` reaches in ``live`` (cached per network)."""
    cache = net.cache.setdefault("below", {})
    if node not in cache:
        # a plain walk: nx.descendants asks len() of the graph, which on a filtered view
        # (``_without``) counts every node, each time (11 s of 29 at 1M triples)
        seen, todo = {node}, [node]
        successors = live.successors
        while todo:
            for nxt in successors(todo.pop()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        cache[node] = seen
    return cache[node]


def _candidate_reliefs(net: ImpactNetwork, live: nx.MultiDiGraph, relaxed: list[str], target: str) -> list[Relief]:
    """Reliefs that may ease some harmful path to ``target``: those of the relaxed policies
    ``relaxed`` (on a harmful path to it), over every hop out of each from which ``target`` is
    reached."""
    reliefs: list[Relief] = []
    for policy in relaxed:
        if policy != target:
            nexts = [n for n in live.successors(policy) if target in _below(net, live, n)]
            reliefs.extend(_policy_reliefs(net, policy, target, nexts))
    return reliefs


def _named_scope(net: ImpactNetwork, relaxation: str) -> list[str]:
    return [m.o for m in net.kg.store.match(relaxation, str(TKG.coversCommodity)) if m.o_iri]


def claim_text(net: ImpactNetwork, claim: str) -> str:
    """'<claim label>' by <claimant> (<status>)."""
    query = """SELECT ?c ?who ?status WHERE {
        OPTIONAL { ?c tkg:claimant ?who } OPTIONAL { ?c tkg:confirmationStatus ?status } }"""
    rows = net.kg.select(query, {"c": URIRef(claim)})
    row = rows[0] if rows else {}
    who = f" by {net.kg.label(row['who'])}" if "who" in row else ""
    status = f", {net.kg.label(row['status'])}" if "status" in row else ""
    return f"claim{who}{status}: {net.kg.label(URIRef(claim))}"


def _left_out(net: ImpactNetwork, path: Path, target: str) -> list[str]:
    """Relaxations in force that would reach ``target`` but rest on claims the mode leaves out."""
    notes: list[str] = []
    for policy in _policies_on(net, path):
        for relaxation in _relief_rows(net, policy):
            if net.graph.has_edge(relaxation, policy, key=str(TKG.relaxes)):
                continue
            if net.timeline is None or not net.timeline.active(relaxation, net.as_of):
                continue
            for row in _rows_reaching(net, policy, relaxation, target):
                if "claim" not in row:
                    continue
                note = f"{net.label(relaxation)} (rests on {claim_text(net, str(row['claim']))})"
                if note not in notes:
                    notes.append(note)
    return notes


def _without(graph: nx.MultiDiGraph, nodes: set[str], edges: set[tuple[str, str]]) -> nx.MultiDiGraph:
    """A view of ``graph`` without ``nodes`` and without the edges ``(u, v)`` in ``edges``."""
    if not nodes and not edges:
        return graph
    return nx.subgraph_view(
        graph,
        filter_node=lambda n: n not in nodes,
        filter_edge=lambda u, v, k: (u, v) not in edges,
    )


def _status(
    net: ImpactNetwork,
    live: nx.MultiDiGraph,
    source: str,
    target: str,
    negative: Path | None,
    positive: Path | None,
    max_hops: int,
    relaxed: set[str],
) -> tuple[str, float, list[Relief]]:
    """The status of ``target`` (and its net effect and the reliefs that reach it).

    Relieved when no harmful path remains once the hops that reliefs ease whole for this
    target are taken out (a relief naming no commodity takes its policy out, one naming
    commodities only the hops into them); partly relieved when a harmful path remains but
    some relief reaches the target; restricted when none does.
    """
    if negative is None:
        return ("benefits", 1.0, []) if positive is not None else ("no net effect", 0.0, [])
    # the reliefs of the relaxed policies on the strongest harmful path; once the hops they
    # ease whole are out, those of the policies on the next harmful path, and so on
    found: list[Relief] = []
    considered: set[str] = set()
    blocked_nodes: set[str] = set()
    blocked_edges: set[tuple[str, str]] = set()
    path: Path | None = negative
    while path is not None:
        policies = [p for p in _policies_on(net, path) if p in relaxed and p not in considered]
        if not policies:
            break
        considered.update(policies)
        new = _candidate_reliefs(net, live, policies, target)
        found.extend(new)
        more_nodes = {r.relaxes for r in new if r.whole and not r.hops} - blocked_nodes
        more_edges = {hop for r in new if r.whole for hop in r.hops} - blocked_edges
        if not more_nodes and not more_edges:
            break
        blocked_nodes |= more_nodes
        blocked_edges |= more_edges
        view = _without(live, blocked_nodes, blocked_edges)
        path = next(iter(search_paths(view, source, {target}, 1, max_hops, want_sign=-1).get(target, [])), None)
    if not found:
        return "restricted", -1.0, []
    if path is None:
        names = "; ".join(sorted({r.label for r in found if r.whole}))
        return f"relieved: {names}", 0.0, found
    parts = "; ".join(sorted({f"{r.label} ({_scope(r)})" for r in found}))
    return f"partly relieved: {parts}", -0.5, found


def _suspension(net: ImpactNetwork, path: Path) -> str:
    """``suspended until D by X`` for the first suspended policy on ``path``."""
    for node in path.nodes:
        note = net.graph.nodes[node].get("suspended") if node in net.graph else None
        if not note:
            continue
        by, measure = (net.timeline.suspenders(node, net.as_of) if net.timeline else []), None
        if not by and net.timeline:
            for whole in net.timeline.facts(node).clause_of:
                by, measure = net.timeline.suspenders(whole, net.as_of), whole
                if by:
                    break
        names = "; ".join(sorted(net.label(b) for b in by))
        text = f"{note} by {names}" if names else note
        return f"{text} (of its measure {net.label(measure)})" if by and measure else text
    return "suspended"


def _scope(relief: Relief) -> str:
    return relief.how.split("; ")[0] if relief.how else "part of it"


def _sources(net: ImpactNetwork, path: Path | None) -> list[str]:
    if path is None:
        return []
    out: list[str] = []
    for hop in path.hops:
        for item in net.evidence_of(hop.graphs, hop.stated):
            if item["source"] not in out:
                out.append(item["source"])
    return out


def evidence_kinds(net: ImpactNetwork, path: Path | None) -> list[str]:
    """The evidence kind of each hop of ``path``, in order: the kinds of its sources joined
    (``stated by the source``, ``publisher's analysis``, ``curator's inference``), each with
    its quality where the ontology ranks it below verified (``curator's inference, assumed``),
    and the claim a hop's assertion rests on (``[rests on claim by EconoTimes, disputed: …]``),
    ``source given`` for a sourced fact whose kind is not said, ``no source`` for none."""
    if path is None:
        return []
    kinds = []
    for hop in path.hops:
        found = net.evidence_of(hop.graphs, hop.stated)
        named = sorted({f"{e['kind']}, {e['quality']}" if e.get("weak") else e["kind"] for e in found if e["kind"]})
        text = " + ".join(named) if named else "source given" if found else "no source"
        # a relation only claimed (a publisher's causal claim): its claim, with its status
        claims = [claim_text(net, c) for c in net.graph_claims(hop.graphs)]
        kinds.append(f"{text} [rests on {'; '.join(claims)}]" if claims else text)
    return kinds


def impact_on(net: ImpactNetwork, source: str, target: str, max_hops: int = DEFAULT_MAX_HOPS) -> TargetImpact | None:
    """The row of :func:`impact` for one target (None when ``source`` does not reach it)."""
    rows = impact(net, source, max_hops, only={target})
    return rows[0] if rows else None


def impact(
    net: ImpactNetwork, source: str, max_hops: int = DEFAULT_MAX_HOPS, only: set[str] | None = None
) -> list[TargetImpact]:
    """Every industry, company and country ``source`` reaches, with its net effect.

    For each target: the strongest negative path, the strongest positive one, the
    relaxations in force that reach it, and the status in words (``restricted``,
    ``partly relieved: …``, ``relieved: …``, ``benefits``, or ``suspended until D by X`` when
    only suspended policies carry the effect on the date).
    """
    if source not in net.graph:
        return []
    targets = net.cache.get("targets")
    if targets is None:
        targets = net.cache["targets"] = {n for n, d in net.graph.nodes(data=True) if d.get("target")}
    if only is not None:
        targets = targets & only
    suspended = set(net.suspended)
    best = best_signed_paths(net.graph, source, max_hops, wanted=targets)
    live = net.cache.get("live")
    if live is None:  # the network without its suspended policies, as a graph of its own:
        # searched thousands of times, a filtered view would test every node and edge each time
        live = net.cache["live"] = net.graph.copy() if suspended else net.graph
        live.remove_nodes_from(suspended)
    if not suspended:
        best_live = best
    elif source in suspended:
        best_live = {}
    else:
        best_live = best_signed_paths(live, source, max_hops, wanted=targets)
    reached = {node for node, _ in best if node != source and node in targets}
    relaxes = str(TKG.relaxes)
    # the policies of the network that a relaxation in force relaxes (_status looks at those
    # on each target's harmful paths)
    relaxed_any = net.cache.get("relaxed_in_net")
    if relaxed_any is None:
        relaxed_any = net.cache["relaxed_in_net"] = sorted(
            {v for r, v, k in net.graph.edges(keys=True) if k == relaxes and r not in suspended}
        )
    relaxed = set() if source in suspended else set(relaxed_any)
    rows = []
    for target in sorted(reached):
        negative = best_live.get((target, -1))
        positive = best_live.get((target, 1))
        if negative is None and positive is None:
            held = best.get((target, -1)) or best.get((target, 1))
            if held is None:
                continue
            status, effect, reliefs = _suspension(net, held), 0.0, []
            negative, positive = (held, None) if held.sign < 0 else (None, held)
        else:
            status, effect, reliefs = _status(net, live, source, target, negative, positive, max_hops, relaxed)
        data = net.graph.nodes[target]
        rows.append(
            TargetImpact(
                target,
                data.get("label", target),
                data.get("cls_label", ""),
                status,
                effect,
                negative,
                positive,
                reliefs,
                _sources(net, negative or positive),
                _left_out(net, negative, target) if negative is not None and net.claims != "include" else [],
            )
        )

    def order(row: TargetImpact) -> int:  # the ontology's display order: industries before companies
        return net.schema.inherited(net.schema.order, net.graph.nodes[row.target].get("cls") or "") or 1000

    rows.sort(key=lambda r: (r.net_effect, order(r), r.label))
    return rows


def exposure(net: ImpactNetwork, max_hops: int = DEFAULT_MAX_HOPS) -> dict[str, TargetImpact]:
    """The status of every target under all restrictions in the network: the worst one wins."""
    worst: dict[str, TargetImpact] = {}
    for node in sorted(net.graph.nodes):
        if not net.is_a(node, TKG.Restriction):
            continue
        for row in impact(net, node, max_hops):
            current = worst.get(row.target)
            if current is None or row.net_effect < current.net_effect:
                worst[row.target] = row
    return worst


@dataclass(frozen=True)
class StatusChange:
    target: str
    label: str
    kind: str
    before: str
    after: str
    why: str


def whatif(
    base: ImpactNetwork, changed: ImpactNetwork, why: str, max_hops: int = DEFAULT_MAX_HOPS
) -> list[StatusChange]:
    """Targets whose status differs between ``base`` and ``changed``, and why."""
    before, after = exposure(base, max_hops), exposure(changed, max_hops)
    changes = []
    for target in sorted(set(before) | set(after)):
        b, a = before.get(target), after.get(target)
        b_status = b.status if b else "not reached"
        a_status = a.status if a else "not reached"
        if a is None and b is not None and b.net_effect < 0:
            a_status = "relieved: no restriction reaches it any more"
        if b_status == a_status:
            continue
        row = a or b
        changes.append(StatusChange(target, row.label, row.kind, b_status, a_status, why))
    changes.sort(key=lambda c: (c.kind, c.label))
    return changes


def add_restriction(net: ImpactNetwork, commodity: str, label: str | None = None) -> str:
    """Add a hypothetical restriction on ``commodity`` to ``net`` (in place); return its node."""
    node = f"urn:tradekg:whatif:restriction:{commodity}"
    net.graph.add_node(
        node,
        label=label or f"hypothetical restriction on {net.label(commodity)}",
        types=[str(TKG.Restriction)],
        cls=str(TKG.Restriction),
        cls_label="restriction",
        target=False,
    )
    net.graph.add_edge(
        node,
        commodity,
        key=str(TKG.restricts),
        predicate=str(TKG.restricts),
        label="restricts",
        sign=-1,
        strength=1.0,
        cost=0.0,
        stated=(node, commodity),
        graphs=set(),
    )
    net.cache.clear()  # what was worked out from the graph before (reach, the graph without suspensions)
    return node


@dataclass(frozen=True)
class Chokepoint:
    node: str
    label: str
    kind: str
    paths: int
    restrictions: int
    targets: int


def chokepoints(
    net: ImpactNetwork, top: int = 10, max_hops: int = DEFAULT_MAX_HOPS, kinds: Iterable[URIRef] = (TKG.Commodity,)
) -> list[Chokepoint]:
    """Nodes of ``kinds`` ranked by how many restriction→target impact paths cross them
    (restrictions suspended on the date left out).

    Paths are counted by dynamic programming over hop counts (walks of at most ``max_hops``
    from any restriction in force, through the node, to any industry, company or country),
    O(max_hops × edges): no path is enumerated, so it scales to large graphs.
    """
    if top < 1:
        raise UsageError("--top must be at least 1")
    kinds = tuple(kinds)
    # what a suspension holds back on the date carries no path
    graph = _without(net.graph, set(net.suspended), set())
    sources = [n for n in graph.nodes if net.is_a(n, TKG.Restriction)]
    targets = {n for n, d in graph.nodes(data=True) if d.get("target")}
    forward = _walk_counts(graph, {s: 1 for s in sources}, max_hops, reverse=False)
    backward = _walk_counts(graph, {t: 1 for t in targets}, max_hops, reverse=True)
    through: Counter[str] = Counter()
    for node in graph.nodes:
        if node in sources or (kinds and not any(net.is_a(node, k) for k in kinds)):
            continue
        total = 0
        for a in range(1, max_hops):
            fa = forward[a].get(node, 0)
            if fa:
                total += fa * sum(backward[b].get(node, 0) for b in range(1, max_hops - a + 1))
        if total:
            through[node] = total
    ranked = sorted(through.items(), key=lambda kv: (-kv[1], net.label(kv[0])))[:top]
    out = []
    for node, count in ranked:
        upstream = nx.ancestors(graph, node) if graph.number_of_nodes() < 50_000 else set()
        downstream = nx.descendants(graph, node) if graph.number_of_nodes() < 50_000 else set()
        out.append(
            Chokepoint(
                node,
                net.label(node),
                graph.nodes[node].get("cls_label", ""),
                count,
                len(upstream & set(sources)),
                len(downstream & targets),
            )
        )
    return out


def _walk_counts(graph: nx.MultiDiGraph, start: dict[str, int], max_hops: int, reverse: bool) -> list[dict[str, int]]:
    """counts[h][v]: walks of exactly h edges from the start nodes to v (or from v, if reverse)."""
    counts = [dict(start)]
    for _ in range(max_hops):
        layer: dict[str, int] = {}
        for node, n in counts[-1].items():
            edges = graph.in_edges(node) if reverse else graph.out_edges(node)
            for u, v in edges:
                nxt = u if reverse else v
                layer[nxt] = layer.get(nxt, 0) + n
        counts.append(layer)
    return counts
