"""Progress per annotator: what ``newstag stats`` and the stats screen add to the totals.

Everything comes from the kept counts (one row per article, annotations/counts.py) and
the active time (annotations/activity.py): no annotation file is opened, so the cost
does not grow with the number of annotations.

- label distribution, reviewed, tagged and none-apply per annotator;
- tags per day: sentences reviewed, by the UTC day of their last change, per annotator
  and in all;
- active time per annotator and day, and sentences per hour of active time. The rate
  is taken over the days that have active time only: sentences tagged on a day when
  no reader ran (``newstag tag`` in a script, an import) would otherwise count as work
  done in no time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from annotations.activity import IDLE_SECONDS, ActivityRow, seconds_by_annotator
from annotations.annotator_counts import AnnotatorCounts


def merge_annotators(rows: Iterable[dict[str, AnnotatorCounts]]
                     ) -> dict[str, AnnotatorCounts]:
    """The articles' per-annotator counts added up, annotators by name."""
    total: dict[str, AnnotatorCounts] = {}
    for per_article in rows:
        for name, c in per_article.items():
            t = total.get(name)
            if t is None:
                t = total[name] = AnnotatorCounts(0, 0, 0, {}, {})
            t.reviewed += c.reviewed
            t.tagged += c.tagged
            t.none_apply += c.none_apply
            for label, n in c.labels.items():
                t.labels[label] = t.labels.get(label, 0) + n
            for day, n in c.days.items():
                t.days[day] = t.days.get(day, 0) + n
    return total


def sentences_per_hour(days: dict[str, int], active: dict[str, float]) -> float | None:
    """Sentences reviewed per hour of active time, over the days with active time
    (None when there is none)."""
    seconds = sum(active.values())
    if seconds <= 0:
        return None
    reviewed = sum(n for day, n in days.items() if active.get(day, 0) > 0)
    return round(reviewed * 3600 / seconds, 2)


def annotator_stats(per_article: Iterable[dict[str, AnnotatorCounts]],
                    activity: Sequence[ActivityRow], label_names: Sequence[str]) -> dict:
    """The new keys of ``stats --json``: ``annotators``, ``days`` and ``idle_after_seconds``.

    ``annotators``: name -> reviewed, tagged, none_apply, labels (configured ones first,
    zero included, then the others by name), days (day -> reviewed), active_seconds,
    active_days (day -> seconds) and sentences_per_hour (null without active time).
    ``days``: day -> reviewed, all annotators together. Names and days are sorted.
    """
    counts = merge_annotators(per_article)
    active = seconds_by_annotator(activity)
    annotators = {}
    for name in sorted(set(counts) | set(active)):
        c = counts.get(name) or AnnotatorCounts(0, 0, 0, {}, {})
        seconds = active.get(name, {})
        labels = {label: c.labels.get(label, 0) for label in label_names}
        # Then the others by name: the order of the shards summed says nothing.
        labels.update({k: v for k, v in sorted(c.labels.items()) if k not in labels})
        annotators[name] = {
            "reviewed": c.reviewed, "tagged": c.tagged, "none_apply": c.none_apply,
            "labels": labels, "days": dict(sorted(c.days.items())),
            "active_seconds": round(sum(seconds.values()), 3),
            "active_days": {day: round(s, 3) for day, s in sorted(seconds.items())},
            "sentences_per_hour": sentences_per_hour(c.days, seconds),
        }
    days: dict[str, int] = {}
    for c in counts.values():
        for day, n in c.days.items():
            days[day] = days.get(day, 0) + n
    return {"annotators": annotators, "days": dict(sorted(days.items())),
            "idle_after_seconds": IDLE_SECONDS}


def article_progress(reviewed: int, sentences: int) -> float:
    """Reviewed out of taggable sentences, as `stats` rounds it."""
    return round(reviewed / sentences, 4) if sentences else 0.0


DAYS_SHOWN = 14  # the human output lists the latest days; --json has them all


def progress_lines(stats: dict) -> list[str]:
    """What `newstag stats` prints of the per-annotator keys, after the totals."""
    lines = []
    if stats["annotators"]:
        lines.append("annotators:")
    for name, a in stats["annotators"].items():
        rate = a["sentences_per_hour"]
        hours = f"active {a['active_seconds'] / 3600:.2f} h"
        lines.append(f"  {name or '(no name)'}: {a['reviewed']} reviewed, {a['tagged']} "
                     f"tagged, {a['none_apply']} none apply; {hours}, "
                     + ("no active time recorded" if rate is None
                        else f"{rate:.1f} sentences/h"))
        labels = ", ".join(f"{label} {n}" for label, n in a["labels"].items())
        if labels:
            lines.append(f"    {labels}")
    days = list(stats["days"].items())
    if days:
        lines.append("tags per day (sentences reviewed, by the UTC day of their last change):")
        if len(days) > DAYS_SHOWN:
            lines.append(f"  ... {len(days) - DAYS_SHOWN} earlier days (see --json)")
        for day, n in days[-DAYS_SHOWN:]:
            who = ", ".join(f"{name or '(no name)'} {a['days'][day]}"
                            for name, a in stats["annotators"].items() if day in a["days"])
            lines.append(f"  {day} {n:>5}  ({who})")
    return lines
