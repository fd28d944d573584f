"""End to end: the installed newstag command in a real terminal (tmux)."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import yaml

from tests.helpers import MAIN_ARTICLE, MAIN_SENTENCES


def _newstag() -> str:
    beside = Path(sys.executable).parent / "newstag"
    found = str(beside) if beside.exists() else shutil.which("newstag")
    assert found, "the newstag command is not installed (pip install .)"
    return found


@pytest.fixture
def tmux():
    assert shutil.which("tmux"), "tmux is needed for the end-to-end test (apt-get install tmux)"
    session = f"newstag-{uuid.uuid4().hex[:8]}"
    yield session
    subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


def _screen(session: str) -> str:
    return subprocess.run(["tmux", "capture-pane", "-p", "-t", session], capture_output=True,
                          text=True).stdout


def _wait_for(session: str, needle: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        screen = _screen(session)
        if needle in screen:
            return screen
        time.sleep(0.2)
    raise AssertionError(f"{needle!r} never appeared on screen:\n{_screen(session)}")


def _keys(session: str, *keys: str) -> None:
    for key in keys:
        subprocess.run(["tmux", "send-keys", "-t", session, key], check=True)
        time.sleep(0.15)


def test_tag_two_sentences_in_a_real_terminal_then_export(tmux, tmp_path):
    """Suggestions are off here: a label key on a sentence with suggestions starts from
    the suggested labels, and when the model's first suggestions arrive (a second or so
    after opening) depends on the machine; tests/tui/test_suggestions.py covers the keys
    with suggestions, waiting for the model."""
    newstag = _newstag()
    db = tmp_path / "db"
    article = tmp_path / MAIN_ARTICLE.name
    shutil.copy(MAIN_ARTICLE, article)
    config = tmp_path / "config.yaml"
    config.write_text("suggestions: false\n", "utf-8")
    command = (f"cd {shlex.quote(str(tmp_path))} && "
               f"{shlex.quote(newstag)} --db {shlex.quote(str(db))} "
               f"--config {shlex.quote(str(config))} {shlex.quote(str(article))};"
               " echo NEWSTAG-EXITED-$?")
    subprocess.run(["tmux", "new-session", "-d", "-s", tmux, "-x", "100", "-y", "30",
                    "bash", "--norc", "-c", command + "; sleep 60"], check=True)
    _wait_for(tmux, f"0/{MAIN_SENTENCES} reviewed")  # imported in a worker, then opened directly
    _keys(tmux, "1")
    _wait_for(tmux, f"1/{MAIN_SENTENCES} reviewed")
    _keys(tmux, "j", "2")
    _wait_for(tmux, f"2/{MAIN_SENTENCES} reviewed")
    _keys(tmux, "q")
    _wait_for(tmux, "NEWSTAG-EXITED-0")

    exported = subprocess.run([newstag, "export", "--db", str(db), "--no-text"],
                              capture_output=True, text=True, check=True).stdout
    [data] = yaml.safe_load(exported)["articles"]
    assert [(s["index"], s["labels"]) for s in data["sentences"]] == [
        (0, ["trade"]), (1, ["defence"])]
    assert data["sentences"][0]["text"].startswith("Japan and the Philippines signed")
