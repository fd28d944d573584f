"""Importing annotation files: one reader per format above one placing core.

A reader (``yaml_export``, ``prodigy``, ``doccano``; ``annotations.interchange`` names
them) parses and validates the whole file (nothing is written when it is refused);
``apply`` then creates the articles a YAML export carries and merges the annotations,
one store transaction per article (``annotations.placing``).
"""

from __future__ import annotations

from collections.abc import Callable

from annotations.importing.files import ImportFileError, ParsedFile
from annotations.placing import ImportReport, MergeRule, import_incoming
from annotations.store import Store

__all__ = ["ImportFileError", "ParsedFile", "apply"]


def apply(store: Store, parsed: ParsedFile, label_names: list[str], annotator: str,
          load_nlp: Callable[[], object], overwrite: bool = False) -> ImportReport:
    """Write what a reader validated: articles first, then annotations per article."""
    report = ImportReport(skipped=parsed.skipped)
    known = {s.id for s in store.summaries()}
    todo = [d for d in parsed.new_articles if d.given_id not in known]
    if todo:
        from annotations.ingest import import_documents  # spaCy, only when needed

        report.created_articles = import_documents(store, todo, load_nlp).added
        known = {s.id for s in store.summaries()}
    if parsed.names_articles:
        report.missing_articles = list(dict.fromkeys(
            i.article_id for i in parsed.incoming if i.article_id and i.article_id not in known))
    if parsed.entity_rules:
        from annotations.entity_corrections import import_rules

        report.entity_rules = import_rules(store, parsed.entity_rules, parsed.file_time,
                                           overwrite)
    rule = MergeRule(parsed.file_time, overwrite, annotator)
    return import_incoming(store, parsed.incoming, rule, label_names, report)
