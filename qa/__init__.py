"""Question answering over the article: language, retrieval, extractive cited answers."""

from qa.offline import enforce_offline

enforce_offline()
