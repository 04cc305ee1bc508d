"""Synthetic trade graphs in tradekg's vocabulary, for benchmarks at scale.

Writes N-Quads (fast to write and parse), streamed line by line, shaped like the bundled graph
and conforming to ``ontology/shapes.ttl``:

- about 200 countries (fewer below ~50k quads), each with a government (``tkg:governs``), a
  leader (``tkg:leads``, ``tkg:office``) and government bodies (``tkg:partOf``), larger
  economies with more bodies, companies and policies (Zipf-like weights);
- a commodity hierarchy of HS chapters, headings and subheadings (``tkg:broaderCommodity``,
  ``skos:notation "2805.30"^^tkg:HSCode``, some ``tkg:madeFrom``) and an industry scheme
  (``tkg:broaderIndustry``, ``tkg:dependsOn`` commodities);
- companies (``tkg:inIndustry``, ``tkg:inCountry``, ``tkg:dependsOn``, ``tkg:suppliesTo``);
- restrictions (export controls, tariffs, sanctions) imposed by a government or one of its
  bodies, with a lifecycle (announced, in force from, planned and actual ends, each with its
  precision; some only announced, as ``tkg:Future``); relaxations (licences, exemptions,
  rollbacks, a few that ``tkg:suspends``) with beneficiaries and destinations; agreements
  between two or more governments that commit to a rollback; claims (some with the statement
  they were made during) about policies, and restrictions known only through a claim
  (``tkg:restsOnClaim``);
- every fact inside an assertion graph whose description (default graph) cites a source, with
  its evidence kind, quality and quote (or reasoning).

The same seed and size give the same bytes. Policies start between 2018 and mid-2025, so an
as-of date such as 2022-06-01 finds many in force.

    python bench/generate.py --triples 1000000 --seed 7 -o /tmp/synthetic.nq
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

TKG = "https://w3id.org/tradekg/ontology#"
ID = "https://w3id.org/tradekg/id/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
XSD = "http://www.w3.org/2001/XMLSchema#"

FIRST_DAY = date(2018, 1, 1)
POLICY_SPAN = (date(2025, 6, 30) - FIRST_DAY).days  # policies start within these days
REFERENCE_DAY = date(2017, 6, 1)  # reference data sets (countries, HS codes, registries) are older

SYLLABLES = (
    "ba bel cor da dor el fa gar hal ir ka kel lo mar na nor or pa quel ra ren sa sol ta tor ul va ven "
    "wen xa yor za zem an tri sel mon dar vik lan ber cas ter"
).split()
COUNTRY_ENDINGS = ("ia", "land", "stan", "a", "or", "ene", "ary", "is")
BODIES = (
    ("ministry-of-commerce", "Ministry of Commerce"),
    ("customs", "General Administration of Customs"),
    ("trade-representative", "Office of the Trade Representative"),
    ("ministry-of-finance", "Ministry of Finance"),
    ("export-control-agency", "Export Control Agency"),
    ("ministry-of-foreign-affairs", "Ministry of Foreign Affairs"),
    ("ministry-of-industry", "Ministry of Industry"),
    ("sanctions-office", "Sanctions Office"),
)
OFFICES = ("President", "Prime Minister", "Chancellor", "Premier")
HS_CHAPTERS = {
    3: "Fish and crustaceans",
    10: "Cereals",
    12: "Oil seeds",
    25: "Salt, sulphur, earths and stone",
    26: "Ores, slag and ash",
    27: "Mineral fuels and oils",
    28: "Inorganic chemicals and rare-earth compounds",
    29: "Organic chemicals",
    30: "Pharmaceutical products",
    38: "Miscellaneous chemical products",
    39: "Plastics",
    40: "Rubber",
    44: "Wood",
    52: "Cotton",
    72: "Iron and steel",
    73: "Articles of iron or steel",
    74: "Copper",
    75: "Nickel",
    76: "Aluminium",
    79: "Zinc",
    81: "Other base metals",
    84: "Machinery and mechanical appliances",
    85: "Electrical machinery and semiconductors",
    87: "Vehicles",
    88: "Aircraft and spacecraft",
    89: "Ships and boats",
    90: "Optical and measuring instruments",
    93: "Arms and ammunition",
}
FORMS = (
    "ores and concentrates",
    "compounds",
    "powders",
    "alloys",
    "unwrought forms",
    "semi-finished products",
    "parts",
    "assemblies",
    "components",
    "equipment",
    "waste and scrap",
    "refined products",
)
SECTORS = (
    "Automotive",
    "Electronics",
    "Semiconductors",
    "Aerospace",
    "Energy",
    "Agriculture",
    "Chemicals",
    "Pharmaceuticals",
    "Steel",
    "Textiles",
    "Shipbuilding",
    "Defence",
    "Telecommunications",
    "Mining",
    "Construction",
    "Food processing",
    "Machinery",
    "Batteries",
)
SEGMENTS = ("components", "assembly", "materials", "equipment", "services", "parts", "systems", "inputs")
COMPANY_SUFFIXES = (
    "Industries",
    "Holdings",
    "Materials",
    "Electronics",
    "Motors",
    "Chemicals",
    "Semiconductor",
    "Logistics",
    "Group",
    "Metals",
    "Technologies",
    "Manufacturing",
)
PUBLISHERS = ("Synthetic Times", "Trade Wire", "Daily Ledger", "Market Monitor", "Policy Post")
PRECISIONS = ("DayPrecision", "MonthPrecision", "YearPrecision")


def _lit(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


def _en(text: str) -> str:
    return _lit(text) + "@en"


def _day(d: date) -> str:
    return f'"{d.isoformat()}"^^<{XSD}date>'


def _slug(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


def _hs_codes() -> list[str]:
    """The two-digit tails of subheadings, in the order they are handed out: 10, 20, … 90, 11, 12, …"""
    tens = [f"{t}0" for t in range(1, 10)]
    rest = [f"{n:02d}" for n in range(11, 100) if n % 10]
    return tens + rest


class _Synth:
    """One synthetic graph: sizes fixed from ``triples``, then everything streamed in order."""

    def __init__(self, triples: int, seed: int) -> None:
        self.triples = max(int(triples), 1)
        self.rng = random.Random(seed)
        self.buf: list[str] = []
        self.produced = 0
        self.assertions = itertools.count(1)
        self.sources = itertools.count(1)
        self.events = itertools.count(1)
        self.claims = itertools.count(1)
        t = self.triples
        self.n_countries = max(8, min(200, t // 250))
        self.n_commodities = max(30, min(20_000, t // 200))
        self.n_industries = max(8, min(400, t // 4000))
        self.n_companies = max(20, t // 45)
        self.n_anonymous = max(3, self.n_countries // 10)

    # -- output --------------------------------------------------------------------------

    def q(self, s: str, p: str, o: str, g: str | None) -> None:
        """Append one quad: ``s``, ``p`` and ``g`` are full IRIs, ``o`` is already in N-Quads form."""
        self.buf.append(f"<{s}> <{p}> {o} <{g}> .\n" if g else f"<{s}> <{p}> {o} .\n")

    def flush(self) -> list[str]:
        out, self.buf = self.buf, []
        self.produced += len(out)
        return out

    def typed(self, node: str, cls: str, label: str, g: str) -> None:
        self.q(node, RDF + "type", f"<{TKG}{cls}>", g)
        self.q(node, RDFS + "label", _en(label), g)

    def rel(self, s: str, p: str, o: str, g: str) -> None:
        self.q(s, TKG + p, f"<{o}>", g)

    def dated(self, node: str, prop: str, d: date, precision: str, g: str) -> None:
        self.q(node, TKG + prop, _day(d), g)
        self.q(node, TKG + prop + "Precision", f"<{TKG}{precision}>", g)

    def source(self, cls: str, label: str, day: date, url: str) -> str:
        src = f"{ID}source/s{next(self.sources)}"
        self.typed(src, cls, label, None)
        self.dated(src, "recordedOn", day, "DayPrecision", None)
        self.q(src, TKG + "url", _lit(url), None)
        return src

    def assertion(self, src: str, quote: str, kind: str = "SourceStatement", quality: str = "VerifiedSecondary") -> str:
        g = f"{ID}assertion/a{next(self.assertions)}"
        self.q(g, RDF + "type", f"<{TKG}Assertion>", None)
        self.q(g, PROV + "wasDerivedFrom", f"<{src}>", None)
        self.q(g, TKG + "evidenceKind", f"<{TKG}{kind}>", None)
        self.q(g, TKG + "evidenceQuality", f"<{TKG}{quality}>", None)
        if kind == "CuratorInference":
            self.q(g, TKG + "reasoning", _lit(quote), None)
        else:
            self.q(g, TKG + "quote", _lit(quote), None)
        return g

    # -- helpers -------------------------------------------------------------------------

    def name(self, parts: tuple[int, int] = (2, 3)) -> str:
        rng = self.rng
        return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(*parts))).capitalize()

    def precise(self, d: date, day_share: float = 0.8) -> tuple[date, str]:
        """A date as a source might give it: mostly to the day, else only its month or year."""
        r = self.rng.random()
        if r < day_share:
            return d, "DayPrecision"
        if r < day_share + (1 - day_share) * 0.75:
            return d.replace(day=1), "MonthPrecision"
        return date(d.year, 1, 1), "YearPrecision"

    def end_after(self, start: date, days: int) -> tuple[date, str]:
        """An end ``days`` after ``start``, with a precision, still strictly after ``start``."""
        end, precision = self.precise(start + timedelta(days=days))
        if end <= start:
            return start + timedelta(days=days), "DayPrecision"
        return end, precision

    def country(self, weighted: bool = True) -> int:
        if weighted:
            return self.rng.choices(self.country_idx, cum_weights=self.country_cum)[0]
        return self.rng.randrange(self.n_countries)

    def other_country(self, c: int) -> int:
        o = self.country()
        while o == c:
            o = self.country(weighted=self.rng.random() < 0.5)
        return o

    def government(self, c: int) -> str:
        return f"{ID}government/{self.country_slugs[c]}"

    def country_iri(self, c: int) -> str:
        return f"{ID}country/{self.country_slugs[c]}"

    def body(self, c: int, k: int) -> str:
        return f"{ID}body/{self.country_slugs[c]}-{BODIES[k][0]}"

    def leader(self, c: int) -> str:
        return f"{ID}person/{self.leader_slugs[c]}"

    def company(self, k: int) -> str:
        return f"{ID}company/{self.company_slugs[k]}"

    def commodity(self, k: int) -> str:
        return f"{ID}commodity/hs-{self.commodity_codes[k].replace('.', '-')}"

    def imposer(self, c: int) -> str:
        """A government, or (often) one of its bodies."""
        if self.rng.random() < 0.45:
            return self.government(c)
        return self.body(c, self.rng.randrange(self.n_bodies[c]))

    def claimant(self, c: int) -> str:
        r = self.rng.random()
        if r < 0.35:
            return self.leader(c)
        if r < 0.55:
            return self.government(c)
        if r < 0.85:
            return self.body(c, self.rng.randrange(self.n_bodies[c]))
        return f"{ID}actor/sources-familiar-{self.rng.randrange(self.n_anonymous) + 1}"

    # -- the graph -----------------------------------------------------------------------

    def run(self) -> Iterator[str]:
        yield from self.places_and_actors()
        yield from self.commodities()
        yield from self.industries()
        yield from self.companies()
        n = 0
        minimum = max(5, self.triples // 400)
        while self.produced < self.triples or n < minimum:
            n += 1
            self.restriction(n)
            yield from self.flush()

    def places_and_actors(self) -> Iterator[str]:
        rng = self.rng
        n = self.n_countries
        weights = [1 / (i + 1) ** 0.9 for i in range(n)]
        self.country_idx = list(range(n))
        self.country_cum = list(itertools.accumulate(weights))
        seen: set[str] = set()
        self.country_names: list[str] = []
        while len(self.country_names) < n:
            name = self.name((1, 2)) + rng.choice(COUNTRY_ENDINGS)
            if _slug(name) not in seen:
                seen.add(_slug(name))
                self.country_names.append(name)
        self.country_slugs = [_slug(x) for x in self.country_names]
        self.n_bodies = [min(len(BODIES), 2 + round(6 * w / weights[0]) + rng.randrange(2)) for w in weights]
        self.leader_slugs: list[str] = []
        factbook = self.source(
            "ReferenceDataset", "Synthetic World Factbook", REFERENCE_DAY, "https://factbook.example/"
        )
        for c, name in enumerate(self.country_names):
            country, gov = self.country_iri(c), self.government(c)
            capital = self.name()
            g = self.assertion(factbook, f"{name}: capital {capital}. Government: republic.", quality="VerifiedPrimary")
            self.typed(country, "Country", name, g)
            self.typed(gov, "Government", f"Government of {name}", g)
            self.q(gov, SKOS + "altLabel", _en(capital), g)
            self.rel(gov, "governs", country, g)
            first, last = self.name((1, 2)), self.name()
            person = f"{first} {last}"
            self.leader_slugs.append(f"{_slug(person)}-{c}")
            office = f"{rng.choice(OFFICES)} of {name}"
            g = self.assertion(factbook, f"{office}: {person}.", quality="VerifiedPrimary")
            leader = self.leader(c)
            self.typed(leader, "Leader", person, g)
            self.q(leader, SKOS + "altLabel", _en(last), g)
            self.q(leader, TKG + "office", _lit(office), g)
            self.rel(leader, "leads", gov, g)
            g = self.assertion(factbook, f"Government bodies of {name}.", quality="VerifiedPrimary")
            for k in range(self.n_bodies[c]):
                body = self.body(c, k)
                self.typed(body, "GovernmentBody", f"{BODIES[k][1]} of {name}", g)
                self.rel(body, "partOf", gov, g)
                self.rel(body, "inCountry", country, g)
            yield from self.flush()
        registry = self.source(
            "NewsArticle", "Synthetic Times: who speaks for whom", REFERENCE_DAY, "https://news.example/"
        )
        g = self.assertion(registry, "…according to people familiar with the matter…", quality="VerifiedQuoted")
        for k in range(1, self.n_anonymous + 1):
            self.typed(
                f"{ID}actor/sources-familiar-{k}", "AnonymousSource", f"people familiar with the matter ({k})", g
            )
        yield from self.flush()

    def commodities(self) -> Iterator[str]:
        """HS chapters, headings (four digits) and subheadings (six digits) in one tree."""
        rng = self.rng
        total = self.n_commodities
        n_chapters = max(3, min(97, total // 50))
        known = sorted(HS_CHAPTERS)
        extra = [c for c in range(1, 98) if c not in HS_CHAPTERS]
        chapters = sorted(known[:n_chapters] + extra[: max(0, n_chapters - len(known))])
        n_headings = max(n_chapters, min(99 * n_chapters, (total - n_chapters) // 5))
        n_sub = max(0, min(len(_hs_codes()) * n_headings, total - n_chapters - n_headings))
        self.n_commodities = n_chapters + n_headings + n_sub
        self.commodity_codes: list[str] = []
        labels: list[str] = []
        parents: list[int] = []
        for ch in chapters:
            self.commodity_codes.append(f"{ch:02d}")
            labels.append(HS_CHAPTERS.get(ch, f"Chapter {ch:02d} goods"))
            parents.append(-1)
        per_chapter = [0] * n_chapters
        for j in range(n_headings):
            c = j % n_chapters
            per_chapter[c] += 1
            code = f"{chapters[c]:02d}{per_chapter[c]:02d}"
            self.commodity_codes.append(code)
            labels.append(f"{labels[c]}: {FORMS[j % len(FORMS)]} ({code})")
            parents.append(c)
        tails = _hs_codes()
        for k in range(n_sub):
            h = n_chapters + k % n_headings
            code = f"{self.commodity_codes[h]}.{tails[k // n_headings]}"
            self.commodity_codes.append(code)
            labels.append(f"{labels[h].rsplit(' (', 1)[0]}, grade {tails[k // n_headings]} ({code})")
            parents.append(h)
        self.first_heading = n_chapters
        hs = self.source(
            "ReferenceDataset", "Synthetic Harmonized System nomenclature", REFERENCE_DAY, "https://hs.example/"
        )
        hs_type = f"<{TKG}HSCode>"
        g = None
        for k, code in enumerate(self.commodity_codes):
            if k < n_chapters or (k - n_chapters) % 25 == 0:
                g = self.assertion(hs, f"Section of the nomenclature from {code}.", quality="VerifiedPrimary")
            node = self.commodity(k)
            self.typed(node, "Commodity", labels[k], g)
            self.q(node, SKOS + "notation", f'"{code}"^^{hs_type}', g)
            if parents[k] >= 0:
                self.rel(node, "broaderCommodity", self.commodity(parents[k]), g)
            if k > n_chapters + 10 and rng.random() < 0.12:
                self.rel(node, "madeFrom", self.commodity(rng.randrange(n_chapters, k)), g)
            if len(self.buf) > 1000:
                yield from self.flush()
        yield from self.flush()

    def some_commodity(self) -> int:
        """Mostly a heading or subheading; sometimes a whole chapter."""
        if self.rng.random() < 0.08:
            return self.rng.randrange(self.first_heading)
        return self.rng.randrange(self.first_heading, self.n_commodities)

    def industries(self) -> Iterator[str]:
        rng = self.rng
        n = self.n_industries
        tops = min(len(SECTORS), n)
        self.industry_inputs: list[list[int]] = []
        src = self.source(
            "ReferenceDataset", "Synthetic industry classification", REFERENCE_DAY, "https://isic.example/"
        )
        self.industry_slugs: list[str] = []
        for i in range(n):
            if i < tops:
                label, parent = SECTORS[i], None
            else:
                parent = i % tops  # with the segment and number below, a unique name
                label = f"{SECTORS[parent]} {SEGMENTS[(i // tops) % len(SEGMENTS)]} {i // (tops * len(SEGMENTS)) + 1}"
            self.industry_slugs.append(_slug(label))
            node = f"{ID}industry/{self.industry_slugs[i]}"
            g = self.assertion(src, f"{label}: the industry and what it uses.", kind="PublisherAnalysis")
            self.typed(node, "Industry", label, g)
            if parent is not None:
                self.rel(node, "broaderIndustry", f"{ID}industry/{self.industry_slugs[parent]}", g)
            inputs = sorted({self.some_commodity() for _ in range(rng.randint(3, 7))})
            self.industry_inputs.append(inputs)
            for m in inputs:
                self.rel(node, "dependsOn", self.commodity(m), g)
            yield from self.flush()

    def companies(self) -> Iterator[str]:
        rng = self.rng
        n = self.n_companies
        registries = [
            self.source(
                "ReferenceDataset", f"Synthetic company registry {k + 1}", REFERENCE_DAY, f"https://reg{k}.example/"
            )
            for k in range(3)
        ]
        self.company_slugs = []
        self.company_country: list[int] = []
        for k in range(n):
            name = f"{self.name()} {rng.choice(COMPANY_SUFFIXES)}"
            self.company_slugs.append(f"{_slug(name)}-{k + 1}")
            c = self.country()
            self.company_country.append(c)
            industry = rng.randrange(self.n_industries)
            node = self.company(k)
            g = self.assertion(
                rng.choice(registries), f"{name}, registered in {self.country_names[c]}.", quality="VerifiedPrimary"
            )
            self.typed(node, "Company", name, g)
            self.rel(node, "inCountry", self.country_iri(c), g)
            self.rel(node, "inIndustry", f"{ID}industry/{self.industry_slugs[industry]}", g)
            inputs = self.industry_inputs[industry]
            needs = {rng.choice(inputs) for _ in range(rng.randint(1, 3))}
            if rng.random() < 0.3:
                needs.add(self.some_commodity())
            for m in sorted(needs):
                self.rel(node, "dependsOn", self.commodity(m), g)
            if k > 0:
                for _ in range(rng.choices((0, 1, 2), weights=(3, 5, 2))[0]):
                    self.rel(node, "suppliesTo", self.company(rng.randrange(k)), g)
            if len(self.buf) > 1000:
                yield from self.flush()
        yield from self.flush()

    # -- policies ------------------------------------------------------------------------

    def restriction(self, n: int) -> None:
        """A restriction with its lifecycle, and sometimes a claim, relaxations and an agreement."""
        rng = self.rng
        p = f"{ID}policy/p{n}"
        c = self.country()
        gov_name = self.country_names[c]
        imposer = self.imposer(c)
        targets = sorted({self.other_country(c) for _ in range(rng.choices((1, 2, 3), weights=(6, 3, 1))[0])})
        goods = sorted({self.some_commodity() for _ in range(rng.randint(1, 4))})
        kind = rng.choices(("ExportControl", "Tariff", "Sanction"), weights=(4, 4, 2))[0]
        words = {"ExportControl": "export controls on", "Tariff": "tariffs on", "Sanction": "sanctions covering"}[kind]
        first_good = self.commodity_codes[goods[0]]
        target_names = ", ".join(self.country_names[t] for t in targets)
        label = f"{gov_name} {words} HS {first_good} ({target_names}) #{n}"
        start = FIRST_DAY + timedelta(days=rng.randrange(POLICY_SPAN))
        start, start_precision = self.precise(start, 0.85)
        announced, announced_precision = self.precise(start - timedelta(days=rng.randrange(0, 120)), 0.85)
        future = rng.random() < 0.08
        publisher = rng.choice(PUBLISHERS)
        official = rng.random() < 0.35
        src = self.source(
            "OfficialDocument" if official else "NewsArticle",
            f"Notice {n} of {gov_name}" if official else f"{publisher}: {label}",
            announced,
            f"https://{'gov' if official else _slug(publisher)}.example/{n}",
        )
        basis = None
        if rng.random() < 0.08:  # known only through what someone said
            basis = self.claim(c, announced, f"{gov_name} will impose {words} HS {first_good}.", about=None)
        quote = f"{gov_name} announced {words} goods under HS {first_good}, aimed at {target_names}."
        g = self.assertion(src, quote, quality="VerifiedPrimary" if official else "VerifiedSecondary")
        self.typed(p, kind, label, g)
        self.rel(p, "imposedBy", imposer, g)
        for t in targets:
            self.rel(p, "targetCountry", self.country_iri(t), g)
        for m in goods:
            self.rel(p, "restricts", self.commodity(m), g)
        if kind == "Tariff":
            self.q(p, TKG + "rate", f'"{rng.choice((5, 10, 15, 20, 25, 34, 50))}"^^<{XSD}decimal>', g)
        if official:
            self.q(p, TKG + "identifier", _lit(f"Notice {start.year}-{n}"), g)
        if kind == "Sanction":
            for k in sorted({rng.randrange(self.n_companies) for _ in range(rng.randint(1, 2))}):
                self.rel(p, "adverselyAffects", self.company(k), g)
        if basis is not None:
            self.rel(p, "restsOnClaim", basis, g)
        self.dated(p, "announcedOn", announced, announced_precision, g)
        if future:
            self.q(p, TKG + "modality", f"<{TKG}Future>", g)
            return
        self.dated(p, "inForceFrom", start, start_precision, g)
        shape = rng.random()
        if 0.35 <= shape < 0.65:  # temporary: a planned end
            planned, planned_precision = self.end_after(start, rng.randrange(90, 1100))
            self.dated(p, "plannedEnd", planned, planned_precision, g)
        if shape < 0.45:  # lifted, expired or superseded, as a later source reports
            end, end_precision = self.end_after(start, rng.randrange(60, 1500))
            later = self.source(
                "NewsArticle", f"{publisher}: {label} ends", end, f"https://{_slug(publisher)}.example/{n}-end"
            )
            g2 = self.assertion(later, f"{label} no longer applies from {end.isoformat()}.")
            self.dated(p, "actualEnd", end, end_precision, g2)
            self.relaxations(n, p, c, start, targets, goods, kind, end)
        else:
            self.relaxations(n, p, c, start, targets, goods, kind, None)
        if rng.random() < 0.2:
            t = targets[0]
            self.claim(
                t,
                start + timedelta(days=rng.randrange(1, 60)),
                f"{label} breaks the rules of trade.",
                about=p,
                against=self.government(c),
            )

    def relaxations(
        self, n: int, p: str, c: int, start: date, targets: list[int], goods: list[int], kind: str, end: date | None
    ) -> None:
        rng = self.rng
        r = rng.random()
        if r < 0.06 and kind != "Sanction":  # an agreement between imposer and target commits to a rollback
            self.agreement(n, p, c, targets[0], start, goods)
            return
        if r > 0.36:
            return
        cls = {"ExportControl": "Licence", "Tariff": rng.choice(("Exemption", "Rollback")), "Sanction": "Licence"}[kind]
        if rng.random() < 0.15:
            cls = "Exemption"
        begin = start + timedelta(days=rng.randrange(10, 400))
        if end is not None and begin >= end:
            begin = start + timedelta(days=1)
        x = f"{ID}policy/r{n}"
        src = self.source("OfficialDocument", f"{cls} notice {n}", begin, f"https://gov.example/r{n}")
        g = self.assertion(src, f"A {cls.lower()} under the measure #{n} takes effect.", quality="VerifiedPrimary")
        self.typed(x, cls, f"{cls} under #{n}", g)
        self.rel(x, "relaxes", p, g)
        self.rel(x, "imposedBy", self.imposer(c), g)
        for k in sorted({rng.randrange(self.n_companies) for _ in range(rng.randint(1, 3))}):
            self.rel(x, "beneficiary", self.company(k), g)
        if cls == "Licence":
            for t in targets[: rng.randint(1, len(targets))]:
                self.rel(x, "destination", self.country_iri(t), g)
        covered = goods[: rng.randint(1, len(goods))]
        suspends = cls == "Rollback" and rng.random() < 0.3
        # half the suspending rollbacks name no commodity: they suspend the measure whole
        for m in covered if not (suspends and n % 2 == 0) else ():
            self.rel(x, "coversCommodity", self.commodity(m), g)
        if suspends:
            self.rel(x, "suspends", p, g)
        self.dated(x, "inForceFrom", begin, "DayPrecision", g)
        if rng.random() < 0.5:
            planned = begin + timedelta(days=rng.choice((90, 180, 365)))
            self.dated(x, "plannedEnd", planned, "DayPrecision", g)

    def agreement(self, n: int, p: str, c: int, t: int, start: date, goods: list[int]) -> None:
        rng = self.rng
        day = start + timedelta(days=rng.randrange(30, 500))
        a, x = f"{ID}policy/a{n}", f"{ID}policy/r{n}"
        names = f"{self.country_names[c]} and {self.country_names[t]}"
        src = self.source("OfficialDocument", f"Joint statement of {names} #{n}", day, f"https://gov.example/a{n}")
        g = self.assertion(src, f"{names} agreed to roll back the measures of #{n}.", quality="VerifiedPrimary")
        self.typed(a, "Agreement", f"Agreement of {names} #{n}", g)
        parties = {self.government(c), self.government(t)}
        if rng.random() < 0.2:
            parties.add(self.government(self.country()))
        for party in sorted(parties):
            self.rel(a, "party", party, g)
        self.q(a, TKG + "commitment", _lit(f"Roll back the measures of #{n} for 90 days."), g)
        self.rel(a, "commitsTo", x, g)
        self.dated(a, "announcedOn", day, "DayPrecision", g)
        self.dated(a, "inForceFrom", day, "DayPrecision", g)
        self.typed(x, "Rollback", f"Rollback of #{n}", g)
        self.rel(x, "relaxes", p, g)
        self.rel(x, "implements", a, g)
        self.rel(x, "imposedBy", self.government(c), g)
        self.rel(x, "beneficiary", self.government(t), g)
        for m in goods:
            self.rel(x, "coversCommodity", self.commodity(m), g)
        self.dated(x, "inForceFrom", day + timedelta(days=2), "DayPrecision", g)
        self.dated(x, "plannedEnd", day + timedelta(days=92), "DayPrecision", g)

    def claim(self, c: int, day: date, proposition: str, about: str | None, against: str | None = None) -> str:
        rng = self.rng
        k = next(self.claims)
        node = f"{ID}claim/c{k}"
        who = self.claimant(c)
        day, precision = self.precise(day, 0.9)
        publisher = rng.choice(PUBLISHERS)
        src = self.source("NewsArticle", f"{publisher}: claim {k}", day, f"https://{_slug(publisher)}.example/c{k}")
        quote = f"“{proposition}”"
        g = self.assertion(src, quote, quality=rng.choice(("VerifiedSecondary", "VerifiedQuoted")))
        self.typed(node, "Claim", f"Claim {k}: {proposition}", g)
        self.rel(node, "claimant", who, g)
        self.dated(node, "claimDate", day, precision, g)
        self.q(node, TKG + "quote", _lit(quote), g)
        self.q(node, TKG + "proposition", _lit(proposition), g)
        modality = "Observed" if about else rng.choice(("Future", "Future", "Hypothetical"))
        self.q(node, TKG + "modality", f"<{TKG}{modality}>", g)
        status = rng.choices(("Confirmed", "Unconfirmed", "Disputed", "Denied"), weights=(3, 4, 2, 1))[0]
        self.q(node, TKG + "confirmationStatus", f"<{TKG}{status}>", g)
        if status == "Disputed":
            self.rel(node, "disputedBy", against or self.government(self.other_country(c)), g)
        elif status == "Unconfirmed" and against:
            self.rel(node, "awaitingCommentFrom", against, g)
        if about:
            self.rel(node, "about", about, g)
        if rng.random() < 0.3:
            e = f"{ID}event/e{next(self.events)}"
            self.typed(e, "Statement", f"Remarks {k}", g)
            self.dated(e, "date", day, precision, g)
            self.rel(e, "agent", who, g)
            self.rel(node, "madeDuring", e, g)
        return node


def generate(triples: int, seed: int = 7) -> Iterator[str]:
    """Yield N-Quads lines until about ``triples`` quads have been produced (streamed)."""
    yield from _Synth(triples, seed).run()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=100_000, help="about how many quads (default 100000)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("-o", "--output", type=Path, required=True, help="N-Quads file to write (.nq)")
    args = parser.parse_args(argv)
    tmp = args.output.with_suffix(args.output.suffix + ".part")
    count = 0
    with tmp.open("w", encoding="utf-8") as fh:
        for line in generate(args.triples, args.seed):
            fh.write(line)
            count += 1
    tmp.replace(args.output)
    print(f"wrote {count} quads to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
