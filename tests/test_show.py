"""`kg show`: an entity card with every fact, its source and quote."""

from __future__ import annotations

import json


def test_geneva_card_lists_facts_with_sources_and_quotes(invoke):
    result = invoke("show", "Geneva agreement")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert out.startswith("Geneva agreement  (policy:geneva-agreement)")
    assert "type: agreement" in out
    assert "announced on" in out and "2025-05-12 (day)" in out
    assert "United States government" in out and "Chinese government" in out
    assert "90-day rollback" in out  # the article's quote
    assert "EconoTimes" in out or "Trump Says Xi Agreed" in out
    assert "[no source]" not in out


def test_card_as_json_ties_every_fact_to_evidence(invoke):
    result = invoke("show", "policy:geneva-agreement", "-f", "json")
    assert result.exit_code == 0, result.stderr
    card = json.loads(result.stdout)
    assert card["iri"] == "https://w3id.org/tradekg/id/policy/geneva-agreement"
    assert card["facts"], "no facts"
    for fact in card["facts"]:
        assert fact["evidence"], f"fact without evidence: {fact}"
        for i in fact["evidence"]:
            assert card["evidence"][i]["source"].startswith("https://w3id.org/tradekg/id/source/")
    parties = {f["value"] for f in card["facts"] if f["predicate"] == "tkg:party"}
    assert parties == {
        "https://w3id.org/tradekg/id/government/united-states",
        "https://w3id.org/tradekg/id/government/china",
    }
    assert any(e["quote"] and "Geneva" in e["quote"] for e in card["evidence"])


def test_claim_card_shows_claimant_and_status(invoke):
    result = invoke("show", "claim:xi-agreed-to-resume-rare-earth-exports", "-f", "json")
    assert result.exit_code == 0, result.stderr
    card = json.loads(result.stdout)
    values = {(f["predicate"], f["value"]) for f in card["facts"]}
    assert ("tkg:claimant", "https://w3id.org/tradekg/id/person/donald-trump") in values
    assert ("tkg:confirmationStatus", "https://w3id.org/tradekg/ontology#Unconfirmed") in values
    assert any(f["predicate"] == "tkg:quote" and "Yes, he did." in f["value"] for f in card["facts"])


def test_inference_is_marked_with_reasoning(invoke):
    # "on Friday" is resolved by the curator: the date's evidence says so and why.
    result = invoke("show", "event:air-force-one-remarks", "-f", "json")
    assert result.exit_code == 0, result.stderr
    card = json.loads(result.stdout)
    dates = [f for f in card["facts"] if f["predicate"] == "tkg:date"]
    assert [f["value"] for f in dates] == ["2025-06-06"]
    kinds = {card["evidence"][i]["kind"] for i in dates[0]["evidence"]}
    assert "curator's inference" in kinds
    assert all(
        card["evidence"][i]["reasoning"]
        for i in dates[0]["evidence"]
        if card["evidence"][i]["kind"] == "curator's inference"
    )
