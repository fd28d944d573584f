"""Making and withdrawing entity rules: checked, counted over the corpus, then stored.

A rule is checked in full before the rules file is written (type, text, scope, and that
the text occurs where the rule speaks unless ``future``); one write under the store's
lock replaces the file. Nothing else changes: articles are corrected as they are read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from annotations.entity_apply import RuleSet, apply_rules
from annotations.entity_rule import Rule
from annotations.entity_rules import (
    check_text,
    check_type,
    load_rules,
    merged,
    write_rules,
)
from annotations.errors import ArgumentError, UserError, brief
from annotations.store import Store, now_iso


@dataclass(slots=True)
class Reach:
    """Where a rule's text occurs in its scope, and how many mentions it changes."""

    mentions: int = 0
    articles: int = 0
    changed: int = 0


def make_rule(store: Store, text: str, label: str | None, config_entities: Iterable[str],
              article_ref: str | None = None, index: int | None = None) -> Rule:
    """A checked rule: its text and type, and its article and sentence if it has them."""
    check_text(text)
    if label is not None:
        check_type(label, config_entities)
    if index is not None and article_ref is None:
        raise ArgumentError("newstag entity: --index needs --article (a sentence of which "
                            "article?)")
    article_id = None
    if article_ref is not None:
        article_id = store.resolve(article_ref).id
        if index is not None:
            sentences = store.summary(article_id)
            count = (sentences.sentences + sentences.headings) if sentences else 0
            if not 0 <= index < count:
                raise UserError(f"article {article_id} has no sentence {index} "
                                f"(0 to {count - 1}; see 'newstag show')")
    return Rule(text, label, article_id, index, now_iso())


def reach(store: Store, rule: Rule,
          progress: Callable[[int, int], None] | None = None) -> Reach:
    """Count the rule's mentions in its scope, reading each article once (no spaCy)."""
    alone = RuleSet([rule])
    ids = [rule.article] if rule.article is not None else [s.id for s in store.summaries()]
    found = Reach()
    for n, article_id in enumerate(ids, start=1):
        article = store.load_article(article_id, corrected=False)
        mentions = [m for m in alone.mentions(article, only=rule.text)
                    if rule.index is None or m[2].index == rule.index]
        if mentions:
            found.mentions += len(mentions)
            found.articles += 1
            found.changed += apply_rules(article, alone).changed[rule.text]
        if progress is not None:
            progress(n, len(ids))
    return found


def add_rule(store: Store, rule: Rule, future: bool = False,
             progress: Callable[[int, int], None] | None = None) -> Reach:
    """Store ``rule`` (replacing one of the same text and scope) once it is known to apply.

    A text that occurs nowhere in its scope is refused unless ``future`` (a rule for
    everywhere kept for articles imported later).
    """
    if future and (rule.article is not None or rule.label is None):
        raise ArgumentError("newstag entity: --future is for 'entity set' everywhere "
                            "(not with --article or --index)")
    found = reach(store, rule, progress)
    if not found.mentions and not future:
        where = "in any article" if rule.article is None else rule.scope.replace(
            "article", "in article", 1)
        hint = "; --future keeps it for articles imported later" if rule.label else ""
        raise UserError(f"entity text {brief(rule.text)} does not occur {where} "
                        f"(as whole words, same case){hint}")
    with store.locked():
        write_rules(store.root, merged(load_rules(store.root), [rule]))
    return found


def forget(store: Store, text: str) -> list[Rule]:
    """Withdraw every rule about ``text`` (every scope); the model's entities come back."""
    check_text(text)
    with store.locked():
        current = load_rules(store.root)
        gone = [r for r in current if r.text == text]
        if not gone:
            raise UserError(f"no entity rule for {brief(text)} (see 'newstag entity rules')")
        write_rules(store.root, [r for r in current if r.text != text])
    return gone


def restore(store: Store, before: Iterable[Rule], text: str,
            expected: Iterable[Rule] | None = None) -> bool:
    """Put back exactly ``before`` as the rules about ``text`` (the reader's undo).

    With ``expected`` (the rules the edit left), nothing is written and False returned
    when the rules about ``text`` are no longer those: another process changed them
    since, and undoing would silently erase that newer change (as for tags)."""
    with store.locked():
        current = load_rules(store.root)
        if expected is not None and \
                {r for r in current if r.text == text} != set(expected):
            return False
        others = [r for r in current if r.text != text]
        write_rules(store.root, [*others, *before])
    return True


def import_rules(store: Store, rules: Iterable[Rule], not_after: str = "",
                 overwrite: bool = False) -> int:
    """Merge rules read from a YAML export (already checked); how many were new or changed.

    As with tags, a re-import never reverts a newer change: a rule of the file replaces
    the one of the same text and scope only when it is newer (its ``created_at``, clamped
    to ``not_after``, the file's time, so a stamp in the future cannot win over later
    changes), or with ``overwrite``.
    """
    rules = list(rules)
    with store.locked():
        current = load_rules(store.root)
        known = {r.key: r for r in current}
        fresh = [r for r in rules if known.get(r.key) is None
                 or (known[r.key].label, known[r.key].created_at) != (r.label, r.created_at)
                 and (overwrite or _newer(r.created_at, known[r.key].created_at, not_after))]
        if fresh:
            write_rules(store.root, merged(current, fresh))
    return len(fresh)


def _newer(theirs: str, ours: str, not_after: str) -> bool:
    """Strictly newer; a local rule without a readable time counts as oldest."""
    from annotations.placing import moment

    mine, incoming, limit = moment(ours), moment(theirs), moment(not_after)
    if mine is None:
        return True
    if incoming is not None and limit is not None:
        incoming = min(incoming, limit)
    return incoming is not None and incoming > mine
