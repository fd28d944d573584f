"""The check of one stored or imported entity rule (pydantic), apart from
``annotations.entity_rules`` so that only reading a rules file imports pydantic."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from pydantic import ValidationError as SchemaError

from annotations.entity_rule import LABEL_PATTERN, MAX_RULE_TEXT, Rule, text_problem


def _checked_text(text: str) -> str:
    problem = text_problem(text)
    if problem:
        raise ValueError(problem)
    return text


RuleText = Annotated[str, Field(max_length=MAX_RULE_TEXT * 4)]
Label = Annotated[str, StringConstraints(pattern=LABEL_PATTERN)]


class RuleRecord(BaseModel):
    """One stored (or imported) rule, checked in full."""

    model_config = ConfigDict(extra="forbid", strict=True)

    text: RuleText
    label: Label | None = None  # None: the text is not an entity
    article: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    index: Annotated[int, Field(ge=0, le=10**9)] | None = None
    created_at: Annotated[str, Field(max_length=40)] = ""

    def rule(self) -> Rule:
        _checked_text(self.text)
        if self.index is not None and self.article is None:
            raise ValueError("a sentence index needs an article")
        return Rule(self.text, self.label, self.article, self.index, self.created_at)


def check_record(row: Any) -> tuple[str, Rule | None]:
    """``("", rule)`` for a valid record, else ``(its first problem, None)``."""
    try:
        return "", RuleRecord.model_validate(row).rule()
    except SchemaError as exc:
        error = exc.errors()[0]
        where = ".".join(str(x) for x in error["loc"]) or "record"
        return f"{where}: {error['msg']}", None
    except ValueError as exc:
        return str(exc), None
