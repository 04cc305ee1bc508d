"""ruff (formatting rules and lint) passes on the package and the tests."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def test_ruff_check_passes():
    # ruff is in the test extra; run it through this interpreter so PATH does not matter
    for args in (["check", "kg", "tests", "bench"], ["format", "--check", "kg", "tests", "bench"]):
        done = subprocess.run([sys.executable, "-m", "ruff", *args], cwd=ROOT, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
