"""Read a CSV as text cells: the one reader behind `validate` (the raw data) and `/predict_csv` (uploads).

Every cell stays text, so validation (not pandas) decides what a bad value is. Blank lines stay rows, and
the index is the line each row starts on, so messages name the file's own lines even after a quoted value
that spans lines. A row with more fields than the header is refused with its
line number: pandas would otherwise take the first column as an index (every value shifted one column left)
or, told not to, drop the extra values without a word. A header naming a column twice is refused too.
"""

from __future__ import annotations

import csv
import io
import warnings

import pandas as pd

from scorecast.errors import DataValidationError


def decode(data: bytes, name: str) -> str:
    """A CSV file's text, refusing binary files (spreadsheets, images) and text that is not UTF-8."""
    if b"\x00" in data[:65536]:
        raise DataValidationError(f"{name}: binary content, not a CSV text file; expected a .csv file (text/csv)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise DataValidationError(f"{name}: not UTF-8 text at byte {err.start}; expected a UTF-8 .csv file") from err


def blank_rows(frame: pd.DataFrame) -> pd.Series:
    """Rows with nothing but spaces in every cell: a stray line or an export's padding, not data."""
    return frame.fillna("").apply(lambda column: column.str.strip().eq("")).all(axis=1)


def read_cells(text: str, name: str) -> pd.DataFrame:
    """`text` (a whole CSV file) as a frame of str cells indexed by their line in the file; `name` is how
    messages call the file."""
    if not text.strip():
        raise DataValidationError(f"{name}: the file is empty; expected a header row and data rows")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(
                io.StringIO(text), dtype=str, keep_default_na=False, skip_blank_lines=False, index_col=False
            )
    except (pd.errors.ParserWarning, pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error) as err:
        problem = long_row(text) or f"not a readable CSV ({str(err).splitlines()[0]})"
        raise DataValidationError(f"{name}: {problem}") from None
    twice = repeated_name(text)
    if twice:
        raise DataValidationError(f"{name}: {twice}; expected each column name once")
    if len(frame.columns) == 1:
        try:
            delimiter = csv.Sniffer().sniff(str(frame.columns[0]), delimiters=";\t|").delimiter
        except csv.Error:
            delimiter = None
        if delimiter:
            raise DataValidationError(f"{name}: columns are separated by {delimiter!r}; expected ','")
    frame.index = start_lines(text, len(frame))
    return frame


def start_lines(text: str, rows: int) -> list[int]:
    """The line each data row starts on (the header is line 1): the next one, unless a quoted value spans
    lines, which only a file with quotes can have."""
    simple = list(range(2, rows + 2))
    if len(text.splitlines()) == rows + 1:  # one line a row: no value spans lines (no second parse needed)
        return simple
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        next(reader, None)
        lines, start = [], reader.line_num + 1
        for _ in reader:
            lines.append(start)
            start = reader.line_num + 1
    except csv.Error:
        return simple
    return lines if len(lines) == rows else simple  # pandas read it differently: fall back to one line a row


def repeated_name(text: str) -> str | None:
    """The first header name given to two columns (blank ones aside): pandas would rename the second
    `name.1`, and its values would go unread."""
    try:
        header = next(csv.reader(io.StringIO(text, newline="")), [])
    except csv.Error:
        return None
    for i, column in enumerate(header):
        if column.strip() and column in header[:i]:  # unnamed columns (",,") are only passed through
            return f"column {column!r} is in the header twice (fields {header.index(column) + 1} and {i + 1})"
    return None


def long_row(text: str) -> str | None:
    """Where the first row with more fields than the header is (read only once pandas has failed or warned)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        width = len(next(reader, []))
        fields = next((row for row in reader if len(row) > width), None)
    except csv.Error:  # e.g. a field beyond the csv module's size limit: pandas' own message will do
        return None
    if fields is None:
        return None
    extra = "a trailing comma?" if all(not f.strip() for f in fields[width:]) else "a comma inside a value?"
    return (
        f"line {reader.line_num} has {len(fields)} fields, the header {width} ({extra}); "
        f"expected {width} fields on every row"
    )
