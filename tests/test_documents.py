"""More documents than the article: .txt, .md and .pdf; idempotent updates, removal, bad files."""

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import matplotlib
import pytest
from conftest import ROOT, run_qa
from pypdf import PdfReader, PdfWriter

from index.embedders import get_embedder
from index.sources import load_document
from index.store import IndexStore, StoreLocation
from qa.errors import QAError
from qa.pipeline import QAPipeline

matplotlib.use("Agg")


def write_pdf(path: Path, pages: list[list[str]]) -> Path:
    """A real text PDF, one page per list of lines."""
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    with PdfPages(path) as pdf:
        for lines in pages:
            figure = plt.figure(figsize=(8.27, 11.69))
            for row, line in enumerate(lines):
                figure.text(0.1, 0.9 - row * 0.05, line, fontsize=12)
            pdf.savefig(figure)
            plt.close(figure)
    return path


@pytest.fixture()
def files(tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "docs"
    folder.mkdir()
    made = {
        "notes": folder / "osh.md",
        "plain": folder / "naryn.txt",
        "pdf": write_pdf(folder / "roads.pdf", [["The Kambarata dam is planned on the Naryn river."],
                                                 ["The Bishkek ring road was finished in 2023."]]),
        "binary": folder / "photo.txt", "empty": folder / "empty.md", "latin1": folder / "old.txt",
        "image_pdf": folder / "scan.pdf", "locked_pdf": folder / "locked.pdf", "unsupported": folder / "data.csv",
    }
    made["notes"].write_text("# Notes on Osh\n\nOsh is the second largest city of Kyrgyzstan.\n\n"
                             "## Sister cities\n\nOsh is twinned with Bursa in Turkey.\n", encoding="utf-8")
    made["plain"].write_text("Rivers\n\nThe Naryn river flows west into the Fergana valley.\n", encoding="utf-8")
    made["binary"].write_bytes(b"\x89PNG\x00\x01\x02")
    made["empty"].write_text("  \n")
    made["latin1"].write_bytes("Caf\xe9 cr\xe8me".encode("latin-1"))
    blank = PdfWriter()
    blank.add_blank_page(595, 842)
    blank.write(made["image_pdf"])
    locked = PdfWriter()
    locked.append(PdfReader(made["pdf"]))
    locked.encrypt("secret")
    locked.write(made["locked_pdf"])
    made["unsupported"].write_text("a,b\n")
    return made


@pytest.mark.parametrize("key, reason", [("binary", "binary"), ("empty", "empty"), ("latin1", "not UTF-8"),
                                         ("image_pdf", "no extractable text"), ("locked_pdf", "encrypted"),
                                         ("unsupported", "unsupported file type")])
def test_bad_files_are_refused_with_a_reason(files, key, reason):
    with pytest.raises(QAError, match=reason) as error:
        load_document(files[key])
    assert str(error.value).startswith(files[key].name)


def test_pdf_passages_know_their_page(files):
    document = load_document(files["pdf"])
    assert [p.page for p in document.passages] == [1, 2]
    assert "ring road" in document.passages[1].text


def test_markdown_headings_become_sections(files):
    document = load_document(files["notes"])
    assert [p.section for p in document.passages] == ["Notes on Osh", "Sister cities"]


def test_adding_documents_reports_bad_files_and_indexes_the_rest(files, tmp_path):
    folder = tmp_path / "ix"
    good = [files["notes"], files["plain"], files["pdf"]]
    bad = [files["binary"], files["locked_pdf"], tmp_path / "missing.txt"]
    result = run_qa("index", *map(str, good + bad), "--persist-dir", str(folder), "--quiet")
    assert result.returncode == 1
    for path in bad:
        assert f"skipped {path.name}:" in result.stderr
    listing = run_qa("index", "--list", "--persist-dir", str(folder)).stdout
    assert [line.split("\t")[0] for line in listing.splitlines()] == ["article.txt", "osh.md", "naryn.txt",
                                                                      "roads.pdf"]
    answer = json.loads(run_qa("ask", "When was the Bishkek ring road finished?", "--json", "--persist-dir",
                               str(folder)).stdout)
    first = answer["citations"][0]
    assert first["doc"] == "roads.pdf" and first["page"] == 2 and "2023" in answer["answer"]
    assert "roads.pdf" in answer["answer"]
    text = run_qa("ask", "Which city is Osh twinned with?", "--persist-dir", str(folder)).stdout
    assert "osh.md · Sister cities" in text


def test_updates_are_idempotent_and_replace_changed_files(files, tmp_path):
    folder = tmp_path / "ix"
    store = lambda: IndexStore(StoreLocation(folder), get_embedder("e5"))  # noqa: E731
    assert run_qa("index", str(files["notes"]), "--persist-dir", str(folder), "--quiet").returncode == 0
    build = store().manifest()["active"]
    again = run_qa("index", str(files["notes"]), "--persist-dir", str(folder), "--quiet")
    assert "up to date" in again.stderr and store().manifest()["active"] == build
    files["notes"].write_text("# Notes on Osh\n\nOsh is twinned with Bursa and with Pushkin.\n", encoding="utf-8")
    changed = run_qa("index", str(files["notes"]), "--persist-dir", str(folder), "--quiet")
    assert "replaced osh.md" in changed.stderr
    texts = store().open_active().passages.get(where={"doc": "osh.md"})["documents"]
    assert texts == ["Osh is twinned with Bursa and with Pushkin."]
    assert run_qa("index", "--remove", "osh.md", "--persist-dir", str(folder), "--quiet").returncode == 0
    assert [d.name for d in store().documents()] == ["article.txt"]
    refused = run_qa("index", "--remove", "article.txt", "--persist-dir", str(folder))
    assert refused.returncode == 2 and "empty" in refused.stderr


def test_readers_keep_answering_while_the_index_is_rebuilt(tmp_path):
    folder = tmp_path / "ix"
    assert run_qa("index", "--persist-dir", str(folder), "--quiet").returncode == 0
    reader = QAPipeline.open(StoreLocation(folder), build_if_missing=False)
    rebuild = subprocess.Popen([sys.executable, "-m", "qa.cli", "index", "--force", "--persist-dir", str(folder),
                                "--quiet"], cwd=ROOT)
    answers, failures = 0, []

    def keep_asking() -> None:
        nonlocal answers
        while rebuild.poll() is None:
            try:
                assert "775" in reader.ask("Кара-Балтадагы заводдо канча адам иштеген?").answer
                answers += 1
            except Exception as error:  # noqa: BLE001  (any failure is the finding)
                failures.append(repr(error))
            time.sleep(0.05)

    worker = threading.Thread(target=keep_asking)
    worker.start()
    rebuild.wait(timeout=300)
    worker.join()
    assert rebuild.returncode == 0 and failures == [] and answers > 0
    assert "775" in reader.ask("Кара-Балтадагы заводдо канча адам иштеген?").answer
