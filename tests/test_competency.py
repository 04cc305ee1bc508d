"""Competency questions (shared/DOMAIN.md §4): each shipped query, run through `kg` on the
bundled graph, gives the answer the seed article and the verified public context support.

Dates that change the answers: before April 2025 (nothing in force), 2025-04-10 (the April
controls and the tariffs, no Geneva rollback yet), 2025-06-06 (the seed article's Friday),
2025-07-15 (after the EDA restrictions were rescinded on 2 July), 2025-09-01 (after the
Geneva window: the US suspension carried on by its August extension), 2025-11-15 (the
October controls, suspended).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.namespaces import ID, TKG

ROOT = Path(__file__).resolve().parent.parent

REE_CONTROLS = f"{ID}policy/china-rare-earth-export-controls"
OCTOBER_CONTROLS = f"{ID}policy/china-october-2025-rare-earth-controls"
EDA = f"{ID}policy/us-eda-export-restrictions"
US_TARIFFS = f"{ID}policy/us-reciprocal-tariffs-on-china"
FENTANYL = f"{ID}policy/us-fentanyl-tariffs-on-china"
CN_TARIFFS = f"{ID}policy/china-retaliatory-tariffs-on-us"
US_ROLLBACK = f"{ID}policy/us-geneva-tariff-rollback"
CN_ROLLBACK = f"{ID}policy/china-geneva-tariff-rollback"
LICENCES = f"{ID}policy/china-temporary-export-licences"
RESUMPTION = f"{ID}policy/claimed-resumption-of-rare-earth-exports"
GENEVA = f"{ID}policy/geneva-agreement"
LONDON_FRAMEWORK = f"{ID}policy/london-framework"
ACCUSATION = f"{ID}event/trump-accuses-china-of-violating-geneva"
DISMISSAL = f"{ID}event/beijing-dismisses-accusation"
THREAT = f"{ID}event/china-threatens-countermeasures"
CALL = f"{ID}event/trump-xi-call"
BUSAN = f"{ID}event/busan-summit"
LONDON_TALKS = f"{ID}event/london-talks"
TRUMP = f"{ID}person/donald-trump"
CHINA_GOV = f"{ID}government/china"
AUTOMOTIVE = f"{ID}industry/automotive"
SEMICONDUCTORS = f"{ID}industry/semiconductors"
DEFENCE = f"{ID}industry/defence"
MAGNETS = f"{ID}commodity/rare-earth-magnets"
EDA_SOFTWARE = f"{ID}commodity/eda-software"
ARTICLE = "Trump Says Xi Agreed to Resume Rare Earth Exports to U.S. Amid Trade Tensions"


def run(invoke, *args: str) -> list[dict[str, str]]:
    """Run ``kg ARGS -f json``; the rows, after checking the command succeeded."""
    result = invoke(*args, "-f", "json")
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert isinstance(rows, list)
    return rows


def query(invoke, name: str, **params: str) -> list[dict[str, str]]:
    """Run the shipped query NAME with ``-p`` parameters (``from_`` stands for ``from``)."""
    args = ["query", name]
    for key, value in params.items():
        args += ["-p", key.rstrip("_"), value]
    return run(invoke, *args)


def by(rows: list[dict[str, str]], key: str) -> dict[str, dict[str, str]]:
    """Rows keyed by one column (which must be unique)."""
    keyed = {row[key]: row for row in rows}
    assert len(keyed) == len(rows), f"{key} is not unique: {[r[key] for r in rows]}"
    return keyed


# -- CQ1: restrictions in force ------------------------------------------------------------


def test_cq1_restrictions_in_force_on_the_article_date(invoke):
    rows = by(query(invoke, "restrictions-in-force", date="2025-06-06"), "policy")
    # China's export controls on rare earths; US limits on chip-design software; the tariffs
    # of both sides, partly rolled back under Geneva (the US fentanyl duty, not rolled back, is
    # part of the US 145% and 30%: PUBLIC-CONTEXT).
    assert set(rows) == {REE_CONTROLS, EDA, US_TARIFFS, CN_TARIFFS, FENTANYL}
    # the Geneva levels: US 10% + 20% = 30%, China 10%
    assert (rows[US_TARIFFS]["rate"], rows[FENTANYL]["rate"], rows[CN_TARIFFS]["rate"]) == ("10", "20", "10")

    controls = rows[REE_CONTROLS]
    assert controls["imposer"] == CHINA_GOV
    assert "Ministry of Commerce" in controls["imposers"]
    assert "Rare-earth magnets" in controls["commodities"] and "Samarium" in controls["commodities"]
    assert controls["targets"] == "all destinations"
    assert controls["inForceFrom"] == "2025-04-04"
    assert "relaxedBy" not in controls  # the licences rest on a claim: excluded by default
    # its "all destinations" scope is a curator's inference: never "sourced fact" alone
    assert controls["basis"] == "sourced fact and curator's inference"
    assert controls["evidence"] == "stated by the source; curator's inference"
    assert controls["status"] == "in force"
    assert ARTICLE in controls["sources"]

    eda = rows[EDA]
    assert eda["imposer"] == f"{ID}government/united-states"
    assert "Bureau of Industry and Security" in eda["imposers"]
    assert eda["commodities"] == "Electronic design automation software"
    assert eda["targets"] == "China"

    # Suspensions are reported beside the tariffs, not by hiding them.
    assert "US 90-day tariff rollback under the Geneva agreement" in rows[US_TARIFFS]["relaxedBy"]
    assert "China's 90-day tariff rollback under the Geneva agreement" in rows[CN_TARIFFS]["relaxedBy"]
    assert "until 2025-08-12" in rows[US_TARIFFS]["relaxedBy"]


def test_cq1_a_suspended_restriction_is_listed_with_its_end():
    """Announcement No. 70 suspends China's October 2025 controls until 10 November 2026."""
    from kg.graph import load_graph
    from kg.queries import bind_parameters, catalogue

    kg = load_graph()
    spec = catalogue()["restrictions-in-force"]
    rows = kg.select_values(spec.text, bind_parameters(kg, spec, {"date": "2025-12-01"}))
    october = {r["policy"]: r for r in rows}[f"{ID}policy/china-october-2025-rare-earth-controls"]
    assert october["status"] == "suspended until 2026-11-10"


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        ("2025-03-31", set()),  # before April 2025: nothing yet
        ("2025-04-10", {REE_CONTROLS, US_TARIFFS, CN_TARIFFS, FENTANYL}),  # before the EDA letters of 23 May
        ("2025-06-06", {REE_CONTROLS, EDA, US_TARIFFS, CN_TARIFFS, FENTANYL}),
        ("2025-07-15", {REE_CONTROLS, US_TARIFFS, CN_TARIFFS, FENTANYL}),  # EDA restrictions lifted 2 July
        ("2025-11-15", {REE_CONTROLS, OCTOBER_CONTROLS, US_TARIFFS, CN_TARIFFS, FENTANYL}),
    ],
)
def test_cq1_the_answer_follows_the_date(invoke, date, expected):
    rows = query(invoke, "restrictions-in-force", date=date)
    assert {r["policy"] for r in rows} == expected


def test_cq1_relaxations_count_only_while_in_force(invoke):
    before_geneva = by(query(invoke, "restrictions-in-force", date="2025-04-10"), "policy")
    assert "relaxedBy" not in before_geneva[US_TARIFFS]
    # After the Geneva window the US suspension runs on under the August 2025 extension.
    after = by(query(invoke, "restrictions-in-force", date="2025-09-01"), "policy")
    relaxed = after[US_TARIFFS]["relaxedBy"]
    assert "US extension of the China tariff suspension (August 2025)" in relaxed
    assert "extended beyond its planned end 2025-08-12" in relaxed
    # The October 2025 controls are in force, and suspended by Announcement No. 70.
    november = by(query(invoke, "restrictions-in-force", date="2025-11-15"), "policy")
    assert "China's suspension of its October 2025 export controls" in november[OCTOBER_CONTROLS]["relaxedBy"]


def test_cq1_claims_mode_adds_the_claimed_licences(invoke):
    included = by(query(invoke, "restrictions-in-force", date="2025-06-06", claims="include"), "policy")
    relaxed = included[REE_CONTROLS]["relaxedBy"]
    assert "temporary rare-earth export licences" in relaxed
    assert "[rests on a claim: unconfirmed]" in relaxed
    # No claim is confirmed: confirmed-only answers as exclude does.
    confirmed = by(query(invoke, "restrictions-in-force", date="2025-06-06", claims="confirmed-only"), "policy")
    assert "relaxedBy" not in confirmed[REE_CONTROLS]


# -- CQ2: exposed industries ---------------------------------------------------------------


def test_cq2_industries_exposed_to_the_rare_earth_controls(invoke):
    rows = query(invoke, "exposed-industries", policy="China rare-earth export controls", date="2025-06-06")
    industries = {r["industry"] for r in rows}
    # The article: automakers, chipmakers and defence contractors (aerospace: no verified row).
    assert {AUTOMOTIVE, SEMICONDUCTORS, DEFENCE} <= industries
    through = {(r["industry"], r.get("commodityLabel"), r.get("dependencyLabel")) for r in rows}
    assert (AUTOMOTIVE, "Rare-earth magnets", "Rare-earth magnets") in through
    assert (AUTOMOTIVE, "Terbium", "Rare-earth magnets") in through  # magnets are made from terbium
    assert (DEFENCE, "Dysprosium", "Rare-earth magnets") in through
    assert (SEMICONDUCTORS, "Rare-earth sputtering targets", "Rare-earth sputtering targets") in through
    assert (SEMICONDUCTORS, "Samarium", "Rare-earth sputtering targets") in through
    for row in rows:
        assert row["via"] and row["sources"], row
    stated = [r for r in rows if "commodity" not in r]
    assert {r["industry"] for r in stated} >= {AUTOMOTIVE, SEMICONDUCTORS, DEFENCE}
    assert all(ARTICLE in r["sources"] for r in stated)
    assert f"{ID}industry/aerospace" not in industries


@pytest.mark.parametrize(
    ("policy", "date", "expected"),
    [
        ("China rare-earth export controls", "2025-03-31", set()),  # not yet in force
        ("EDA export curbs", "2025-06-06", {f"{ID}industry/chinese-semiconductor-industry"}),
        ("EDA export curbs", "2025-07-15", set()),  # rescinded on 2 July 2025
    ],
)
def test_cq2_exposure_follows_the_date(invoke, policy, date, expected):
    rows = query(invoke, "exposed-industries", policy=policy, date=date)
    assert {r["industry"] for r in rows} == expected
    if expected:
        assert {r["commodity"] for r in rows} == {EDA_SOFTWARE}


def test_cq2_claims_mode_shows_the_claimed_licences_beside_the_exposure(invoke):
    excluded = query(invoke, "exposed-industries", policy="China rare-earth export controls", date="2025-06-06")
    assert not any("relaxedBy" in r for r in excluded)
    included = query(
        invoke, "exposed-industries", policy="China rare-earth export controls", date="2025-06-06", claims="include"
    )
    samarium = [r for r in included if r.get("commodityLabel") == "Samarium"]
    assert samarium and all("temporary rare-earth export licences" in r["relaxedBy"] for r in samarium)
    # The licences cover rare earth elements, not magnets as such.
    magnets = [r for r in included if r.get("commodity") == MAGNETS]
    assert magnets and not any("relaxedBy" in r for r in magnets)


# -- CQ3: agreement terms ------------------------------------------------------------------


def test_cq3_geneva_parties_date_commitments_and_duration(invoke):
    rows = query(invoke, "agreement-terms", agreement="Geneva agreement")
    first = rows[0]
    assert first["parties"].split("; ") == ["Chinese government", "United States government"]
    assert first["madeOn"] == "2025-05-12"
    assert first["placeLabel"] == "Geneva"
    assert first["duration"] == "P90D"
    assert "90-day rollback of most retaliatory tariffs" in first["commitments"]
    assert "24 points" in first["commitments"]  # the joint statement's terms
    for negotiator in ("He Lifeng", "Scott Bessent", "Jamieson Greer"):
        assert negotiator in first["negotiators"]
    assert all(r["madeOn"] == "2025-05-12" for r in rows)

    policies = by(rows, "policy")
    assert set(policies) == {US_ROLLBACK, CN_ROLLBACK, LONDON_FRAMEWORK}
    for rollback in (US_ROLLBACK, CN_ROLLBACK):
        assert policies[rollback]["relation"] == "committed to by the parties"
        assert policies[rollback]["inForceFrom"] == "2025-05-14"
        assert policies[rollback]["plannedEnd"] == "2025-08-12"
    # Until when: the US suspension was extended to 10 November 2025, then to 10 November 2026.
    us = policies[US_ROLLBACK]
    assert "US extension of the China tariff suspension (August 2025) (until 2025-11-10)" in us["extendedBy"]
    assert "US extension of the China tariff suspension (November 2025) (until 2026-11-10)" in us["extendedBy"]
    assert us["runsUntil"] == "2026-11-10"
    assert policies[LONDON_FRAMEWORK]["relation"] == "implements the agreement"


# -- CQ4: claims and their status ----------------------------------------------------------


def test_cq4_trumps_claims_with_confirmation_status(invoke):
    rows = by(query(invoke, "claims-by", actor="Trump"), "claim")
    assert all(r["claimant"] == TRUMP for r in rows.values())
    expected = {
        "xi-agreed-to-resume-rare-earth-exports": ("unconfirmed", "2025-06-06", "Yes, he did."),
        "call-had-very-positive-conclusion": ("unconfirmed", "2025-06-05", "very positive conclusion"),
        "no-more-questions-on-rare-earths": ("unconfirmed", "2025-06-05", "no more questions"),
        "negotiations-very-far-advanced": ("unconfirmed", "2025-06-06", "very far advanced"),
        "china-violated-geneva-agreement": ("disputed", "2025-05-30", "HAS TOTALLY VIOLATED ITS AGREEMENT"),
    }
    for slug, (status, date, words) in expected.items():
        row = rows[f"{ID}claim/{slug}"]
        assert row["statusLabel"] == status, slug
        assert row["date"] == date, slug
        assert words in row["quote"], slug
        assert row["sources"], slug
    xi = rows[f"{ID}claim/xi-agreed-to-resume-rare-earth-exports"]
    assert xi["awaitingCommentFrom"] == "Chinese embassy in Washington"  # "has not yet commented"
    assert xi["modality"] == str(TKG.Future)
    violated = rows[f"{ID}claim/china-violated-geneva-agreement"]
    assert "Chinese government" in violated["disputedBy"]
    assert all(r.get("statusLabel") for r in rows.values())
    dates = [r["date"] for r in query(invoke, "claims-by", actor="Trump")]
    assert dates == sorted(dates)


def test_cq4_claims_of_a_government_include_its_ministries(invoke):
    rows = by(query(invoke, "claims-by", actor="Beijing"), "claim")
    assert f"{ID}claim/us-undermined-geneva-consensus" in rows  # MOFCOM, part of the government
    assert f"{ID}claim/chinese-readout-of-trump-xi-call" in rows
    assert TRUMP not in {r["claimant"] for r in rows.values()}


# -- CQ5: mitigations for US automakers -----------------------------------------------------


def test_cq5_mitigations_for_automakers_rest_on_claims(invoke):
    params = {"policy": "China rare-earth export controls", "target": "automotive", "date": "2025-06-06"}
    # Every measure easing the controls for automakers is known only through claims.
    assert query(invoke, "mitigations", **params) == []
    assert query(invoke, "mitigations", **params, claims="confirmed-only") == []

    rows = by(query(invoke, "mitigations", **params, claims="include"), "relaxation")
    licences = rows[LICENCES]
    assert licences["inForce"] == "true" and licences["status"] == "in force"
    assert licences["inForceFrom"] == "2025-06-02"
    assert licences["relaxationType"] == str(TKG.Licence)
    for maker in ("General Motors", "Ford Motor Company", "Stellantis"):
        assert f"supplies {maker}" in licences["via"]
    assert licences["claim"] == f"{ID}claim/temporary-licences-granted"
    assert licences["claimStatus"] == str(TKG.Unconfirmed)
    assert "unconfirmed" in licences["basis"]
    # How well sourced: the article, Reuters (Straits Times) and Benzinga; verified secondary.
    assert int(licences["sourceCount"]) >= 3
    assert licences["bestQuality"] == str(TKG.VerifiedSecondary)
    # Trump's claimed resumption is reported as future: listed, not in force.
    resumption = rows[RESUMPTION]
    assert resumption["inForce"] == "false"
    assert "future" in resumption["status"]
    assert "unconfirmed" in resumption["basis"]


def test_cq5_mitigations_follow_the_date_and_reach_a_company(invoke):
    before = by(
        query(
            invoke,
            "mitigations",
            policy="China rare-earth export controls",
            target="Ford",
            date="2025-06-01",
            claims="include",
        ),
        "relaxation",
    )
    assert before[LICENCES]["inForce"] == "false" and before[LICENCES]["status"] == "not yet in force"
    after = by(
        query(
            invoke,
            "mitigations",
            policy="China rare-earth export controls",
            target="Ford",
            date="2025-06-06",
            claims="include",
        ),
        "relaxation",
    )
    assert after[LICENCES]["inForce"] == "true"
    assert "supplies it" in after[LICENCES]["via"]


def test_cq5_a_whole_measure_suspension_reaches_every_target(invoke):
    rows = by(
        query(invoke, "mitigations", policy="US reciprocal tariffs on China", target="China", date="2025-09-01"),
        "relaxation",
    )
    assert rows[US_ROLLBACK]["inForce"] == "true"  # carried on by its extension
    assert rows[f"{ID}policy/us-tariff-suspension-extension-2025-08"]["inForce"] == "true"
    assert rows[US_ROLLBACK]["bestQuality"] == str(TKG.VerifiedPrimary)  # EO 14298
    assert rows[f"{ID}policy/us-tariff-suspension-extension-2025-11"]["status"] == "not yet in force"


# -- CQ6: what led to the EDA restrictions ------------------------------------------------------


def test_cq6_the_accusation_prompted_the_eda_restrictions(invoke):
    rows = query(invoke, "causes", entity="US restrictions on chip-design software exports")
    assert len(rows) == 1
    cause = rows[0]
    assert cause["cause"] == ACCUSATION
    assert cause["relation"] == "prompted it"
    assert cause["causeType"] == str(TKG.Accusation)
    assert cause["agents"] == "Donald Trump"
    assert cause["date"] == "2025-05-30"
    assert "Trump: China violated the Geneva agreement (disputed)" in cause["claimsMade"]
    assert ARTICLE in cause["sources"]
    assert "prompting new U.S. restrictions on chip design software exports" in cause["quote"]
    assert "predate" in cause["note"]  # the curator's note on the chronology
    # the link is the publisher's causal claim, which the dates contradict (issue #15)
    assert cause["evidence"] == "publisher's analysis"
    assert cause["basis"] == (
        "claim by EconoTimes: EconoTimes: Trump's accusation prompted the US chip-design software"
        " restrictions (disputed)"
    )


# -- CQ7: how China responded ---------------------------------------------------------------


@pytest.mark.parametrize("entity", ["Trump's accusation", "claim:china-violated-geneva-agreement"])
def test_cq7_china_dismissed_the_accusation_and_threatened_countermeasures(invoke, entity):
    rows = by(query(invoke, "responses", entity=entity), "response")
    assert set(rows) == {DISMISSAL, THREAT}
    assert rows[DISMISSAL]["responseType"] == str(TKG.Rejection)
    assert rows[THREAT]["responseType"] == str(TKG.Threat)
    for row in rows.values():
        assert "Chinese government" in row["agents"]
        assert row["date"] == "2025-06-02"
        assert ARTICLE in row["sources"]
    assert "Halting sales of chip design software to China" in rows[DISMISSAL]["claimsMade"]
    assert any("Beijing dismissed the claim and threatened countermeasures." in r["quote"] for r in rows.values())


# -- CQ8: planned events ----------------------------------------------------------------------


def test_cq8_events_planned_after_the_article_date(invoke):
    rows = query(invoke, "planned-events", date="2025-06-07")
    assert [r["event"] for r in rows] == [LONDON_TALKS]
    talks = rows[0]
    assert talks["plannedFor"] == "2025-06-09"
    assert talks["modality"] == str(TKG.Future)
    assert talks["reportedOn"] == "2025-06-07"
    assert ARTICLE in talks["reportedBy"]
    # A quote of the first reports (the article's, or Trump's post they relay).
    assert "London on Monday" in talks["quote"]
    assert "United States government" in talks["participants"] and "Chinese government" in talks["participants"]


@pytest.mark.parametrize("date", ["2025-06-01", "2025-06-10"])
def test_cq8_planned_as_seen_from_the_date(invoke, date):
    # On 1 June no source yet reported the London talks; on 10 June they were under way.
    assert query(invoke, "planned-events", date=date) == []


# -- CQ9: sources of facts ------------------------------------------------------------------------


def test_cq9_every_fact_names_its_source_and_quote(invoke):
    rows = query(invoke, "sources", entity="Geneva agreement")
    assert rows and all(r["source"] and r["sourceLabel"] for r in rows)
    announced = [r for r in rows if r["predicate"] == str(TKG.announcedOn)]
    assert [r["value"] for r in announced] == ["2025-05-12"]
    assert announced[0]["source"] == f"{ID}source/portnews-2025-05-12"
    assert "On May 12, 2025" in announced[0]["quote"]
    assert announced[0]["evidenceKind"] == str(TKG.SourceStatement)
    assert announced[0]["evidenceQuality"] == str(TKG.VerifiedPrimary)
    parties = {(r["value"], r["sourceLabel"]) for r in rows if r["predicate"] == str(TKG.party)}
    assert (CHINA_GOV, ARTICLE) in parties
    assert any(label.startswith("Joint Statement") for _, label in parties)
    incoming = {r["value"] for r in rows if r["direction"] == "in"}
    assert f"{ID}event/markets-rally-on-geneva" in incoming


def test_cq9_inferences_carry_reasoning(invoke):
    rows = query(invoke, "sources", entity="Air Force One remarks")
    dated = [r for r in rows if r["predicate"] == str(TKG.date)]
    assert dated and all(r["evidenceKind"] == str(TKG.CuratorInference) for r in dated)
    assert all("Friday 6 June 2025" in r["reasoning"] for r in dated)


def test_cq9_facts_of_a_turtle_file_take_the_entitys_own_source(invoke):
    rows = run(
        invoke, "--data", str(ROOT / "examples" / "my-facts.ttl"), "query", "sources", "-p", "entity", "Acme Motors"
    )
    assert {r["predicate"] for r in rows} >= {str(TKG.dependsOn), str(TKG.inIndustry)}
    assert {r["source"] for r in rows} == {f"{ID}source/my-supplier-survey-2025"}


# -- CQ10: direct interactions -----------------------------------------------------------------


def test_cq10_trump_and_xi_and_how_each_side_told_it(invoke):
    rows = query(invoke, "interactions", actor="Trump")
    assert {r["event"] for r in rows} == {CALL, BUSAN}
    call = [r for r in rows if r["event"] == CALL]
    assert all(r["date"] == "2025-06-05" and r["otherSide"] == "Xi Jinping" for r in call)
    sides = {(r["claimant"], r["claimantSide"]) for r in call}
    assert (TRUMP, "the actor's side") in sides
    assert (CHINA_GOV, "the other side") in sides
    trump_words = {r["quote"] for r in call if r["claimant"] == TRUMP}
    assert "very positive conclusion" in trump_words
    chinese = next(r for r in call if r["claimant"] == CHINA_GOV)
    assert "withdraw the negative measures" in chinese["quote"]


def test_cq10_officials_meet_across_sides(invoke):
    rows = query(invoke, "interactions", actor="Beijing")
    assert {r["event"] for r in rows} == {LONDON_TALKS}
    assert "United States government" in rows[0]["otherSide"]
    assert "Chinese government" not in rows[0]["otherSide"]


# -- CQ11: what changed between two dates ---------------------------------------------------------


def test_cq11_diff_may_to_june(invoke):
    rows = run(invoke, "diff", "2025-05-01", "2025-06-10")
    changes = {(r["date"], r["kind"], r["policy"], r.get("by")) for r in rows}
    assert ("2025-05-14", "suspended or rolled back", US_TARIFFS, US_ROLLBACK) in changes
    assert ("2025-05-14", "suspended or rolled back", CN_TARIFFS, CN_ROLLBACK) in changes
    assert ("2025-05-23", "came into force", EDA, None) in changes
    assert ("2025-05-12", "announced (in force from announcement)", GENEVA, None) in changes
    assert ("2025-06-10", "announced (in force from announcement)", LONDON_FRAMEWORK, None) in changes
    assert not any(r["kind"] in {"ended", "expired (planned end)"} for r in rows)
    # The licences rest on a claim: left out by default.
    assert LICENCES not in {r["policy"] for r in rows} | {r.get("by") for r in rows}
    dates = [r["date"] for r in rows]
    assert dates == sorted(dates) and all("2025-05-01" < d <= "2025-06-10" for d in dates)
    assert all(r["sources"] for r in rows)


def test_cq11_ends_extensions_and_claims(invoke):
    july = run(invoke, "diff", "2025-06-10", "2025-07-15")
    assert [(r["date"], r["kind"], r["policy"]) for r in july] == [("2025-07-02", "ended", EDA)]
    august = {(r["date"], r["kind"], r["policy"]) for r in run(invoke, "diff", "2025-08-01", "2025-08-31")}
    assert ("2025-08-11", "extended", US_ROLLBACK) in august
    assert ("2025-08-12", "reached its planned end (carried on by an extension)", US_ROLLBACK) in august
    # The interval is (FROM, TO]: changes on FROM itself are not repeated.
    assert not any(r["date"] == "2025-05-14" for r in run(invoke, "diff", "2025-05-14", "2025-05-20"))
    included = query(invoke, "changes-between", from_="2025-05-01", to="2025-06-10", claims="include")
    relaxed = [r for r in included if r["kind"] == "relaxed" and r["policy"] == REE_CONTROLS]
    assert [(r["date"], r["by"]) for r in relaxed] == [("2025-06-02", LICENCES)]
    assert "unconfirmed" in relaxed[0]["basis"]


# -- CQ12: chokepoints ---------------------------------------------------------------------------------


def test_cq12_rare_earth_magnets_are_the_chokepoint(invoke):
    rows = query(invoke, "chokepoints", date="2025-06-06")
    assert rows[0]["commodity"] == MAGNETS
    chains = {r["commodityLabel"]: int(r["chains"]) for r in rows}
    assert chains["Rare-earth magnets"] == 8  # 4 restricted inputs/items x automotive and defence
    assert chains["Samarium"] == 3
    assert chains["Electronic design automation software"] == 1
    assert [int(r["chains"]) for r in rows] == sorted(chains.values(), reverse=True)
    assert set(rows[0]["industries"].split("; ")) == {"Automotive industry", "Defence industry"}


def test_cq12_chokepoints_follow_the_date_and_claims(invoke):
    assert query(invoke, "chokepoints", date="2025-03-31") == []
    july = {r["commodity"] for r in query(invoke, "chokepoints", date="2025-07-15")}
    assert MAGNETS in july and EDA_SOFTWARE not in july
    assert not any("relaxedBy" in r for r in query(invoke, "chokepoints", date="2025-06-06"))
    included = by(query(invoke, "chokepoints", date="2025-06-06", claims="include"), "commodityLabel")
    assert "temporary rare-earth export licences" in included["Samarium"]["relaxedBy"]


# -- the timeline -----------------------------------------------------------------------------------


def test_timeline_april_to_june(invoke):
    rows = run(invoke, "timeline", "--from", "2025-04-01", "--to", "2025-06-30")
    dates = [r["date"] for r in rows]
    assert dates == sorted(dates)
    assert all("2025-04-01" <= d <= "2025-06-30" for d in dates)
    entries = {(r["date"], r["entity"], r["what"]) for r in rows}
    assert ("2025-04-04", REE_CONTROLS, "came into force") in entries
    assert ("2025-05-12", GENEVA, "announced") in entries
    assert ("2025-05-30", ACCUSATION, "took place") in entries
    assert ("2025-06-09", LONDON_TALKS, "expected (reported as future)") in entries
    assert BUSAN not in {r["entity"] for r in rows}  # 30 October
    xi = next(r for r in rows if r["entity"] == f"{ID}claim/xi-agreed-to-resume-rare-earth-exports")
    assert xi["kind"] == "claim" and xi["date"] == "2025-06-06"
    assert xi["quote"] == "Yes, he did." and xi["basis"] == "claim, unconfirmed"
    rally = next(r for r in rows if r["entity"] == f"{ID}event/markets-rally-on-geneva")
    assert rally["precision"] == "month"  # "markets rallied", no day given
    assert all(r["sources"] for r in rows)


# -- general queries -----------------------------------------------------------------------------------


def test_search_finds_names_and_aliases(invoke):
    rows = query(invoke, "search", text="GENEVA")
    assert rows[0]["entity"] == f"{ID}place/geneva"  # exact match first
    assert GENEVA in {r["entity"] for r in rows}
    assert not any(r["entity"].startswith(str(TKG)) for r in rows)
    chip = query(invoke, "search", text="chipmakers")
    assert [r["entity"] for r in chip] == [SEMICONDUCTORS]


def test_neighbours_list_relations_with_sources(invoke):
    rows = query(invoke, "neighbours", entity="Geneva agreement")
    out = {(r["predicate"], r["other"]) for r in rows if r["direction"] == "out"}
    assert (str(TKG.party), CHINA_GOV) in out and (str(TKG.commitsTo), US_ROLLBACK) in out
    incoming = {(r["predicate"], r["other"]) for r in rows if r["direction"] == "in"}
    assert (str(TKG.implements), LONDON_FRAMEWORK) in incoming
    assert all(r["sources"] for r in rows)


def test_policies_by_commodity(invoke):
    rows = by(query(invoke, "policies-by-commodity", commodity="magnets", date="2025-06-06"), "policy")
    assert set(rows) == {REE_CONTROLS}
    assert "restricts it" in rows[REE_CONTROLS]["via"] and rows[REE_CONTROLS]["inForce"] == "true"
    included = by(
        query(invoke, "policies-by-commodity", commodity="magnets", date="2025-06-06", claims="include"), "policy"
    )
    assert {LICENCES, RESUMPTION} <= set(included)
    assert included[RESUMPTION]["inForce"] == "false"
