"""The suggestions on the reader's article, computed in a thread worker.

An invisible widget in the reader: when the app has a new suggester (after a tag, or
the first one), it scores the article's sentences that are open to suggestion and hands
the results to the ArticleView. The sentences around the cursor go first, in a batch of
their own, so what is on screen updates at once even in a 20,000-sentence article; the
rest follow in batches, and a newer suggester cancels the run (between batches). The UI
thread only swaps dictionaries: a slow model never delays a key.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.message import Message
from textual.widget import Widget
from textual.worker import get_current_worker

from annotations.errors import brief
from annotations.suggest.engine import Suggester, Suggestion
from annotations.suggest.gain import open_sentences
from tui.article_view import ArticleView
from tui.safe_text import notify_untrusted

NEAR = 60  # sentences either side of the cursor scored first
BATCH = 256


@dataclass
class _Scored(Message):
    generation: int
    suggestions: dict[int, Suggestion]
    uncertainty: dict[int, float]  # worked out here, not on the UI thread at each "s"
    first: bool  # the first batch of this generation


@dataclass
class _Failed(Message):
    generation: int
    error: str


class ArticleSuggestions(Widget):
    DEFAULT_CSS = "ArticleSuggestions { display: none; }"

    class Updated(Message):
        """The suggestions shown changed (the status line may need them)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.generation = 0  # of the suggester whose results are shown
        self.failed = False
        self.uncertainty: dict[int, float] = {}  # of the suggestions shown, by sentence

    @property
    def view(self) -> ArticleView:
        return self.screen.query_one(ArticleView)

    def recompute(self, suggester: Suggester | None, generation: int) -> None:
        """Score the open sentences with ``suggester`` (None: show no suggestions)."""
        article = self.view.article
        if suggester is None or article is None:
            self.generation = generation
            self.uncertainty = {}
            self.view.set_suggestions({}, clear=True)
            self.post_message(self.Updated())
            return
        indexes = open_sentences(article, self.view.annotations)
        cursor = self.view.cursor if self.view.cursor is not None else 0
        near = [i for i in indexes if abs(i - cursor) <= NEAR]
        rest = [i for i in indexes if abs(i - cursor) > NEAR]
        batches = [near] + [rest[n:n + BATCH] for n in range(0, len(rest), BATCH)]
        texts = [[article.sentence_text(article.sentences[i]) for i in b] for b in batches]
        self._score(suggester, generation, batches, texts)

    @work(thread=True, exclusive=True, group="suggest-article", exit_on_error=False)
    def _score(self, suggester: Suggester, generation: int, batches: list[list[int]],
               texts: list[list[str]]) -> None:
        worker = get_current_worker()
        for n, (indexes, batch) in enumerate(zip(batches, texts, strict=True)):
            if worker.is_cancelled:
                return
            try:
                scored = suggester.suggest(batch) if batch else []
            except Exception as exc:  # noqa: BLE001 - a failing model: no suggestions
                self.post_message(_Failed(generation, f"{type(exc).__name__}: "
                                                      f"{brief(str(exc))}"))
                return
            by_index = dict(zip(indexes, scored, strict=True))
            self.post_message(_Scored(generation, by_index,
                                      {i: s.uncertainty for i, s in by_index.items()},
                                      first=n == 0))

    @on(_Scored)
    def _show_scored(self, message: _Scored) -> None:
        if message.generation < self.generation:
            return  # an older suggester's results arrived late
        self.generation = message.generation
        # The first batch of a new suggester replaces the old suggestions (a sentence it
        # no longer scores must not keep an old guess); later batches add to it.
        self.view.set_suggestions(message.suggestions, clear=message.first)
        if message.first:
            self.uncertainty = {}
        self.uncertainty.update(message.uncertainty)
        self.post_message(self.Updated())

    @on(_Failed)
    def _show_failed(self, message: _Failed) -> None:
        self.uncertainty = {}
        self.view.set_suggestions({}, clear=True)
        self.post_message(self.Updated())
        if not self.failed:
            self.failed = True
            notify_untrusted(self, f"No suggestions: the model failed ({message.error}).",
                             severity="warning", timeout=8)
