from __future__ import annotations

from scorecast.dataset import Column, DatasetSpec


def test_columns_survive_the_model_metadata_round_trip():
    """Serving rebuilds the columns from the packaged schema: every rule must come back, or the service
    would accept what validate refused."""
    spec = DatasetSpec.from_params(
        {
            "name": "t",
            "target": "y",
            "features": {
                "n": {"type": "int", "min": 0, "max": 9, "allow_missing": True},
                "x": {"type": "float", "min": -1.5},
                "c": {"type": "category", "categories": ["a", "b"]},
                "flag": {"type": "bool"},
                "note": {"type": "text"},
            },
        }
    )
    assert tuple(Column.from_dict(c.to_dict()) for c in spec.features) == spec.features
