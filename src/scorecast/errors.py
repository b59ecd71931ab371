"""One exception family: every message names the file/row/column/value and what was expected."""

from __future__ import annotations


class ScorecastError(Exception):
    """Base class: the CLI prints the message as one line and exits non-zero."""


class ConfigError(ScorecastError):
    """A config value (conf/ or params.yaml) is missing or has the wrong shape."""


class SourceError(ScorecastError):
    """The raw data could not be fetched, or its checksum does not match."""


class DataValidationError(ScorecastError):
    """The data does not match the dataset's schema; `report` holds every problem found."""

    def __init__(self, message: str, report: dict | None = None) -> None:
        super().__init__(message)
        self.report = report


class MissingArtifactError(ScorecastError):
    """A stage input that an earlier stage should have written is not there."""


class StaleResultsError(ScorecastError):
    """Results on disk do not match the candidates in params.yaml."""


class QualityGateError(ScorecastError):
    """The selected model does not reach the configured minimum CV score."""


class NotExplainable(ScorecastError):
    """The winner cannot be explained exactly for this request: too many rows or input columns for exact
    Shapley values, or no usable typical row to explain against."""
