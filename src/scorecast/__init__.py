"""scorecast: a reproducible, data-versioned regression tournament and its model service."""

__version__ = "0.1.0"
