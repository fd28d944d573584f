"""Tagging from the reader: every change saved at once, with undo and redo."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from annotations.config import Config
from annotations.model import Article, ReviewState, SentenceAnnotation
from annotations.store import ArticleAnnotations, Store
from annotations.tagging import TagChange, changed_annotation, check_sentence, next_stamp

if TYPE_CHECKING:  # made only by the entity editor: not imported on the way to the reader
    from annotations.entity_undo import RuleEdit


@dataclass(frozen=True, slots=True)
class Edit:
    """One saved change: the sentence's annotation before and after it."""

    article_id: str
    index: int
    before: SentenceAnnotation | None
    after: SentenceAnnotation | None
    # The article's text when the edit was made: an import of an edited version moves
    # annotations to other sentence numbers, and the index would then name another one.
    content_id: str = ""
    # The layer it was made in (TaggingSession.layer): undone there whatever is active now.
    layer: str | None = None


class TaggingSession:
    """Applies the reader's changes through the store and remembers them for undo."""

    def __init__(self, store: Store, config: Config) -> None:
        self.store = store
        self.config = config
        self.undo_stack: list = []  # Edit, or RuleEdit (an entity correction)
        self.redo_stack: list = []
        # The layer the reader writes: None the store's active one (the annotator's own),
        # identity.GOLD while adjudicating. The annotator recorded is the config's always.
        self.layer: str | None = None

    def placed(self, current: ArticleAnnotations,
               layer: str | None = None) -> dict[int, SentenceAnnotation]:
        """The sentences of the layer this session writes (or of ``layer``)."""
        name = self.layer if layer is None else layer
        return current.placed if name is None else current.layer(name).placed

    # The reader's view of the article can be a second old (another process may have
    # tagged since), so every change starts from the store's copy, read inside the
    # article's transaction; the view is not an input.
    def change(self, article: Article, index: int, change: TagChange) -> SentenceAnnotation | None:
        """Apply ``change`` to sentence ``index``; returns the stored annotation (or None)."""
        check_sentence(article, index)
        with self.store.annotations_of(article.id) as current:
            before = self.placed(current).get(index)
            after = changed_annotation(before, article, index, change, self.config.annotator,
                                       self.config)
            stored = _effective(after)
            _set(self.placed(current), index, stored)
        self.undo_stack.append(Edit(article.id, index, before, stored,
                                    self._content_id(article.id), self.layer))
        self.redo_stack.clear()
        return stored

    def toggle_label(self, article: Article, index: int, label: str) -> SentenceAnnotation | None:
        with self.store.annotations_of(article.id) as current:
            placed = self.placed(current)
            labels = list(placed[index].labels) if index in placed else []
            labels = [x for x in labels if x != label] if label in labels else labels + [label]
            if labels:
                return self.change(article, index, TagChange(
                    article.id, index, labels=tuple(labels)))
            # The last label removed: back to unreviewed, as it was before any label.
            return self.change(article, index, TagChange(article.id, index,
                                                                      clear=True))

    def confirm(self, article: Article, index: int) -> SentenceAnnotation | None:
        """Reviewed as it is: with its labels, or with none."""
        with self.store.annotations_of(article.id) as current:
            annotation = self.placed(current).get(index)
            if annotation and annotation.labels:
                if annotation.state is ReviewState.REVIEWED:
                    return annotation
                return self.change(article, index, TagChange(
                    article.id, index, labels=tuple(annotation.labels)))
            return self.change(article, index,
                               TagChange(article.id, index, none=True))

    def record(self, edit: RuleEdit) -> None:
        """An entity correction made in the reader: undone and redone in turn with tags."""
        self.undo_stack.append(edit)
        self.redo_stack.clear()

    def undo(self) -> Edit | RuleEdit | None:
        """Put the sentence back as it was before the last change.

        Raises ChangedSince, and forgets the change, when the sentence is no longer as
        that change left it: another process (``newstag tag``, an import) changed it
        since, and undoing would silently erase that newer change.
        """
        if not self.undo_stack:
            return None
        if not isinstance(self.undo_stack[-1], Edit):  # an entity correction (RuleEdit)
            rule_edit = self.undo_stack.pop()
            if not rule_edit.revert(self.store):
                raise RulesChangedSince(rule_edit)
            self.redo_stack.append(rule_edit)
            return rule_edit
        edit = self.undo_stack.pop()
        written = self._write(edit, expected=edit.after, new=edit.before)
        edit = replace(edit, before=written)
        self.redo_stack.append(edit)
        return edit

    def redo(self) -> Edit | RuleEdit | None:
        if not self.redo_stack:
            return None
        if not isinstance(self.redo_stack[-1], Edit):  # a RuleEdit
            rule_edit = self.redo_stack.pop()
            if not rule_edit.reapply(self.store):
                raise RulesChangedSince(rule_edit)
            self.undo_stack.append(rule_edit)
            return rule_edit
        edit = self.redo_stack.pop()
        written = self._write(edit, expected=edit.before, new=edit.after)
        edit = replace(edit, after=written)
        self.undo_stack.append(edit)
        return edit

    def _write(self, edit: Edit, expected: SentenceAnnotation | None,
               new: SentenceAnnotation | None) -> SentenceAnnotation | None:
        """Write ``new`` (as a change made now) if the sentence is still ``expected``."""
        with self.store.annotations_of(edit.article_id) as current:
            if self._content_id(edit.article_id) != edit.content_id:
                raise ChangedSince(edit, "is in an article that was imported again since")
            # The edit's own layer, whichever the session writes now.
            placed = current.placed if edit.layer is None else current.layer(edit.layer).placed
            stored = placed.get(edit.index)
            if _says(stored) != _says(expected):
                raise ChangedSince(edit)
            # An undo is a change made now: stamped after what it replaces, so a
            # re-import of a file holding the undone version cannot bring it back.
            if new is not None:
                previous = stored.updated_at if stored is not None else ""
                new = replace(new, updated_at=next_stamp(previous))
            _set(placed, edit.index, new)
        return new


    def _content_id(self, article_id: str) -> str:
        summary = self.store.summary(article_id)
        return summary.content_id if summary is not None else ""


class ChangedSince(Exception):
    """An undo or redo refused: the sentence was changed elsewhere after the edit."""

    def __init__(self, edit: Edit, why: str = "was changed elsewhere since") -> None:
        super().__init__(f"sentence {edit.index} {why}; left as it is now")
        self.edit = edit



class RulesChangedSince(ChangedSince):
    """An entity correction's undo or redo refused: the rules about its text were
    changed elsewhere (``newstag entity``, an import, another reader) after it."""

    def __init__(self, edit: RuleEdit) -> None:
        Exception.__init__(self, f"the correction of {edit.text} was changed elsewhere "
                           "since; left as it is now")
        self.edit = edit  # type: ignore[assignment]  # the reader reads its article_id

def _says(annotation: SentenceAnnotation | None) -> tuple | None:
    """An undo restamps what it writes back: compare what annotations say, not when."""
    return annotation.says() if annotation is not None else None


def _set(placed: dict[int, SentenceAnnotation], index: int,
         annotation: SentenceAnnotation | None) -> None:
    """As ``ArticleAnnotations.put``/``remove`` on one layer: None (saying nothing, see
    ``_effective``) removes the sentence's annotation."""
    if annotation is None:
        placed.pop(index, None)
    else:
        placed[index] = annotation


def _effective(annotation: SentenceAnnotation) -> SentenceAnnotation | None:
    """None when the annotation says nothing (the store does not keep it)."""
    if annotation.state is ReviewState.UNREVIEWED and not annotation.note:
        return None
    return replace(annotation)
