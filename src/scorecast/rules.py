"""What a setting's value may be: each rule returns None for a good value, else the words for what was
expected, which `params` puts into its one-line error ("split.test_size is 'abc'; expected a number in (0, 1)").
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Callable
from typing import Any

Check = Callable[[Any], str | None]  # None when the value is fine, else what was expected


def number(low: float = -math.inf, high: float = math.inf, *, open_low: bool = False, open_high: bool = False) -> Check:
    left, right = "(" if open_low else "[", ")" if open_high else "]"
    if high == math.inf:
        expected = "a number" if low == -math.inf else f"a number {'>' if open_low else '>='} {low}"
    elif low == -math.inf:
        expected = f"a number {'<' if open_high else '<='} {high}"
    else:
        expected = f"a number in {left}{low}, {high}{right}"

    def check(value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or math.isnan(value):
            return expected
        too_low = value <= low if open_low else value < low
        too_high = value >= high if open_high else value > high
        return expected if too_low or too_high else None

    return check


def is_whole(value: Any) -> bool:
    """An int, numpy's included (a direct caller may pass one), but not a bool."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def whole(minimum: int, maximum: int | None = None) -> Check:
    expected = f"a whole number >= {minimum}" if maximum is None else f"a whole number in [{minimum}, {maximum}]"

    def check(value: Any) -> str | None:
        ok = is_whole(value) and value >= minimum
        return None if ok and (maximum is None or value <= maximum) else expected

    return check


def cores(value: Any) -> str | None:
    """joblib's n_jobs: a count of workers, or -1 for all cores, -2 for all but one, ..."""
    ok = is_whole(value) and value != 0
    return None if ok else "a whole number other than 0 (4: four workers, -1: all cores)"


def one_of(*values: Any) -> Check:
    return lambda value: None if value in values else f"one of {', '.join(map(repr, values))}"


def flag(value: Any) -> str | None:
    return None if isinstance(value, bool) else "true or false"


def text(value: Any) -> str | None:
    return None if isinstance(value, str) and value.strip() else "a non-empty string"


def because(check: Check, reason: str) -> Check:
    """`check` with the reason behind its bound, for a bound a user may not see at once."""
    return lambda value: None if (expected := check(value)) is None else f"{expected} ({reason})"


def optional(check: Check) -> Check:
    return lambda value: None if value is None else check(value)


def model_name(value: Any) -> str | None:
    ok = isinstance(value, str) and re.fullmatch(r"[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?", value)
    return None if ok else "a BentoML model name: lowercase letters, digits, '.', '_' or '-'"


def r2(value: Any) -> str | None:
    return None if value == "r2" else "'r2' (the quality gate select.min_cv_r2 and metrics.json's cv.r2 are R²)"
