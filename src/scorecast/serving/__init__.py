"""What `service.py` needs to serve the packaged model: validation, a fast predictor, CSV scoring, the page."""

from __future__ import annotations
