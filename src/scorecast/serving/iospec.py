"""BentoML input specs that hand the endpoint the raw Starlette request, and the OpenAPI document for them.

BentoML's own parsing turns malformed JSON into a 500, answers in two different error shapes and
fetches URLs given in place of files; reading the body ourselves avoids all three, while the
endpoints still get BentoML's routing, metrics, tracing and OpenAPI listing. `document` corrects
what BentoML's generated listing cannot say about them (our error shape, status codes, the raw CSV body).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import Any, ClassVar

from _bentoml_sdk.io_models import IORootModel

from scorecast.dataset import BOOL_VALUES
from scorecast.serving.bodies import EXPLAIN_VALUES


class RawRequest(IORootModel[Any]):
    """The endpoint's single argument is the `starlette.requests.Request`; `doc_schema` is for the docs only."""

    doc_schema: ClassVar[dict[str, Any]] = {}

    @classmethod
    async def from_http_request(cls, request: Any, serde: Any) -> RawRequest:
        return cls.model_construct(root=request)

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return dict(cls.doc_schema)


RawRequest.__root_input__ = True  # type: ignore[attr-defined]


MODEL_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {k: {"type": "string", "nullable": True} for k in ("tag", "winner", "params_md5", "data_md5")},
}
PREDICTIONS_SCHEMA: dict[str, Any] = {
    "title": "Predictions",
    "type": "object",
    "required": ["predictions", "target", "model"],
    "properties": {
        "predictions": {"type": "array", "items": {"type": "number"}},
        "intervals": {"type": "array", "items": {"type": "array", "items": {"type": "number"}}},
        "explanations": {"type": "array", "items": {"type": "object"}},
        "target": {"type": "string"},
        "model": MODEL_SCHEMA,
    },
}
SCORED_JSON_SCHEMA: dict[str, Any] = {
    "title": "ScoredCsvJson",
    "type": "object",
    "required": ["rows", "invalid_rows", "predictions", "errors", "target", "model"],
    "properties": {
        "rows": {"type": "integer"},
        "invalid_rows": {"type": "integer"},
        "predictions": {"type": "array", "items": {"type": "number", "nullable": True}},
        "intervals": {"type": "array", "items": {"type": "array", "items": {"type": "number"}, "nullable": True}},
        "errors": {"type": "array", "items": {"type": "object"}},
        "explanations": {"type": "array", "items": {"type": "object", "nullable": True}},  # with ?explain=true
        "target": {"type": "string"},
        "model": MODEL_SCHEMA,
    },
}
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "required": ["error", "detail"],
    "properties": {
        "error": {"type": "string", "minLength": 1},
        "detail": {"type": "array", "items": {"type": "object"}},
    },
}
CLIENT_ERRORS = {
    "400": "Bad Request: the body, or a record, row or value in it, is invalid (named in `error`, listed in `detail`)",
    "401": "Unauthorized: missing or wrong API key (only when SCORECAST_API_KEY is set)",
    "413": "Content Too Large: more than SCORECAST_MAX_BYTES bytes or SCORECAST_MAX_ROWS records",
    "415": "Unsupported Media Type: a content type, body or uploaded file that is not UTF-8 JSON (/predict) or CSV "
    "(/predict_csv)",
    "422": "Unprocessable Content: ?explain=true beyond what exact explanations allow (rows or input columns), or "
    "numbers so far out of range that the model's prediction is not finite",
    "429": "Too Many Requests: over SCORECAST_RATE_LIMIT requests a minute (only when it is set)",
}
METADATA_SCHEMA: dict[str, Any] = {
    "title": "Metadata",
    "type": "object",
    "required": ["tag", "model", "schema", "limits", "auth_required"],
    "properties": {
        "tag": {"type": "string"},
        "model": MODEL_SCHEMA,
        "schema": {"type": "object"},
        "limits": {"type": "object", "properties": {"max_bytes": {"type": "integer"}, "max_rows": {"type": "integer"}}},
        "auth_required": {"type": "boolean"},
    },
}
ENDPOINTS = ("/predict", "/predict_csv")


def any_case(words: Iterable[str]) -> str:
    """A JSON Schema pattern for exactly these words in any letter case (its regexes have no flags)."""
    return "^(?:{})$".format("|".join("".join(f"[{c}{c.upper()}]" if c.isalpha() else c for c in w) for w in words))


EXPLAIN_PATTERN = any_case(EXPLAIN_VALUES)
BOOL_SCHEMA = {"anyOf": [{"type": "boolean"}, {"type": "integer", "enum": [0, 1]},
                         {"type": "string", "pattern": any_case(BOOL_VALUES)}]}  # fmt: skip
EXPLAIN = {
    "name": "explain",
    "in": "query",
    "required": False,
    "schema": {"type": "string", "pattern": EXPLAIN_PATTERN},
    "description": "true, 1 or yes adds each prediction's base value and per-feature contributions; "
    "false, 0 or no (or no parameter) does not; any letter case; any other value is a 400",
}


def raw_spec(name: str, media_type: str, doc_schema: dict[str, Any]) -> type[RawRequest]:
    """A `RawRequest` subclass documenting an endpoint's body (as input) or answer (as output: docs only,
    since the endpoints return Starlette responses themselves)."""
    spec = type(name, (RawRequest,), {"__module__": __name__, "media_type": media_type, "doc_schema": doc_schema})
    spec.__root_input__ = True  # type: ignore[attr-defined]
    return spec


def record_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """JSON schema of one record, from the model's feature schema."""
    properties: dict[str, Any] = {}
    for feature in schema["features"]:
        kind = feature["type"]
        nullable = {"nullable": True} if feature.get("allow_missing") else {}  # a null is imputed
        if kind == "bool":
            properties[feature["name"]] = {**BOOL_SCHEMA, **nullable}
            continue
        prop: dict[str, Any] = {"type": {"int": "integer", "float": "number"}.get(kind, "string"), **nullable}
        if feature.get("categories") and kind == "category":
            prop["enum"] = list(feature["categories"])
        for key, json_key in (("min", "minimum"), ("max", "maximum")):
            if feature.get(key) is not None:
                prop[json_key] = feature[key]
        properties[feature["name"]] = prop
    required = [f["name"] for f in schema["features"] if not f.get("allow_missing")]
    record = {"type": "object", "properties": properties, "required": required, "additionalProperties": False}
    # oneOf, not anyOf: BentoML's listing keeps only the first branch of an anyOf (and an object is never an array)
    return {"title": "Records", "oneOf": [record, {"type": "array", "items": record, "minItems": 1}]}


def example_csv(record: dict[str, Any]) -> str:
    """One record as a CSV with its header, as /predict_csv takes it (bools as true/false, None as blank)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(record)
    writer.writerow("" if v is None else str(v).lower() if isinstance(v, bool) else v for v in record.values())
    return out.getvalue()


def document(spec: dict[str, Any], example: dict[str, Any] | None = None) -> dict[str, Any]:
    """BentoML's OpenAPI document, saying what our endpoints really take and answer.

    BentoML lists a generic 400 whose `detail` is a string, none of our other 4xx, an optional body, only multipart
    for /predict_csv (with an encoding for a field that is not there), and not /metadata, which is served beside it.
    `example` (the model's typical row) is what "Try it out" starts from, as JSON and as a CSV.
    """
    spec = json.loads(json.dumps(spec))  # a copy, with status codes as the strings JSON makes of them
    spec.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    problem = {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path in ENDPOINTS:
        operation = spec["paths"][path]["post"]
        responses = operation["responses"]
        responses.pop("404", None)  # a routed POST is never answered 404
        responses.update({code: {"description": text, "content": problem} for code, text in CLIENT_ERRORS.items()})
        operation["parameters"] = [EXPLAIN]
        operation["requestBody"]["required"] = True  # an empty body is a 400
    upload = spec["paths"]["/predict_csv"]["post"]
    upload["requestBody"]["content"] = {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {"file": {"type": "string", "format": "binary"}},
            }
        },
        "text/csv": {"schema": {"type": "string"}},
    }
    if example:
        spec["paths"]["/predict"]["post"]["requestBody"]["content"]["application/json"]["example"] = example
        upload["requestBody"]["content"]["text/csv"]["example"] = example_csv(example)
    upload["responses"]["200"]["content"]["application/json"] = {"schema": SCORED_JSON_SCHEMA}
    spec["paths"]["/metadata"] = {
        "get": {
            "tags": ["Service APIs"],
            "description": "The served model: tag, metrics, feature schema, data and params hashes, limits.",
            "operationId": "scorecast__metadata",
            "responses": {
                "200": {
                    "description": "Successful Response",
                    "content": {"application/json": {"schema": METADATA_SCHEMA}},
                },
                **{code: {"description": CLIENT_ERRORS[code], "content": problem} for code in ("401", "429")},
            },
        }
    }
    return spec
