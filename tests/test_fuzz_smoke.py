"""The fuzz targets in fuzz/ run, briefly: the CI smoke (issue #7, part 7).

Each target runs as its own process for a fixed number of inputs, from its seeds in a fresh
corpus folder, and must
end with exit 0 (libFuzzer exits 1 on a finding, and prints the input that caused it).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import ROOT

TARGETS = {"load": 300, "bind": 150}


@pytest.mark.parametrize(("target", "runs"), TARGETS.items(), ids=list(TARGETS))
def test_fuzz_target_runs_clean(target, runs, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "fuzz" / f"{target}.py"),
            f"-atheris_runs={runs}",
            f"-artifact_prefix={tmp_path}/",
            "-seed=1",
            str(corpus),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"Done {runs} " in result.stderr or f"Done {runs}\t" in result.stderr, result.stderr[-2000:]
    assert list(tmp_path.glob("crash-*")) == []
