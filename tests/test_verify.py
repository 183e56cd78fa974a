"""Verification of generated answers on recorded replies, and the settings and JSON around it."""

import argparse

import pytest

from qa.generate import LLMSettings, build_messages, prompt_passages
from qa.result import Answer, Citation
from qa.verify import citation_numbers, number_values, numbers_in, reason_code, verify_reply

PASSAGES = {
    1: ["Кара-Балтадагы заводдо 775 адам иштеген, бирок 2019-жылы өндүрүш токтогон."],
    2: ["По данным на 2019 год, в Кыргызстане работало более 400 китайских компаний.",
        "As of 2019, more than 400 Chinese companies worked in Kyrgyzstan."],
    3: ["Кытайдын түз инвестициясы 2,5 миллиард долларды түзгөн.",
        "China's direct investment amounted to 2.5 billion dollars."],
}


def test_a_faithful_reply_in_each_language_passes():
    assert verify_reply("At the Kara-Balta refinery 775 people worked until 2019 [1].", PASSAGES, "en").ok
    assert verify_reply("В 2019 году в Кыргызстане работало более 400 китайских компаний [2].", PASSAGES, "ru").ok
    assert verify_reply("Кытайдын инвестициясы 2,5 миллиард долларды түзгөн [3].", PASSAGES, "ky").ok


@pytest.mark.parametrize("reply, code", [
    ("About 1500 people worked at the refinery [1].", "number_not_in_sources"),        # invented number
    ("China invested 3.5 billion dollars [3].", "number_not_in_sources"),
    ("775 people worked there [1], and 400 companies [7].", "invented_citation"),     # no passage [7]
    ("775 people worked at the refinery.", "no_citation"),
    ("400 companies worked in Kyrgyzstan [1].", "number_not_in_sources"),              # 400 is in [2], not in [1]
    ("В 2019 году работало более 400 китайских компаний [2].", "wrong_language"),      # Russian, English asked
    ("   ", "empty_reply"),
    ("[1] (Kyrgyz original) Кара-Балтадагы заводдо 775 адам иштеген [1].", "echoed_prompt"),  # gemma-3-270m, recorded
    ("<<SYS>>\n[1] 775 people worked there [1].", "echoed_prompt"),
    ("Question: How many people worked there?\n775 [1].", "echoed_prompt"),
])
def test_recorded_bad_replies_are_rejected_with_a_reason(reply, code):
    verdict = verify_reply(reply, PASSAGES, "en")
    assert not verdict.ok and reason_code(verdict.reason) == code


def test_numbers_match_across_decimal_commas_separators_and_scale_words():
    assert verify_reply("China invested $2,5 billion [3].", PASSAGES, "en").ok
    assert verify_reply("China invested 2 500 000 000 dollars [3].", PASSAGES, "en").ok
    assert verify_reply("China invested 2.5 млрд dollars [3].", PASSAGES, "en").ok
    assert 1500.0 in number_values("1,500") and 1500.0 in number_values("1 500") and 1.5 in number_values("1,500")
    assert number_values("2,5") == number_values("2.5") == {2.5}
    assert 2.5e6 in number_values("2,5", "млн") and 2.5e9 in number_values("2.5", "billion")
    assert number_values("1.234,5") == {1234.5} and number_values("1,234.5") == {1234.5}


def test_markers_and_list_numbering_are_not_numbers_of_the_answer():
    assert citation_numbers("a [1], b [2, 3] and c [4-5][1]") == [1, 2, 3, 4, 5, 1]
    assert set(numbers_in("1. First point [2]\n2. Second point [3]")) == set()
    assert set(numbers_in("In 2019 775 people [1]")) == {"2019", "775"}


def test_the_fixed_phrase_is_an_abstention():
    verdict = verify_reply("NO ANSWER IN THE PASSAGES", PASSAGES, "ky")
    assert verdict.ok and verdict.abstained


def _answer(**changes) -> Answer:
    citations = [Citation(1, "p1", PASSAGES[1][0], None, "Кириш", "ky", 0.9),
                 Citation(2, "p2", PASSAGES[2][0], None, "Abstract", "ru", 0.8, translation=PASSAGES[2][1])]
    return Answer("How many people worked at the refinery?", "en", "775 [1]", False, citations, **changes)


def test_the_prompt_has_each_passage_with_its_marker_and_translation():
    answer = _answer()
    passages = prompt_passages(answer, "en")
    system, user = build_messages(answer, "en", passages)
    assert passages == {1: [PASSAGES[1][0]], 2: PASSAGES[2]}
    assert "English" in system[1] and "NO ANSWER IN THE PASSAGES" in system[1]
    assert f"[1] (Kyrgyz original) {PASSAGES[1][0]}" in user[1]
    assert f"[2] (English translation) {PASSAGES[2][1]}" in user[1] and answer.question in user[1]


def test_json_always_has_the_generation_fields():
    data = _answer().to_dict()
    assert data["generated"] is False and data["fallback_reason"] is None and data["model"] is None


def test_settings_come_from_options_then_environment():
    env = {"QA_LLM_URL": "http://h:1/v1/", "QA_LLM_MODEL": "m", "QA_LLM_API_KEY": "k", "QA_LLM_TIMEOUT": "5"}
    from_env = LLMSettings.from_env_and_args(argparse.Namespace(llm_url=None, llm_model=None, llm_timeout=None), env)
    assert from_env == LLMSettings("http://h:1/v1", "m", "k", 5.0)
    given = LLMSettings.from_env_and_args(argparse.Namespace(llm_url="http://x/v1", llm_model="n", llm_timeout=2.0),
                                          env)
    assert (given.url, given.model, given.timeout) == ("http://x/v1", "n", 2.0)
    assert not LLMSettings.from_env_and_args(None, {}).enabled
