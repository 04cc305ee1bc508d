"""Loading files: formats, folders, bad input reported with file and line, --data adds facts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import ROOT
from kg.errors import InputError
from kg.graph import load_graph

EXAMPLE = ROOT / "examples" / "my-facts.ttl"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_malformed_turtle_names_file_line_and_column(tmp_path):
    bad = write(tmp_path, "bad.ttl", "@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:d ex:e [ ex:f\n")
    with pytest.raises(InputError) as err:
        load_graph([bad], bundled=False)
    assert err.value.path == str(bad)
    assert err.value.line == 4 or err.value.line == 3
    assert str(err.value).startswith(f"{bad}:{err.value.line}:")


def test_malformed_file_on_command_line_exits_2_with_one_line(invoke, tmp_path):
    bad = write(tmp_path, "broken.trig", "@prefix ex: <http://example.org/> .\nex:g { ex:a ex:b }\n")
    result = invoke("--data", str(bad), "info")
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"kg: error: {bad}:2:")
    assert "Traceback" not in result.stderr


def test_undefined_prefix_is_reported_with_its_line(invoke, tmp_path):
    bad = write(tmp_path, "prefix.ttl", "@prefix ex: <http://example.org/> .\n\nex:a nope:b ex:c .\n")
    result = invoke("--data", str(bad), "validate")
    assert result.exit_code == 2
    assert f"{bad}:3:" in result.stderr


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("missing.ttl", "no such file or folder"),
        ("notes.txt", "unknown file type '.txt'"),
    ],
)
def test_unreadable_paths_are_named(invoke, tmp_path, name, expected):
    path = tmp_path / name
    if name.endswith(".txt"):
        path.write_text("hello")
    result = invoke("--data", str(path), "info")
    assert result.exit_code == 2
    assert str(path) in result.stderr and expected in result.stderr


def test_empty_folder_is_refused(invoke, tmp_path):
    result = invoke("--data", str(tmp_path), "info")
    assert result.exit_code == 2
    assert "folder holds no RDF file" in result.stderr


def test_folder_is_searched_and_a_bad_file_in_it_is_named(invoke, tmp_path):
    (tmp_path / "sub").mkdir()
    good = write(tmp_path / "sub", "good.ttl", EXAMPLE.read_text())
    write(tmp_path, "README.md", "not RDF, ignored in a folder")
    ok = invoke("--data", str(tmp_path), "show", "Acme Motors")
    assert ok.exit_code == 0, ok.stderr
    assert "Acme Motors" in ok.stdout
    bad = write(tmp_path, "zz-bad.nt", "<http://example.org/a> <http://example.org/b> .\n")
    result = invoke("--data", str(tmp_path), "info")
    assert result.exit_code == 2
    assert f"{bad}:1:" in result.stderr
    assert str(good) not in result.stderr


def info_counts(invoke, *args: str) -> dict[str, int]:
    result = invoke(*args, "info", "-f", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    return {row["class"]: row["with_subclasses"] for row in data["classes"]} | {"triples": data["triples"]}


def test_data_file_adds_its_entities_to_info_counts(invoke):
    before = info_counts(invoke)
    after = info_counts(invoke, "--data", str(EXAMPLE))
    assert after["tkg:Company"] == before["tkg:Company"] + 1
    assert after["tkg:Source"] == before["tkg:Source"] + 1
    assert after["triples"] == before["triples"] + 11


def test_no_bundled_leaves_only_the_ontology(invoke):
    counts = info_counts(invoke, "--no-bundled")
    assert set(counts) == {"triples"}
    assert counts["triples"] > 500  # the ontology itself


def test_jsonld_and_ntriples_load(tmp_path):
    label = "<http://www.w3.org/2000/01/rdf-schema#label>"
    nt = write(tmp_path, "x.nt", f'<https://w3id.org/tradekg/id/company/x> {label} "X corp" .\n')
    jsonld = write(
        tmp_path,
        "y.jsonld",
        json.dumps(
            {
                "@id": "https://w3id.org/tradekg/id/company/y",
                "http://www.w3.org/2000/01/rdf-schema#label": "Y corp",
            }
        ),
    )
    graph = load_graph([nt, jsonld], bundled=False)
    assert graph.ask('ASK { company:x rdfs:label "X corp" . company:y rdfs:label "Y corp" }')


def test_a_failed_load_raises_before_touching_the_graph(tmp_path):
    good = write(tmp_path, "a.ttl", EXAMPLE.read_text())
    bad = write(tmp_path, "b.ttl", "this is not turtle")
    graph = load_graph([good], bundled=False)
    size = len(graph)
    with pytest.raises(InputError):
        graph.load_file(bad)
    assert len(graph) == size
