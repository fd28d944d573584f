"""The stats screen (``S`` anywhere): progress you can see.

Label distribution per annotator (bars of Content), sentences per hour of active time,
tags per day as Textual's ``Sparkline``, and progress per article (the current one and
the nearest to done: the library can hold 20,000). The numbers are those of
``newstag stats --json`` (annotations/stats.py), computed in a thread worker from the
kept counts; the screen shows "Counting…" until they arrive. Escape returns.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Sparkline, Static

from annotations.activity import IDLE_SECONDS
from annotations.activity import utc_day as today
from annotations.config import Config
from annotations.errors import UserError
from annotations.stats import ProgressRow
from annotations.store import Store
from tui.safe_text import untrusted
from tui.stats_bars import (
    SPARK_DAYS,
    article_line,
    chosen_articles,
    day_series,
    label_lines,
)

ANNOTATORS_SHOWN = 12


@dataclass
class StatsReady(Message):
    stats: dict | None
    error: str = ""


class StatsScreen(Screen):
    CSS_PATH = "stats.tcss"
    BINDINGS = [Binding("escape", "close", "Back", id="stats.close"),
                Binding("q", "app.quit", "Quit", id="stats.quit")]

    def __init__(self, config: Config, store: Store, current: str | None = None) -> None:
        super().__init__(id="stats")
        self.config = config
        self.store = store
        self.current = current

    def compose(self) -> ComposeResult:
        yield Static(Content("Progress"), id="stats-title")
        yield VerticalScroll(Static(Content("Counting…"), id="stats-wait"), id="stats-body")
        yield Footer()

    def on_mount(self) -> None:
        self.count()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def count(self) -> None:
        from annotations.stats import compute_stats

        try:
            # A Store of its own: the app's counts its lock depth without a thread lock, so
            # sharing it with the UI thread could let a tag and a recount overlap.
            store = Store.open(self.store.root, create=False)
            self.post_message(StatsReady(compute_stats(store, self.config)))
        except (UserError, OSError) as exc:
            self.post_message(StatsReady(None, str(exc)))

    async def on_stats_ready(self, message: StatsReady) -> None:
        body = self.query_one("#stats-body", VerticalScroll)
        await body.remove_children()
        if message.stats is None:
            await body.mount(Static(untrusted(message.error, "bold $error", multiline=True),
                                    id="stats-error"))
            return
        await body.mount_all(self._widgets(message.stats))

    # -- what is shown ---------------------------------------------------------------
    def _widgets(self, stats: dict) -> list[Widget]:
        pct = stats["progress"] * 100
        widgets: list[Widget] = [Static(Content(
            f"{stats['articles']} articles, {stats['reviewed']} of {stats['sentences']} "
            f"sentences reviewed ({pct:.1f}%), {stats['tagged']} tagged, "
            f"{stats['none_apply']} none apply"), id="stats-total")]
        annotators = list(stats["annotators"].items())[:ANNOTATORS_SHOWN]
        widgets += self._labels(annotators)
        widgets += self._rates(annotators)
        widgets += self._days(stats, annotators)
        widgets += self._articles(stats["per_article"])
        return widgets

    def _labels(self, annotators: list[tuple[str, dict]]) -> list[Widget]:
        colours = {x.name: x.colour for x in self.config.labels}
        most = max((n for _, a in annotators for n in a["labels"].values()), default=0)
        lines: list[Content] = []
        for name, a in annotators:
            lines += label_lines(name, a["labels"], most, colours)
        if not lines:
            lines = [Content("No sentence reviewed yet.")]
        return [_heading("Labels per annotator"),
                Static(Content("\n").join(lines), id="stats-labels")]

    def _rates(self, annotators: list[tuple[str, dict]]) -> list[Widget]:
        lines = []
        for name, a in annotators:
            rate = a["sentences_per_hour"]
            lines.append(untrusted(name or "(no name)", "bold") + Content(
                f"  {a['active_seconds'] / 3600:.2f} h active, "
                + ("no active time recorded" if rate is None else f"{rate:.1f} sentences/h")))
        lines.append(Content(f"(time between keys in the reader; a pause over "
                             f"{IDLE_SECONDS / 60:.0f} minutes does not count)").stylize("dim"))
        return [_heading("Sentences per hour of active time"),
                Static(Content("\n").join(lines), id="stats-rates")]

    def _days(self, stats: dict, annotators: list[tuple[str, dict]]) -> list[Widget]:
        last = max([*stats["days"], today()])
        widgets: list[Widget] = [_heading(f"Tags per day (the last {SPARK_DAYS} days to "
                                          f"{last})")]
        for name, days in [("all", stats["days"])] + [(n, a["days"]) for n, a in annotators]:
            series = day_series(days, last)
            widgets.append(Static(untrusted(name or "(no name)") + Content(
                f"  {int(sum(series))} in {SPARK_DAYS} days, at most {int(max(series))} a day"),
                classes="stats-caption"))
            widgets.append(Sparkline(series, classes="stats-days"))
        return widgets

    def _articles(self, rows: list[ProgressRow]) -> list[Widget]:
        chosen = chosen_articles(rows, self.current)
        lines = [article_line(row, row.id == self.current) for row in chosen]
        if len(rows) > len(chosen):
            lines.append(Content(f"… and {len(rows) - len(chosen)} more (newstag stats "
                                 "lists them all)").stylize("dim"))
        return [_heading("Progress per article"),
                Static(Content("\n").join(lines) if lines else Content("No articles yet."),
                       id="stats-articles")]

    def action_close(self) -> None:
        self.dismiss()


def _heading(text: str) -> Static:
    return Static(Content(text).stylize("bold"), classes="stats-heading")
