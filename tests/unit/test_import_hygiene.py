"""annotations/ never imports Textual; headless commands import neither Textual nor spaCy."""

from __future__ import annotations

import os
import pkgutil
import subprocess
import sys

import pytest

import annotations


def _modules_after(code: str, env: dict | None = None) -> set[str]:
    script = code + "\nimport sys, json; print(json.dumps(sorted(sys.modules)))"
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, check=True, timeout=120)
    import json

    return set(json.loads(proc.stdout.strip().splitlines()[-1]))


def _roots(modules: set[str]) -> set[str]:
    return {m.split(".")[0] for m in modules}


def test_annotations_package_imports_no_textual_or_tui():
    names = [m.name for m in pkgutil.iter_modules(annotations.__path__, "annotations.")]
    assert "annotations.store" in names and "annotations.nlp" in names
    loaded = _roots(_modules_after("\n".join(f"import {n}" for n in names)))
    assert not {"textual", "tui"} & loaded


@pytest.mark.parametrize("command", [["list"], ["list", "--json"], ["show", "wire-0001"],
                                     ["stats"], ["export"], ["tag", "wire-0001", "0", "trade"]])
def test_headless_commands_import_neither_textual_nor_spacy(db_copy, command):
    code = (
        "import io, contextlib\nfrom tui.cli import main\n"
        f"with contextlib.redirect_stdout(io.StringIO()):\n    rc = main({command!r})\n"
        "assert rc == 0, rc"
    )
    loaded = _roots(_modules_after(code, {"NEWSTAG_DB": str(db_copy)}))
    assert "tui" in loaded and "annotations" in loaded
    assert not {"textual", "spacy", "thinc"} & loaded


FIRST_SCREEN = """
import asyncio, json, sys
from annotations.config import load_config
from annotations.store import Store
from tui.app import NewstagApp
import tui.startup

seen = []
resume = tui.startup.GcPause.resume
def drawn(self):  # called once the first screen is drawn (tui/startup.py)
    seen.append(sorted({m.split('.')[0] for m in sys.modules}))
    resume(self)
tui.startup.GcPause.resume = drawn

async def main():
    app = NewstagApp(load_config(None), Store.open(sys.argv[1]), sys.argv[2:])
    async with app.run_test() as pilot:
        while not seen:
            await pilot.pause(0.05)
asyncio.run(main())
print(json.dumps(seen[0]))
"""


@pytest.mark.parametrize("opened", ["library", "article"])
def test_first_screen_imports_no_heavy_library(db_copy, tmp_path, opened):
    """Nothing on the way to the first screen imports what only imports, suggestions,
    agreement or file checks need (issue 9: pydantic alone was ~70 ms of it)."""
    from tests.helpers import MAIN_ARTICLE

    paths = [str(MAIN_ARTICLE)] if opened == "article" else []
    proc = subprocess.run([sys.executable, "-c", FIRST_SCREEN, str(db_copy), *paths],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path,
                          env={k: v for k, v in os.environ.items() if k != "NEWSTAG_CONFIG"})
    assert proc.returncode == 0, proc.stderr
    import json

    loaded = set(json.loads(proc.stdout.strip().splitlines()[-1]))
    assert {"textual", "annotations", "tui"} <= loaded
    assert not {"pydantic", "spacy", "thinc", "sklearn", "nltk"} & loaded


def _modules_of_the_reader_first_screen(db_copy, tmp_path) -> set[str]:
    """Every module loaded, by its whole name, once the reader's first screen of the
    main article is drawn (FIRST_SCREEN in a fresh process, run in ``tmp_path``)."""
    import json

    from tests.helpers import MAIN_ARTICLE

    script = FIRST_SCREEN.replace("sorted({m.split('.')[0] for m in sys.modules})",
                                  "sorted(sys.modules)")
    proc = subprocess.run([sys.executable, "-c", script, str(db_copy), str(MAIN_ARTICLE)],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path,
                          env={k: v for k, v in os.environ.items() if k != "NEWSTAG_CONFIG"})
    assert proc.returncode == 0, proc.stderr
    return set(json.loads(proc.stdout.strip().splitlines()[-1]))


def test_reader_first_screen_builds_no_library(db_copy, tmp_path):
    """An article opened from the command line shows without the library's module and
    widgets (built when first needed, e.g. on Escape; issue 9)."""
    loaded = _modules_of_the_reader_first_screen(db_copy, tmp_path)
    assert {"tui.screens.reader", "tui.article_view"} <= loaded
    assert not {"tui.screens.library", "tui.library_table", "tui.library_gain"} & loaded


def test_reader_first_screen_imports_no_yaml_nor_what_keys_open(db_copy, tmp_path):
    """With the default config (here a copy of it in ./config.yaml), the reader's first
    screen imports neither PyYAML (annotations/data/config.parsed.json) nor TinyDB (only
    a write opens one) nor the modules of what a key opens: the entity editor, the
    dialogs, an import's placing (issue 9)."""
    from annotations.config import packaged_config_text

    (tmp_path / "config.yaml").write_text(packaged_config_text(), "utf-8")
    loaded = _modules_of_the_reader_first_screen(db_copy, tmp_path)
    assert "tui.screens.reader" in loaded
    assert not {"yaml", "tinydb", "annotations.yamlio", "tui.reader.entity_editor",
                "tui.screens.modals", "annotations.placing", "annotations.entity_undo"} & loaded
