"""The reader's keys the Textual way: bindings with ids, the config's keys as a keymap.

Each label is a slot: the reader declares ``reader.label.1`` … ``reader.label.9`` (at most
``MAX_LABELS`` labels, a limit the config enforces) and the app applies the configured
keys with ``App.set_keymap``, as Posting does. The keys a label may not take are read
from the bindings themselves (``reserved_keys``), so a new reader key can never be
shadowed by a label that was valid before it existed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from functools import cache

from textual.binding import ActiveBinding, Binding
from textual.dom import DOMNode
from textual.keys import format_key

from annotations.config import MAX_LABELS, Config, LabelSpec
from annotations.errors import ConfigError, brief
from annotations.text import printable
from tui.safe_text import untrusted

LABEL_ACTION = "label"


def label_slot_id(slot: int) -> str:
    return f"reader.label.{slot}"


def label_slots() -> list[Binding]:
    """One binding per label slot; a slot without a label is hidden (check_action)."""
    return [Binding(str(slot), f"{LABEL_ACTION}({slot})", f"Label {slot}",
                    id=label_slot_id(slot)) for slot in range(1, MAX_LABELS + 1)]


def declared_bindings(*owners: type[DOMNode]) -> list[Binding]:
    """Every binding the classes declare, their base classes' first (as Textual merges them)."""
    result: list[Binding] = []
    for owner in owners:
        for base in reversed(owner.__mro__):
            result.extend(Binding.make_bindings(base.__dict__.get("BINDINGS", [])))
    return result


def with_keymap(bindings: Iterable[Binding], keymap: Mapping[str, str]) -> list[Binding]:
    """The bindings with the keys the keymap gives their ids (what a key press will find)."""
    result = []
    for binding in bindings:
        keys = keymap.get(binding.id or "")
        if keys:
            result += [binding.with_key(key.strip()) for key in keys.split(",")]
        else:
            result.append(binding)
    return result


def same_key(key: str) -> str:
    """One spelling per key: "/" and "slash", "?" and "question_mark" are the same key."""
    return format_key(key)


def reserved_keys(bindings: Iterable[Binding]) -> dict[str, Binding]:
    """The keys taken by the bindings that are not label slots, by their one spelling."""
    return {same_key(b.key): b for b in bindings if not is_label_slot(b.id or "")}


def reader_keymap(config: Config, bindings: Iterable[Binding]) -> dict[str, str]:
    """The keymap for ``App.set_keymap``: the config's ``keys:`` and each label's key on its slot.

    ``bindings`` are every binding active in the reader (its own, its base classes', the
    app's). A remap to an unknown id, or a key that another binding uses, is a config
    error naming the file and the setting: the bindings decide, not a list kept by hand.
    """
    bindings = list(bindings)
    known = {b.id for b in bindings if b.id and not is_label_slot(b.id)}
    for binding_id in config.keys:
        if binding_id not in known:
            raise ConfigError(config.path, f"keys.{binding_id}",
                              f"no such key binding (known: {', '.join(sorted(known))})")
    effective = with_keymap(bindings, config.keys)
    for binding_id, keys in config.keys.items():
        others = reserved_keys(b for b in effective if b.id != binding_id)
        for key in keys.split(","):
            _refuse_taken(config, f"keys.{binding_id}", key.strip(), others)
    taken = reserved_keys(effective)
    keymap = dict(config.keys)
    for slot, label in enumerate(config.labels, start=1):
        _refuse_taken(config, f"labels[{slot - 1}].key", label.key, taken)
        keymap[label_slot_id(slot)] = label.key
    return keymap


def is_label_slot(binding_id: str) -> bool:
    return binding_id.startswith("reader.label.")


def _refuse_taken(config: Config, where: str, key: str, taken: dict[str, Binding]) -> None:
    owner = taken.get(same_key(key))
    if owner is not None:
        what = owner.description or owner.action
        raise ConfigError(config.path, where, f"{brief(key)} is already the reader's key "
                                              f"for {brief(what)}; choose another key")


def labelled_in_order(active: dict[str, ActiveBinding], screen: DOMNode,
                      labels: Sequence[LabelSpec]) -> dict[str, ActiveBinding]:
    """``screen``'s active bindings with each label slot named for its label, in the
    order ``screen`` declares them.

    A keymap moves the bindings it rebinds to the end of Textual's map; the footer keeps
    the order of BINDINGS (labels first) whatever keys the config gives them.
    """
    for key, (node, binding, enabled, tooltip) in active.items():
        if node is screen and is_label_slot(binding.id or ""):
            label = labels[int((binding.id or "").rsplit(".", 1)[1]) - 1]
            binding = replace(binding, description=label.name.capitalize(),
                              key_display=printable(label.key))
            # The Footer shows a str tooltip as markup; Content is shown as it is.
            tooltip = untrusted(label.description)  # type: ignore[assignment]
            active[key] = ActiveBinding(node, binding, enabled, tooltip)
    # Re-sort the screen's own bindings among themselves; the others keep their place.
    order = _declared_order(type(screen))
    items = list(active.items())
    mine = [i for i, (_, a) in enumerate(items) if a.node is screen]
    ranked = sorted((items[i] for i in mine),
                    key=lambda item: order.get(item[1].binding.id or "", len(order)))
    for i, item in zip(mine, ranked, strict=True):
        items[i] = item
    return dict(items)


@cache
def _declared_order(owner: type[DOMNode]) -> dict[str, int]:
    """Each binding id of ``owner`` (and its base classes) by where it is declared."""
    order: dict[str, int] = {}
    for binding in declared_bindings(owner):
        if binding.id:
            order.setdefault(binding.id, len(order))
    return order
