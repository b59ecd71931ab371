"""BentoML entry point (`bentoml serve service:ScoreCast`): wires scorecast.serving into one service.

Configure with environment variables: SCORECAST_MODEL_TAG (default: in a bento, the model it was built with;
else the workspace's model, which models/package.json names, else the store's newest packaged model; pin a tag
to roll back), SCORECAST_API_KEY, SCORECAST_RATE_LIMIT (requests/minute per client), SCORECAST_MAX_BYTES,
SCORECAST_MAX_ROWS, SCORECAST_WORKERS.
"""

from __future__ import annotations

import gc
import logging
import sys
from pathlib import Path

import bentoml
from starlette.requests import Request
from starlette.responses import Response

HERE = Path(__file__).resolve().parent
if (HERE / "src" / "scorecast").is_dir():  # a bento ships the package as src/scorecast, not installed
    sys.path.insert(0, str(HERE / "src"))

from scorecast.errors import ScorecastError  # noqa: E402
from scorecast.paths import MODEL_PATH, PACKAGE_PATH  # noqa: E402
from scorecast.serving import iospec, store, web  # noqa: E402
from scorecast.serving.endpoints import Scorer  # noqa: E402
from scorecast.serving.guard import AccessGuard, JsonErrors  # noqa: E402
from scorecast.serving.settings import Settings  # noqa: E402
from scorecast.serving.timeout import patch_bentoml_timeout  # noqa: E402

patch_bentoml_timeout()
logging.getLogger("scorecast").setLevel(logging.INFO)  # BentoML's server logging passes on WARNING and up only

try:
    SETTINGS = Settings.from_env()
    TAG = store.ensure_in_store(SETTINGS.model_tag or store.bento_model(HERE), HERE / PACKAGE_PATH, HERE / MODEL_PATH)
except ScorecastError as err:  # a setting or the model to serve: one line, not BentoML's import traceback
    sys.exit(f"scorecast service: error: {err}")
SCHEMA = bentoml.models.get(TAG).info.metadata["schema"]
RECORDS = iospec.raw_spec("Records", "application/json", iospec.record_schema(SCHEMA))
PREDICTIONS = iospec.raw_spec("Predictions", "application/json", iospec.PREDICTIONS_SCHEMA)
SCORED_CSV = iospec.raw_spec("ScoredCsv", "text/csv", {"type": "string", "format": "binary"})
CSV_UPLOAD = iospec.raw_spec(
    "CsvUpload",
    "multipart/form-data",
    {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}},
)


@bentoml.asgi_app(web.create_app(), path="/")
@bentoml.service(name="scorecast", workers=SETTINGS.workers, traffic={"timeout": 60})
class ScoreCast:
    model_ref = bentoml.models.BentoModel(TAG)

    def __init__(self) -> None:
        self.scorer = Scorer(store.load(self.model_ref), SETTINGS)
        # The ~180k objects of the imports and the model never die; frozen, the cyclic GC's full collections stop
        # walking them: those took 85-104 ms, once in every ~8 requests of 10,000 records (bench/serve.py).
        gc.collect()  # first, so that start-up's own garbage is not frozen with them
        gc.freeze()

    @bentoml.api(input_spec=RECORDS, output_spec=PREDICTIONS)
    async def predict(self, request: Request) -> Response:
        """One record (JSON object) or a list of records -> {"predictions": [...], "target", "model": {tag, ...}}."""
        return await self.scorer.predict(request)

    @bentoml.api(input_spec=CSV_UPLOAD, output_spec=SCORED_CSV)
    async def predict_csv(self, request: Request) -> Response:
        """A CSV upload (field `file`) -> the same CSV plus predicted_<target> and validation_error columns."""
        return await self.scorer.predict_csv(request)


ScoreCast.add_asgi_middleware(AccessGuard, settings=SETTINGS)
ScoreCast.add_asgi_middleware(JsonErrors)
