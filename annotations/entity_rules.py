"""Entity corrections: rules about a piece of text, kept in ``entity-rules.json``.

A rule says "TEXT is TYPE" (``label`` set) or "TEXT is not an entity" (``label`` None),
everywhere, in one article, or in one sentence of one article. Rules are stored apart from
the articles: the model's entities stay as spaCy gave them in ``articles/<id>.json`` and
the rules are laid over them whenever an article is read (``annotations.entity_apply``),
so withdrawing a rule restores the model's output and no article file is rewritten.

The file is a TinyDB file in the database folder, read through the safe read path and
written atomically through the folder's path gate, like every other data file. Every
record is checked before it is trusted: a hostile file is one line, never a traceback.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from annotations import dbfiles
from annotations.atomic_io import AtomicJSONStorage, CorruptFile, read_json_tables
from annotations.entity_rule import Rule, text_problem
from annotations.errors import UserError, brief

RULES_FILE = "entity-rules.json"
MAX_RULES = 100_000
# spaCy's English NER labels (OntoNotes 5): a correction may use any of them, plus any
# type the config highlights (a custom model may have its own).
SPACY_LABELS = ("PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT",
                "WORK_OF_ART", "LAW", "LANGUAGE", "DATE", "TIME", "PERCENT", "MONEY",
                "QUANTITY", "ORDINAL", "CARDINAL")


def allowed_types(config_entities: Iterable[str]) -> list[str]:
    return list(dict.fromkeys([*config_entities, *SPACY_LABELS]))


def check_type(label: str, config_entities: Iterable[str]) -> None:
    types = allowed_types(config_entities)
    if label not in types:
        raise UserError(f"unknown entity type {brief(label)} (use one of: {', '.join(types)})")


def check_text(text: str) -> None:
    problem = text_problem(text)
    if problem:
        raise UserError(f"entity text {brief(text)}: {problem}")


def rules_path(root: Path) -> Path:
    return dbfiles.inside(root, RULES_FILE)


# Parsed rules per file version: an export reads every article, and each read applies
# the rules; the file is parsed once per version (inode, mtime, size), not per article.
_cache: dict[Path, tuple[tuple[int, int, int], tuple[Rule, ...]]] = {}


def load_rules(root: Path) -> tuple[Rule, ...]:
    """The rules in force (none when the file does not exist)."""
    path = rules_path(root)
    try:
        st = path.stat()
    except FileNotFoundError:
        return ()
    signature = (st.st_ino, st.st_mtime_ns, st.st_size)
    cached = _cache.get(path)
    if cached is not None and cached[0] == signature:
        return cached[1]
    rules = parse_rules(path, read_json_tables(path) or {})
    _cache[path] = (signature, rules)
    return rules


def parse_rules(path: Path, tables: dict) -> tuple[Rule, ...]:
    # The record check (pydantic) is imported only when a rules file is read: every
    # start of the reader imports this module, few databases have rules (issue 9).
    from annotations.entity_rule_record import check_record

    rows = tables.get("rules", {})
    if len(rows) > MAX_RULES:
        raise CorruptFile(path, f"more than {MAX_RULES:,} rules")
    rules: dict[tuple, Rule] = {}
    for doc_id, row in rows.items():
        problem, rule = check_record(row)
        if rule is None:
            raise CorruptFile(path, f"rule {brief(doc_id)} is not an entity rule ({problem})")
        rules[rule.key] = rule
    return tuple(rules.values())


def write_rules(root: Path, rules: Iterable[Rule]) -> None:
    """Replace the rules (the caller holds the store's lock)."""
    table = {str(i + 1): rule.record() for i, rule in enumerate(rules)}
    AtomicJSONStorage(rules_path(root), root=root).write({"rules": table})


def merged(current: Iterable[Rule], new: Iterable[Rule]) -> list[Rule]:
    """``current`` with each new rule replacing the one of the same text and scope."""
    by_key = {rule.key: rule for rule in current}
    for rule in new:
        by_key[rule.key] = rule
    return list(by_key.values())
