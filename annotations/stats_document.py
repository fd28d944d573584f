"""``newstag stats --json`` as the text it prints: the kept corpus totals
(annotations/corpus_totals.py) and the kept ``per_article`` rows
(annotations/kept_listing.py), both flat with the corpus but for the rows printed."""

from __future__ import annotations

import msgspec

from annotations.config import Config
from annotations.counts_stamp import stamp
from annotations.kept_listing import kept_listing
from annotations.listing_pieces import STATS_JSON, formatted
from annotations.stats import TAIL_KEYS, summary_stats
from annotations.store import Store

# The per-article rows' place in the document formatted without them: the first key
# at the top level (indent 2) whose value is an empty list (a label or an annotator
# named per_article sits deeper, indented further).
_PLACE = '\n  "per_article": []'


def stats_json_text(store: Store, config: Config) -> list[bytes | memoryview] | None:
    """What ``compute_stats`` gives, formatted as ``json_rows`` formats it (the totals and
    the rows read in the same state of the counts: read again, at most twice more, when
    a tag elsewhere changed a shard meanwhile); None when it cannot be made this way (a
    lone surrogate: the caller takes json's path). In parts, as UTF-8: 6 MB are not
    copied once more to make them one."""
    kept = None
    for _ in range(3):
        before = stamp(store)
        totals = summary_stats(store, config)
        if (kept := kept_listing(store, STATS_JSON)) is None:
            return None
        if before is None or stamp(store) == before:  # None: nothing to compare
            break
    if kept is None:
        return None
    stats = {k: v for k, v in totals.items() if k not in TAIL_KEYS}
    stats["per_article"] = []
    try:
        text = formatted(stats | {k: totals[k] for k in TAIL_KEYS})
    except (msgspec.EncodeError, UnicodeEncodeError):
        return None
    before_rows, after_rows = text.split(_PLACE, 1)
    return [before_rows.encode(), b'\n  "per_article": ', *STATS_JSON.document(kept.rows),
            after_rows.encode()]
