"""Property-based fuzzing of every endpoint on a live server: no 5xx, and every 4xx says what is wrong."""

from __future__ import annotations

import json
import math

import pytest
from fuzzing import Tally, run_fuzz
from hypothesis import given
from hypothesis import strategies as st

pytestmark = [pytest.mark.slow, pytest.mark.reliability]

FIELDS = ["gender", "race_ethnicity", "parental_level_of_education", "lunch", "test_preparation_course",
          "reading_score", "writing_score"]  # fmt: skip
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=30),
    st.sampled_from(["female", "group B", "standard", "none", "=cmd|' /C calc'!A0", "1e999", "NaN", "\u202e\x00"]),
)  # fmt: skip
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)  # noqa: E501
RECORDS = st.fixed_dictionaries({}, optional={name: SCALARS for name in FIELDS})
BODIES = st.one_of(
    JSON_VALUES.map(lambda v: json.dumps(v).encode()),
    RECORDS.map(lambda r: json.dumps(r).encode()),
    st.lists(RECORDS, max_size=5).map(lambda r: json.dumps(r).encode()),
    st.binary(max_size=200),
    st.sampled_from([b'{"a": NaN}', b'{"reading_score": Infinity}', b'{"gender": "female", "gender": "male"}',
                     b"[" * 5000, b'{"reading_score": 1' + b"0" * 400 + b"}", b'"\\ud800"']),
)  # fmt: skip
CONTENT_TYPES = st.sampled_from(["application/json", "text/plain", "application/xml", "", "multipart/form-data"])
CSV_HEADER = ",".join(FIELDS)
GOOD_ROW = "female,group B,some college,standard,none,72,74"
# what a scored file sent back carries
OUTPUT_COLUMNS = ["predicted_math_score", "predicted_math_score_lower", "validation_error", "contribution_base",
                  "contribution_gender"]  # fmt: skip
CSV_TEXTS = st.one_of(
    st.text(max_size=300),
    st.tuples(st.lists(st.lists(st.one_of(st.text(max_size=12), st.integers(-5, 200).map(str)), min_size=1,
                                max_size=9), max_size=6), st.sampled_from(["\n", "\r\n", "\r"])).map(
        lambda t: t[1].join([CSV_HEADER, *(",".join(r) for r in t[0])])),
    st.sampled_from([CSV_HEADER + "\nfemale,group B,some college,standard,none,7", "\ufeff" + CSV_HEADER + "\n",
                     "\r0", CSV_HEADER + "\r" + GOOD_ROW + "\r", CSV_HEADER + "\r\n" + GOOD_ROW + "\r\n",
                     CSV_HEADER + '\n"unterminated,quote\n', "=1+2,@SUM(A1)\n-3,+4\n",
                     CSV_HEADER + "\n" + GOOD_ROW + ",\n\n\n" + GOOD_ROW + ",\n"]),
    # a scored file sent back: valid rows, blank lines, a header that also has output columns
    st.tuples(st.lists(st.sampled_from(OUTPUT_COLUMNS), max_size=3, unique=True),
              st.lists(st.sampled_from([GOOD_ROW, ""]), min_size=1, max_size=5)).map(
        lambda t: ",".join([*FIELDS, *t[0]]) + "\n" + "\n".join(
            row + "," * len(t[0]) if row == GOOD_ROW else row for row in t[1]) + "\n"),
)  # fmt: skip


def check(tally: Tally, response) -> None:
    """Count the answer, then hold it to the contract: no 5xx, and a message in every 4xx."""
    tally.count(response.status_code)
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        body = response.json()
        assert isinstance(body["error"], str) and body["error"], body


def test_predict_never_fails_with_a_5xx(server, budget, report):
    tally = Tally()

    @given(body=BODIES, content_type=CONTENT_TYPES, explain=st.booleans())
    def fuzz(body, content_type, explain):
        path = "/predict?explain=true" if explain else "/predict"
        check(tally, server.client.post(path, content=body, headers={"content-type": content_type}))

    run_fuzz(fuzz, budget=budget, tally=tally, report=report, check="fuzz /predict (hypothesis)")


def test_predict_csv_never_fails_with_a_5xx(server, budget, report):
    tally = Tally()

    @given(
        text=CSV_TEXTS,
        name=st.sampled_from(["a.csv", "a.txt", "", "ü.csv"]),
        kind=st.sampled_from(["text/csv", "application/vnd.ms-excel", "application/octet-stream", "image/png"]),
        explain=st.sampled_from(["", "?explain=true", "?explain=no", "?explain=maybe"]),
    )
    def fuzz(text, name, kind, explain):
        files = {"file": (name, text.encode("utf-8", "surrogatepass"), kind)}
        check(tally, server.client.post(f"/predict_csv{explain}", files=files))

    run_fuzz(fuzz, budget=budget, tally=tally, report=report, check="fuzz /predict_csv (hypothesis)")


def test_valid_records_always_get_a_finite_prediction(server, budget, report):
    categories = server.client.get("/metadata").json()["schema"]["features"]
    record = st.fixed_dictionaries({
        f["name"]: st.sampled_from(f["categories"]) if "categories" in f else st.integers(f["min"], f["max"])
        for f in categories
    })  # fmt: skip

    tally = Tally()

    @given(records=st.lists(record, min_size=1, max_size=20))
    def fuzz(records):
        r = server.client.post("/predict", json=records)
        check(tally, r)
        assert r.status_code == 200, r.text
        assert all(math.isfinite(p) for p in r.json()["predictions"])

    run_fuzz(fuzz, budget=budget, examples=int(budget["examples"]) // 3, tally=tally, report=report,
             check="valid records get finite predictions")  # fmt: skip
