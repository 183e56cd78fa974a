"""From documents to a Chroma index: cleaning, structure, passages, embeddings, storage."""

import qa  # noqa: F401  (switches every download and telemetry off before anything else loads)
