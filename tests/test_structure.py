"""Structure of the article and the passages' metadata."""

from index.chunk import MAX_CHARS, chunk, split_sentences
from index.corpus import Document


def test_front_matter_in_three_languages(article):
    kinds = {(p.kind, p.language) for p in article.paragraphs}
    for language in ("ky", "ru", "en"):
        assert ("abstract", language) in kinds
        assert ("keywords", language) in kinds
    keywords = [p for p in article.paragraphs if p.kind == "keywords"]
    assert [p.language for p in keywords] == ["ky", "ru", "en"]
    assert keywords[0].text.startswith("Негизги сөздөр:")


def test_sections_with_their_titles(article):
    sections = []
    for p in article.paragraphs:
        if p.kind == "body" and (not sections or sections[-1] != p.section):
            sections.append(p.section)
    assert sections[0] == "Киришүү" and sections[-1] == "Корутунду"
    assert len(sections) == 4
    assert all("Бир алкак" in title for title in sections[1:3])
    assert all(p.language == "ky" for p in article.paragraphs if p.kind == "body")


def test_passages_point_into_the_cleaned_text(article):
    for passage in article.passages:
        assert article.cleaned[passage.start:passage.end] == passage.text
        assert passage.paragraph <= passage.paragraph_end


def test_passages_are_a_few_sentences(article):
    lengths = [len(p.text) for p in article.passages]
    assert max(lengths) <= MAX_CHARS
    assert 250 <= sum(lengths) / len(lengths) <= 450
    assert all(1 <= len(split_sentences(p.text)) <= 6 for p in article.passages)


def test_passage_ids_are_stable_across_rebuilds(article):
    again = Document(article.name, article.raw)
    assert [p.id for p in again.passages] == [p.id for p in article.passages]
    assert len({p.id for p in article.passages}) == len(article.passages)


def test_passages_never_cross_sections(article):
    for passage in article.passages:
        inside = [p for p in article.paragraphs if p.start < passage.end and passage.start < p.end]
        assert len({p.section for p in inside}) == 1


def test_sentences_are_verbatim_and_short_fragments_stay_attached():
    text = "Корутунду. Бул биринчи сүйлөм бир аз узунураак. 1. Экинчи сүйлөм дагы узун болот."
    sentences = split_sentences(text)
    assert all(s in text for s in sentences)
    assert sentences[0].startswith("Корутунду. Бул")
    assert sentences[1].startswith("1. Экинчи")


def test_chunking_an_empty_document_gives_nothing():
    assert chunk([], "", "empty.txt") == []
