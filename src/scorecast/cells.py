"""Read a CSV as text cells: the one reader behind `validate` (the raw data) and `/predict_csv` (uploads).

Every cell stays text, so validation (not pandas) decides what a bad value is. Blank lines stay rows, and
the index is the line each row starts on, so messages name the file's own lines even after a quoted value
that spans lines. A file pandas would misread is refused with its line: a row with more fields than the
header (pandas takes the first column as an index, every value shifted one column left, or drops the
extra values), a row with fewer (pandas fills the last columns with blanks, so a row missing its second
value is read with every later value a column early), and a header naming a column twice (pandas
renames the second `name.1` and its values go unread).

Every check is linear in the file's size: an upload is read on a server worker. `check_column` then types
a column's cells by the dataset's rules, the same for both.
"""

from __future__ import annotations

import csv
import io
import re
import sys
import warnings
from collections.abc import Iterator
from itertools import repeat

import numpy as np
import pandas as pd

from scorecast.dataset import BOOL_VALUES, Column
from scorecast.errors import DataValidationError

FIELD_LIMIT = min(sys.maxsize, 2**31 - 1)  # a long value is data, not a reason to misread the file
LINE_BREAK = re.compile(r"\r\n|\r|\n")  # what pandas and the csv module end a line with
DELIMITERS = ";\t|"  # what a file with one column was most likely separated by instead of ','
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def decode(data: bytes, name: str) -> str:
    """A CSV file's text, refusing binary files (spreadsheets, images) and text that is not UTF-8."""
    if data.startswith(UTF16_BOMS):
        raise DataValidationError(f"{name}: UTF-16 text; expected UTF-8 (save it as 'CSV UTF-8')")
    if b"\x00" in data[:65536]:
        raise DataValidationError(f"{name}: binary content, not a CSV text file; expected a .csv file (text/csv)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise DataValidationError(f"{name}: not UTF-8 text at byte {err.start}; expected a UTF-8 .csv file") from err


def blank_rows(frame: pd.DataFrame) -> pd.Series:
    """Rows with nothing but spaces in every cell: a stray line or an export's padding, not data."""
    blank = frame.iloc[:, 0].fillna("").str.strip().eq("")  # only these can be blank: the rest are not looked at
    if blank.any():
        rows = frame[blank].fillna("").itertuples(index=False)
        blank[blank] = [not any(str(value).strip() for value in row) for row in rows]
    return blank


def read_cells(text: str, name: str) -> pd.DataFrame:
    """`text` (a whole CSV file) as a frame of str cells indexed by their line in the file; `name` is how
    messages call the file."""
    if not text.strip():
        raise DataValidationError(f"{name}: the file is empty; expected a header row and data rows")
    if not text.partition("\n")[0].partition("\r")[0].strip():
        raise DataValidationError(f"{name}: line 1 is blank; expected the header (the column names) on line 1")
    names = header(text)
    if len(names) == 1 and any(d in names[0] for d in DELIMITERS):
        delimiter = max(DELIMITERS, key=names[0].count)
        raise DataValidationError(f"{name}: columns are separated by {delimiter!r}; expected ','")
    twice = repeated_name(names)
    if twice:
        raise DataValidationError(f"{name}: {twice}; expected each column name once")
    # The shape is checked before pandas reads the file: pandas would misread a misshapen one (see above),
    # and takes minutes over a row of a million fields.
    starts, problem = row_starts(text, names) if '"' in text else (None, unquoted_shape(text, names))
    if problem:
        raise DataValidationError(f"{name}: {problem}")
    try:
        with warnings.catch_warnings():  # a blank row with extra commas (the only long row left) loses blanks
            warnings.simplefilter("ignore", pd.errors.ParserWarning)
            frame = pd.read_csv(
                io.StringIO(text), dtype=str, keep_default_na=False, skip_blank_lines=False, index_col=False
            )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        raise DataValidationError(f"{name}: not a readable CSV ({str(err).splitlines()[0]})") from None
    if len(set(names)) == len(names) == frame.shape[1]:
        frame.columns = names  # the file's own names: pandas calls a blank one "Unnamed: N" (an index's, say)
    same = starts is not None and len(starts) == len(frame)  # else one line a row (no value spans lines)
    frame.index = starts if same else range(2, len(frame) + 2)
    return frame


def unquoted_shape(text: str, names: list[str]) -> str | None:
    """What is wrong with the first line of another width than the header, in a file without quotes (where
    every line is a row and every comma separates fields)."""
    lines = text.split("\n") if "\r" not in text else LINE_BREAK.split(text)  # the first is 4x faster
    commas = np.fromiter(map(str.count, lines, repeat(",")), dtype=np.int64, count=len(lines))
    for i in np.flatnonzero(commas != len(names) - 1):
        if lines[i].replace(",", "").strip():  # a blank line is a blank row, whatever its commas
            return _misshapen(lines[i].split(","), names, int(i) + 1)
    return None


def row_starts(text: str, names: list[str], *, strict: bool = True) -> tuple[list[int], str | None]:
    """The line each row starts on, as the csv module reads the file, and what is wrong with the first row
    (blank ones aside) of another width than the header, or with a quote that is never closed."""
    csv.field_size_limit(FIELD_LIMIT)  # process-wide, but the csv module is read here only
    reader = csv.reader(io.StringIO(text, newline=""), strict=strict)
    starts: list[int] = []
    start = 1
    try:
        next(reader, None)
        start = reader.line_num + 1
        for row in reader:
            starts.append(start)
            if len(row) != len(names) and any(field.strip() for field in row):
                return starts, _misshapen(row, names, start)
            start = reader.line_num + 1
    except csv.Error as err:
        if "unexpected end of data" in str(err):
            return starts, f"line {start}: a quote opens a value that is never closed; expected a closing '\"'"
        return row_starts(text, names, strict=False)  # stray text after a closing quote: pandas reads it too
    return starts, None


def _misshapen(row: list[str], names: list[str], line: int) -> str:
    width = len(names)
    if len(row) > width:
        hint = "a trailing comma?" if all(not f.strip() for f in row[width:]) else "a comma inside a value?"
    elif all(not n.strip() for n in names[len(row) :]):
        hint = "a trailing comma on the header?"
    else:
        hint = "a value or a comma missing?"
    fields = f"{len(row):,} field{'' if len(row) == 1 else 's'}"
    return f"line {line} has {fields}, the header {width} ({hint}); expected {width} fields on every row"


def header(text: str) -> list[str]:
    """The names on the header row, as the csv module reads them (only as far as the header goes)."""
    try:
        csv.field_size_limit(FIELD_LIMIT)
        names = next(csv.reader(_lines(text)), [])
    except csv.Error:
        return []
    if names:
        names[0] = names[0].lstrip("\ufeff")  # a second byte-order mark, which pandas drops as well
    return names


def _lines(text: str) -> Iterator[str]:
    """The lines of `text` with their ends, one at a time (a header is read without copying the file)."""
    start = 0
    for end in LINE_BREAK.finditer(text):
        yield text[start : end.end()]
        start = end.end()
    if start < len(text):
        yield text[start:]


def repeated_name(names: list[str]) -> str | None:
    """The first header name given to two columns (blank ones aside)."""
    seen: dict[str, int] = {}
    for i, column in enumerate(names, start=1):
        if column.strip() and column in seen:
            return f"column {column!r} is in the header twice (fields {seen[column]} and {i})"
        seen.setdefault(column, i)
    return None


def require_columns(frame: pd.DataFrame, needed: list[str], name: str, keys: dict[str, str] | None = None) -> None:
    """Refuse a file without every column in `needed`, naming them quoted (so stray spaces show). `keys` names
    the config key behind a column, where the config may be what is misspelt rather than the file."""
    missing = [c for c in needed if c not in frame.columns]
    if not missing:
        return
    found = [str(c) for c in frame.columns]
    spaced = [f for f in found if f.strip() in missing and f != f.strip()]
    hint = f" ({', '.join(map(repr, spaced))}: spaces around a name?)" if spaced else ""
    named = [f"{c!r} is {keys[c]}" for c in missing if keys and c in keys]
    origin = f" ({', '.join(named)}: misspelt in conf/data/, or missing from the CSV?)" if named else ""
    raise DataValidationError(
        f"{name}: missing column(s) {', '.join(map(repr, missing))}; found {', '.join(map(repr, found))}{hint}; "
        f"expected {', '.join(map(repr, needed))}{origin}"
    )


def check_column(raw: pd.Series, col: Column) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Return (typed values, bad mask, missing mask) for one column of text cells."""
    text = raw.str.strip()
    missing = text == ""
    if col.is_numeric:
        values = pd.to_numeric(text.where(~missing), errors="coerce").astype("float64")  # unreadable: NaN
        bad = pd.Series(col.breaks_rules(values.to_numpy()), index=raw.index) & ~missing
        return values, bad, missing
    if col.type == "bool":
        values = text.str.lower().map(BOOL_VALUES)
        return values, values.isna() & ~missing, missing
    values = text.where(~missing)  # a blank is missing (NaN), as in a request, so the imputer sees it
    if col.type == "category":
        bad = ~text.isin(col.categories) & ~missing
        return values, bad, missing
    return values, pd.Series(False, index=raw.index), missing
