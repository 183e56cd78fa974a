"""Reading documents to index: .txt, .md and text PDFs, with a clear reason when a file can't be used."""

from __future__ import annotations

from pathlib import Path

from index.corpus import Document
from index.translations import translations_beside
from qa.errors import QAError

SUPPORTED = {".txt": "text", ".md": "markdown", ".markdown": "markdown", ".pdf": "pdf"}
MAX_BYTES = 50 * 2**20


def _decode(path: Path, data: bytes) -> str:
    if b"\x00" in data:
        raise QAError(f"{path.name}: a binary file, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise QAError(f"{path.name}: not UTF-8 text (wrong encoding? byte {error.start})") from error
    if not text.strip():
        raise QAError(f"{path.name}: empty, nothing to index")
    return text


def _pdf_pages(path: Path) -> list[str]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted and not reader.decrypt(""):
            raise QAError(f"{path.name}: an encrypted PDF")
        pages = [page.extract_text() or "" for page in reader.pages]
    except QAError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as error:
        raise QAError(f"{path.name}: not a readable PDF ({str(error).splitlines()[0] if str(error) else 'damaged'})") \
            from error
    except Exception as error:  # noqa: BLE001  (pypdf raises many kinds on damaged or encrypted files)
        raise QAError(f"{path.name}: not a readable PDF ({type(error).__name__})") from error
    if not any(page.strip() for page in pages):
        raise QAError(f"{path.name}: no extractable text (an image-only PDF?)")
    return pages


def load_document(path: Path) -> Document:
    """A document from a file, or a QAError naming the file and what is wrong with it."""
    kind = SUPPORTED.get(path.suffix.lower())
    if kind is None:
        raise QAError(f"{path.name}: unsupported file type (use .txt, .md or .pdf)")
    try:
        if path.stat().st_size > MAX_BYTES:
            raise QAError(f"{path.name}: larger than {MAX_BYTES // 2**20} MiB")
        if kind == "pdf":
            document = Document(path.name, "\f".join(_pdf_pages(path)), str(path.resolve()), "pdf")
        else:
            document = Document(path.name, _decode(path, path.read_bytes()), str(path.resolve()), kind)
    except OSError as error:
        raise QAError(f"{path.name}: cannot read ({error.strerror or error})") from error
    return document.with_translations(translations_beside(path))
