"""The package installs from a wheel and the installed `kg` runs from any directory."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict[str, str]:
    """Build a wheel of the checkout and install it (without dependencies, which the test
    environment already has) into a private folder; return the environment to run it with."""
    tmp = tmp_path_factory.mktemp("wheel")
    wheels, target = tmp / "dist", tmp / "site"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(wheels), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert build.returncode == 0, build.stderr
    (wheel,) = wheels.glob("tradekg-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"kg/ontology/tradekg.ttl", "kg/ontology/shapes.ttl", "kg/cli.py"} <= names
    assert any(n.startswith("kg/data/") and n.endswith(".trig") for n in names)
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert install.returncode == 0, install.stderr
    env = dict(os.environ, PYTHONPATH=str(target))
    return {"kg": str(target / "bin" / "kg"), "site": str(target), "cwd": str(tmp), **{"_env": env}}


def run(installed, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [installed["kg"], *args],
        cwd=installed["cwd"],
        env=installed["_env"],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_installed_kg_runs_outside_the_checkout(installed):
    where = subprocess.run(
        [sys.executable, "-c", "import kg, kg.resources as r; print(kg.__file__); print(r.ontology_file())"],
        cwd=installed["cwd"],
        env=installed["_env"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert all(p.startswith(installed["site"]) for p in where), where

    ok = run(installed, "validate")
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("conforms: ")

    info = run(installed, "info")
    assert info.returncode == 0, info.stderr
    assert "Agreement" in info.stdout or "agreement" in info.stdout

    card = run(installed, "show", "Geneva agreement")
    assert card.returncode == 0, card.stderr
    assert card.stdout.startswith("Geneva agreement  (policy:geneva-agreement)")
    assert "90-day rollback" in card.stdout

    miss = run(installed, "show", "Genva agreement")
    assert miss.returncode == 2
    assert "did you mean 'Geneva agreement'" in miss.stderr and "Traceback" not in miss.stderr


def test_kg_on_path_is_a_real_command():
    # scripts/test installs the package (non-editable) into the venv whose bin is on PATH
    beside = Path(sys.executable).with_name("kg")
    exe = str(beside) if beside.exists() else shutil.which("kg")
    assert exe, "no installed kg: run the tests through scripts/test"
    done = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=60, cwd="/")
    assert done.returncode == 0 and "0.1.0" in done.stdout


def test_python_dash_m_kg(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "kg", "show", "Xi"], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Xi Jinping")


def test_a_closed_pipe_is_not_an_error():
    done = subprocess.run(
        f"{sys.executable} -m kg export -f nt -o - | head -c 100 > /dev/null",
        shell=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "error" not in done.stderr and "Traceback" not in done.stderr, done.stderr
