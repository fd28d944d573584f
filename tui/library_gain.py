"""The library's "most useful first": expected gain per article, computed in a worker.

An invisible widget in the library. Scoring every open sentence of the corpus takes
a while at 20,000 articles, so it runs in a thread worker on its own Store object and
only when asked (the gain sort, the least-sure key) and only while the library is on
screen (the reader has its own worker on the same suggester); a newer request cancels
the running one between articles. The screen keeps showing the last gains meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on, work
from textual.message import Message
from textual.widget import Widget
from textual.worker import get_current_worker

from annotations.errors import brief
from annotations.suggest.engine import Suggester
from annotations.suggest.gain import ArticleGain, corpus_gains
from tui.suggestions import worker_store

if TYPE_CHECKING:
    from annotations.store import Store


@dataclass
class _Computed(Message):
    generation: int
    gains: dict[str, ArticleGain]


@dataclass
class _Failed(Message):
    error: str


class GainTracker(Widget):
    DEFAULT_CSS = "GainTracker { display: none; }"

    class Ready(Message):
        """New gains are in ``GainTracker.gains``."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.gains: dict[str, ArticleGain] = {}
        self.generation = -1  # of the suggester the gains come from
        self.wanted = False  # asked for once: kept up to date from then on
        self.stale = True  # the tags changed since the gains were computed
        self.computing = False

    def request(self) -> None:
        """Gains are wanted: compute them if they are out of date (in the background)."""
        self.wanted = True
        service = self.app.suggestions
        service.want()
        suggester = service.suggester
        if suggester is None or not self.screen.is_current:
            return  # computed when the suggester exists / the library is back on screen
        if self.stale or self.generation != service.generation:
            self.stale = False
            self.computing = True
            self._compute(suggester, service.generation, worker_store(self.app.store))

    def invalidate(self) -> None:
        """The tags or the suggester changed: recompute if the gains are in use."""
        self.stale = True
        if self.wanted:
            self.request()

    @work(thread=True, exclusive=True, group="suggest-gain", exit_on_error=False)
    def _compute(self, suggester: Suggester, generation: int, store: Store) -> None:
        worker = get_current_worker()
        try:
            gains = corpus_gains(store, suggester, lambda: worker.is_cancelled)
        except Exception as exc:  # noqa: BLE001 - a failing model: no gains, no crash
            self.post_message(_Failed(f"{type(exc).__name__}: {brief(str(exc))}"))
            return
        if gains is not None:
            self.post_message(_Computed(generation, gains))

    @on(_Computed)
    def _computed(self, message: _Computed) -> None:
        self.computing = False
        self.gains, self.generation = message.gains, message.generation
        self.post_message(self.Ready())

    @on(_Failed)
    def _failed(self, message: _Failed) -> None:
        from tui.safe_text import notify_untrusted

        self.computing = False
        notify_untrusted(self, f"No expected gain: the model failed ({message.error}).",
                         severity="warning", timeout=8)
