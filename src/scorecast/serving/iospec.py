"""BentoML input specs that hand the endpoint the raw Starlette request.

BentoML's own parsing turns malformed JSON into a 500, answers in two different error shapes and
fetches URLs given in place of files; reading the body ourselves avoids all three, while the
endpoints still get BentoML's routing, metrics, tracing and OpenAPI listing.
"""

from __future__ import annotations

from typing import Any, ClassVar

from _bentoml_sdk.io_models import IORootModel


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


PREDICTIONS_SCHEMA: dict[str, Any] = {
    "title": "Predictions",
    "type": "object",
    "properties": {
        "predictions": {"type": "array", "items": {"type": "number"}},
        "target": {"type": "string"},
        "model": {
            "type": "object",
            "properties": {k: {"type": "string"} for k in ("tag", "winner", "params_md5", "data_md5")},
        },
    },
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
        prop: dict[str, Any] = {"type": {"int": "integer", "float": "number", "bool": "boolean"}.get(kind, "string")}
        if feature.get("categories") and kind == "category":
            prop["enum"] = list(feature["categories"])
        for key, json_key in (("min", "minimum"), ("max", "maximum")):
            if feature.get(key) is not None:
                prop[json_key] = feature[key]
        properties[feature["name"]] = prop
    required = [f["name"] for f in schema["features"] if not f.get("allow_missing")]
    record = {"type": "object", "properties": properties, "required": required, "additionalProperties": False}
    return {"title": "Records", "anyOf": [record, {"type": "array", "items": record, "minItems": 1}]}
