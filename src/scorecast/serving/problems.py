"""One error shape for every 4xx, so clients parse failures the same way on every endpoint."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from scorecast.errors import ScorecastError

JSON_TYPE = "application/json"
JSON_WORDS = {None: "null", True: "true", False: "false"}


@dataclass(frozen=True)
class Problem:
    """One bad value: where it is (`where`: index/field for JSON, row/line/column for CSV) and what was allowed."""

    where: dict[str, Any]
    value: Any
    expected: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {**self.where, "value": self.value, "expected": self.expected, "message": self.message}


@dataclass(eq=False)
class RequestError(ScorecastError):
    """A client error: becomes `{"error": message, "detail": [problems]}` with `status`."""

    status: int
    message: str
    problems: list[Problem] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.message

    @classmethod
    def invalid(cls, problems: list[Problem], status: int = 400) -> RequestError:
        first = problems[0].message
        more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
        return cls(status, f"{first}{more}", problems)

    def body(self) -> bytes:
        return error_body(self.message, [p.to_dict() for p in self.problems])


def error_body(message: str, detail: list[dict[str, Any]] | None = None) -> bytes:
    return json.dumps(_json_safe({"error": message, "detail": detail or []}), default=str).encode()


def _json_safe(value: Any) -> Any:
    """Non-finite numbers as text: json.dumps would write NaN or Infinity, which no strict JSON parser reads."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value


def show(value: Any) -> str:
    """A short, safe rendering of a client value for messages; null, true and false as the JSON sent them."""
    text = JSON_WORDS.get(value, repr(value)) if isinstance(value, bool | None) else repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
