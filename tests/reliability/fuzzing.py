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


def run_fuzz(test: Callable[[], None], *, examples: int, tally: Tally, report, check: str, **figures) -> None:
    """Run a @given test for `examples` examples; its row reaches the table even when it fails."""
    try:
        settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))(test)()
    finally:
        report(TABLE, check, **tally.row(), **{name: value() for name, value in figures.items()})
