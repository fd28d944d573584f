"""The layers hold: import-linter's contracts (pyproject.toml) and no import circles."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp
import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("annotations", "tui", cache_dir=None)


def test_import_linter_contracts_are_kept():
    lint = Path(sys.executable).with_name("lint-imports")
    r = subprocess.run([str(lint), "--no-cache"], cwd=REPO, capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-2000:]
    assert "Contracts: 2 kept, 0 broken." in r.stdout


@pytest.mark.parametrize(("a", "b"), [
    ("tui.app", "tui.cli"),  # sample_paths and write_export lived in the CLI
    ("annotations.export", "annotations.formats"),
    ("annotations.importing", "annotations.interchange"),
    ("annotations.config", "annotations.paths"),
])
def test_no_import_circle(graph, a, b):
    there = graph.find_shortest_chain(importer=a, imported=b)
    back = graph.find_shortest_chain(importer=b, imported=a)
    assert there is None or back is None, (there, back)


def test_the_cli_holds_parser_and_commands_only(graph):
    """What the reader and the importers share lives in annotations/, not in tui/cli.py."""
    assert graph.find_modules_directly_imported_by("tui.app") & {"tui.cli"} == set()
    for module in graph.modules:
        if module.startswith("annotations"):
            assert not graph.find_modules_directly_imported_by(module) & {"tui.cli", "tui"}
