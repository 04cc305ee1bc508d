"""The graph page as an analyst's tool (issue #13), in a real headless Chromium.

Each broken state the issue found has a test here: positions kept over a slider round trip,
search for a hit the date hides, tooltip width and font, an ill-typed date, console errors after
scripted use; with the focused views (--impact, --path), honest colours and the legend.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
from pathlib import Path

import pytest
from test_render import Page

from conftest import ROOT
from kg.graph import load_graph
from kg.namespaces import ID, TKG
from kg.render import build_view, dates_in_words, render_html
from kg.schema import Schema
from kg.validtime import Timeline

CONTROLS = f"{ID}policy/china-rare-earth-export-controls"
JUNE = dt.date(2025, 6, 6)


def _open(browser, tmp_path: Path, kg, name: str = "page.html", **options) -> tuple[Page, object]:
    view = build_view(kg, **options)
    path = tmp_path / name
    path.write_text(render_html(kg, view), encoding="utf-8")
    return Page(browser, path), view


@pytest.fixture(scope="module")
def page(browser, tmp_path_factory):
    kg = load_graph()
    opened, view = _open(browser, tmp_path_factory.mktemp("page"), kg, as_of=JUNE)
    yield opened, view
    opened.page.close()


def _positions(page: Page) -> dict:
    return page.js("window.kg.network.getPositions()")


# -- no broken states -----------------------------------------------------------------------------
def test_slider_round_trip_keeps_every_position(page):
    """06-06 -> 03-01 -> 06-06: the nodes the slider hid come back where they were (before: 23
    of 90 piled near the centre)."""
    opened, _ = page
    opened.js("window.kg.setDate('2025-06-06')")
    before = _positions(opened)
    shown_before = set(opened.js("window.kg.shownNodes()"))
    opened.js("window.kg.setDate('2025-03-01')")
    hidden = shown_before - set(opened.js("window.kg.shownNodes()"))
    assert len(hidden) >= 10  # the round trip does hide nodes
    opened.js("window.kg.setDate('2025-06-06')")
    after = _positions(opened)
    assert set(opened.js("window.kg.shownNodes()")) == shown_before
    moved = [
        n for n in before if abs(before[n]["x"] - after[n]["x"]) > 0.5 or abs(before[n]["y"] - after[n]["y"]) > 0.5
    ]
    assert moved == []
    assert opened.errors == []


def test_search_lists_every_match(page):
    opened, view = page
    opened.js("window.kg.setDate('2025-06-06')")
    found = opened.js("window.kg.search('rare')")
    expected = {
        n
        for n, d in view.graph.nodes(data=True)
        if "rare" in d["label"].lower() or any("rare" in a.lower() for a in d["aliases"])
    }
    assert set(found) == expected and len(expected) > 5
    buttons = opened.page.locator("#search-results button")
    assert buttons.count() == len(expected)
    assert opened.page.locator("#search-result").inner_text() == f"{len(expected)} matches"


def test_search_for_a_hit_the_date_hides_offers_its_date(page):
    """Before: `Node with id … not found` was thrown and the old panel stayed."""
    opened, _ = page
    opened.js("window.kg.setDate('2025-03-01')")
    assert not opened.js(f"window.kg.isShown({CONTROLS!r})")
    opened.page.fill("#search", "China rare-earth export controls")
    opened.page.press("#search", "Enter")
    info = opened.page.locator("#info").inner_text()
    assert "China rare-earth export controls" in info
    assert "Not shown on 2025-03-01" in info
    assert opened.js("window.kg.network.getSelectedNodes()") == []
    opened.page.click("#jump")
    assert opened.page.locator("#date-label").inner_text() == "2025-04-04"
    assert opened.js(f"window.kg.isShown({CONTROLS!r})")
    assert opened.js("window.kg.network.getSelectedNodes()") == [CONTROLS]
    assert opened.errors == []
    opened.js("window.kg.setDate('2025-06-06')")


def test_tooltips_wrap_in_the_page_font_and_hold_no_quote(page):
    opened, view = page
    opened.js("window.kg.setDate('2025-06-06')")
    longest = max((n for n in opened.js("window.kg.shownNodes()")), key=lambda n: len(view.graph.nodes[n]["label"]))
    assert len(view.graph.nodes[longest]["label"]) > 70  # wider than 420 px unwrapped
    opened.js(f"window.kg.network.focus({longest!r}, {{scale: 1.5, animation: false}})")
    box = opened.page.locator("#graph canvas").bounding_box()
    pos = opened.js(
        f"(() => {{ const p = window.kg.network.getPositions([{longest!r}])[{longest!r}];"
        f" return window.kg.network.canvasToDOM(p); }})()"
    )
    opened.page.mouse.move(box["x"] + pos["x"] - 40, box["y"] + pos["y"] - 40)
    opened.page.mouse.move(box["x"] + pos["x"], box["y"] + pos["y"], steps=5)
    tip = opened.page.locator("div.vis-tooltip")
    tip.wait_for(state="visible", timeout=5000)
    width = tip.bounding_box()["width"]
    assert width <= 480
    font = opened.js("getComputedStyle(document.querySelector('div.vis-tooltip')).fontFamily")
    assert "system-ui" in font and "serif" not in font.replace("sans-serif", "")
    text = tip.inner_text()
    assert view.graph.nodes[longest]["label"] in text
    assert "\u201c" not in text  # quotes live in the panel
    opened.page.mouse.move(1, 1)


def test_ill_typed_date_never_reaches_the_page(browser, tmp_path):
    """ "2025-02-30"^^xsd:date made the slider NaN and stopped the script: empty legend, dead filter."""
    data = ROOT / "tests" / "data" / "render" / "ill-typed-date.ttl"
    kg = load_graph([data], bundled=False)
    opened, view = _open(browser, tmp_path, kg, as_of=dt.date(2025, 3, 15))
    policy = f"{ID}policy/ill-dated-ban"
    assert "2025-02-30" not in render_html(kg, view)
    assert view.graph.nodes[policy]["intervals"] == [["2025-03-10", None]]
    slider = opened.js("[document.getElementById('date').min, document.getElementById('date').max]")
    assert all(re.fullmatch(r"\d+", v) for v in slider), slider
    assert opened.page.locator("#classes input").count() >= 2
    assert opened.js(f"window.kg.isShown({policy!r})")
    opened.page.locator("#classes input[data-cls$='#ExportControl']").uncheck()
    assert not opened.js(f"window.kg.isShown({policy!r})")
    assert opened.errors == []


def test_no_console_error_after_scripted_use(browser, tmp_path):
    kg = load_graph()
    for options in ({}, {"impact_source": "China rare-earth export controls"}, {"path": ("Xi Jinping", "automotive")}):
        opened, view = _open(browser, tmp_path, kg, as_of=JUNE, **options)
        for day in ("2025-01-01", "2025-04-10", "2026-12-01", "2025-06-06"):
            opened.js(f"window.kg.setDate({day!r})")
        for text in ("Trump", "nothing like this", "rare", "Geneva"):
            opened.page.fill("#search", text)
            opened.page.press("#search", "Enter")
        for toggle in ("#edge-labels", "#date-off", "#date-off", "#edge-labels"):
            opened.page.click(toggle)
        if view.mode != "graph":
            opened.page.click("#rest-hide")
            opened.page.click("#rest-hide")
        for box in opened.page.locator("#classes input").all()[:5]:
            box.click()
            box.click()
        opened.click_node(opened.js("window.kg.shownNodes()[0]"))
        assert opened.errors == [], options
        opened.page.close()


def test_page_file_gets_the_users_umask(invoke, tmp_path):
    out = tmp_path / "g.html"
    old = os.umask(0o022)
    try:
        assert invoke("render", "--focus", "Geneva agreement", "-o", str(out)).exit_code == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o644  # before: 0600, from mkstemp


# -- focused views ----------------------------------------------------------------------------------
def test_impact_view_tells_the_story_left_to_right(browser, tmp_path):
    kg = load_graph()
    opened, view = _open(browser, tmp_path, kg, as_of=JUNE, impact_source="China rare-earth export controls")
    schema = Schema.from_graph(kg)
    data = {n["id"]: n for n in opened.js("window.kg.data.nodes")}
    assert data[CONTROLS]["source"] and sum(n["source"] for n in data.values()) == 1
    story = {n for n, d in data.items() if d["story"]}
    gm = f"{ID}company/general-motors"
    assert {CONTROLS, gm, f"{ID}industry/automotive"} <= story
    # layered, left to right: the source alone in the first column
    xs = {n: data[n]["x"] for n in story}
    assert xs[CONTROLS] < min(x for n, x in xs.items() if n != CONTROLS)
    # targets in the effect palette, which no class uses
    assert data[gm]["color"] == schema.effect_colour("restricted")
    class_colours = {c for cls, c in schema.colour.items() if cls in _classes(kg)}
    assert not {c for c, _ in schema.effects.values()} & class_colours
    legend = opened.page.locator("#effects").inner_text()
    # six targets: automotive, semiconductors, defence, GM, Ford, Stellantis (no aerospace: #15)
    assert "source: China rare-earth export controls" in legend and "restricted (6)" in legend
    # the rest faded, and hidden with the toggle
    drawn = {n["id"]: n["opacity"] for n in opened.js("window.kg.nodes.get({fields: ['id', 'opacity']})")}
    assert {n for n, o in drawn.items() if o == 1} == story
    opened.page.click("#rest-hide")
    assert set(opened.js("window.kg.shownNodes()")) <= story
    opened.page.click("#rest-hide")
    # relation labels on the story's edges only
    opened.page.click("#edge-labels")
    labelled = opened.js("window.kg.edges.get({filter: e => !!e.label}).map(e => e.id)")
    story_edges = {e["id"] for e in opened.js("window.kg.data.edges") if e["story"]}
    assert set(labelled) == story_edges and story_edges
    assert opened.errors == []


# -- honest colours and a real legend -------------------------------------------------------------
def test_edges_are_coloured_by_role_only(kg):
    schema = Schema.from_graph(kg)
    view = build_view(kg, as_of=JUNE)
    colour = {role: c for role, (label, c, _) in ((r, schema.roles[r]) for r in schema.roles)}  # role IRI -> colour
    by_relation: dict[str, set[str]] = {}
    for _s, _o, p, d in view.graph.edges(keys=True, data=True):
        by_relation.setdefault(p, set()).add(d["color"])
    assert by_relation[str(TKG.restricts)] == {colour[str(TKG.Harm)]}
    assert by_relation[str(TKG.relaxes)] == {colour[str(TKG.Relief)]}
    assert by_relation[str(TKG.dependsOn)] == {colour[str(TKG.PassThrough)]}  # "passes on" is not good news
    assert colour[str(TKG.PassThrough)] != colour[str(TKG.Relief)]


def _classes(kg) -> set[str]:
    return {r["c"] for r in kg.select_values("SELECT ?c WHERE { ?c a owl:Class }")}


def test_class_colours_never_reuse_role_effect_or_sign_colours(kg):
    schema = Schema.from_graph(kg)
    classes = _classes(kg)
    reserved = {c.lower() for _, c, _ in schema.roles.values()}
    reserved |= {c.lower() for c, _ in schema.effects.values()} | {c.lower() for c in schema.sign_colours.values()}
    clashes = {cls: c for cls, c in schema.colour.items() if cls in classes and c.lower() in reserved}
    assert clashes == {}


def test_legend_draws_shapes_in_families_and_hides_hubs(page):
    opened, view = page
    families = opened.page.locator("#classes details summary").all_inner_texts()
    assert 4 <= len(families) <= 7
    assert [f.split(" (")[0] for f in families][:2] == ["actors", "policies"]
    icons = opened.js("[...document.querySelectorAll('#classes svg')].map(s => s.dataset.shape)")
    rows = [c for f in opened.js("window.kg.data.legend") for c in f["classes"]]
    assert icons == [c["shape"] for c in rows]
    text = opened.page.locator("#classes").inner_text()
    assert "triangleDown" not in text and "entity (dot" not in text
    hub = f"{ID}scheme/industries"
    assert view.graph.nodes[hub]["hidden_default"]
    assert opened.js(f"window.kg.whyHidden({hub!r})") == "class"


# -- the panel ----------------------------------------------------------------------------------
def test_panel_gives_dates_in_words_status_and_numbered_sources(page):
    opened, _ = page
    opened.js("window.kg.setDate('2025-06-06')")
    opened.js(f"window.kg.select({CONTROLS!r})")
    info = opened.page.locator("#info").inner_text()
    assert "in force since 4 Apr 2025; no end announced" in info
    assert "status on 2025-06-06: in force" in info
    assert "SOURCES" in info.upper() and "[1]" in info
    assert re.search(r"\(\d{1,2} \w{3} \d{4}; (stated by the source|publisher's analysis|curator's inference)", info)
    links = opened.js("[...document.querySelectorAll('#info a')].map(a => a.href)")
    assert links and all(link.startswith("https://") for link in links)
    # the status follows the slider
    opened.js("window.kg.setDate('2025-04-01')")
    assert "status on 2025-04-01: not yet in force" in opened.page.locator("#info").inner_text()
    opened.js("window.kg.setDate('2025-06-06')")
    width = opened.js("[document.querySelector('aside').scrollWidth, document.querySelector('aside').clientWidth]")
    assert width[0] <= width[1]  # long quotes wrap


def test_dates_in_words_follow_extensions_and_ends(kg):
    timeline = Timeline(kg)
    assert dates_in_words(timeline, CONTROLS, JUNE) == "in force since 4 Apr 2025; no end announced"
    rollback = f"{ID}policy/us-geneva-tariff-rollback"  # extended in August 2025, then in November
    assert dates_in_words(timeline, rollback, JUNE) == (
        "in force since 14 May 2025; planned to end 12 Aug 2025, extended to 10 Nov 2026"
    )
    assert dates_in_words(timeline, rollback, dt.date(2025, 5, 1)).startswith("in force from 14 May 2025")


# -- large graphs -----------------------------------------------------------------------------------
def test_large_page_opens_on_an_overview_and_expands_on_click(browser, tmp_path):
    import sys

    sys.path.insert(0, str(ROOT / "bench"))
    from generate import generate

    from kg import render

    source = tmp_path / "s.nq"
    with source.open("w", encoding="utf-8") as fh:
        fh.writelines(generate(30_000, seed=5))
    kg = load_graph([source], bundled=False)
    opened, view = _open(browser, tmp_path, kg, as_of=dt.date(2022, 6, 1))
    n = view.graph.number_of_nodes()
    assert n > render.LAYOUT_THRESHOLD
    data = opened.js("window.kg.data.nodes.map(n => [n.id, n.overview, n.family, n.top])")
    overview = {i for i, o, _, _ in data if o}
    policies = {i for i, _, f, _ in data if f == "policies"}
    assert policies <= overview and len(overview) <= len(policies) + render.OVERVIEW_NODES
    assert sum(top for *_, top in data) == render.LABELLED_NODES
    shown = set(opened.js("window.kg.shownNodes()"))
    assert shown <= overview and len(shown) < n
    node = max(shown, key=lambda x: view.graph.degree(x))
    opened.click_node(node)
    node = opened.js("window.kg.network.getSelectedNodes()")[0]  # (the one the click hit)
    around = set(view.graph.successors(node)) | set(view.graph.predecessors(node))
    after = set(opened.js("window.kg.shownNodes()"))
    hidden_by_date = {m for m in around if opened.js(f"window.kg.whyHidden({m!r})") in ("date", "class")}
    assert around - hidden_by_date <= after and len(after) > len(shown)
    opened.page.click("#show-all")
    assert len(opened.js("window.kg.shownNodes()")) > len(after)
    assert opened.errors == []
