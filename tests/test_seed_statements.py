"""The bundled graph holds each statement of the seed article, with the sentence it comes from.

One test per statement of shared/DOMAIN.md §3 (test_statement_01_… to test_statement_12_…). Each
asks that the statement's key triples sit INSIDE an assertion graph derived from the EconoTimes
article whose quote contains a distinctive piece of the article's sentence; negative checks keep
claims from turning into facts (rule 3 of data/README.md). Dates the article leaves open ("on
Friday", "on Monday", "in April") must come from curator's inferences with reasoning.
"""

from __future__ import annotations

import re

import pytest

from kg.graph import load_graph

ARTICLE = "source:econotimes-1712529"

# The body of the seed article, verbatim up to line breaks (shared/seeds/000_af4ae1d63ce02f9a.txt).
ARTICLE_TEXT = """
U.S. President Donald Trump announced on Friday that Chinese President Xi Jinping has agreed to allow the flow
of rare earth minerals and magnets to the United States, signaling a potential de-escalation in ongoing trade
tensions between the two economic superpowers.

When asked aboard Air Force One whether Xi agreed to resume rare earth exports, Trump responded, "Yes, he
did." The Chinese embassy in Washington has not yet commented. The announcement follows a rare direct phone
call between the two leaders, which Trump described as having a “very positive conclusion,” noting there
should be “no more questions” regarding the complexity of rare earth trade.

In a further sign of progress, China has reportedly granted temporary export licenses to rare-earth suppliers
working with the top three U.S. automakers, according to sources familiar with the matter. Senior U.S. and
Chinese officials are expected to hold further trade talks in London on Monday.

Trump also mentioned that negotiations are “very far advanced” and referenced a May 12 agreement in Geneva
where both sides committed to a 90-day rollback of most retaliatory tariffs. Markets rallied on that news, but
China’s earlier decision in April to halt exports of critical minerals had continued to strain global supply
chains, impacting automakers, chipmakers, and defense contractors.

Trump had previously accused China of violating the Geneva agreement, prompting new U.S. restrictions on chip
design software exports. Beijing dismissed the claim and threatened countermeasures. Rare earths remain a
strategic asset for China, with potential domestic political implications for Trump if U.S. industries face
prolonged supply disruptions.

Trump’s fluctuating trade stance has created uncertainty, often leaving global markets and policymakers
guessing.
"""


@pytest.fixture(scope="module")
def kg():
    return load_graph()  # ontology + bundled data/*.trig


def from_article(quote_piece: str, graph: str = "?g") -> str:
    """SPARQL: ``graph`` is an assertion of the article whose quote contains ``quote_piece``."""
    piece = quote_piece.replace("\\", "\\\\").replace('"', '\\"')
    return (
        f"{graph} a tkg:Assertion ; prov:wasDerivedFrom {ARTICLE} ; tkg:quote ?q_{graph[1:]} . "
        f'FILTER(CONTAINS(?q_{graph[1:]}, "{piece}"))'
    )


def inferred(graph: str = "?inf") -> str:
    """SPARQL: ``graph`` is a curator's inference with its reasoning and at least one source."""
    return (
        f"{graph} a tkg:Assertion ; tkg:evidenceKind tkg:CuratorInference ; "
        f"tkg:reasoning ?r_{graph[1:]} ; prov:wasDerivedFrom ?src_{graph[1:]} ."
    )


# -- 1. Trump: Xi agreed to let rare earths flow ------------------------------------------------


def test_statement_01_trump_claims_xi_agreed_to_resume_rare_earth_exports(kg):
    assert kg.ask(f"""ASK {{
        GRAPH ?g {{
            claim:xi-agreed-to-resume-rare-earth-exports a tkg:Claim ;
                tkg:claimant person:donald-trump ;
                tkg:quote "Yes, he did." ;
                tkg:madeDuring event:air-force-one-remarks .
            event:air-force-one-remarks a tkg:Statement ;
                tkg:agent person:donald-trump ;
                tkg:venue "aboard Air Force One" .
        }}
        {from_article('Trump responded, "Yes, he did."')}
    }}""")
    # the resumption itself is a claimed, future relaxation resting on Trump's claim
    assert kg.ask(f"""ASK {{
        GRAPH ?g {{
            policy:claimed-resumption-of-rare-earth-exports a tkg:Rollback ;
                tkg:relaxes policy:china-rare-earth-export-controls ;
                tkg:destination country:united-states ;
                tkg:modality tkg:Future ;
                tkg:restsOnClaim claim:xi-agreed-to-resume-rare-earth-exports .
        }}
        {from_article("agreed to allow the flow of rare earth minerals and magnets to the United States")}
    }}""")
    # "on Friday" is a curator's inference: 6 June 2025
    assert kg.ask(f"""ASK {{
        GRAPH ?inf {{ event:air-force-one-remarks tkg:date "2025-06-06"^^xsd:date ;
                                                   tkg:datePrecision tkg:DayPrecision . }}
        {inferred()}
    }}""")
    # a claim, not a fact: nothing says the resumption was observed or happened
    assert not kg.ask("ASK { policy:claimed-resumption-of-rare-earth-exports tkg:modality tkg:Observed }")


# -- 2. The Chinese embassy has not commented ---------------------------------------------------


def test_statement_02_embassy_silent_so_claim_unconfirmed(kg):
    assert kg.ask(f"""ASK {{
        GRAPH ?g {{
            claim:xi-agreed-to-resume-rare-earth-exports
                tkg:confirmationStatus tkg:Unconfirmed ;
                tkg:awaitingCommentFrom body:chinese-embassy-washington .
            body:chinese-embassy-washington a tkg:DiplomaticMission ;
                rdfs:label "Chinese embassy in Washington"@en ;
                tkg:partOf government:china .
        }}
        {from_article("The Chinese embassy in Washington has not yet commented.")}
    }}""")
    # nobody confirmed it, in any graph
    assert not kg.ask("""ASK { claim:xi-agreed-to-resume-rare-earth-exports
                                   tkg:confirmationStatus ?s FILTER(?s != tkg:Unconfirmed) }""")
    assert not kg.ask("ASK { claim:xi-agreed-to-resume-rare-earth-exports tkg:confirmedBy ?who }")


# -- 3. The phone call and Trump's description of it --------------------------------------------


def test_statement_03_rare_direct_call_with_very_positive_conclusion(kg):
    assert kg.ask(f"""ASK {{
        GRAPH ?g {{
            event:trump-xi-call a tkg:Call ;
                tkg:participant person:donald-trump, person:xi-jinping .
            event:air-force-one-remarks tkg:followed event:trump-xi-call .
        }}
        {from_article("rare direct phone call between the two leaders")}
    }}""")
    assert kg.ask(f"""ASK {{
        GRAPH ?g {{
            claim:call-had-very-positive-conclusion a tkg:Claim ;
                tkg:claimant person:donald-trump ;
                tkg:quote "very positive conclusion" ;
                tkg:about event:trump-xi-call .
            claim:no-more-questions-on-rare-earths a tkg:Claim ;
                tkg:claimant person:donald-trump ;
                tkg:quote "no more questions" .
        }}
        {from_article("there should be “no more questions” regarding the complexity of rare earth trade")}
    }}""")
    # both sides' characterisations of the call are in the graph (competency question 10)
    assert kg.ask("""ASK { ?c a tkg:Claim ; tkg:claimant government:china ; tkg:about event:trump-xi-call }""")


# -- 4. Temporary licences, on the word of unnamed sources --------------------------------------


def test_statement_04_temporary_licences_rest_on_anonymous_claim(kg):
    assert kg.ask(f"""ASK {{
        GRAPH ?g {{
            policy:china-temporary-export-licences a tkg:Licence ;
                tkg:imposedBy government:china ;
                tkg:relaxes policy:china-rare-earth-export-controls ;
                tkg:beneficiary actor:rare-earth-suppliers-of-top-us-automakers ;
                tkg:restsOnClaim claim:temporary-licences-granted .
            claim:temporary-licences-granted a tkg:Claim ;
                tkg:claimant actor:sources-familiar-with-the-matter ;
                tkg:confirmationStatus tkg:Unconfirmed .
            actor:sources-familiar-with-the-matter a tkg:AnonymousSource .
        }}
        {from_article("according to sources familiar with the matter")}
    }}""")
    # the article does not name the automakers: GM, Ford and Stellantis are an inference
    assert kg.ask(f"""ASK {{
        GRAPH ?inf {{ actor:rare-earth-suppliers-of-top-us-automakers
                          tkg:suppliesTo company:general-motors, company:ford, company:stellantis . }}
        {inferred()}
    }}""")
    assert not kg.ask("""ASK { GRAPH ?g { actor:rare-earth-suppliers-of-top-us-automakers tkg:suppliesTo ?c }
                               ?g prov:wasDerivedFrom source:econotimes-1712529 ;
                                  tkg:evidenceKind tkg:SourceStatement }""")
    assert not kg.ask("ASK { claim:temporary-licences-granted tkg:confirmationStatus tkg:Confirmed }")


# -- 5. Talks in London "on Monday" --------------------------------------------------------------


def test_statement_05_london_talks_planned(kg):
    assert kg.ask(f"""ASK {{
        GRAPH ?g {{
            event:london-talks a tkg:Talks ;
                tkg:place place:london ;
                tkg:modality tkg:Future ;
                tkg:participant government:united-states, government:china .
        }}
        {from_article("expected to hold further trade talks in London on Monday")}
    }}""")
    assert kg.ask(f"""ASK {{
        GRAPH ?inf {{ event:london-talks tkg:date "2025-06-09"^^xsd:date ; tkg:datePrecision tkg:DayPrecision . }}
        {inferred()}
    }}""")


# -- 6. "very far advanced" ---------------------------------------------------------------------


def test_statement_06_negotiations_very_far_advanced_is_a_claim(kg):
    assert kg.ask(f"""ASK {{
        GRAPH ?g {{
            claim:negotiations-very-far-advanced a tkg:Claim ;
                tkg:claimant person:donald-trump ;
                tkg:quote "very far advanced" ;
                tkg:confirmationStatus tkg:Unconfirmed .
        }}
        {from_article("negotiations are “very far advanced”")}
    }}""")


# -- 7. The Geneva agreement and the market rally -----------------------------------------------


def test_statement_07_geneva_agreement_90_day_rollback(kg):
    assert kg.ask("""ASK { GRAPH ?g { policy:geneva-agreement a tkg:Agreement . }
                         ?g prov:wasDerivedFrom source:econotimes-1712529 ; tkg:quote ?q .
                         FILTER(CONTAINS(?q, "90-day rollback")) }""")
    # The article gives no year: the full date comes from a public source, not from the article.
    assert kg.ask("""ASK { GRAPH ?g { policy:geneva-agreement tkg:announcedOn "2025-05-12"^^xsd:date }
                         ?g prov:wasDerivedFrom ?src . FILTER(?src != source:econotimes-1712529) }""")
    assert not kg.ask("""ASK { GRAPH ?g { policy:geneva-agreement tkg:announcedOn ?d }
                             ?g prov:wasDerivedFrom source:econotimes-1712529 }""")
    assert kg.ask(f"""ASK {{
        GRAPH ?g {{
            policy:geneva-agreement rdfs:label "Geneva agreement"@en ;
                tkg:party government:united-states, government:china ;
                tkg:duration "P90D"^^xsd:duration ;
                tkg:place place:geneva ;
                tkg:commitsTo policy:us-geneva-tariff-rollback, policy:china-geneva-tariff-rollback .
            policy:us-geneva-tariff-rollback a tkg:Rollback ; tkg:relaxes policy:us-reciprocal-tariffs-on-china .
            policy:china-geneva-tariff-rollback a tkg:Rollback ; tkg:relaxes policy:china-retaliatory-tariffs-on-us .
        }}
        {from_article("a May 12 agreement in Geneva")}
    }}""")
    assert kg.ask(f"""ASK {{
        GRAPH ?g {{
            event:markets-rally-on-geneva a tkg:MarketReaction ;
                tkg:agent actor:global-markets ;
                tkg:reactsTo policy:geneva-agreement .
        }}
        {from_article("Markets rallied on that news")}
    }}""")


# -- 8. China's April halt of critical-mineral exports ------------------------------------------


def test_statement_08_april_export_controls_hit_three_industries(kg):
    assert kg.ask(f"""ASK {{
        GRAPH ?g {{
            policy:china-rare-earth-export-controls a tkg:ExportControl ;
                rdfs:label "China rare-earth export controls"@en ;
                tkg:imposedBy government:china ;
                tkg:adverselyAffects industry:automotive, industry:semiconductors, industry:defence .
        }}
        {from_article("decision in April to halt exports of critical minerals")}
    }}""")
    # "in April" resolved to 4 April 2025 by the curator, with reasoning
    assert kg.ask(f"""ASK {{
        GRAPH ?inf {{ policy:china-rare-earth-export-controls tkg:inForceFrom "2025-04-04"^^xsd:date . }}
        {inferred()}
    }}""")
    # the controls never ended in the record (Announcement No. 70 suspended only the October ones)
    assert not kg.ask("ASK { policy:china-rare-earth-export-controls tkg:actualEnd ?end }")
    assert not kg.ask("ASK { policy:china-rare-earth-export-controls tkg:plannedEnd ?end }")


# -- 9. The accusation and the US chip-design software restrictions -----------------------------


def test_statement_09_accusation_prompted_chip_design_software_restrictions(kg):
    assert kg.ask(f"""ASK {{
        GRAPH ?g {{
            event:trump-accuses-china-of-violating-geneva a tkg:Accusation ;
                tkg:agent person:donald-trump ;
                tkg:concerns policy:geneva-agreement .
            claim:china-violated-geneva-agreement a tkg:Claim ;
                tkg:claimant person:donald-trump ;
                tkg:about policy:geneva-agreement .
        }}
        ?g tkg:evidenceKind tkg:SourceStatement .
        {from_article("accused China of violating the Geneva agreement")}
    }}""")
    # "prompting": the publisher's causal claim, not a stated fact. The dates contradict it (the
    # letters of 23 May predate the accusation of 30 May), so it is disputed (issue #15).
    assert not kg.ask("""ASK { GRAPH ?g { ?accusation tkg:prompted policy:us-eda-export-restrictions }
                               ?g tkg:evidenceKind tkg:SourceStatement }""")
    assert kg.ask(f"""ASK {{
        GRAPH ?g {{ event:trump-accuses-china-of-violating-geneva tkg:prompted policy:us-eda-export-restrictions . }}
        ?g tkg:evidenceKind tkg:PublisherAnalysis ; tkg:restsOnClaim ?claim .
        {from_article("prompting new U.S. restrictions on chip design software exports")}
        ?g tkg:note ?chronology . FILTER(CONTAINS(?chronology, "23 May 2025"))
        ?claim a tkg:Analysis ; tkg:claimant company:econotimes ; tkg:confirmationStatus tkg:Disputed ;
            tkg:contradictedBy assertion:ctx-chambers-eda-letters, assertion:ctx-truth-social-accusation .
        GRAPH ?inf {{ ?claim tkg:confirmationStatus tkg:Disputed }}
        ?inf tkg:evidenceKind tkg:CuratorInference .
    }}""")
    assert kg.ask(f"""ASK {{
        GRAPH ?g {{
            policy:us-eda-export-restrictions a tkg:ExportControl ;
                tkg:imposedBy government:united-states ;
                tkg:restricts commodity:eda-software ;
                tkg:targetCountry country:china .
            commodity:eda-software skos:altLabel "chip-design software"@en .
        }}
        {from_article("new U.S. restrictions on chip design software exports")}
    }}""")


# -- 10. Beijing's dismissal and threat ---------------------------------------------------------


def test_statement_10_beijing_dismissed_and_threatened_countermeasures(kg):
    assert kg.ask(f"""ASK {{
        GRAPH ?g {{
            event:beijing-dismisses-accusation a tkg:Rejection ;
                tkg:agent government:china ;
                tkg:respondsTo event:trump-accuses-china-of-violating-geneva .
            event:china-threatens-countermeasures a tkg:Threat ;
                tkg:agent government:china ;
                tkg:respondsTo event:trump-accuses-china-of-violating-geneva .
            claim:china-violated-geneva-agreement
                tkg:confirmationStatus tkg:Disputed ;
                tkg:disputedBy government:china .
        }}
        {from_article("Beijing dismissed the claim and threatened countermeasures.")}
    }}""")
    assert not kg.ask("ASK { claim:china-violated-geneva-agreement tkg:confirmationStatus tkg:Confirmed }")


# -- 11. Publisher's analysis: rare earths are a strategic asset --------------------------------


def test_statement_11_strategic_asset_is_publisher_analysis(kg):
    assert kg.ask(f"""ASK {{
        GRAPH ?g {{
            claim:rare-earths-strategic-asset a tkg:Analysis ;
                tkg:claimant company:econotimes ;
                tkg:about country:china .
        }}
        {from_article("Rare earths remain a strategic asset for China")}
        ?g tkg:evidenceKind tkg:PublisherAnalysis .
    }}""")


# -- 12. Publisher's analysis: the fluctuating stance creates uncertainty -----------------------


def test_statement_12_fluctuating_stance_is_publisher_analysis(kg):
    assert kg.ask(f"""ASK {{
        GRAPH ?g {{
            claim:trump-stance-creates-uncertainty a tkg:Analysis ;
                tkg:claimant company:econotimes ;
                tkg:about person:donald-trump .
        }}
        {from_article("fluctuating trade stance has created uncertainty")}
        ?g tkg:evidenceKind tkg:PublisherAnalysis .
    }}""")


# -- the article's quotes are the article's words --------------------------------------------------


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_every_quote_of_the_article_is_verbatim(kg):
    body = _norm(ARTICLE_TEXT)
    rows = kg.select(f"""SELECT ?a ?q WHERE {{
        {{ ?a prov:wasDerivedFrom {ARTICLE} ; tkg:quote ?q }}
        UNION
        {{ GRAPH ?a {{ ?claim tkg:quote ?q }} ?a prov:wasDerivedFrom {ARTICLE} }}
        FILTER(?a != assertion:ctx-econotimes-publisher)
    }}""")
    assert len(rows) >= 20
    for row in rows:
        for piece in str(row["q"]).split(" … "):
            assert _norm(piece) in body, f"{row['a']}: not in the article: {piece!r}"


def test_article_source_is_dated_by_the_curator(kg):
    assert kg.ask("""ASK { source:econotimes-1712529 a tkg:NewsArticle ;
        rdfs:label "Trump Says Xi Agreed to Resume Rare Earth Exports to U.S. Amid Trade Tensions"@en ;
        tkg:publisher company:econotimes ;
        tkg:recordedOn "2025-06-07"^^xsd:date ; tkg:recordedOnPrecision tkg:DayPrecision ;
        tkg:url ?url ; tkg:note ?why . }""")
