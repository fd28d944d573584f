"""The tests and benchmarks run from a plain clone: nothing may reach outside the repository."""

from __future__ import annotations

from pathlib import Path

from annotations.sources import SourceDocument, read_sources
from tests.helpers import CORPUS, CORPUS_ARTICLES, MAIN_ARTICLE, REPO

# Built in two pieces so that this file does not find itself.
OUTSIDE = ("shared" + "/corpus", "shared" + '" / "corpus', ".." + "/shared")


def _files_that_must_stay_inside() -> list[Path]:
    files = [p for folder in ("tests", "benchmarks") for p in (REPO / folder).rglob("*")
             if p.is_file() and "__pycache__" not in p.parts]
    return files + [REPO / "README.md", REPO / "pyproject.toml"]


def test_no_test_benchmark_or_set_up_file_points_outside_the_repository():
    offenders = [
        f"{path.relative_to(REPO)}: {needle}"
        for path in _files_that_must_stay_inside()
        for needle in OUTSIDE
        if needle in path.read_text("utf-8", errors="replace")
    ]
    assert offenders == []


def test_the_fixture_corpus_lives_in_the_repository_and_is_complete():
    assert CORPUS.resolve().is_relative_to(REPO) and MAIN_ARTICLE.is_file()
    read = list(read_sources([CORPUS]))
    assert all(isinstance(d, SourceDocument) for d in read), read  # no problem, no warning
    assert len(read) == CORPUS_ARTICLES
    assert [d.given_id for d in read if d.given_id] == ["wire-0001", "wire-0002"]


def test_readme_set_up_commands_need_nothing_beside_the_clone_and_update_pip():
    readme = (REPO / "README.md").read_text("utf-8")
    commands = [line for line in readme.splitlines() if line.startswith("python3 -m venv")]
    assert len(commands) == 2 and all("pip install" in c for c in commands)
    # pip < 23.3 warns that lxml lacks the extra 'html_clean' (asked for by jusText).
    assert all(c.startswith("python3 -m venv --upgrade-deps ") for c in commands)
