"""The persistent store (--store oxigraph:PATH): same answers, reopen, idempotent and atomic loads."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from conftest import ROOT
from kg.describe import graph_info
from kg.graph import load_graph, load_into_store

EXAMPLE = ROOT / "examples" / "my-facts.ttl"


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> str:
    spec = f"oxigraph:{tmp_path_factory.mktemp('stores') / 'kgdb'}"
    added, total = load_into_store(spec, [])
    assert added == total > 2000
    return spec


def test_reopened_store_holds_what_memory_holds(store, kg):
    reopened = load_graph(store=store)
    assert len(reopened) == len(kg)
    mem, disk = graph_info(kg), graph_info(reopened)
    assert disk["classes"] == mem["classes"] and disk["sources"] == mem["sources"]


@pytest.mark.parametrize(
    "args",
    [
        ["query", "restrictions-in-force", "-p", "date", "2025-06-06", "-f", "json"],
        ["query", "claims-by", "-p", "actor", "Trump", "-f", "json"],
        ["impact", "China rare-earth export controls", "--as-of", "2025-06-06", "-f", "json"],
        ["paths", "Xi Jinping", "automotive", "--as-of", "2025-06-06", "-f", "json"],
    ],
)
def test_same_answers_on_memory_and_persistent_stores(store, invoke, args):
    memory = invoke(*args)
    disk = invoke("--store", store, *args)
    assert memory.exit_code == disk.exit_code == 0, disk.stderr
    assert normalised(json.loads(disk.stdout)) == normalised(json.loads(memory.stdout))


def normalised(value):
    """GROUP_CONCAT's order is not defined by SPARQL: compare "a; b" lists as sets."""
    if isinstance(value, list):
        return [normalised(v) for v in value]
    if isinstance(value, dict):
        return {k: normalised(v) for k, v in value.items()}
    if isinstance(value, str) and "; " in value:
        return sorted(value.split("; "))
    return value


def test_loading_a_file_twice_adds_nothing(tmp_path):
    spec = f"oxigraph:{tmp_path / 'db'}"
    load_into_store(spec, [], bundled=False)
    added, total = load_into_store(spec, [EXAMPLE])
    assert added == 11
    again, same = load_into_store(spec, [EXAMPLE])
    assert again == 0 and same == total


def test_a_bad_file_leaves_the_store_as_it_was(tmp_path, invoke):
    spec = f"oxigraph:{tmp_path / 'db'}"
    load_into_store(spec, [], bundled=False)
    before = len(load_graph(store=spec))
    bad = tmp_path / "bad.ttl"
    bad.write_text(EXAMPLE.read_text() + "\nthis is not turtle\n")
    result = invoke("--store", spec, "load", str(bad))
    assert result.exit_code == 2 and f"{bad}:" in result.stderr
    assert len(load_graph(store=spec)) == before


def test_store_errors_are_one_line(tmp_path, invoke):
    missing = invoke("--store", f"oxigraph:{tmp_path / 'none'}", "info")
    assert missing.exit_code == 2 and "no store at" in missing.stderr
    memory = invoke("load", str(EXAMPLE))
    assert memory.exit_code == 2 and "persistent store" in memory.stderr
    unknown = invoke("--store", "postgres:x", "info")
    assert unknown.exit_code == 2 and "unknown store 'postgres:x'" in unknown.stderr


def test_a_load_killed_midway_leaves_the_previous_content(tmp_path):
    sys.path.insert(0, str(ROOT / "bench"))
    from generate import generate

    big = tmp_path / "big.nq"
    with big.open("w", encoding="utf-8") as fh:
        fh.writelines(generate(1_500_000))
    spec = f"oxigraph:{tmp_path / 'db'}"
    load_into_store(spec, [EXAMPLE], bundled=False)
    before = len(load_graph(store=spec))
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    loader = subprocess.Popen(
        [sys.executable, "-m", "kg", "--store", spec, "load", str(big)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(2.0)  # started, parsing the big file
    loader.send_signal(signal.SIGKILL)
    assert loader.wait(timeout=30) == -signal.SIGKILL, "the load finished before it could be killed"
    assert len(load_graph(store=spec)) == before
    # the killed load's half-built generation is removed by the next load
    folder = tmp_path / "db"
    assert sorted(p.name for p in folder.iterdir() if p.is_dir()) == ["g-000001", "g-000002"]
    load_into_store(spec, [EXAMPLE], bundled=False)
    assert sorted(p.name for p in folder.iterdir() if p.is_dir()) == ["g-000003"]
    assert len(load_graph(store=spec)) == before


def test_load_reports_progress_in_bytes_up_to_the_total(tmp_path):
    seen: list[tuple[int, int, str]] = []
    load_into_store(f"oxigraph:{tmp_path / 'kgdb'}", [EXAMPLE], progress=lambda d, t, p: seen.append((d, t, p.name)))
    done = [d for d, _, _ in seen]
    total = seen[0][1]
    assert done == sorted(done) and done[-1] == total > EXAMPLE.stat().st_size
    assert {"tradekg.ttl", "seed.trig", EXAMPLE.name} <= {name for _, _, name in seen}


def test_no_progress_bar_when_stderr_is_not_a_terminal(tmp_path, invoke):
    result = invoke("--store", f"oxigraph:{tmp_path / 'kgdb'}", "load", str(EXAMPLE))
    assert result.exit_code == 0 and "loading" not in result.stderr


def test_readers_see_the_old_or_the_new_store_while_a_third_process_loads(tmp_path):
    """Two reader processes (each run opens the store afresh) and one reader opened before the
    load, while a writer loads 400k quads: every read succeeds and sees all of the old state
    or all of the new one, never a part."""
    sys.path.insert(0, str(ROOT / "bench"))
    from generate import generate

    big = tmp_path / "big.nq"
    with big.open("w", encoding="utf-8") as fh:
        fh.writelines(generate(400_000))
    spec = f"oxigraph:{tmp_path / 'db'}"
    load_into_store(spec, [])
    held = load_graph(store=spec)  # a reader that stays open across the load
    old = len(held)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    kg = [sys.executable, "-m", "kg", "--store", spec]
    writer = subprocess.Popen([*kg, "load", str(big)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    reads: list[tuple[int, str]] = []
    held_counts: set[int] = set()
    governments = "SELECT ?s WHERE { ?s a tkg:Government }"
    held_governments = len(held.select(governments))
    while writer.poll() is None:
        readers = [
            subprocess.Popen(
                [*kg, "info", "-f", "json"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        for reader in readers:
            out, err = reader.communicate(timeout=120)
            reads.append((reader.returncode, json.loads(out)["triples"] if reader.returncode == 0 else err))
        held_counts.add(len(held))
        assert len(held.select(governments)) == held_governments
    assert writer.wait() == 0, writer.stderr.read()
    new = len(load_graph(store=spec))
    assert new > old + 390_000
    assert {code for code, _ in reads} == {0}, reads
    assert {n for _, n in reads} <= {old, new}
    assert old in {n for _, n in reads}, "no read happened during the load"
    assert held_counts == {old}  # the reader opened before the load keeps its snapshot


def test_a_load_builds_a_new_generation_and_removes_those_no_reader_holds(tmp_path):
    folder = tmp_path / "db"
    spec = f"oxigraph:{folder}"
    load_into_store(spec, [], bundled=False)

    def generations() -> list[str]:
        return sorted(p.name for p in folder.iterdir() if p.is_dir())

    assert generations() == ["g-000001"] and (folder / "generation").read_text().strip() == "g-000001"
    held = load_graph(store=spec)  # holds g-000001
    load_into_store(spec, [EXAMPLE])
    assert generations() == ["g-000001", "g-000002"]  # g-000001 is still read
    assert len(load_graph(store=spec)) > len(held)
    del held
    import gc

    gc.collect()
    load_into_store(spec, [EXAMPLE])  # adds nothing, and removes g-000001 and g-000002
    assert generations() == ["g-000003"]
    # a failed load publishes nothing and leaves no folder behind
    bad = tmp_path / "bad.ttl"
    bad.write_text("<urn:x:a> <urn:x:b> .\n")
    with pytest.raises(Exception, match="bad.ttl"):
        load_into_store(spec, [EXAMPLE, bad])
    assert generations() == ["g-000003"]


def test_a_store_in_the_old_layout_is_named_not_misread(tmp_path):
    import pyoxigraph as ox

    old = tmp_path / "old"
    ox.Store(str(old)).flush()
    for args in (["info"], ["load"]):
        result = subprocess.run(
            [sys.executable, "-m", "kg", "--store", f"oxigraph:{old}", *args],
            capture_output=True,
            text=True,
            env=dict(os.environ, PYTHONPATH=str(ROOT)),
        )
        assert result.returncode == 2
        assert result.stderr.strip() == (
            f"kg: error: {old} holds a store in an older kg's layout; make a new one with  "
            "kg --store oxigraph:NEWPATH load"
        )


def test_a_second_load_says_it_waits_and_then_loads(tmp_path):
    from kg.stores import OxigraphDiskStore

    spec = f"oxigraph:{tmp_path / 'db'}"
    load_into_store(spec, [], bundled=False)
    first = OxigraphDiskStore(str(tmp_path / "db"), writable=True)  # a load in progress
    second = subprocess.Popen(
        [sys.executable, "-m", "kg", "--store", spec, "load", str(EXAMPLE)],
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(2.0)  # started, and blocked on the writer lock
    assert second.poll() is None, second.communicate()  # still waiting
    first.abort()
    out, err = second.communicate(timeout=60)
    assert second.returncode == 0, err
    assert err.strip() == f"kg: waiting for another load into {tmp_path / 'db'} to finish"
    assert "quads added" in out
