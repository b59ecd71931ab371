"""What both fuzzing tiers share: counting answers by class, and running a Hypothesis test under the budget."""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import HealthCheck, settings

TABLE = "service under fuzzing and load"  # rows of the table printed at the end of the run


class Tally:
    """Answers counted by class, for the reliability table."""

    def __init__(self) -> None:
        self.sent = self.client_errors = self.server_errors = 0

    def count(self, status: int) -> None:
        self.sent += 1
        self.client_errors += 400 <= status < 500
        self.server_errors += status >= 500

    def row(self) -> dict[str, int]:
        return {"requests": self.sent, "4xx": self.client_errors, "5xx": self.server_errors}


def run_fuzz(
    test: Callable[[], None], *, budget: dict, tally: Tally, report, check: str, examples: int | None = None, **figures
) -> None:
    """Run a @given test for the budget's examples (or `examples`); its row reaches the table even when it fails.

    Inside `make test` the examples are derandomized, so CI checks the same inputs on every run and a red CI
    means a change, not luck; `make reliability` draws fresh ones each run to find what those miss.
    """
    chosen = settings(
        max_examples=examples or int(budget["examples"]),
        derandomize=bool(budget["derandomize"]),
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    try:
        chosen(test)()
    finally:
        report(TABLE, check, **tally.row(), **{name: value() for name, value in figures.items()})
