"""``qa serve``: the chatbot over HTTP, OpenAI-compatible (/v1) and plain REST (/api)."""
