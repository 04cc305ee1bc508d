"""Impact analysis: paths, net status, claims, what-if, chokepoints; sign algebra on tiny graphs."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import networkx as nx
import pytest

from kg.graph import load_graph
from kg.impact import chokepoints, exposure, find_paths, impact, search_paths
from kg.namespaces import ID
from kg.network import project

HERE = Path(__file__).resolve().parent / "data" / "impact"
CONTROLS = f"{ID}policy/china-rare-earth-export-controls"
EDA = f"{ID}policy/us-eda-export-restrictions"
AUTOMOTIVE, SEMIS, DEFENCE = f"{ID}industry/automotive", f"{ID}industry/semiconductors", f"{ID}industry/defence"
GM, FORD = f"{ID}company/general-motors", f"{ID}company/ford"
TRUMP, XI = f"{ID}person/donald-trump", f"{ID}person/xi-jinping"
# the side the EDA limits hit (issue #15: not the world's chipmakers, SEMIS)
CN_CHIPS = f"{ID}industry/chinese-semiconductor-industry"
LICENCES = f"{ID}policy/china-temporary-export-licences"


def rows(invoke, *args):
    result = invoke(*args, "-f", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout), result.stderr


# -- sign algebra on hand-made graphs ------------------------------------------------------


def edge(g, u, v, sign):
    g.add_edge(u, v, key=f"{u}-{v}", sign=sign, cost=0.0)


def test_two_negatives_make_a_positive():
    g = nx.MultiDiGraph()
    edge(g, "licence", "ban", -1)  # relaxes
    edge(g, "ban", "widgets", -1)  # restricts
    edge(g, "widgets", "industry", 1)  # depended on by
    (path,) = search_paths(g, "licence", {"industry"}, per_target=1)["industry"]
    assert path.nodes == ["licence", "ban", "widgets", "industry"] and path.sign == 1
    (harm,) = search_paths(g, "ban", {"industry"}, per_target=1)["industry"]
    assert harm.sign == -1


def test_paths_are_ranked_strongest_then_shortest_and_bounded():
    g = nx.MultiDiGraph()
    edge(g, "a", "b", -1)
    edge(g, "b", "t", 1)
    edge(g, "a", "c", 1)
    edge(g, "c", "d", 1)
    edge(g, "d", "t", 1)
    g.add_edge("a", "t", key="weak", sign=1, cost=3.0)  # direct but weak (strength e^-3)
    found = search_paths(g, "a", {"t"}, per_target=5)["t"]
    assert [p.nodes for p in found] == [["a", "b", "t"], ["a", "c", "d", "t"], ["a", "t"]]
    assert [len(p.hops) for p in search_paths(g, "a", {"t"}, per_target=5, max_hops=2)["t"]] == [2, 1]
    assert search_paths(g, "a", {"t"}, per_target=5, min_strength=0.1)["t"][-1].nodes == ["a", "c", "d", "t"]


@pytest.fixture(scope="module")
def tiny():
    return load_graph([HERE / "tiny.ttl"], bundled=False)


def status_of(net, source, target):
    return {r.target: r for r in impact(net, source)}.get(target)


def test_out_of_scope_relaxation_does_nothing(tiny):
    net = project(tiny, dt.date(2030, 2, 15))
    assert net.graph.has_edge(f"{ID}policy/licence", f"{ID}policy/ban")  # the licence is in force ...
    row = status_of(net, f"{ID}policy/ban", f"{ID}industry/gadgets")
    assert row.status == "restricted" and row.reliefs == []  # ... but reaches neither gadgets
    assert status_of(net, f"{ID}policy/ban", f"{ID}company/gizmo").status == "restricted"  # nor Gizmo


def test_suspended_policy_counts_before_not_during_and_again_after(tiny):
    ban, gadgets = f"{ID}policy/ban", f"{ID}industry/gadgets"
    assert status_of(project(tiny, dt.date(2029, 12, 31)), ban, gadgets) is None  # not yet in force
    assert status_of(project(tiny, dt.date(2030, 2, 28)), ban, gadgets).status == "restricted"
    during = project(tiny, dt.date(2030, 3, 15))
    # kept in the network, flagged, and shown as suspended: never silently "reaches nothing"
    assert during.suspended == {ban: "suspended until 2030-04-01"}
    row = status_of(during, ban, gadgets)
    assert row.status == "suspended until 2030-04-01 by Pause of the ban" and row.net_effect == 0.0
    assert status_of(project(tiny, dt.date(2030, 4, 1)), ban, gadgets).status == "restricted"


def test_a_relation_annotated_in_a_users_ontology_joins_the_analysis():
    without = project(load_graph([HERE / "tiny.ttl"], bundled=False), dt.date(2030, 2, 15))
    assert status_of(without, f"{ID}policy/ban", f"{ID}company/bystander") is None
    graph = load_graph([HERE / "tiny.ttl", HERE / "new-relation.ttl"], bundled=False)
    net = project(graph, dt.date(2030, 2, 15))
    row = status_of(net, f"{ID}policy/ban", f"{ID}company/bystander")
    # ban -restricts(-)-> widgets -starves(-)-> bystander: two negatives, a positive effect
    assert row is not None and row.positive is not None
    assert [h.predicate for h in row.positive.hops][-1] == "https://example.org/my#starvesPlantsOf"


# -- the bundled graph ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def june6(kg):
    return project(kg, dt.date(2025, 6, 6))


def test_controls_restrict_automotive_semiconductors_defence(june6):
    result = {r.target: r for r in impact(june6, CONTROLS)}
    for industry in (AUTOMOTIVE, SEMIS, DEFENCE):
        assert result[industry].status == "restricted"
        assert result[industry].negative.sign == -1
        assert (
            "Trump Says Xi Agreed to Resume Rare Earth Exports to U.S. Amid Trade Tensions" in result[industry].sources
        )
    assert result[GM].status == "restricted"  # licences rest on a claim: left out by default


def test_controls_before_april_reach_nothing(invoke):
    data, err = rows(invoke, "impact", "China rare-earth export controls", "--as-of", "2025-03-01")
    assert data == []
    assert "reaches no industry, company or country as of 2025-03-01" in err


def test_licences_partly_relieve_automakers_only_when_claims_count(invoke):
    data, err = rows(
        invoke, "impact", "China rare-earth export controls", "--as-of", "2025-06-06", "--claims", "include"
    )
    by = {r["target"]: r for r in data}
    assert by[AUTOMOTIVE]["status"].startswith("partly relieved: China's temporary rare-earth export licences")
    # the licences cover rare-earth elements only (tkg:coversCommodity): GM is also harmed
    # through magnets and through the article's direct "impacting automakers", which they do not
    # ease, so GM is partly relieved, not relieved (docs/policy-state.md, commodity scope)
    assert by[GM]["status"].startswith("partly relieved: China's temporary rare-earth export licences")
    assert "(for Rare earth elements" in by[GM]["status"]
    assert by[DEFENCE]["status"] == "restricted"
    assert "claims: include" in err
    assert "by Sources familiar with the matter, unconfirmed" in by[GM]["relaxations"]
    excluded, err = rows(invoke, "impact", "China rare-earth export controls", "--as-of", "2025-06-06")
    gm = {r["target"]: r for r in excluded}[GM]
    assert gm["status"] == "restricted"
    # left out by default, and the output says what was left out and why
    assert gm["left_out"].startswith("China's temporary rare-earth export licences")
    assert "rests on claim by Sources familiar with the matter, unconfirmed" in gm["left_out"]
    assert "claims: exclude" in err


def test_trump_reaches_chinese_chip_designers_through_the_accusation(june6, invoke):
    paths = find_paths(june6, TRUMP, CN_CHIPS, k=5)
    assert paths and all(p.sign == -1 for p in paths)
    assert paths[0].nodes == [
        TRUMP,
        f"{ID}event/trump-accuses-china-of-violating-geneva",
        EDA,
        f"{ID}commodity/eda-software",
        CN_CHIPS,
    ]
    data, _ = rows(invoke, "paths", "Donald Trump", "Chinese chip designers", "--as-of", "2025-06-06")
    assert data[0]["path"].startswith("Donald Trump \u2190agent (+)\u2014 Trump accuses China")
    prompted = data[0]["detail"][1]
    assert prompted["relation"] == "prompted"
    assert any("prompting new U.S. restrictions" in (e["quote"] or "") for e in prompted["evidence"])
    restricts = data[0]["detail"][2]
    assert (restricts["valid_from"], restricts["valid_until"]) == ("2025-05-23", "2025-07-02")


def test_the_two_sides_of_the_chip_industry_are_hit_by_different_policies(june6):
    # chipmakers elsewhere: the rare-earth controls, never the EDA limits; chip designers in
    # China: the EDA limits, never the rare-earth controls (the broader-industry link carries
    # no impact)
    assert find_paths(june6, CONTROLS, SEMIS, k=1) and not find_paths(june6, EDA, SEMIS, k=1)
    assert find_paths(june6, EDA, CN_CHIPS, k=1) and not find_paths(june6, CONTROLS, CN_CHIPS, k=1)


def test_a_hop_resting_on_a_claim_says_so(invoke):
    data, _ = rows(
        invoke,
        "paths",
        "policy:china-temporary-export-licences",
        "Ford",
        "--claims",
        "include",
        "--as-of",
        "2025-06-06",
        "--k",
        "1",
    )
    first = data[0]["detail"][0]
    assert first["claims"] and "by Sources familiar with the matter, unconfirmed" in first["claims"][0]


def test_xi_reaches_automotive_through_beijing_and_the_controls(june6):
    best = find_paths(june6, XI, AUTOMOTIVE, k=3)[0]
    assert best.nodes[:3] == [XI, f"{ID}government/china", CONTROLS]
    assert best.sign == -1


def test_before_the_accusation_trump_does_not_reach_chinese_chip_designers_that_way(kg):
    may = project(kg, dt.date(2025, 5, 25))  # EDA letters out (23 May), accusation not yet (30 May)
    for path in find_paths(may, TRUMP, CN_CHIPS, k=5):
        assert f"{ID}event/trump-accuses-china-of-violating-geneva" not in path.nodes


def test_known_by_drops_what_was_not_yet_reported(kg):
    early = project(kg, dt.date(2025, 6, 6), known_by=dt.date(2025, 5, 1))
    assert not find_paths(early, TRUMP, CN_CHIPS, k=1)


def test_whatif_lifting_the_controls_relieves_industries(invoke):
    data, _ = rows(invoke, "whatif", "--lift", "China rare-earth export controls", "--as-of", "2025-06-10")
    changed = {r["target"]: r for r in data}
    for target in (AUTOMOTIVE, DEFENCE, GM):
        assert changed[target]["before"] == "restricted"
        assert changed[target]["after"].startswith("relieved")
    # the world's chipmakers depend on the controls only: relieved too; chip designers in China
    # were never hit by the controls (the EDA limits hit them)
    assert changed[SEMIS]["after"].startswith("relieved")
    assert CN_CHIPS not in changed


def test_whatif_applying_trumps_claim(invoke):
    data, err = rows(
        invoke, "whatif", "--apply-claim", "claim:xi-agreed-to-resume-rare-earth-exports", "--as-of", "2025-06-10"
    )
    changed = {r["target"]: r for r in data}
    # the claimed resumption covers rare earths and magnets, not every critical mineral the
    # controls cover, nor the article's direct "impacting automakers": partly relieved
    assert changed[GM]["after"].startswith("partly relieved: Claimed resumption")
    assert changed[AUTOMOTIVE]["after"].startswith("partly relieved")
    assert DEFENCE not in changed
    assert "treated as fact: Trump: Xi agreed" in err


def test_chokepoints_rank_magnets_first(june6, invoke):
    ranked = chokepoints(june6, top=3)
    assert ranked[0].node == f"{ID}commodity/rare-earth-magnets"
    data, _ = rows(invoke, "chokepoints", "--as-of", "2025-06-06", "--top", "2")
    assert len(data) == 2 and data[0]["label"] == "Rare-earth magnets"


def test_exposure_takes_the_worst_status(june6):
    worst = exposure(june6)
    assert worst[SEMIS].status == "restricted"
    assert worst[CN_CHIPS].status == "restricted"


def test_unknown_entity_suggests_and_exits_2(invoke):
    result = invoke("paths", "Xi Jinpin", "automotive")
    assert result.exit_code == 2
    assert "did you mean 'Xi Jinping'" in result.stderr


def test_no_path_is_a_message_and_an_empty_result(invoke):
    data, err = rows(invoke, "paths", "automotive", "Donald Trump", "--as-of", "2025-06-06")
    assert data == []
    assert "no impact path from Automotive industry to Donald Trump" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["paths", "Xi", "automotive", "--k", "0"], "--k must be at least 1"),
        (["paths", "Xi", "automotive", "--max-hops", "0"], "--max-hops must be at least 1"),
        (["impact", "Xi", "--as-of", "2025-02-30"], "--as-of: '2025-02-30' is not a date"),
        (["whatif"], "say what to change"),
    ],
)
def test_bad_options_exit_2(invoke, args, message):
    result = invoke(*args)
    assert result.exit_code == 2 and message in result.stderr
