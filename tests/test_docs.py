"""Every command is documented in the README and has help with an example."""

from __future__ import annotations

import re

import pytest

from conftest import ROOT
from kg.cli import cli

README = (ROOT / "README.md").read_text(encoding="utf-8")
COMMANDS = sorted(cli.commands)


@pytest.mark.parametrize("name", COMMANDS)
def test_command_has_help_with_examples(invoke, name):
    result = invoke(name, "--help")
    assert result.exit_code == 0
    assert "Examples:" in result.stdout
    assert len(cli.commands[name].help or "") > 80


@pytest.mark.parametrize("name", COMMANDS)
def test_command_is_in_the_readme(name):
    assert re.search(rf"`kg(?: [^`]*)? {name}\b", README), f"kg {name} is not documented in README.md"


def test_readme_documents_exit_codes():
    for code in ("0", "1", "2", "3"):
        assert re.search(rf"\|\s*{code}\s*\|", README), f"exit code {code} missing from README"


def test_readme_quick_start_commands_exist():
    assert "scripts/test" in README
    assert "pip install ." in README
