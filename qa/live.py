"""A pipeline that follows the index it serves: a rebuild is picked up without a restart.

A watcher thread reads the index's pointer every ``refresh`` seconds. When it names another build,
the new build is opened beside the old one and only then swapped in, so questions keep being
answered from the old build until the new one is ready. A question whose build disappears under it
(dropped by a later rebuild) is asked again on the build the pointer names now.
"""

from __future__ import annotations

import logging
import threading

from index.embedders import DEFAULT_EMBEDDER
from index.store import IndexStore, StoreLocation, manifest_documents
from qa.errors import QAError
from qa.pipeline import DEFAULT_K, QAPipeline
from qa.result import Answer
from qa.retrieve import HybridRetriever

log = logging.getLogger(__name__)
DEFAULT_REFRESH = 5.0


class IndexUnavailable(QAError):
    """No build can be answered from right now (not built yet, Chroma server down): try again later."""


class LivePipeline:
    """``QAPipeline.ask`` on the build the index's pointer names, reopened when a rebuild flips it."""

    def __init__(self, location: StoreLocation, embedder: str = DEFAULT_EMBEDDER,
                 refresh: float = DEFAULT_REFRESH) -> None:
        if refresh <= 0:
            raise QAError("--refresh must be more than 0 seconds")
        self.location, self.embedder, self.refresh = location, embedder, refresh
        self._current: QAPipeline | None = None
        self._problem = "the index has not been opened yet"
        self._swap = threading.Lock()
        self._answered = threading.local()
        self._stop = threading.Event()

    def start(self, required: bool = True) -> "LivePipeline":
        """Open the index (the default embedded one is built if missing), then watch its pointer.
        ``required``: a QAError if it cannot be opened now; otherwise it is tried again every
        ``refresh`` seconds and questions get IndexUnavailable meanwhile."""
        with self._swap:
            self._open(build_if_missing=True)
        if required and self._current is None:
            raise QAError(self._problem)
        threading.Thread(target=self._watch, name="qa-index-watcher", daemon=True).start()
        return self

    def close(self) -> None:
        """Stop watching the pointer."""
        self._stop.set()

    @property
    def build(self) -> str | None:
        """The build being served, or None while none is."""
        current = self._current
        return None if current is None else _build_of(current)

    @property
    def retriever(self) -> HybridRetriever:
        """The served build's retriever (its catalog of passages)."""
        return self._serving().retriever

    def answered_build(self) -> str | None:
        """The build that answered this thread's last question."""
        return getattr(self._answered, "build", None)

    def status(self) -> dict:
        """What is served: whether an index is loaded, its embedder, documents, passages and build."""
        current = self._current
        if current is None:
            return {"index_loaded": False, "problem": self._problem, "refresh_s": self.refresh}
        manifest = current.retriever.index.manifest
        return {"index_loaded": True, "embedder": manifest.get("embedder"),
                "documents": len(manifest_documents(manifest)), "passages": manifest.get("passages"),
                "build": manifest.get("active"), "built": manifest.get("built"), "refresh_s": self.refresh}

    def ask(self, question: str, k: int = DEFAULT_K, frame: str | None = None,
            search_query: str | None = None) -> Answer:
        """``QAPipeline.ask`` on the served build; asked once more on the new build if the index
        changed under the question; IndexUnavailable if there is no build to answer from."""
        return self._ask(question, k, frame, search_query, may_retry=True)

    def _ask(self, question: str, k: int, frame: str | None, search_query: str | None, may_retry: bool) -> Answer:
        pipeline = self._serving()
        try:
            answer = pipeline.ask(question, k=k, frame=frame, search_query=search_query)
        except QAError:
            raise
        except Exception as error:  # noqa: BLE001  (Chroma's errors for a dropped build come in many types)
            if may_retry and self.check():
                log.info("the index changed under a question (%s); asking the new build", type(error).__name__)
                return self._ask(question, k, frame, search_query, may_retry=False)
            log.exception("reading the index failed")
            raise IndexUnavailable("the index could not be read; please try again") from error
        self._answered.build = _build_of(pipeline)
        return answer

    def suggest(self, answer: Answer, asked: set[str] = frozenset()) -> tuple[str, ...]:
        """``QAPipeline.suggest`` on the served build (none when the build cannot be read)."""
        try:
            return self._serving().suggest(answer, asked)
        except QAError:
            return ()

    def check(self) -> bool:
        """Reopen the index if its pointer names another build than the one served (or none is
        served); True if another build is served now."""
        with self._swap:
            served = self.build
            try:
                store = self._current.store if self._current is not None else IndexStore(self.location, None)
                manifest = store.manifest()
            except Exception as error:  # noqa: BLE001  (a server that is down, a folder that went away)
                self._note(f"cannot read the index's pointer in {self.location.describe()}: {error}")
                return False
            if manifest is not None and manifest.get("active") == served:
                return False
            self._open(build_if_missing=False)
            return self.build != served

    def _serving(self) -> QAPipeline:
        current = self._current
        if current is None:
            raise IndexUnavailable(f"the index is not available: {self._problem}")
        return current

    def _open(self, build_if_missing: bool) -> None:
        """Open the build the pointer names and serve it (the old one stays served if that fails)."""
        try:
            self._current = QAPipeline.open(self.location, self.embedder, build_if_missing=build_if_missing)
            self._problem = ""
            log.info("serving build %s", self.build)
        except Exception as error:  # noqa: BLE001  (a build dropped while it was opened is tried next time)
            self._note(str(error) if isinstance(error, QAError) else f"{type(error).__name__}: {error}")

    def _note(self, problem: str) -> None:
        self._problem = " ".join(problem.split())[:300]
        log.warning("index: %s", self._problem)

    def _watch(self) -> None:
        while not self._stop.wait(self.refresh):
            self.check()


def _build_of(pipeline: QAPipeline) -> str:
    return str(pipeline.retriever.index.manifest.get("active"))
