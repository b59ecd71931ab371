"""Schemathesis fuzzing of every operation in the live server's OpenAPI document (/docs.json).

test_fuzz.py fuzzes with hand-written strategies; this one generates requests from what the service
publishes, so the document and the service are held to each other: schema-valid and schema-violating
bodies, and bodies sent under the wrong content type. No answer may be a 5xx, every 4xx from our
endpoints says what is wrong, and our answers match the document.
"""

from __future__ import annotations

import time

import pytest
import requests
import schemathesis
from fuzzing import Tally, run_fuzz
from hypothesis import given
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = [pytest.mark.slow, pytest.mark.reliability]

OURS = frozenset(
    {"/predict", "/predict_csv", "/metadata"}
)  # served by scorecast; the rest are BentoML's infrastructure routes
OPERATIONS = ["GET /healthz", "GET /livez", "GET /readyz", "GET /metrics", "GET /metadata", "POST /predict",
              "POST /predict_csv"]  # fmt: skip
WRONG_TYPES = ["text/plain", "application/xml", "application/x-www-form-urlencoded", "application/json",
               "multipart/form-data", "application/octet-stream", "", "text/csv; charset=latin-1"]  # fmt: skip


def no_server_error(ctx, response, case) -> None:
    assert response.status_code < 500, f"{response.status_code}: {response.text[:500]}"


def client_error_has_message(ctx, response, case) -> None:
    if 400 <= response.status_code < 500 and case.operation.path in OURS:
        body = response.json()
        assert isinstance(body.get("error"), str) and body["error"].strip(), body


@pytest.fixture(scope="module")
def api(server):
    return schemathesis.openapi.from_url(f"{server.url}/docs.json")


def test_the_document_lists_every_operation_fuzzed_here(api):
    listed = {f"{op.ok().method.upper()} {op.ok().path}" for op in api.get_all_operations()}
    assert listed == set(OPERATIONS)


@pytest.mark.parametrize("label", OPERATIONS)
def test_operation_from_its_openapi_schema(api, server, budget, report, label):
    method, path = label.split(" ")
    operation = api[path][method]
    ours = path in OURS
    response_checks = [no_server_error, client_error_has_message]
    request_checks = []
    if ours:
        response_checks += [status_code_conformance, content_type_conformance, response_schema_conformance]
        request_checks.append(negative_data_rejection)
        if path == "/predict":  # a schema-valid record must be scored; no schema says what a valid CSV is
            request_checks.append(positive_data_acceptance)
    cases = operation.as_strategy(GenerationMode.POSITIVE)
    if operation.body:
        cases |= operation.as_strategy(GenerationMode.NEGATIVE)
    content_types = st.none() | st.sampled_from(WRONG_TYPES) if operation.body else st.none()
    tally = Tally()
    session = requests.Session()
    started = time.monotonic()

    @given(case=cases, content_type=content_types)
    def fuzz(case, content_type):
        headers = None if content_type is None else {"Content-Type": content_type}
        response = case.call(base_url=server.url, session=session, headers=headers, timeout=30)
        tally.count(response.status_code)
        # under a wrong content type the body is neither valid nor invalid as declared: only the answer is checked
        extra = request_checks if content_type is None else []
        case.validate_response(response, checks=response_checks + extra)

    try:
        run_fuzz(fuzz, budget=budget, tally=tally, report=report,
                 check=f"fuzz {label} (schemathesis, from OpenAPI)",
                 seconds=lambda: round(time.monotonic() - started, 1))  # fmt: skip
    finally:
        session.close()
