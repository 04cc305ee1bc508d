"""The graph page, in a real headless Chromium: offline, time-aware, searchable, safe.

Debian's chromium (installed by scripts/test) is driven by the playwright package with
executable_path="/usr/bin/chromium"; `playwright install` is never run.
"""

from __future__ import annotations

import datetime as dt
import os
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import ROOT
from kg.graph import load_graph
from kg.namespaces import ID
from kg.render import build_view, render_html

ARTIFACTS = Path(os.environ.get("KG_TEST_ARTIFACTS", ROOT / "build" / "test-artifacts"))
GENEVA = f"{ID}policy/geneva-agreement"
CONTROLS = f"{ID}policy/china-rare-earth-export-controls"


class Page:
    """A page opened from disk, recording console errors and every request."""

    def __init__(self, browser, path: Path):
        self.page = browser.new_page(viewport={"width": 1400, "height": 900})
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(path.as_uri())
        self.page.wait_for_function("window.kg && window.kg.ready", timeout=60_000)

    def js(self, code: str):
        return self.page.evaluate(code)

    def click_node(self, node: str) -> None:
        self.js(f"window.kg.network.focus({node!r}, {{scale: 1.5, animation: false}})")
        box = self.page.locator("#graph canvas").bounding_box()
        pos = self.js(
            f"(() => {{ const p = window.kg.network.getPositions([{node!r}])[{node!r}];"
            f" return window.kg.network.canvasToDOM(p); }})()"
        )
        self.page.mouse.click(box["x"] + pos["x"], box["y"] + pos["y"])


@pytest.fixture(scope="module")
def bundled_page(browser, tmp_path_factory):
    graph = load_graph()
    view = build_view(graph, as_of=dt.date(2025, 6, 6))
    path = tmp_path_factory.mktemp("page") / "graph.html"
    path.write_text(render_html(graph, view), encoding="utf-8")
    page = Page(browser, path)
    yield page, view
    page.page.close()


def test_bundled_page_is_offline_and_draws_the_whole_projection(bundled_page):
    page, view = bundled_page
    assert page.errors == []
    assert all(url.startswith(("file://", "data:")) for url in page.requests), page.requests
    assert page.js("[window.kg.nodes.length, window.kg.edges.length]") == [
        view.graph.number_of_nodes(),
        view.graph.number_of_edges(),
    ]
    page.js("document.getElementById('date-off').click()")  # all dates: all but the hubs drawn
    shown = {n for n, d in view.graph.nodes(data=True) if not d["hidden_default"]}
    assert shown and len(shown) < view.graph.number_of_nodes()  # scheme hubs hidden at first
    assert set(page.js("window.kg.shownNodes()")) == shown
    assert set(page.js("window.kg.shownEdges()")) == {
        d["id"] for s, o, d in view.graph.edges(data=True) if s in shown and o in shown
    }
    page.js("document.getElementById('date-off').click()")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.page.screenshot(path=str(ARTIFACTS / "graph.png"))
    assert (ARTIFACTS / "graph.png").stat().st_size > 10_000


def test_clicking_the_geneva_agreement_shows_dates_and_quote(bundled_page):
    page, _ = bundled_page
    page.click_node(GENEVA)
    info = page.page.locator("#info").inner_text()
    assert "Geneva agreement" in info
    assert "2025-05-12" in info or "2025-05-14" in info
    assert "90-day rollback" in info


def test_search_selects_by_alias(bundled_page):
    page, _ = bundled_page
    page.page.fill("#search", "Trump")
    page.page.press("#search", "Enter")
    assert page.js("window.kg.network.getSelectedNodes()") == [f"{ID}person/donald-trump"]
    assert "Donald Trump" in page.page.locator("#info").inner_text()


def test_date_slider_hides_and_shows_the_april_controls(bundled_page):
    page, _ = bundled_page
    visible = f"window.kg.isShown({CONTROLS!r})"
    page.js("window.kg.setDate('2025-03-01')")
    assert page.js(visible) is False
    page.js("window.kg.setDate('2025-06-06')")
    assert page.js(visible) is True
    assert page.page.locator("#date-label").inner_text() == "2025-06-06"


def test_date_slider_hides_a_policy_while_suspended_and_shows_it_after(bundled_page):
    """The page reads kg.validtime's intervals: the October 2025 controls are in force from
    9 October, suspended from 7 November 2025 to 10 November 2026, then in force again."""
    page, view = bundled_page
    october = f"{ID}policy/china-october-2025-rare-earth-controls"
    assert view.graph.nodes[october]["intervals"] == [["2025-10-09", "2025-11-07"], ["2026-11-10", None]]
    visible = f"window.kg.isShown({october!r})"
    seen = []
    for day in ("2025-10-01", "2025-10-20", "2025-12-01", "2026-11-09", "2026-11-10"):
        page.js(f"window.kg.setDate({day!r})")
        seen.append(page.js(visible))
    page.js("window.kg.setDate('2025-06-06')")
    assert seen == [False, True, False, False, True]


def test_path_page_highlights_exactly_the_path_nodes(browser, invoke, tmp_path, kg):
    from kg.impact import find_paths
    from kg.network import project

    out = tmp_path / "path.html"
    result = invoke("render", "--path", "Xi Jinping", "automotive", "--as-of", "2025-06-06", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    expected = {
        n
        for p in find_paths(project(kg, dt.date(2025, 6, 6)), f"{ID}person/xi-jinping", f"{ID}industry/automotive", k=5)
        for n in p.nodes
    }
    page = Page(browser, out)
    highlighted = set(page.js("window.kg.data.nodes.filter(n => n.highlighted).map(n => n.id)"))
    assert highlighted == expected
    # the story first: the path at full strength, everything else dimmed to 15 %
    drawn = {n["id"]: n["opacity"] for n in page.js("window.kg.nodes.get({fields: ['id', 'opacity']})")}
    assert {n for n, o in drawn.items() if o == 1} == expected
    assert set(drawn.values()) == {1, 0.15}
    assert page.errors == []


def test_hostile_labels_render_as_text_and_run_nothing(browser, tmp_path):
    graph = load_graph([ROOT / "tests" / "data" / "render" / "hostile.ttl"], bundled=False)
    out = tmp_path / "hostile.html"
    out.write_text(render_html(graph, as_of=dt.date(2025, 6, 6)), encoding="utf-8")
    page = Page(browser, out)
    company = f"{ID}company/evil"
    page.click_node(company)
    page.page.hover("#graph canvas")
    page.page.fill("#search", "</script><script>window.__pwned='breakout'</script>")
    page.page.press("#search", "Enter")
    for box in page.page.locator("#classes input").all():
        box.click()
        box.click()
    assert page.js("window.__pwned === undefined")
    assert "<img src=x onerror" in page.page.locator("#info").inner_text()
    assert page.js("document.querySelectorAll('#info img, #info script, #classes script').length") == 0
    assert page.errors == []


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self.csp = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("src", "href"):
            if attrs.get(key):
                self.urls.append(attrs[key])
        if tag == "meta" and attrs.get("http-equiv") == "Content-Security-Policy":
            self.csp = "default-src 'none'" in attrs.get("content", "")


def test_page_references_nothing_outside_and_writes_no_lib_folder(tmp_path, invoke, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert invoke("render", "--focus", "Geneva agreement", "-o", "g.html").exit_code == 0
    links = _Links()
    links.feed((tmp_path / "g.html").read_text(encoding="utf-8"))
    assert links.urls == [] and links.csp
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.html"]  # no lib/ beside it


def test_failed_render_keeps_the_previous_page(invoke, tmp_path):
    out = tmp_path / "page.html"
    out.write_text("previous")
    result = invoke("render", "--path", "Geneva agreement", "Xi Jinping", "-o", str(out))
    assert result.exit_code == 2 and "no impact path" in result.stderr
    assert out.read_text() == "previous"


def test_render_html_is_a_string_for_notebooks(kg):
    html = render_html(kg, focus="Xi", hops=1)
    assert html.startswith("<!DOCTYPE html>") and "vis-network" in html


def test_readme_shows_the_three_screenshots():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in ("graph.png", "impact.png", "path.png"):
        assert (ROOT / "docs" / name).stat().st_size > 50_000, name
        assert f"](docs/{name})" in readme, name


def test_impact_page_colours_targets_by_net_effect(kg):
    from kg.schema import Schema

    view = build_view(kg, as_of=dt.date(2025, 6, 6), impact_source="China rare-earth export controls")
    gm = view.graph.nodes[f"{ID}company/general-motors"]
    assert gm["effect"] == "restricted" and gm["color"] == Schema.from_graph(kg).effect_colour("restricted")
    assert "effect" not in view.graph.nodes[f"{ID}person/donald-trump"]
