"""Load the spaCy pipeline in a thread of its own, started before it is needed.

Opening an article that was never imported waits for spaCy's import and model (~0.8 s)
before its first lines can be shown (issue 9); started when the app is made, the load
overlaps Textual's own start instead of following it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future

from annotations.nlp import ImportCancelled, load_pipeline


class PipelineLoader:
    def __init__(self, model: str) -> None:
        self._warnings: list[str] = []
        self._pipeline: Future[object] = Future()
        threading.Thread(target=self._load, args=(model,), name="newstag-spacy",
                         daemon=True).start()

    def _load(self, model: str) -> None:
        try:
            self._pipeline.set_result(load_pipeline(model, self._warnings.append))
        except BaseException as exc:  # handed to whoever waits for the pipeline
            self._pipeline.set_exception(exc)

    def pipeline(self, warn: Callable[[str], None],
                 cancelled: Callable[[], bool] = lambda: False) -> object:
        """The loaded pipeline (waiting for it); its warnings go to ``warn``, once.
        ``cancelled()`` is asked while waiting: ImportCancelled as soon as it says so (q
        during the first lines must not wait for spaCy)."""
        while True:
            try:
                nlp = self._pipeline.result(timeout=0.05)
                break
            except TimeoutError:
                if cancelled():
                    raise ImportCancelled("import stopped") from None
        warnings, self._warnings = self._warnings, []
        for message in warnings:
            warn(message)
        return nlp
