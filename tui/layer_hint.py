"""A line for a person whose own layer of an article is empty while others tagged it.

`show` (and the reader) show your own layer; with two colleagues' exports imported and
no --annotator given, a newcomer saw an untagged article that `list` counted as
reviewed, and nothing said why. The line names who did tag it and how to see theirs."""

from __future__ import annotations

from annotations.identity import GOLD
from annotations.record_files import ArticleAnnotations

SHOWN_NAMES = 5  # names listed before "and N more"


def layer_hint(layers: ArticleAnnotations, annotator: str) -> str | None:
    """None when ``annotator`` sees something, or nobody else tagged the article."""
    seen = layers.view(annotator)
    if seen.placed or seen.orphans:
        return None
    names = sorted(name for name in layers.layers() if name not in (annotator, GOLD))
    if not names:
        return None
    listed = ", ".join(names[:SHOWN_NAMES])
    if len(names) > SHOWN_NAMES:
        listed += f" and {len(names) - SHOWN_NAMES} more"
    return (f"note: this is {annotator}'s layer, empty here; tagged by {listed}: "
            f"add --annotator NAME (or set $NEWSTAG_ANNOTATOR) to see a layer")
