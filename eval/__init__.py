"""Evaluation set, metrics, benchmarks."""

import qa  # noqa: F401  (offline switches first)
