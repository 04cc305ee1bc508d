"""The synthetic generator (bench/generate.py): conforming, analysable, deterministic, sized."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import sys
from collections import Counter

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
from generate import generate  # noqa: E402

from kg.graph import load_graph  # noqa: E402

RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
AS_OF = dt.date(2022, 6, 1)  # policies start between 2018 and mid-2025: many are in force


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    path = tmp_path_factory.mktemp("synthetic") / "synthetic-10k.nq"
    with path.open("w", encoding="utf-8") as fh:
        fh.writelines(generate(10_000, seed=7))
    return path


@pytest.fixture(scope="module")
def small_graph(small):
    return load_graph([small], bundled=False)


def test_output_at_10k_conforms_to_the_shapes(small_graph):
    from kg.validate import validate

    report = validate(small_graph)
    first = "\n".join(f"{r.severity} {r.focus} {r.path}: {r.message}" for r in report.results[:10])
    assert report.conforms, first
    assert not report.results, first  # no warnings either


def test_output_at_10k_yields_impact_results(small_graph):
    from kg.impact import impact
    from kg.network import project

    net = project(small_graph, AS_OF)
    restrictions = sorted(n for n in net.graph if "/policy/p" in n and net.graph.out_degree(n))
    assert len(restrictions) >= 10, "few restrictions in force on the as-of date"
    reached = impact(net, restrictions[0])
    assert reached, f"{restrictions[0]} reaches nothing"
    governments = sorted(n for n in net.graph if "/government/" in n)
    busiest = max(governments, key=lambda n: (net.graph.out_degree(n), n))
    assert any("/company/" in r.target for r in impact(net, busiest))


def test_output_uses_the_ontology(small):
    classes = Counter()
    predicates = set()
    for line in small.read_text(encoding="utf-8").splitlines():
        s, p, o = line.split(" ", 2)
        predicates.add(p.strip("<>").rsplit("#", 1)[-1])
        if p == RDF_TYPE:
            classes[o.split(" ", 1)[0].strip("<>").rsplit("#", 1)[-1]] += 1
    for cls in (
        "Country Government Leader GovernmentBody Commodity Industry Company ExportControl Tariff Sanction "
        "Licence Exemption Rollback Agreement Claim Assertion"
    ).split():
        assert classes[cls] > 0, cls
    assert 25 <= classes["Country"] <= 200
    for prop in (
        "governs leads office partOf broaderCommodity madeFrom notation dependsOn inIndustry inCountry suppliesTo "
        "imposedBy restricts targetCountry announcedOn inForceFrom plannedEnd actualEnd relaxes beneficiary "
        "destination party commitsTo claimant claimDate proposition confirmationStatus modality restsOnClaim"
    ).split():
        assert prop in predicates, prop
    assert re.search(r'"\d{4}\.\d{2}"\^\^<https://w3id.org/tradekg/ontology#HSCode>', small.read_text(encoding="utf-8"))


def digest(triples: int, seed: int) -> str:
    h = hashlib.sha256()
    for line in generate(triples, seed):
        h.update(line.encode())
    return h.hexdigest()


def test_same_seed_same_bytes_other_seed_other_bytes():
    assert digest(20_000, 7) == digest(20_000, 7)
    assert digest(20_000, 7) != digest(20_000, 8)


@pytest.mark.parametrize("triples", [10_000, 50_000])
def test_size_is_close_to_the_request(triples):
    count = sum(1 for _ in generate(triples, seed=11))
    assert 0.8 * triples <= count <= 1.2 * triples
