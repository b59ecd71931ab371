"""HTTP tests against `bentoml serve` on 127.0.0.1: answers, every bad input's 4xx, the log, the guard."""

from __future__ import annotations

import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

pytestmark = pytest.mark.slow

GOOD = {
    "gender": "female",
    "race_ethnicity": "group B",
    "parental_level_of_education": "some college",
    "lunch": "standard",
    "test_preparation_course": "none",
    "reading_score": 72,
    "writing_score": 74,
}
CSV_HEADER = (
    "gender,race_ethnicity,parental_level_of_education,lunch,test_preparation_course,reading_score,writing_score"
)


def rows_logged(server) -> int:
    """Rows in the prediction log once the service's 50 ms flusher has written what it queued."""
    time.sleep(0.3)
    with sqlite3.connect(server.log_path) as conn:
        return conn.execute("SELECT COUNT(*) FROM predictions").fetchone()[0]


def assert_problem(response, status: int, *fragments: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    for fragment in fragments:
        assert fragment in body["error"], body


def test_one_record(server):
    r = server.client.post("/predict", json=GOOD)
    assert r.status_code == 200
    body = r.json()
    assert len(body["predictions"]) == 1 and 0 < body["predictions"][0] < 100
    low, high = body["intervals"][0]
    assert low < body["predictions"][0] < high
    assert body["model"]["tag"].startswith("scorecast:") and r.headers["X-Scorecast-Model"] == body["model"]["tag"]


def test_a_list_of_records_and_a_direction(server):
    better = {**GOOD, "reading_score": 95, "writing_score": 95}
    preds = server.client.post("/predict", json=[GOOD, better]).json()["predictions"]
    assert len(preds) == 2 and preds[1] > preds[0]


def test_explanations_sum_to_the_prediction(server):
    body = server.client.post("/predict?explain=true", json=GOOD).json()
    explanation = body["explanations"][0]
    assert set(explanation["contributions"]) == set(GOOD)
    total = explanation["base"] + sum(explanation["contributions"].values())
    assert total == pytest.approx(body["predictions"][0], abs=1e-6)


@pytest.mark.parametrize(("query", "explained"), [("explain=TRUE", True), ("explain=no", False), ("", False)])
def test_explain_reads_a_yes_or_a_no(server, query, explained):
    body = server.client.post(f"/predict?{query}", json=GOOD).json()
    assert ("explanations" in body) is explained


@pytest.mark.parametrize("path", ["/predict", "/predict_csv"])
@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ("explain=banana", "query explain: 'banana'; expected one of true, false"),
        ("explain=", "query explain: ''; expected one of true, false"),
        ("explain=true&explain=false", "query explain: 'true', 'false'; expected one of true, false"),
        # a misspelt or wrongly cased parameter is refused, not ignored
        ("explian=true", "query explian: unknown parameter; expected only explain"),
        ("Explain=true", "query Explain: unknown parameter; expected only explain"),
        ("explain=true&x=1", "query x: unknown parameter; expected only explain"),
    ],
)
def test_a_query_that_is_not_a_readable_explain_is_a_400_naming_it(server, path, query, fragment):
    text = CSV_HEADER + "\n" + ",".join(str(v) for v in GOOD.values()) + "\n"
    kwargs = {"json": GOOD} if path == "/predict" else {"files": {"file": ("b.csv", text, "text/csv")}}
    assert_problem(server.client.post(f"{path}?{query}", **kwargs), 400, fragment)


@pytest.mark.parametrize(
    ("payload", "status", "fragments"),
    [
        (b"{not json", 400, ["malformed JSON"]),
        (b"", 400, ["empty"]),
        (b"[]", 400, ["empty list"]),
        (b'"a string"', 400, ["expected a JSON object"]),
        ({**GOOD, "reading_score": "abc"}, 400, ["reading_score", "expected an integer in [0, 100]", "'abc'"]),
        ({k: v for k, v in GOOD.items() if k != "lunch"}, 400, ["lunch", "missing"]),
        ({**GOOD, "gender": "robot"}, 400, ["gender", "one of 'female', 'male'", "'robot'"]),
        ({**GOOD, "writing_score": 101}, 400, ["writing_score", "[0, 100]", "101"]),
        ({**GOOD, "writing_score": 1e308}, 400, ["writing_score"]),
        (b'{"reading_score": NaN}', 400, ["malformed JSON"]),
        ('{"gender": "fé"}'.encode("latin-1"), 415, ["body: not UTF-8 text at byte 13; expected JSON in UTF-8"]),
        ([GOOD] * 1001, 413, ["1001 records", "at most 1000", "(SCORECAST_MAX_ROWS)"]),
    ],
)
def test_bad_requests_get_a_4xx_naming_the_problem(server, payload, status, fragments):
    if isinstance(payload, bytes):
        r = server.client.post("/predict", content=payload, headers={"content-type": "application/json"})
    else:
        r = server.client.post("/predict", json=payload)
    assert_problem(r, status, *fragments)


def test_oversized_body(server):
    r = server.client.post(
        "/predict", content=b"[" + b" " * (2 << 20) + b"]", headers={"content-type": "application/json"}
    )
    assert_problem(r, 413, "at most")


def test_pickle_is_refused(server):
    r = server.client.post(
        "/predict", content=b"\x80\x04K\x01.", headers={"content-type": "application/vnd.bentoml+pickle"}
    )
    assert_problem(r, 415, "pickle")


def test_csv_keeps_valid_rows_and_reports_bad_ones(server):
    good = ",".join(str(v) for v in GOOD.values())
    bad = good.replace("group B", "group Z")
    text = "\n".join([CSV_HEADER, good, bad, good]) + "\n"
    r = server.client.post("/predict_csv", files={"file": ("batch.csv", text, "text/csv")})
    assert r.status_code == 200, r.text
    assert r.headers["X-Scorecast-Invalid-Rows"] == "1"
    lines = r.text.strip().splitlines()
    assert lines[0].endswith(
        "predicted_math_score,predicted_math_score_lower,predicted_math_score_upper,validation_error"
    )
    assert "row 2 (line 3), column race_ethnicity" in lines[2] and "group Z" in lines[2]
    assert lines[1].split(",")[-4] == lines[3].split(",")[-4] != ""
    assert 'filename="batch-scored.csv"' in r.headers["content-disposition"]


def test_csv_formula_cells_are_defused(server):
    text = CSV_HEADER + ",note\n" + ",".join(str(v) for v in GOOD.values()) + ",=HYPERLINK(1)\n"
    r = server.client.post("/predict_csv", files={"file": ("f.csv", text, "text/csv")})
    assert r.status_code == 200 and "'=HYPERLINK(1)" in r.text


@pytest.mark.parametrize(
    ("files", "status", "fragment"),
    [
        ({"file": ("pic.png", b"\x89PNG\r\n\x1a\n\x00\x00", "image/png")}, 415, "expected a .csv file"),
        ({"file": ("x.csv", "a,b\n1,2\n", "text/csv")}, 400, "missing column(s) 'gender'"),
        ({"file": ("x.csv", CSV_HEADER + "\n", "text/csv")}, 400, "no data rows"),
        ({"file": ("x.csv", CSV_HEADER.replace(",", ";") + "\n1;2\n", "text/csv")}, 400, "separated by ';'"),
        # a trailing comma on each row: refused by line, not read with every value shifted a column
        (
            {"file": ("x.csv", CSV_HEADER + "\n" + ",".join(map(str, GOOD.values())) + ",\n", "text/csv")},
            400,
            "x.csv: line 2 has 8 fields, the header 7 (a trailing comma?)",
        ),
        # a column named twice: refused, not read as gender and an unread gender.1
        (
            {"file": ("x.csv", CSV_HEADER + ",gender\n" + ",".join(map(str, GOOD.values())) + ",male\n", "text/csv")},
            400,
            "x.csv: column 'gender' is in the header twice (fields 1 and 8)",
        ),
        # a row with a value missing: refused by line, not read with every later value a column early
        (
            {"file": ("x.csv", CSV_HEADER + ",id\n" + ",".join(map(str, GOOD.values())) + "\n", "text/csv")},
            400,
            "x.csv: line 2 has 7 fields, the header 8 (a value or a comma missing?)",
        ),
        ({"file": ("x.csv", "a,b\n" + "\n" * 5000, "text/csv")}, 413, "x.csv: 5,001 lines; at most 4,001 allowed"),
        (
            {"file": ("x.csv", CSV_HEADER + "," + ",".join(f"c{i}" for i in range(1000)) + "\n", "text/csv")},
            413,
            "x.csv: 1,007 columns; at most 1,000 allowed per upload",
        ),
        (
            {
                "file": (
                    "x.csv",
                    CSV_HEADER.replace(",", ", ") + "\n" + ",".join(map(str, GOOD.values())) + "\n",
                    "text/csv",
                )
            },
            400,
            "(' race_ethnicity', ' parental_level_of_education'",
        ),
    ],
)
def test_bad_uploads(server, files, status, fragment):
    assert_problem(server.client.post("/predict_csv", files=files), status, fragment)


def test_csv_rows_and_lines_are_the_files_own_across_blank_lines(server):
    good = ",".join(str(v) for v in GOOD.values())
    text = "\n".join([CSV_HEADER, good, "", "", good.replace("group B", "group Z")]) + "\n"
    r = server.client.post(
        "/predict_csv", files={"file": ("b.csv", text, "text/csv")}, headers={"Accept": "application/json"}
    )
    assert r.status_code == 200, r.text
    assert r.json()["rows"] == 2 and r.json()["errors"][0]["message"].startswith(
        "row 2 (line 5), column race_ethnicity"  # row 2 of the scored file; line 5 of the upload
    )
    (low, high), invalid = r.json()["intervals"]  # as /predict gives them, null for the invalid row
    assert invalid is None and low < r.json()["predictions"][0] < high
    assert high - low == pytest.approx(2 * server.client.get("/metadata").json()["interval"]["halfwidth"])


def test_a_scored_csv_sent_back_is_scored_afresh(server):
    good = ",".join(str(v) for v in GOOD.values())
    rows = [good + ",", good.replace("group B", "group Z") + ",", good.replace("female", '"\tfemale"') + ",=cmd()"]
    text = "\n".join([f"{CSV_HEADER},note", *rows]) + "\n"  # the last row's cells come back guarded with '
    first = server.client.post("/predict_csv?explain=true", files={"file": ("b.csv", text, "text/csv")})
    assert "'=cmd()" in first.text and first.headers["x-scorecast-invalid-rows"] == "1"
    again = server.client.post("/predict_csv?explain=true", files={"file": ("b.csv", first.text, "text/csv")})
    assert again.status_code == 200, again.text
    assert again.text == first.text


def test_multipart_without_a_file(server):
    body = b'--b\r\nContent-Disposition: form-data; name="x"\r\n\r\n1\r\n--b--\r\n'
    r = server.client.post("/predict_csv", content=body, headers={"content-type": "multipart/form-data; boundary=b"})
    assert_problem(r, 400, "field named 'file'")


def test_too_many_csv_rows(server):
    good = ",".join(str(v) for v in GOOD.values())
    text = CSV_HEADER + "\n" + "\n".join([good] * 1001) + "\n"
    assert_problem(
        server.client.post("/predict_csv", files={"file": ("big.csv", text, "text/csv")}),
        413,
        "1001 rows; at most 1000 allowed per upload (SCORECAST_MAX_ROWS)",
    )


def test_the_openapi_document_says_what_the_endpoints_take_and_answer(server):
    """BentoML's own listing kept only the object branch of /predict's body, an optional body, a 400 whose
    `detail` is a string (ours is a list), and none of our 413/415/422, so schema-driven clients and fuzzers
    were misled."""
    doc = server.client.get("/docs.json").json()
    predict = doc["paths"]["/predict"]["post"]
    body = predict["requestBody"]
    assert body["required"] is True
    assert [b["type"] for b in body["content"]["application/json"]["schema"]["oneOf"]] == ["object", "array"]
    for path in ("/predict", "/predict_csv"):
        responses = doc["paths"][path]["post"]["responses"]
        assert {"400", "401", "413", "415", "422", "429"} <= set(responses) and "404" not in responses
        assert responses["400"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Problem"}
    assert doc["components"]["schemas"]["Problem"]["properties"]["detail"]["type"] == "array"
    assert set(doc["paths"]["/predict_csv"]["post"]["requestBody"]["content"]) == {"multipart/form-data", "text/csv"}
    assert set(doc["paths"]["/predict_csv"]["post"]["responses"]["200"]["content"]) == {"text/csv", "application/json"}
    assert "/metadata" in doc["paths"]
    bad = server.client.post("/predict", json={**GOOD, "gender": "robot"}).json()
    assert isinstance(bad["error"], str) and isinstance(bad["detail"], list)


def test_the_documented_examples_are_scored(server):
    doc = server.client.get("/docs.json").json()
    record = doc["paths"]["/predict"]["post"]["requestBody"]["content"]["application/json"]["example"]
    assert record == server.client.get("/metadata").json()["typical"]
    assert server.client.post("/predict", json=record).status_code == 200
    text = doc["paths"]["/predict_csv"]["post"]["requestBody"]["content"]["text/csv"]["example"]
    r = server.client.post("/predict_csv", content=text, headers={"Content-Type": "text/csv"})
    assert r.status_code == 200 and r.headers["X-Scorecast-Invalid-Rows"] == "0", r.text


def test_metadata(server):
    meta = server.client.get("/metadata").json()
    assert [f["name"] for f in meta["schema"]["features"]] == list(GOOD)
    assert meta["interval"]["nominal"] == 0.9 and meta["metrics"]["test"]["r2"] > 0.8
    assert len(meta["data_md5"]) == 32


def test_every_prediction_is_logged_under_concurrency(server):
    before = rows_logged(server)
    with ThreadPoolExecutor(16) as pool:
        codes = list(pool.map(lambda _: server.client.post("/predict", json=[GOOD, GOOD]).status_code, range(60)))
    assert codes == [200] * 60
    assert rows_logged(server) == before + 120


def test_the_log_keeps_what_the_model_saw_from_json_and_csv_alike(server):
    import json

    spaced = ", ".join(str(v) for v in GOOD.values())  # a CSV written with ", " between cells
    server.client.post("/predict", json=GOOD)
    server.client.post("/predict_csv", files={"file": ("s.csv", CSV_HEADER + "\n" + spaced + "\n", "text/csv")})
    rows_logged(server)  # waits for the flusher
    with sqlite3.connect(server.log_path) as conn:
        last = [json.loads(r[0]) for r in conn.execute("SELECT inputs FROM predictions ORDER BY id DESC LIMIT 2")]
    assert last[0] == last[1] == {**GOOD, "reading_score": 72.0, "writing_score": 74.0}


def test_api_key_and_rate_limit(guarded):
    c = guarded.client
    assert_problem(c.post("/predict", json=GOOD), 401, "API key")
    assert c.get("/readyz").status_code == 200  # health stays open
    assert c.get("/ui/").status_code == 200  # the page loads, then asks for the key
    codes = [c.post("/predict", json=GOOD, headers={"X-API-Key": "s3cret"}) for _ in range(4)]
    assert [r.status_code for r in codes[:3]] == [200, 200, 200]
    assert codes[3].status_code == 429 and int(codes[3].headers["retry-after"]) >= 1


def test_csv_explanations_sum_to_each_prediction(server):
    good = ",".join(str(v) for v in GOOD.values())
    text = "\n".join([CSV_HEADER, good, good.replace("group B", "group Z")]) + "\n"
    r = server.client.post("/predict_csv?explain=true", files={"file": ("b.csv", text, "text/csv")})
    assert r.status_code == 200, r.text
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(r.text)))
    parts = [float(rows[0][f"contribution_{name}"]) for name in GOOD]
    assert float(rows[0]["contribution_base"]) + sum(parts) == pytest.approx(float(rows[0]["predicted_math_score"]))
    assert rows[1]["contribution_base"] == "" and "group Z" in rows[1]["validation_error"]


def test_csv_explanations_in_json_line_up_with_the_rows(server):
    good = ",".join(str(v) for v in GOOD.values())
    text = "\n".join([CSV_HEADER, good, good.replace("group B", "group Z")]) + "\n"
    files = {"file": ("b.csv", text, "text/csv")}
    r = server.client.post("/predict_csv?explain=true", files=files, headers={"accept": "application/json"})
    body = r.json()
    first, invalid = body["explanations"]
    assert invalid is None and body["predictions"][1] is None
    assert first["base"] + sum(first["contributions"].values()) == pytest.approx(body["predictions"][0], abs=1e-6)
    plain = server.client.post("/predict_csv", files=files, headers={"accept": "application/json"}).json()
    assert "explanations" not in plain


def test_a_csv_sent_as_a_text_field_is_refused_saying_how_to_send_it(server):
    text = CSV_HEADER + "\n" + ",".join(str(v) for v in GOOD.values()) + "\n"
    r = server.client.post("/predict_csv", data={"file": text}, files={"other": ("x.txt", b"", "text/plain")})
    assert_problem(r, 400, "field 'file' is text, not a file; upload it as a file (-F file=@x.csv)")


def test_formula_like_header_names_are_guarded_in_the_output(server):
    text = CSV_HEADER + ",=1+2\n" + ",".join(str(v) for v in GOOD.values()) + ",x\n"
    r = server.client.post("/predict_csv", files={"file": ("b.csv", text, "text/csv")})
    assert r.status_code == 200, r.text
    assert r.text.splitlines()[0].split(",")[7] == "'=1+2"


def test_a_pandas_export_keeps_its_blank_index_header_in_the_output(server):
    text = "," + CSV_HEADER + "\n0," + ",".join(str(v) for v in GOOD.values()) + "\n"
    r = server.client.post("/predict_csv", files={"file": ("export.csv", text, "text/csv")})
    assert r.status_code == 200, r.text
    assert r.text.splitlines()[0].startswith(",gender,race_ethnicity,")


@pytest.mark.parametrize(
    ("method", "path", "status", "fragment"),
    [
        ("GET", "/predict", 405, "GET /predict: method not allowed; expected POST"),
        ("DELETE", "/metadata", 405, "DELETE /metadata: method not allowed; expected GET, HEAD"),
        ("POST", "/predict_cvs", 404, "POST /predict_cvs: no such endpoint; expected POST /predict, POST /predict_csv"),
    ],
)
def test_unknown_paths_and_methods_answer_in_the_error_shape(server, method, path, status, fragment):
    assert_problem(server.client.request(method, path), status, fragment)
