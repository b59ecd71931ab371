"""The one CSV reader of the pipeline and the service: text cells, the file's own rows, no silent shifting."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scorecast.cells import decode, header, read_cells, row_starts
from scorecast.errors import DataValidationError


def test_cells_stay_text_and_blank_lines_stay_rows():
    frame = read_cells("a,b\n007,x\n\n1e3,\n", "f.csv")
    assert frame.to_dict("list") == {"a": ["007", "", "1e3"], "b": ["x", "", ""]}
    assert list(frame.index) == [2, 3, 4]  # the line each row is on


def test_rows_are_indexed_by_the_line_they_start_on_across_quoted_line_breaks():
    frame = read_cells('a,note\n1,"two\nlines"\n2,plain\n3,"a ""quote"""\n', "f.csv")
    assert list(frame.index) == [2, 4, 5] and frame["note"].tolist() == ["two\nlines", "plain", 'a "quote"']


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a,b\n1,2\n3,4,\n", "f.csv: line 3 has 3 fields, the header 2 (a trailing comma?); expected 2 fields"),
        ("a,b\n1,2,\n3,4,\n", "f.csv: line 2 has 3 fields, the header 2 (a trailing comma?)"),
        ("a,b\n1,2\n3,4,5\n", "line 3 has 3 fields, the header 2 (a comma inside a value?)"),
        ("a,b\n1,2,3\n4,5\n", "line 2 has 3 fields, the header 2 (a comma inside a value?)"),
        ("   \n", "f.csv: the file is empty; expected a header row and data rows"),
        ("a;b;c\n1;2;3\n", "f.csv: columns are separated by ';'; expected ','"),
        ('a,b\n1,2\n"3,4\n5,6\n', "f.csv: line 3: a quote opens a value that is never closed; expected a closing"),
        ("a,b,c\n1,2,3\n4,5\n", "f.csv: line 3 has 2 fields, the header 3 (a value or a comma missing?)"),
        ("x,y,\n1,2\n", "f.csv: line 2 has 2 fields, the header 3 (a trailing comma on the header?)"),
        ('size,n\n1,2,3\n12" pizza,1\n', "f.csv: line 2 has 3 fields, the header 2 (a comma inside a value?)"),
        ("a,b\n1\n", "f.csv: line 2 has 1 field, the header 2"),
        ('a,b,c\n1,"x\ny",3,4\n', "f.csv: line 2 has 4 fields, the header 3 (a comma inside a value?)"),
        ("\na,b\n1,2\n", "f.csv: line 1 is blank; expected the header (the column names) on line 1"),
        ("a;b;c|d\n1;2;3\n", "f.csv: columns are separated by ';'; expected ','"),
        ("\ufeffa,b,a\n1,2,3\n", "column 'a' is in the header twice (fields 1 and 3)"),
        ("a,b,a," + "x" * 200_000 + "\n1,2,3,4\n", "column 'a' is in the header twice (fields 1 and 3)"),
        ("a,b,a\n1,2,3\n", "f.csv: column 'a' is in the header twice (fields 1 and 3); expected each column name once"),
    ],
)
def test_unreadable_shapes_are_refused_by_line(text, message):
    with pytest.raises(DataValidationError) as err:
        read_cells(text, "f.csv")
    assert message in str(err.value)


def test_unnamed_columns_are_not_names_given_twice():
    assert read_cells("a,,\n1,,\n", "f.csv").shape == (1, 3)


def test_a_blank_header_name_stays_blank():
    # a pandas export with its index: what the service writes back keeps the header the user sent
    assert list(read_cells(",gender\n0,female\n", "f.csv").columns) == ["", "gender"]


def test_short_blank_and_whitespace_lines_are_rows_not_short_rows():
    frame = read_cells("a,b,c\n1,2,\n\n   \n3,4,5\n", "f.csv")
    assert list(frame.index) == [2, 3, 4, 5] and frame["c"].tolist() == ["", "", "", "5"]


def test_a_long_value_keeps_the_lines_right():
    long = "x" * 200_000
    frame = read_cells(f'a,b\n1,"two\nlines"\n2,{long}\n3,z\n', "f.csv")
    assert list(frame.index) == [2, 4, 5]


def test_a_row_of_a_million_fields_is_refused_before_pandas_reads_it(monkeypatch):
    def read_csv(*args, **kwargs):  # pandas needed 20 s for this row (a 16 MB row: 3 minutes)
        raise AssertionError("pandas was asked to read the file")

    monkeypatch.setattr(pd, "read_csv", read_csv)
    with pytest.raises(DataValidationError, match="line 2 has 1,000,001 fields, the header 2"):
        read_cells("a,b\n" + "1," * 1_000_000 + "\n", "f.csv")


@pytest.mark.parametrize("text", ['a,b,c\n"x",2,3\n"y",2\n', "a,b,c\nx,2,3\ny,2\n"])
def test_a_short_row_is_refused_whether_or_not_the_file_quotes(text):
    with pytest.raises(DataValidationError, match="line 3 has 2 fields, the header 3"):
        read_cells(text, "f.csv")


@pytest.mark.parametrize(
    ("text", "index", "values"),
    [
        ('size,n\n12" pizza,1\n"a ""b""",2\n', [2, 3], ['12" pizza', 'a "b"']),  # a quote inside an unquoted value
        ('a,b\n"x"y,1\n', [2], ["xy"]),  # text after a closing quote: read as pandas reads it
    ],
)
def test_quotes_that_open_no_value_are_read(text, index, values):
    frame = read_cells(text, "f.csv")
    assert list(frame.index) == index and frame.iloc[:, 0].tolist() == values


def test_utf16_is_named():
    with pytest.raises(DataValidationError, match="f.csv: UTF-16 text; expected UTF-8"):
        decode("a,b\n1,2\n".encode("utf-16"), "f.csv")


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_every_line_ending_reads_the_same(newline):
    frame = read_cells(newline.join(["a,b", "1,2", "3,4", ""]), "f.csv")
    assert frame.to_dict("list") == {"a": ["1", "3"], "b": ["2", "4"]} and list(frame.index) == [2, 3]


# text built from what CSVs are made of, line breaks of every kind included
CSV_PIECES = st.lists(
    st.sampled_from(["a", "1", ",", '"', "\n", "\r", "\r\n", "\u2028", "\x0b", " ", ";"]), max_size=40
)


@settings(max_examples=300, deadline=None, database=None)
@given(text=st.one_of(st.text(max_size=60), CSV_PIECES.map("".join)))
def test_any_text_is_read_or_refused_with_a_message(text):
    """Whatever the text, the reader answers with rows on increasing lines or one DataValidationError."""
    try:
        frame = read_cells(text, "f.csv")
    except DataValidationError as err:
        assert str(err).startswith("f.csv: ")
        return
    lines = list(frame.index)
    assert lines == sorted(set(lines)) and all(line >= 2 for line in lines)
    # each row's line is the one the csv module starts it on (quotes or not)
    assert lines == row_starts(text, header(text), strict=False)[0][: len(lines)]
    # and a file is read only when every row the csv module sees has the header's width
    rows = [row for row in csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")) if any(f.strip() for f in row)]
    assert all(len(row) == len(rows[0]) for row in rows[1:])
