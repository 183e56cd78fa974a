"""Evaluation metrics against hand-computed values, the set's format and anchors, and qa eval end to end."""

import json
import math

import pytest
from conftest import run_qa

from eval import metrics
from eval.dataset import DEFAULT_SET, FOLLOWUP_SET, load_followups, load_questions, missing_anchors
from qa.errors import QAError


def test_rank_metrics_by_hand():
    rels = [0, 1, 0, 1]
    assert metrics.first_hit_rank(rels) == 2
    assert metrics.hit_at(rels, 1) == 0.0 and metrics.hit_at(rels, 2) == 1.0
    assert metrics.reciprocal_rank(rels) == 0.5
    ideal = 1 + 1 / math.log2(3)
    assert metrics.ndcg_at(rels, 10, total_relevant=2) == pytest.approx((1 / math.log2(3) + 1 / math.log2(5)) / ideal)


def test_rank_metrics_on_empty_and_tied_results():
    assert metrics.first_hit_rank([]) is None
    assert metrics.hit_at([], 5) == 0.0 and metrics.reciprocal_rank([]) == 0.0
    assert metrics.ndcg_at([], 10, total_relevant=0) == 0.0
    assert metrics.ndcg_at([1, 1], 10, total_relevant=2) == pytest.approx(1.0)  # two relevant, tied at the top
    assert metrics.percentile([], 50) is None and metrics.mean([]) is None
    assert metrics.percentile([3, 1, 2, 2], 50) == 2
    assert metrics.percentile([10, 20], 95) == pytest.approx(19.5)


def test_answer_facts_need_one_alternative_of_every_group():
    assert metrics.answer_has_facts("4,34 миллиард АКШ доллары", [["4,34", "4.34"], ["доллар"]])
    assert not metrics.answer_has_facts("4,34 миллиард", [["4,34"], ["доллар"]])
    assert metrics.answer_has_facts("anything", [])


def test_abstention_scores_by_hand():
    abstained = [True, True, False, False, True]
    answerable = [False, True, True, True, False]
    scores = metrics.abstention_scores(abstained, answerable)
    assert scores == {"abstain_precision": 2 / 3, "abstain_recall": 1.0, "false_abstention": 1 / 3}
    assert metrics.abstention_scores([], []) == {"abstain_precision": None, "abstain_recall": None,
                                                 "false_abstention": None}


def test_the_evaluation_set_is_well_formed_and_anchored(article):
    questions = load_questions(DEFAULT_SET)
    assert len(questions) >= 120
    assert missing_anchors(questions, article.cleaned) == []
    by_language = {lang: [q for q in questions if q.language == lang] for lang in ("ky", "ru", "en")}
    assert all(len(qs) >= 40 for qs in by_language.values())
    assert sum(not q.answerable for q in questions) >= 15
    facts = {q.fact for q in questions if q.answerable}
    for fact in facts:  # every fact asked in all three languages
        assert {q.language for q in questions if q.fact == fact} == {"ky", "ru", "en"}
    sections = {p.section for p in article.passages if any(a in p.text for q in questions for a in q.anchors)}
    assert sections >= {p.section for p in article.passages}  # the whole article is covered
    assert len(load_followups(FOLLOWUP_SET)) >= 9


def test_a_malformed_set_is_reported_with_its_line(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "1", "language": "ky", "question": "?", "answerable": false}\n{"id": 2}\n')
    with pytest.raises(QAError, match="bad.jsonl:2"):
        load_questions(bad)


def test_qa_eval_end_to_end_on_a_small_set(index_dir, small_training, tmp_path):
    rows = [json.loads(line) for line in DEFAULT_SET.read_text(encoding="utf-8").splitlines()]
    small = [r for r in rows if r["fact"] in ("total-investment", "workers", "no-plov")]
    subset = tmp_path / "small.jsonl"
    subset.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in small), encoding="utf-8")
    details = tmp_path / "details.jsonl"
    result = run_qa("eval", "--set", str(subset), "--training", str(small_training), "--json", "--details",
                    str(details), "--quiet", "--persist-dir", str(index_dir))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    summary = report["hybrid · e5"]
    assert summary["all"]["questions"] == 9 and summary["ky"]["questions"] == 3
    for key in ("hit@1", "hit@5", "mrr", "ndcg@10", "answer_accuracy", "abstain_recall", "latency_p95_ms"):
        assert key in summary["all"]
    assert 0.0 <= summary["all"]["hit@5"] <= 1.0
    styles = report["styles"]  # the training corpus, cross-validated, per style
    assert {"natural", "paraphrase", "informal", "no_diacritics", "unanswerable"} <= set(styles)
    assert sum(row["questions"] for name, row in styles.items() if name != "all") == styles["all"]["questions"]
    assert 0.0 <= styles["all"]["type_accuracy"] <= 1.0 and 0.0 <= styles["all"]["sentence_accuracy"] <= 1.0
    lines = [json.loads(line) for line in details.read_text(encoding="utf-8").splitlines()]
    evaluation = [line for line in lines if line["set"] == "evaluation"]
    assert len(evaluation) == 9 and {"question", "expected_anchors", "answer", "rank", "predicted_type",
                                     "chosen_sentence", "confidence", "why", "language_reason"} <= set(evaluation[0])
    for line in evaluation:  # the language chosen, and by which evidence
        assert line["language_reason"].startswith(f"{line['language']}: ") and "letters" in line["language_reason"]
    questions = [line for line in lines if "confidence" in line]
    messages = [line for line in lines if line["set"] in ("messages", "training-messages")]
    assert len(questions) + len(messages) == len(lines) and messages  # nothing else is written
    assert all(0.0 <= line["confidence"] <= 1.0 for line in questions)
    assert all(line["why"] == [] for line in questions if not line["abstained"])
    assert all({"label", "predicted", "recognised"} <= set(line) for line in messages)


def test_benchmark_writes_its_report_and_plots(tmp_path):
    out = tmp_path / "reports"
    result = run_qa("bench", "--sizes", "300", "--out", str(out), timeout=900)
    assert result.returncode == 0, result.stderr
    report = (out / "benchmark.md").read_text(encoding="utf-8")
    for heading in ("## Machine", "## Quality per language", "## Baselines side by side", "## Speed and memory",
                    "## Scale", "## Load"):
        assert heading in report
    assert "| embedded 300 |" in report and "| server 300 |" in report
    assert "bm25 · e5" in report and "dense · minilm" in report
    for picture in ("latency-vs-size.png", "quality-per-language.png"):
        assert (out / picture).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_followups_are_measured_alone_and_completed(pipeline):
    from eval.run import evaluate_followups

    pairs = load_followups(FOLLOWUP_SET)
    table = evaluate_followups(pipeline, pairs)
    assert table["all"]["pairs"] == len(pairs) and {"ky", "ru", "en"} <= set(table)
    for row in table.values():
        assert all(0.0 <= row[k] <= 1.0 for k in ("alone hit@1", "completed hit@1", "alone hit@5", "completed hit@5"))
    assert table["all"]["completed hit@5"] >= table["all"]["alone hit@5"]
