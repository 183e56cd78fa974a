"""The qa command line: text and JSON answers, batches, errors and exit codes."""

import json

import pytest

from conftest import run_qa


def test_ask_prints_an_answer_with_numbered_sources(index_dir):
    result = run_qa("ask", "Талдыбулак кени 2019-жылы канча алтын өндүргөн?", "--persist-dir", str(index_dir))
    assert result.returncode == 0, result.stderr
    assert "133 335" in result.stdout
    assert "Sources:" in result.stdout and "[1]" in result.stdout and "[5]" in result.stdout


def test_ask_json_has_the_documented_shape(index_dir):
    result = run_qa("ask", "What stake does Zijin Mining hold in Altynken?", "--json", "--k", "3",
                    "--persist-dir", str(index_dir))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert {"id", "question", "language", "answer", "abstained", "citations"} <= set(data)
    assert data["language"] == "en" and data["abstained"] is False and "60%" in data["answer"]
    assert len(data["citations"]) == 3
    for n, citation in enumerate(data["citations"], start=1):
        assert {"n", "passage_id", "text", "quote", "section", "language", "score"} <= set(citation)
        assert citation["n"] == n
    assert data["citations"][0]["quote"] in data["citations"][0]["text"]


@pytest.mark.xfail(strict=True, reason="known regression of the learned ranker (issue 13): it quotes the sentence "
                   "after the 4,34 billion one (scores 1.62 against 1.57)")
def test_the_total_investment_is_quoted(index_dir):
    result = run_qa("ask", "Кытай канча инвестиция салды?", "--json", "--persist-dir", str(index_dir))
    assert "4,34" in json.loads(result.stdout)["answer"]


def test_batch_copies_ids_and_reports_bad_lines(index_dir, tmp_path):
    batch = tmp_path / "questions.jsonl"
    batch.write_text("\n".join([
        json.dumps({"id": "a", "question": "2013-жылдан бери Кытай Кыргызстанга канча инвестиция салды?"},
                   ensure_ascii=False),
        "{not json",
        json.dumps({"id": 7, "question": "Сколько китайских компаний работало в 2019 году?"}, ensure_ascii=False),
        json.dumps({"id": "empty", "question": "   "}),
        json.dumps({"question": 42}),
        "",
    ]), encoding="utf-8")
    result = run_qa("ask", "--batch", str(batch), "--json", "--persist-dir", str(index_dir))
    assert result.returncode == 1
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a["id"] for a in answers] == ["a", "7"]
    assert "4,34" in answers[0]["answer"] and "400" in answers[1]["answer"]
    errors = result.stderr.strip().splitlines()
    assert [e.split(":")[1] for e in errors] == ["2", "4", "5"]


def test_errors_are_one_line_with_exit_status_2(index_dir, tmp_path):
    cases = [
        ("ask", "  ", "--persist-dir", str(index_dir)),
        ("ask", "--batch", str(tmp_path / "missing.jsonl"), "--persist-dir", str(index_dir)),
        ("ask", "Привет?", "--persist-dir", str(tmp_path / "no" / "such" / "file.txt" / "x"), "--embedder", "nope"),
    ]
    for args in cases:
        result = run_qa(*args)
        assert result.returncode == 2, (args, result.stderr)
        assert result.stderr.startswith("qa: error: ") and result.stderr.count("\n") == 1, result.stderr
        assert "Traceback" not in result.stderr


def test_binary_batch_file_is_refused(index_dir, tmp_path):
    batch = tmp_path / "binary.jsonl"
    batch.write_bytes(bytes(range(256)) * 4)
    result = run_qa("ask", "--batch", str(batch), "--persist-dir", str(index_dir))
    assert result.returncode == 2 and "cannot read batch file" in result.stderr


def test_ask_builds_the_index_first_when_there_is_none(tmp_path):
    folder = tmp_path / "fresh"
    result = run_qa("ask", "Ош шаардык ооруканасы кандай?", "--persist-dir", str(folder))
    assert result.returncode == 0, result.stderr
    assert "building it first" in result.stderr
    assert (folder / "chroma.sqlite3").is_file()
    again = run_qa("index", "--persist-dir", str(folder))
    assert again.returncode == 0 and "up to date" in again.stderr
