"""The index in Chroma: each build goes into fresh collections, then one pointer flips to it.

A build writes ``<name>-<build>-passages`` (one record per passage) and ``<name>-<build>-sentences``
(one per sentence, for picking the answer sentence without embedding at question time). Only when
both are complete does the pointer collection ``<name>``'s metadata name the new build, so a build
that is interrupted at any point leaves the previous index whole. The previous build is kept for
readers that still hold it; older ones and leftovers of interrupted builds are dropped.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import shutil
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import chromadb
import numpy as np
from chromadb.config import Settings
from langchain_chroma import Chroma
from tqdm import tqdm

from index.corpus import Document
from index.embedders import IdentifiedEmbeddings
from index.keyword import KeywordIndex
from index.records import ORIGINAL, BuildRecords, Record, VectorCache
from qa.errors import QAError

SCHEMA_VERSION = 5  # 5: keyword tokens folded (ө ү ң ё as о у н е)
DEFAULT_PERSIST_DIR = Path(".qa_index")
DEFAULT_COLLECTION = "qa-index"
COPY_PAGE = 1000
_SQLITE = "chroma.sqlite3"


@dataclass(frozen=True)
class StoreLocation:
    """Where the index lives: an embedded folder, or a Chroma server when ``chroma_url`` is set."""

    persist_dir: Path = DEFAULT_PERSIST_DIR
    chroma_url: str | None = None
    collection: str = DEFAULT_COLLECTION

    def describe(self) -> str:
        """Human-readable place, for messages."""
        return f"Chroma server {self.chroma_url}" if self.chroma_url else f"index folder {self.persist_dir}"


def _settings() -> Settings:
    return Settings(anonymized_telemetry=False, allow_reset=False)


def _check_folder(folder: Path) -> None:
    """Refuse a path that is not ours to write: a file, or a non-empty folder that is not Chroma's."""
    if folder.exists() and not folder.is_dir():
        raise QAError(f"index path {folder} is a file, not a folder")
    if folder.is_dir() and any(folder.iterdir()) and not (folder / _SQLITE).is_file():
        raise QAError(f"{folder} is not an index folder (no {_SQLITE}); choose another --persist-dir")


def open_client(location: StoreLocation) -> chromadb.ClientAPI:
    """A Chroma client for ``location``, or a one-line QAError saying why there is none."""
    if location.chroma_url:
        url = urlparse(location.chroma_url)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise QAError(f"bad Chroma URL {location.chroma_url!r}: expected http://HOST:PORT")
        try:
            client = chromadb.HttpClient(host=url.hostname, port=url.port or 8000, ssl=url.scheme == "https",
                                         settings=_settings())
            client.heartbeat()
        except Exception as error:  # noqa: BLE001  (connection errors come in many types)
            raise QAError(f"cannot reach Chroma server at {location.chroma_url}: {_first_line(error)}") from error
        return client
    folder = location.persist_dir
    _check_folder(folder)
    try:
        client = chromadb.PersistentClient(path=str(folder), settings=_settings())
        client.list_collections()
    except Exception as error:  # noqa: BLE001  (sqlite and Rust-side errors alike mean "corrupt")
        raise QAError(f"index folder {folder} is corrupt or unreadable ({_first_line(error)}); "
                      "move it aside and run 'qa index'") from error
    return client


def _first_line(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0][:300]


@dataclass(frozen=True)
class DocumentRecord:
    """What the index knows of a document it holds."""

    name: str
    path: str
    hash: str
    kind: str
    passages: int
    translations: dict[str, str] = field(default_factory=dict)  # language -> path of the translation file

    @classmethod
    def of(cls, document: Document) -> "DocumentRecord":
        """The record of a document about to be indexed."""
        return cls(document.name, document.path, document.content_hash, document.kind, len(document.passages),
                   {t.language: t.path for t in document.translations})


def pages(collection, include: list[str], where: dict | None = None) -> Iterator[dict]:
    """Read a collection (Chroma's or LangChain's) ``COPY_PAGE`` records at a time."""
    for offset in itertools.count(0, COPY_PAGE):
        got = collection.get(where=where, include=include, limit=COPY_PAGE, offset=offset)
        if not got["ids"]:
            return
        yield got


def fingerprint(documents: Iterable[DocumentRecord], embedder: str) -> str:
    """What a build depends on: the documents' contents, the embedder and the index schema."""
    digest = hashlib.sha256(f"{SCHEMA_VERSION}\n{embedder}".encode())
    for doc in sorted(documents, key=lambda d: d.name):
        digest.update(f"\n{doc.name}\n{doc.hash}".encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class ActiveIndex:
    """The build the pointer names, opened for reading."""

    manifest: dict
    passages: Chroma
    sentences: Chroma

    @property
    def documents(self) -> list[DocumentRecord]:
        """The documents of this build."""
        return manifest_documents(self.manifest)


def manifest_documents(manifest: dict | None) -> list[DocumentRecord]:
    """The documents a manifest lists (none for a manifest of an older schema)."""
    try:
        return [DocumentRecord(**row) for row in json.loads((manifest or {}).get("documents", "[]"))]
    except (json.JSONDecodeError, TypeError):
        return []


def _build_name(collection: str) -> str:
    return f"{collection}-{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:6]}"


class IndexStore:
    """The qa index in one Chroma database (embedded folder or server); ``embeddings`` may be None
    for reading the manifest only."""

    def __init__(self, location: StoreLocation, embeddings: IdentifiedEmbeddings | None,
                 client: chromadb.ClientAPI | None = None) -> None:
        self.location = location
        self.embeddings = embeddings
        self.client = client or open_client(location)

    def _vectorstore(self, name: str) -> Chroma:
        return Chroma(collection_name=name, embedding_function=self.embeddings, client=self.client,
                      create_collection_if_not_exists=False)

    def manifest(self) -> dict | None:
        """The pointer's metadata (active build, embedder, documents …), or None if never built."""
        names = {c.name for c in self.client.list_collections()}
        if self.location.collection not in names:
            return None
        metadata = self.client.get_collection(self.location.collection, embedding_function=None).metadata or {}
        return dict(metadata) if metadata.get("active") else None

    def documents(self) -> list[DocumentRecord]:
        """The documents the active build holds."""
        return manifest_documents(self.manifest())

    def is_current(self, documents: list[Document]) -> bool:
        """True if the active build holds exactly these documents, made with this embedder."""
        manifest = self.manifest()
        wanted = fingerprint([DocumentRecord.of(d) for d in documents], self.embeddings.identity)
        return bool(manifest) and manifest.get("fingerprint") == wanted

    def build(self, documents: list[Document], keep: Iterable[DocumentRecord] = (), progress: bool = True) -> dict:
        """A new build of ``documents`` (aligned with their translations and embedded now) and ``keep``
        (copied, vectors and all, from the active build); then the pointer flips to it and stale
        builds are dropped. A translation that does not fit its document stops the build before
        anything is written."""
        keep = list(keep)
        if not any(doc.passages for doc in documents) and not keep:
            raise QAError("nothing to index: the documents have no text")
        records = BuildRecords.of(documents, VectorCache(self.embeddings, progress))
        previous = self.manifest()
        build = self.new_build()
        new_passages = self._collection(f"{build}-passages")
        new_sentences = self._collection(f"{build}-sentences")
        kept_texts = self._copy_documents(previous, build, [d.name for d in keep], progress) if keep else {}
        self._add(new_passages, records.passages)
        self._add(new_sentences, records.sentences)
        texts = {**kept_texts, **{r.id: (r.text, r.metadata) for r in records.passages}}
        return self.publish(build, keep + [DocumentRecord.of(d) for d in documents], texts, previous)

    def new_build(self) -> str:
        """A fresh build name; its collections are ``<build>-passages`` and ``<build>-sentences``."""
        return _build_name(self.location.collection)

    def publish(self, build: str, records: list[DocumentRecord], texts: dict[str, tuple[str, dict]],
                previous: dict | None) -> dict:
        """Make a complete build the active one: save its keyword index, flip the pointer, drop
        stale builds. ``texts`` holds every passage's (and translation's) text and metadata by id."""
        metadatas = [m for _, m in texts.values()]
        KeywordIndex.build(list(texts), [t for t, _ in texts.values()],
                           [str(m.get("language", "")) for m in metadatas]).save(self.keyword_dir(build))
        originals = [m for m in metadatas if m.get("variant", ORIGINAL) == ORIGINAL]
        translations = sorted({str(m["variant"]) for m in metadatas if m.get("variant", ORIGINAL) != ORIGINAL})
        manifest = {"active": build, "embedder": self.embeddings.identity, "schema": SCHEMA_VERSION,
                    "fingerprint": fingerprint(records, self.embeddings.identity), "passages": len(originals),
                    "translations": ",".join(translations),
                    "documents": json.dumps([asdict(r) for r in records], ensure_ascii=False),
                    "main_language": _main_language(originals),
                    "built": time.strftime("%Y-%m-%dT%H:%M:%S")}
        pointer = self.client.get_or_create_collection(self.location.collection, embedding_function=None,
                                                       metadata={"qa-pointer": True})
        pointer.modify(metadata=manifest)
        self._drop_builds(keep={build, (previous or {}).get("active")})
        return manifest

    def _copy_documents(self, previous: dict | None, build: str, names: list[str],
                        progress: bool) -> dict[str, tuple[str, dict]]:
        """Copy the named documents' records (with their vectors) from the active build; returns
        the copied passages' texts and metadata by id."""
        if not previous:
            raise QAError("no active index to keep documents from")
        copied: dict[str, tuple[str, dict]] = {}
        for part in ("passages", "sentences"):
            source = self.client.get_collection(f"{previous['active']}-{part}", embedding_function=None)
            target = self.client.get_collection(f"{build}-{part}", embedding_function=None)
            where = {"doc": names[0]} if len(names) == 1 else {"doc": {"$in": names}}
            bar = tqdm(desc=f"copying {part}", unit=part[:-1], file=sys.stderr, disable=not progress, leave=False)
            for got in pages(source, ["embeddings", "documents", "metadatas"], where):
                target.add(ids=got["ids"], embeddings=got["embeddings"], documents=got["documents"],
                           metadatas=got["metadatas"])
                if part == "passages":
                    copied.update({i: (t, dict(m)) for i, t, m in zip(got["ids"], got["documents"], got["metadatas"])})
                bar.update(len(got["ids"]))
            bar.close()
        return copied

    def _collection(self, name: str) -> chromadb.Collection:
        """A new, empty collection in cosine space (we always give the vectors ourselves)."""
        return self.client.create_collection(name, embedding_function=None, metadata={"hnsw:space": "cosine"})

    @staticmethod
    def _add(collection: chromadb.Collection, records: list[Record]) -> None:
        for start in range(0, len(records), COPY_PAGE):
            batch = records[start:start + COPY_PAGE]
            collection.add(ids=[r.id for r in batch], embeddings=np.stack([r.vector for r in batch]),
                           documents=[r.text for r in batch], metadatas=[r.metadata for r in batch])

    def keyword_dir(self, build: str) -> Path:
        """Where a build's keyword index is kept: in the index folder, or (server mode) in a local
        cache, so that it is read from Chroma at most once per machine."""
        if not self.location.chroma_url:
            return self.location.persist_dir / "keyword" / build
        server = re.sub(r"[^\w.-]+", "_", self.location.chroma_url)
        return Path(os.environ.get("QA_CACHE_DIR", Path.home() / ".cache" / "qa")) / "keyword" / server / build

    def keyword_index(self, active: ActiveIndex) -> KeywordIndex:
        """The active build's keyword index: loaded from disk, or rebuilt from Chroma once and saved."""
        folder = self.keyword_dir(active.manifest["active"])
        loaded = KeywordIndex.load(folder)
        if loaded is not None:
            return loaded
        source = self.client.get_collection(f"{active.manifest['active']}-passages", embedding_function=None)
        ids, texts, languages = [], [], []
        for got in pages(source, ["documents", "metadatas"]):
            ids += got["ids"]
            texts += got["documents"]
            languages += [str((m or {}).get("language", "")) for m in got["metadatas"]]
        index = KeywordIndex.build(ids, texts, languages)
        index.save(folder)
        return index

    def _drop_builds(self, keep: set[str | None]) -> None:
        """Delete the collections and keyword folders of every build but ``keep``."""
        build = rf"{re.escape(self.location.collection)}-\d{{14}}-[0-9a-f]{{6}}"
        collection_pattern = re.compile(rf"({build})-(passages|sentences)")
        for collection in self.client.list_collections():
            match = collection_pattern.fullmatch(collection.name)
            if match and match.group(1) not in keep:
                self.client.delete_collection(collection.name)
        folder = self.keyword_dir("-").parent
        for stale in folder.iterdir() if folder.is_dir() else []:
            if re.fullmatch(build, stale.name) and stale.name not in keep:
                shutil.rmtree(stale, ignore_errors=True)

    def drop(self) -> None:
        """Delete this index altogether: every build, its keyword folders and the pointer."""
        self._drop_builds(keep=set())
        if self.location.collection in {c.name for c in self.client.list_collections()}:
            self.client.delete_collection(self.location.collection)

    def open_active(self) -> ActiveIndex:
        """Open the active build for reading; a clear error if there is none or it was made otherwise."""
        manifest = self.manifest()
        check_embedder(manifest, self.embeddings.identity, self.location)
        build = manifest["active"]
        try:
            return ActiveIndex(manifest, self._vectorstore(f"{build}-passages"),
                               self._vectorstore(f"{build}-sentences"))
        except Exception as error:  # noqa: BLE001
            raise QAError(f"the index in {self.location.describe()} is incomplete ({_first_line(error)}); "
                          "run 'qa index' again") from error


def check_embedder(manifest: dict | None, identity: str, location: StoreLocation) -> None:
    """A clear error unless the index exists and was built by the embedder named ``identity``."""
    if not manifest:
        raise QAError(f"no index named {location.collection!r} in {location.describe()}: "
                      "run 'qa index' first (with the same --collection)")
    if manifest.get("embedder") != identity:
        raise QAError(f"the index in {location.describe()} was built with {manifest.get('embedder')}, "
                      f"not {identity}: rebuild it or ask with the same --embedder")


def _main_language(metadatas: Iterable[dict]) -> str:
    """The language most body passages are in."""
    counts = Counter(m.get("language") for m in metadatas if m.get("kind") == "body")
    return str(counts.most_common(1)[0][0]) if counts else "ky"
