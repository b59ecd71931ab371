"""Read a CSV as text cells: the one reader behind `validate` (the raw data) and `/predict_csv` (uploads).

Every cell stays text, so validation (not pandas) decides what a bad value is. Blank lines stay rows, and
the index is the line each row starts on, so messages name the file's own lines even after a quoted value
that spans lines. A file pandas would misread is refused with its line: a row with more fields than the
header (pandas takes the first column as an index, every value shifted one column left, or drops the
extra values), a row with fewer (pandas fills the last columns with blanks, so a row missing its second
value is read with every later value a column early), and a header naming a column twice (pandas
renames the second `name.1` and its values go unread).

Every check is linear in the file's size: an upload is read on a server worker.
"""

from __future__ import annotations

import csv
import io
import sys
import warnings

import pandas as pd

from scorecast.errors import DataValidationError

csv.field_size_limit(sys.maxsize)  # as pandas does: a long value is data, not a reason to misread the file
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
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(
                io.StringIO(text), dtype=str, keep_default_na=False, skip_blank_lines=False, index_col=False
            )
    except (pd.errors.ParserWarning, pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error) as err:
        problem = misshapen_row(text) or f"not a readable CSV ({str(err).splitlines()[0]})"
        raise DataValidationError(f"{name}: {problem}") from None
    header = str(frame.columns[0])
    if len(frame.columns) == 1 and any(d in header for d in DELIMITERS):
        delimiter = max(DELIMITERS, key=header.count)
        raise DataValidationError(f"{name}: columns are separated by {delimiter!r}; expected ','")
    twice = repeated_name(text)
    if twice:
        raise DataValidationError(f"{name}: {twice}; expected each column name once")
    # A short row ends in blanks (pandas fills them in), so only a file with such rows, or with a value that
    # spans lines, is read a second time.
    maybe_short = frame.iloc[:, -1].eq("").any() and len(frame.columns) > 1
    one_line_a_row = len(text.splitlines()) == len(frame) + 1
    frame.index = range(2, len(frame) + 2)
    if maybe_short or not one_line_a_row:
        starts, problem = scan(text, len(frame.columns))
        if problem:
            raise DataValidationError(f"{name}: {problem}")
        if len(starts) == len(frame):  # else pandas read it differently: keep one line a row
            frame.index = starts
    return frame


def scan(text: str, width: int | None) -> tuple[list[int], str | None]:
    """The line each row starts on, and what is wrong with the first row (blank ones aside) whose field
    count differs from the header's `width` (None: any width will do), as the csv module reads the file."""
    reader = csv.reader(io.StringIO(text, newline=""))
    starts: list[int] = []
    try:
        next(reader, None)
        start = reader.line_num + 1
        for row in reader:
            starts.append(start)
            if width is not None and len(row) != width and any(field.strip() for field in row):
                return starts, _misshapen(row, width, start)
            start = reader.line_num + 1
    except csv.Error:  # not expected with newline="" and no size limit; pandas' own message will do
        return [], None
    return starts, None


def misshapen_row(text: str) -> str | None:
    """Where the file goes wrong, read once pandas has failed: a row of another width than the header, or
    a quote that is never closed (the last row then runs to the end of the file)."""
    if text.count('"') % 2:
        starts = scan(text, None)[0]
        line = starts[-1] if starts else 1
        return f"line {line}: a quote opens a value that is never closed; expected a closing '\"'"
    return scan(text, len(header(text)))[1]


def _misshapen(row: list[str], width: int, line: int) -> str:
    if len(row) > width:
        hint = "a trailing comma?" if all(not f.strip() for f in row[width:]) else "a comma inside a value?"
    else:
        hint = "a value or a comma missing?"
    return f"line {line} has {len(row)} fields, the header {width} ({hint}); expected {width} fields on every row"


def header(text: str) -> list[str]:
    """The names on the header row, as the csv module reads them."""
    try:
        names = next(csv.reader(io.StringIO(text, newline="")), [])
    except csv.Error:
        return []
    if names:
        names[0] = names[0].lstrip("\ufeff")  # a second byte-order mark, which pandas drops as well
    return names


def repeated_name(text: str) -> str | None:
    """The first header name given to two columns (blank ones aside)."""
    seen: dict[str, int] = {}
    for i, column in enumerate(header(text), start=1):
        if column.strip() and column in seen:
            return f"column {column!r} is in the header twice (fields {seen[column]} and {i})"
        seen.setdefault(column, i)
    return None


def require_columns(frame: pd.DataFrame, needed: list[str], name: str) -> None:
    """Refuse a file without every column in `needed`, naming them quoted (so stray spaces show)."""
    missing = [c for c in needed if c not in frame.columns]
    if not missing:
        return
    found = [str(c) for c in frame.columns]
    spaced = [f for f in found if f.strip() in missing and f != f.strip()]
    hint = f" ({', '.join(map(repr, spaced))}: spaces around a name?)" if spaced else ""
    raise DataValidationError(
        f"{name}: missing column(s) {', '.join(map(repr, missing))}; found {', '.join(map(repr, found))}{hint}; "
        f"expected {', '.join(map(repr, needed))}"
    )
