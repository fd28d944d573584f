"""The app's suggester: built, then retrained after every tag, in a thread worker.

Training never runs on the UI thread (the real model may load spaCy and take a second or
more). Requests are coalesced: at most one training runs, and a tag made while it runs
asks for one more round, on the newest data, when it ends; a burst of ten tags costs
two trainings, not ten. Each new suggester gets a generation number and the app tells
the reader and the library (``SuggesterChanged``), which recompute what they show in
their own workers. A model that fails leaves no suggester: no suggestions and one
notice, never a crash.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from textual.message import Message

from annotations.config import Config
from annotations.errors import brief
from annotations.store import Store
from annotations.suggest.engine import Example, Suggester, train_suggester
from tui.safe_text import notify_untrusted

if TYPE_CHECKING:
    from textual.app import App

# The reader's help shows it under the labels (the keys are listed with the others).
HELP = ("Suggested labels (italic and faint, ~ in the gutter) are newstag's guess on an "
        "unreviewed sentence, learned from your tags: Enter confirms exactly them, a label "
        "key starts from them, 0 means none apply, s goes to the least sure.")

Trainer = Callable[[Config, Sequence[Example]], Suggester]


def worker_store(store: Store) -> Store:
    """The same database and annotator's layer, as a Store object of a worker's own: the
    UI thread's keeps caches and a lock depth that another thread must not share."""
    mine = Store(store.root)
    mine.annotator = store.annotator
    return mine


class SuggesterChanged(Message, bubble=False):
    """A new suggester (or none: the model failed) is in ``Suggestions.suggester``."""

    def __init__(self, generation: int) -> None:
        super().__init__()
        self.generation = generation


class Suggestions:
    def __init__(self, app: App, config: Config, store: Store,
                 train: Trainer = train_suggester) -> None:
        self.app = app
        self.config = config
        self.store = store
        self.train = train
        self.enabled = config.suggestions
        self.suggester: Suggester | None = None
        self.generation = 0  # of ``suggester``; 0 = none built yet
        self.failure = ""  # why the last training failed ("" = it did not)
        self.trainings = 0  # finished, for tests and the status of the model
        self._lock = threading.Lock()
        self._wanted = 0  # requests made …
        self._served = 0  # … and the last one a finished training covered
        self._running = False

    @property
    def training(self) -> bool:
        return self._running

    def want(self) -> None:
        """A suggester is needed (the reader opened, the library sorts by gain)."""
        if self.enabled and self.generation == 0 and not self._running:
            self.retrain()

    def retrain(self) -> None:
        """The tags changed: train again, in the background, on the newest data."""
        if not self.enabled:
            return
        with self._lock:
            self._wanted += 1
            if self._running:
                return  # the running worker does one more round when it ends
            self._running = True
        self.app.run_worker(self._train_rounds, thread=True, group="suggest-train",
                            exit_on_error=False, name="train suggester")

    def _train_rounds(self) -> None:
        from annotations.suggest.examples import reviewed_examples

        while True:
            with self._lock:
                if self._served == self._wanted:
                    self._running = False
                    return
                target = self._wanted
            try:
                examples = reviewed_examples(worker_store(self.store))
                suggester: Suggester | None = self.train(self.config, examples)
                failure = ""
            except Exception as exc:  # noqa: BLE001 - any model failure: no suggestions
                suggester, failure = None, f"{type(exc).__name__}: {brief(str(exc))}"
            with self._lock:
                self._served = target
                self.trainings += 1
                self.generation += 1
                self.suggester = suggester
                newly_failed = failure and not self.failure
                self.failure = failure
                generation = self.generation
            if newly_failed:
                # post_message underneath: safe from this thread; the text may echo a file.
                notify_untrusted(self.app, "Suggestions are off for now: the model failed "
                                 f"({failure}).", severity="warning", timeout=8)
            self.app.post_message(SuggesterChanged(generation))
