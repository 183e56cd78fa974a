"""The Gradio chat UI."""

import qa  # noqa: F401  (switches analytics, telemetry and downloads off before gradio is imported)
