"""``newstag entities`` and ``newstag entity set|drop|rules|forget``: parsers and bodies.

Headless: neither Textual nor spaCy is imported (rules match stored text by regular
expression, annotations/entity_apply.py).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from annotations.config import Config
from annotations.errors import ArgumentError, UserError
from annotations.store import Store
from tui.output import json_out, out


def add_parsers(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("entities", parents=[common], help="every entity text in the corpus")
    p.add_argument("--json", action="store_true")
    p.add_argument("--label", metavar="TYPE", help="only this entity type")
    p.add_argument("--text", metavar="TEXT", help="only texts containing TEXT (any case)")

    p = sub.add_parser("entity", parents=[common], help="correct entities: set, drop, rules, "
                       "forget")
    verbs = p.add_subparsers(dest="verb", parser_class=type(p), required=True)
    v = verbs.add_parser("set", parents=[common], help="TEXT is TYPE (everywhere by default)")
    v.add_argument("text", metavar="TEXT")
    v.add_argument("type", metavar="TYPE")
    _scope(v)
    v.add_argument("--future", action="store_true",
                   help="keep the rule even though TEXT occurs nowhere yet")
    v = verbs.add_parser("drop", parents=[common], help="TEXT is not an entity")
    v.add_argument("text", metavar="TEXT")
    _scope(v)
    v = verbs.add_parser("rules", parents=[common], help="the corrections in force")
    v.add_argument("--json", action="store_true")
    v = verbs.add_parser("forget", parents=[common], help="withdraw the corrections for TEXT")
    v.add_argument("text", metavar="TEXT")


def _scope(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--article", metavar="ID", help="only in this article")
    parser.add_argument("--index", metavar="N", type=int, help="only in this sentence "
                        "(with --article)")


def cmd_entities(args: argparse.Namespace, config: Config, store: Store) -> int:
    from annotations.entity_index import corpus_entities

    label = _type(args.label, config) if args.label else None
    rows = corpus_entities(store, label, args.text)
    if args.json:
        json_out([r.record() for r in rows])
        return 0
    if not rows:
        out("no entities" + (" match" if args.label or args.text else " in the database"))
        return 0
    out(f"{'MENTIONS':>8} {'ARTICLES':>8} {'CORRECTED':>9}  {'TYPE':<12} TEXT")
    for r in rows:
        out(f"{r.mentions:>8} {len(r.articles):>8} {r.corrected:>9}  {r.label:<12} {r.text}")
    return 0


def _type(label: str, config: Config) -> str:
    """An entity type as given, or upper-cased when that is a known one ("person")."""
    from annotations.entity_rules import allowed_types

    types = allowed_types(config.entities)
    return label.upper() if label not in types and label.upper() in types else label


def cmd_entity(args: argparse.Namespace, config: Config, db: Path) -> int:
    from annotations.entity_corrections import add_rule, forget, make_rule
    from annotations.entity_rules import load_rules
    from annotations.interchange import plural

    if not Store(db).exists:
        raise UserError(f"{db}: no database here yet (import articles first)")
    if args.verb == "rules":
        rules = load_rules(Store.open(db, create=False).root)
        if args.json:
            json_out([r.record() for r in rules])
        elif not rules:
            out("no entity rules (add one with 'newstag entity set TEXT TYPE')")
        for r in rules if not args.json else ():
            out(f"{r.label or 'not an entity':<14} {r.text}  ({r.scope})")
        return 0
    store = Store.open(db)
    if args.verb == "forget":
        gone = forget(store, args.text)
        out(f"forgot {len(gone)} rule{'s' if len(gone) > 1 else ''} for {args.text}: "
            "the model's entities are back")
        return 0
    label = _type(args.type, config) if args.verb == "set" else None
    if args.verb == "drop" and getattr(args, "future", False):
        raise ArgumentError("newstag entity drop: --future is for 'entity set'")
    rule = make_rule(store, args.text, label, config.entities, args.article, args.index)
    found = add_rule(store, rule, future=getattr(args, "future", False))
    what = f"is {label}" if label else "is not an entity"
    if found.mentions:
        out(f"{args.text} {what} ({rule.scope}): {plural(found.mentions, 'mention')} in "
            f"{plural(found.articles, 'article')}, {found.changed} changed")
    else:
        out(f"{args.text} {what} ({rule.scope}): kept for articles imported later "
            "(no mention yet)")
    return 0
