from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotations.config import load_config
from annotations.ingest import import_paths
from annotations.store import Store
from tests.helpers import MAIN_ARTICLE, REPO, article_id_for
from tui.app import NewstagApp

# JSONL carries the NUL that a .txt file would be refused for (binary).
HOSTILE = (
    "Hostile Markup Test\n\n"
    "The minister said [@click=app.quit]x[/] was not a click in Paris.\n"
    "A [bold]loud[/bold] claim and a stray [/] closed nothing in Berlin.\n"
    "Control characters \x1b[31mred\x1b[0m and a bell \x07 and NUL \x00 reached London.\n"
    "Emoji 🇮🇳 and combining e\u0301 and Arabic رئيس stayed in Rome.\n"
)


def make_app(db: Path, paths=(), samples=()) -> NewstagApp:
    config = load_config(str(REPO / "config.yaml"))
    # These tests pin the reader without suggestions (what Enter and 1-9 do, the
    # snapshots); whether a model suggests something on the corpus is not theirs to
    # know. tests/tui/test_suggestions.py tests the reader with them (issue 10).
    config.suggestions = False
    return NewstagApp(config, Store.open(db), paths, samples=samples)


@pytest.fixture
def app_factory(db_copy, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NEWSTAG_CONFIG", raising=False)
    return lambda **kw: make_app(db_copy, **kw)


@pytest.fixture
def main_id(db_copy) -> str:
    return article_id_for(db_copy, MAIN_ARTICLE.name)


@pytest.fixture(scope="session")
def hostile_db(tmp_path_factory, nlp) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("hostile")
    src = folder / "hostile.jsonl"
    src.write_text(json.dumps({"id": "hostile-1", "title": "[b]Hostile[/b] \x1b[2J title",
                               "text": HOSTILE}) + "\n", "utf-8")
    db = folder / "db"
    report = import_paths(Store.open(db), [src], lambda: nlp)
    return db, report.added[0]
