"""Entity look-up by IRI, CURIE, label or alias; misses suggest, ambiguity lists."""

from __future__ import annotations

import pytest

from kg.errors import AmbiguousEntity, EntityNotFound
from kg.graph import load_graph
from kg.lookup import resolve_entity

ID = "https://w3id.org/tradekg/id/"


@pytest.mark.parametrize(
    ("text", "iri"),
    [
        ("Geneva agreement", "policy/geneva-agreement"),
        ("  geneva   AGREEMENT ", "policy/geneva-agreement"),
        ("policy:geneva-agreement", "policy/geneva-agreement"),
        (f"<{ID}policy/geneva-agreement>", "policy/geneva-agreement"),
        (f"{ID}policy/geneva-agreement", "policy/geneva-agreement"),
        ("Trump", "person/donald-trump"),
        ("Xi", "person/xi-jinping"),
        ("Beijing", "government/china"),
        ("chipmakers", "industry/semiconductors"),
        ("China rare-earth export controls", "policy/china-rare-earth-export-controls"),
    ],
)
def test_resolves_names_aliases_curies_and_iris(kg, text, iri):
    assert str(resolve_entity(kg, text)) == ID + iri


def test_misspelt_name_suggests_the_nearest(kg):
    with pytest.raises(EntityNotFound) as err:
        resolve_entity(kg, "Geneva agrement")
    assert "Geneva agreement" in err.value.suggestions
    assert str(err.value).startswith("no entity 'Geneva agrement'; did you mean")


def test_unknown_curie_is_not_found(kg):
    with pytest.raises(EntityNotFound):
        resolve_entity(kg, "policy:no-such-policy")


def test_two_entities_with_one_alias_are_listed(tmp_path):
    path = tmp_path / "twins.ttl"
    path.write_text(
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        "@prefix company: <https://w3id.org/tradekg/id/company/> .\n"
        'company:a rdfs:label "Alpha Metals"@en ; skos:altLabel "AM" .\n'
        'company:b rdfs:label "Amber Mining"@en ; skos:altLabel "AM" .\n'
    )
    graph = load_graph([path], bundled=False)
    with pytest.raises(AmbiguousEntity) as err:
        resolve_entity(graph, "am")
    assert [iri for iri, _ in err.value.candidates] == [ID + "company/a", ID + "company/b"]
    assert "Alpha Metals" in str(err.value) and "Amber Mining" in str(err.value)
    # a label beats an alias
    assert str(resolve_entity(graph, "alpha metals")) == ID + "company/a"


def test_cli_miss_exits_2_with_suggestion(invoke):
    result = invoke("show", "Xi Jinpign")
    assert result.exit_code == 2
    assert result.stderr.strip() == "kg: error: no entity 'Xi Jinpign'; did you mean 'Xi Jinping'?"
