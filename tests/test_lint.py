"""ruff (formatting rules and lint) passes on the package and the tests."""

from __future__ import annotations

import shutil
import subprocess

from conftest import ROOT


def test_ruff_check_passes():
    ruff = shutil.which("ruff")
    assert ruff, "ruff is in the test extra"
    done = subprocess.run([ruff, "check", "kg", "tests"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
