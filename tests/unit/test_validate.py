from __future__ import annotations

import math
import re

import pytest

from scorecast.dataset import DatasetSpec
from scorecast.errors import ConfigError, DataValidationError
from scorecast.validate import read_raw, validate

SPEC = DatasetSpec.from_params(
    {
        "name": "toy",
        "target": "y",
        "target_range": [0, 100],
        "features": {
            "colour": {"type": "category", "categories": ["red", "blue"]},
            "score": {"type": "int", "min": 0, "max": 100},
            "ratio": {"type": "float", "allow_missing": True},
            "flag": {"type": "bool"},
        },
    }
)
GOOD = "colour,score,ratio,flag,y\nred,10,0.5,true,50\nblue,90,,no,70\n"


def run(tmp_path, text, on_error="fail"):
    path = tmp_path / "data.csv"
    path.write_text(text)
    return validate(read_raw(path), SPEC, file="data.csv", on_error=on_error, max_reported=10)


def test_good_rows_are_typed(tmp_path):
    frame, report = run(tmp_path, GOOD)
    assert list(frame.columns) == ["colour", "score", "ratio", "flag", "y"]
    assert frame["score"].dtype == "int64"
    assert frame["flag"].tolist() == ["True", "False"]
    assert report["valid_rows"] == 2 and report["error_count"] == 0


@pytest.mark.parametrize(
    ("cell_row", "message"),
    [
        ("green,10,0.5,true,50", r"row 1 \(line 2\), column colour: expected one of 'red', 'blue', got 'green'"),
        ("red,101,0.5,true,50", r"column score: expected an integer in \[0, 100\], got '101'"),
        ("red,n/a,0.5,true,50", r"column score: expected an integer in \[0, 100\], got 'n/a'"),
        ("red,10.5,0.5,true,50", r"column score: expected an integer"),
        ("red,10,0.5,maybe,50", r"column flag: expected true or false \(or yes/no, 1/0\), got 'maybe'"),
        ("red,10,0.5,true,150", r"column y: expected a number in \[0, 100\], got '150'"),
        ("red,,0.5,true,50", r"column score: expected an integer in \[0, 100\], got ''"),
        ("red,10,inf,true,50", r"column ratio: expected a number, got 'inf'"),  # unbounded, yet finite
        ("red,10,-Infinity,true,50", r"column ratio: expected a number, got '-Infinity'"),
        ("red,10,1e999,true,50", r"column ratio: expected a number, got '1e999'"),
    ],
)
def test_bad_value_names_row_column_value_and_expectation(tmp_path, cell_row, message):
    with pytest.raises(DataValidationError, match=message) as err:
        run(tmp_path, "colour,score,ratio,flag,y\n" + cell_row + "\n")
    assert err.value.report["error_count"] == 1


def test_lines_are_the_files_own_after_a_value_spanning_lines(tmp_path):
    text = 'colour,score,ratio,flag,y\nred,10,0.5,true,50\n"red",10,0.5,true,50\ngreen,10,0.5,true,50\n'
    with pytest.raises(DataValidationError, match=r"row 3 \(line 4\), column colour"):
        run(tmp_path, text)
    spanning = text.replace('"red"', '"re\nd"')  # the same rows, but row 2 takes lines 3 and 4
    with pytest.raises(DataValidationError, match=r"row 2 \(line 3\), column colour: .*got 're\\nd'"):
        run(tmp_path, spanning)
    with pytest.raises(DataValidationError, match=r"row 3 \(line 5\), column colour") as err:
        run(tmp_path, spanning.replace('"re\nd"', '"red\n"'))
    assert err.value.report["errors"][0]["line"] == 5


def test_drop_mode_keeps_good_rows_and_counts_the_rest(tmp_path):
    frame, report = run(tmp_path, GOOD + "green,10,0.5,true,50\nred,10,0.5,true,\n", on_error="drop")
    assert len(frame) == 2
    assert report["dropped_invalid"] == 1
    assert report["dropped_missing_target"] == 1
    assert report["errors"][0] == {
        "row": 3,
        "line": 4,
        "column": "colour",
        "value": "green",
        "expected": "one of 'red', 'blue'",
    }


def test_missing_target_rows_are_dropped_even_in_fail_mode(tmp_path):
    frame, report = run(tmp_path, GOOD + "red,10,0.5,true,\n,10,0.5,true,\n")  # the 2nd lacks colour too
    assert len(frame) == 2 and report["dropped_missing_target"] == 2
    assert report["error_count"] == 0  # a row dropped for its target is not also an error for its blanks


def test_values_on_a_columns_bounds_are_valid(tmp_path):
    frame, _ = run(tmp_path, "colour,score,ratio,flag,y\nred,0,0.5,true,0\nblue,100,,no,100\n")
    assert frame["score"].tolist() == [0, 100] and frame["y"].tolist() == [0, 100]


@pytest.mark.parametrize("blank", ["", ",,,,", " , ,,, "])
def test_a_blank_row_stops_the_run_and_names_its_line(tmp_path, blank):
    text = GOOD.replace("\nblue", f"\n{blank}\nblue")
    expected = r"data.csv row 2 \(line 3\), expected a value in every column, got a blank row"
    with pytest.raises(DataValidationError, match=expected):
        run(tmp_path, text)


def test_drop_mode_drops_and_counts_blank_rows(tmp_path):
    frame, report = run(tmp_path, GOOD + ",,,,\n", on_error="drop")
    assert len(frame) == 2
    assert report["blank_rows"] == 1 and report["dropped_missing_target"] == 0 and report["dropped_invalid"] == 1
    assert report["error_count"] == 1  # the blank row once, not once per column as well


def test_missing_column(tmp_path):
    with pytest.raises(DataValidationError, match=r"missing column\(s\) 'y'; found 'colour', 'score', 'ratio', 'flag'"):
        run(tmp_path, "colour,score,ratio,flag\nred,1,1,true\n")


def test_a_missing_column_names_the_config_key_that_asks_for_it(tmp_path):
    """The CSV may be fine and the config misspelt: the message says which key names the column."""
    features = {"score": {"type": "int"}, "ratoi": {"type": "float"}}
    spec = DatasetSpec.from_params({"name": "toy", "target": "targte", "features": features})
    path = tmp_path / "data.csv"
    path.write_text("score,ratio,y\n1,0.5,2\n")
    raw = read_raw(path)
    expected = r"\('ratoi' is data.features.ratoi, 'targte' is data.target: misspelt in conf/data/, or missing from"
    with pytest.raises(DataValidationError, match=expected):
        validate(raw, spec, file="data.csv", on_error="fail", max_reported=5)


def test_a_misspelt_exclude_is_named_not_ignored(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("id,colour,score,ratio,y\n1,red,10,0.5,50\n2,blue,90,0.1,70\n")
    for exclude, ok in ((["id"], True), (["ID"], False)):
        features = {"score": {"type": "int"}, "ratio": {"type": "float"}}
        spec = DatasetSpec.from_params({"name": "toy", "target": "y", "exclude": exclude, "features": features})
        if ok:
            assert len(validate(read_raw(path), spec, file="data.csv", on_error="fail", max_reported=10)[0]) == 2
        else:
            with pytest.raises(ConfigError, match=r"data \(toy\)\.exclude lists 'ID', which is not a column of "
                               r"data\.csv; expected one of 'id', 'colour'"):  # fmt: skip
                validate(read_raw(path), spec, file="data.csv", on_error="fail", max_reported=10)


def test_a_column_in_neither_features_nor_exclude_is_named(tmp_path, caplog):
    path = tmp_path / "data.csv"
    path.write_text("id,colour,score,y\n1,red,10,50\n2,blue,90,70\n")
    for exclude, ignored in ((["id"], "'colour'"), (["id", "colour"], None), ([], "'id', 'colour'")):
        caplog.clear()
        spec = DatasetSpec.from_params(
            {"name": "toy", "target": "y", "exclude": exclude, "features": {"score": {"type": "int"}}}
        )
        validate(read_raw(path), spec, file="data.csv", on_error="fail", max_reported=10)
        expected = f"data.csv has column(s) {ignored} in neither data.features nor data.exclude; left out"
        assert (expected in caplog.text) if ignored else ("neither" not in caplog.text)


@pytest.mark.parametrize(
    ("text", "advice"),
    [
        (GOOD.replace("10,", "x,"), "set validate.on_error=drop to drop such rows"),
        (
            GOOD.replace("10,", "x,").replace("90,", "y,"),
            "no row passes: check data.features.score in the dataset config",
        ),
        (GOOD.replace(",50", ",500").replace(",70", ",700"), "no row passes: check data.target_range in the dataset"),
    ],
)
def test_a_column_no_row_passes_points_at_the_config_not_at_dropping_rows(tmp_path, text, advice):
    with pytest.raises(DataValidationError, match=re.escape(advice)):
        run(tmp_path, text)


def test_wrong_delimiter(tmp_path):
    with pytest.raises(DataValidationError, match=r"separated by ';'; expected ','"):
        run(tmp_path, GOOD.replace(",", ";"))


def test_empty_file(tmp_path):
    with pytest.raises(DataValidationError, match="the file is empty"):
        run(tmp_path, "")


def test_header_only(tmp_path):
    with pytest.raises(DataValidationError, match="no data rows"):
        run(tmp_path, "colour,score,ratio,flag,y\n")


def test_unknown_on_error_mode(tmp_path):
    with pytest.raises(ConfigError, match="validate.on_error is 'skip'"):
        run(tmp_path, GOOD, on_error="skip")


def test_md5_must_be_a_hex_string():
    with pytest.raises(ConfigError, match=r"md5 is 0; expected 32 hex digits"):
        DatasetSpec.from_params({"name": "t", "target": "y", "md5": 0, "features": {"x": {"type": "int"}}})


def test_an_md5_in_capitals_is_read_as_the_lowercase_md5sum_prints():
    spec = DatasetSpec.from_params({"name": "t", "target": "y", "md5": "6FC9" * 8, "features": {"x": {"type": "int"}}})
    assert spec.md5 == "6fc9" * 8


@pytest.mark.parametrize(
    ("sent", "seen"), [(True, "True"), ("yes", "True"), ("0", "False"), ("FALSE", "False"), (1, "True"), (0, "False")]
)
def test_the_service_reads_bools_spelled_as_the_pipeline_does(sent, seen):
    from scorecast.dataset import Column
    from scorecast.serving.features import RecordValidator

    batch = RecordValidator([Column("flag", "bool")], max_rows=1).validate({"flag": sent})
    assert batch.columns["flag"] == [seen]


@pytest.mark.parametrize("sent", [2, 1.0, "maybe", None])
def test_other_values_are_not_bools(sent):
    from scorecast.dataset import Column
    from scorecast.serving.features import RecordValidator
    from scorecast.serving.problems import RequestError

    with pytest.raises(RequestError, match=r"field flag: expected true or false \(or yes/no, 1/0\)"):
        RecordValidator([Column("flag", "bool")], max_rows=1).validate({"flag": sent})


def _records_validator():
    from scorecast.dataset import Column
    from scorecast.serving.features import RecordValidator

    columns = [Column("colour", "category", categories=("red", "blue")), Column("score", "int", min=0, max=100)]
    return RecordValidator(columns, max_rows=10)


def test_records_are_read_by_name_whatever_their_field_order():
    batch = _records_validator().validate([{"colour": "red", "score": 1}, {"score": 2, "colour": "blue"}])
    assert batch.columns["colour"] == ["red", "blue"] and batch.columns["score"].tolist() == [1.0, 2.0]


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"colour": ["red"], "score": 5}, "record 1, field colour: expected one of 'red', 'blue', got ['red']"),
        ({"colour": {"a": 1}, "score": 5}, "record 1, field colour: expected one of 'red', 'blue', got {'a': 1}"),
        ({"colour": "red"}, "record 1, field score: expected an integer in [0, 100], got nothing (missing)"),
        ({"colour": "red", "score": 5, "size": 3}, "record 1, field size: unknown field; allowed fields colour, score"),
        (["red", 5], "record 1: expected a JSON object with fields colour, score, got ['red', 5]"),
        ("red", "record 1: expected a JSON object with fields colour, score, got 'red'"),
    ],
)
def test_one_bad_record_in_a_batch_is_named_and_the_good_ones_are_not(bad, message):
    from scorecast.serving.problems import RequestError

    good = {"colour": "blue", "score": 7}
    with pytest.raises(RequestError) as err:
        _records_validator().validate([good, bad, good])
    assert err.value.status == 400 and [p.message for p in err.value.problems] == [message]


@pytest.mark.parametrize("allow_missing", [False, True])
@pytest.mark.parametrize(
    ("kind", "categories"),
    [("category", ("red", "blue")), ("bool", ()), ("text", ())],
    ids=["category", "bool", "text"],
)
@pytest.mark.parametrize("cell", ["red", " red ", "blue\t", "", "   ", " yes", "No ", "x y", " purple"])
def test_a_json_string_is_read_as_the_same_csv_cell_is(kind, categories, allow_missing, cell):
    """/predict and /predict_csv agree on every text value: stripped, blank = missing, the same ones refused."""
    import pandas as pd

    from scorecast import cells
    from scorecast.dataset import Column
    from scorecast.serving.features import RecordValidator
    from scorecast.serving.problems import RequestError

    col = Column("c", kind, categories=categories, allow_missing=allow_missing)
    values, bad, blank = cells.check_column(pd.Series([cell]), col)
    csv_refused = bool(bad.iat[0] or (blank.iat[0] and not allow_missing))
    csv_value = None if pd.isna(values.iat[0]) else values.iat[0]
    try:
        json_value = RecordValidator([col], max_rows=1).validate({"c": cell}).columns["c"][0]
    except RequestError as err:
        assert csv_refused, f"JSON refused {cell!r} ({err}) but a CSV cell reads as {csv_value!r}"
        return
    assert not csv_refused and json_value == csv_value


def test_a_blank_string_where_a_value_is_required_says_so():
    from scorecast.serving.problems import RequestError

    for blank in (" ", None):  # null is refused the same way, so the message must not suggest it
        with pytest.raises(RequestError, match=r"field colour: expected one of 'red', 'blue', got "):
            _records_validator().validate({"colour": blank, "score": 1})
    with pytest.raises(RequestError, match=r"got ' ' \(blank, and this field requires a value\)"):
        _records_validator().validate({"colour": " ", "score": 1})


def test_a_category_spelt_in_digits_takes_a_json_number():
    from scorecast.dataset import Column
    from scorecast.serving.features import RecordValidator
    from scorecast.serving.problems import RequestError

    validator = RecordValidator([Column("sex", "category", categories=("1", "2"))], max_rows=1)
    assert validator.validate({"sex": 2}).columns["sex"] == ["2"]
    for sent, shown in ((3, "3"), (1.0, "1.0"), (True, "true")):
        with pytest.raises(RequestError, match=rf"field sex: expected one of '1', '2', got {shown}$"):
            validator.validate({"sex": sent})


@pytest.mark.parametrize("blank", ["", "  "])
def test_a_blank_string_in_a_numeric_field_is_missing_as_a_blank_csv_cell_is(blank):
    from scorecast.dataset import Column
    from scorecast.serving.features import RecordValidator
    from scorecast.serving.problems import RequestError

    optional = RecordValidator([Column("bmi", "float", allow_missing=True)], max_rows=1)
    assert math.isnan(optional.validate({"bmi": blank}).columns["bmi"][0])
    required = RecordValidator([Column("bmi", "float")], max_rows=1)
    with pytest.raises(
        RequestError, match=rf"field bmi: expected a number, got '{blank}' \(blank, and this field requires"
    ):
        required.validate({"bmi": blank})
    with pytest.raises(RequestError, match=r"field bmi: expected a number, got '5' \(a string\)$"):
        required.validate({"bmi": "5"})  # JSON numbers are numbers; only a blank is read as a CSV cell is


@pytest.mark.parametrize(("sent", "shown"), [(None, "null"), (True, "true"), (False, "false"), (1e26, r"1e\+26")])
def test_json_values_are_named_as_json_wrote_them(sent, shown):
    from scorecast.serving.problems import RequestError

    with pytest.raises(RequestError, match=rf"field score: expected an integer in \[0, 100\], got {shown}$"):
        _records_validator().validate({"colour": "red", "score": sent})
