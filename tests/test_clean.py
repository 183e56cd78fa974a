"""Cleaning what the PDF left behind, keeping what the author wrote."""

from index.clean import BULLET, clean_paragraphs, fix_lookalikes, join_hyphenation, replace_bullets, split_paragraphs


def test_line_break_hyphen_is_joined_when_the_article_has_the_word(article):
    text = article.cleaned
    assert "Республикасы" in text and "Рес-публикасы" not in text
    assert "биргелешкен" in text and "бир-гелешкен" not in text
    assert "инвестициялар" in text and "инвес-тициялар" not in text


def test_real_hyphens_stay(article):
    text = article.cleaned
    for compound in ("Кара-Балтада", "кытай-кыргыз", "кыргыз-кытай", "«Бир алкак - бир жол»", "Жылдан-жылга",
                     "илимий-техникалык", "2013-жылдан", "COVID-19", "Азия-Тынч", "транспорттук-коммуникациялык"):
        assert compound in text, compound


def test_hyphenation_decided_by_the_text_itself():
    text = "кытай-кыргыз мамилелер.\nБул кыргыз-\nкытай иши. Мамле-\nкеттер жана мамлекеттер."
    joined = join_hyphenation(text)
    assert "кыргыз-кытай" in joined  # both halves are words of the text: a compound
    assert "Мамлекеттер" in joined  # the joined form occurs elsewhere


def test_relational_adjective_before_a_line_break_opens_a_compound():
    text = "транспорттук байланыш. Бул транспорттук-\nкоммуникациялык абал. Инвестиция-\nлоонун этаптары."
    joined = join_hyphenation(text)
    assert "транспорттук-коммуникациялык" in joined  # an adjective of the text in -тук, then a whole word
    assert "Инвестициялоонун" in joined  # a noun broken mid-word is still joined


def test_latin_lookalikes_inside_cyrillic_words_become_cyrillic(article):
    assert "Дүйнөлүк соода уюмуна" in article.cleaned
    assert "\u0441оода" in fix_lookalikes("cоода")  # Latin c -> Cyrillic с
    assert fix_lookalikes("Zijin Mining Group") == "Zijin Mining Group"
    assert fix_lookalikes("COVID-19") == "COVID-19"


def test_private_use_bullets_become_list_items(article):
    assert replace_bullets("\uf0d8 item") == f"{BULLET} item"
    items = [p.text for p in article.paragraphs if p.text.startswith(BULLET)]
    assert len(items) == 5
    assert not any("\uf0d8" in p.text for p in article.paragraphs)


def test_blank_lines_inside_paragraphs_disappear():
    raw = "Биринчи сап \n\nуланат жана бүтөт. \n\nЭкинчи абзац \n\nбашталат."
    assert split_paragraphs(raw) == ["Биринчи сап уланат жана бүтөт.", "Экинчи абзац башталат."]


def test_cleaning_keeps_every_word_of_the_article(article):
    raw_words = len(article.raw.split())
    clean_words = len(" ".join(clean_paragraphs(article.raw)).split())
    assert 0.9 * raw_words < clean_words <= raw_words
