"""Shared fixtures: the bundled graph (loaded once), a CLI runner, paths."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.graph import KnowledgeGraph, load_graph

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


#: Debian's chromium, driven by playwright (never `playwright install`: it cannot download here).
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium for the page tests (scripts/test installs the Debian package)."""
    assert Path(CHROMIUM).exists(), "chromium is missing: scripts/test installs it (apt-get install chromium)"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def kg() -> KnowledgeGraph:
    """The ontology plus the bundled graph."""
    return load_graph()


@pytest.fixture(scope="session")
def bundled() -> KnowledgeGraph:
    return load_graph()


@pytest.fixture(scope="session")
def synthetic(tmp_path_factory) -> KnowledgeGraph:
    """A 10k-triple synthetic graph (bench/generate.py, seed 11), loaded once."""
    import sys

    sys.path.insert(0, str(ROOT / "bench"))
    from generate import generate

    path = tmp_path_factory.mktemp("synthetic") / "synthetic-10k.nq"
    with path.open("w", encoding="utf-8") as fh:
        fh.writelines(generate(10_000, seed=11))
    return load_graph([path], bundled=False)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def invoke(runner):
    """Run ``kg ARGS`` in-process; returns click's Result (stdout and stderr kept apart)."""
    from kg.cli import cli

    def run(*args: str):
        return runner.invoke(cli, list(args), catch_exceptions=False)

    return run
