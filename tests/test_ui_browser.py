"""The chat UI in a real headless Chromium (Debian's), driven by Playwright."""

import json

import pytest
from conftest import ARTIFACTS, ask
from playwright.sync_api import expect

from ui.i18n import LANGUAGE_NAMES, text

pytestmark = pytest.mark.browser


def open_page(browser, url: str, **options):
    """A new browser context's page on the UI, its requests recorded, once the page is localized."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, **options)
    page = context.new_page()
    page.requests = []
    page.on("request", lambda request: page.requests.append(request.url))
    page.goto(url, wait_until="load")
    page.wait_for_selector("#qa-question textarea")
    expect(page.locator("#qa-ui-language input:checked")).to_have_count(1)
    return page


@pytest.fixture()
def page(browser, ui_server):
    page = open_page(browser, ui_server[0])
    yield page
    page.context.close()


def only_origin_requests(page, url: str) -> None:
    origin = url.rstrip("/")
    assert [seen for seen in page.requests if not seen.startswith((origin, "data:", "blob:"))] == []


@pytest.mark.parametrize("language, question, fact, opening, original", [
    ("ky", "Кара-Балтадагы заводдо канча адам иштеген?", "775", "Макалага ылайык", None),
    ("ru", "Какая доля в «Алтынкене» принадлежит Zijin Mining?", "60%", "Согласно статье", "60% үлүшүнө"),
    ("en", "Which power transmission line helped Kyrgyzstan build a unified energy system?", "Datka",
     "According to the article", "Датка-Кемин"),
])
def test_answer_in_the_askers_language_sources_original_and_show_in_article(page, ui_server, language, question,
                                                                            fact, opening, original):
    reply = ask(page, question)
    assert opening in reply and fact in reply
    expect(page.locator("#qa-stop")).to_be_hidden()  # no model server: quotes only, nothing to stop
    sources = page.locator("#qa-sources")
    expect(sources.locator("details.qa-source")).to_have_count(5)
    first = sources.locator("details.qa-source").first
    expect(first.locator("mark.qa-quote").first).to_be_visible()
    if original:  # the answer is our translation: the article's own words are one click away
        assert "in our translation" in reply or "в нашем переводе" in reply
        bot = page.locator("#qa-chat .bot-row").last
        bot.locator("details.qa-reply-original summary").click()
        expect(bot.locator("details.qa-reply-original")).to_contain_text(original)
        expect(first.locator(".qa-translation-label")).to_have_text(text("our_translation", "en"))
        first.locator("details.qa-original summary").click()
        expect(first.locator("details.qa-original mark.qa-quote")).to_contain_text(original)
    first.locator("a.qa-show").click()
    cited = page.locator("#qa-article-html mark#qa-cite-1")
    expect(cited).to_be_in_viewport(timeout=5000)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"chat-{language}.png"), full_page=True)
    only_origin_requests(page, ui_server[0])


def test_abstention_reads_as_such_with_related_passages(page):
    reply = ask(page, "How much did China invest in Kyrgyzstan in 2010?")  # a year the article gives no figure for
    assert "The article does not say" in reply
    expect(page.locator("#qa-sources h3")).to_have_text(text("related", "en"))


def test_thumbs_up_is_saved_and_clear_resets(page, ui_server):
    ask(page, "Ош шаардык ооруканасы кандай оорукана болуп калды?")
    feedback = ui_server[1]
    before = feedback.read_text(encoding="utf-8").count("\n") if feedback.exists() else 0
    page.locator("#qa-chat .bot-row button[aria-label='Like'], #qa-chat button[title='Like']").last.click()
    expect(page.locator("#qa-status")).to_have_text(text("rating_saved", "en"), timeout=10000)
    rows = [json.loads(line) for line in feedback.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == before + 1 and rows[-1]["liked"] is True and "Ош" in rows[-1]["question"]
    page.locator("#qa-clear").click()
    expect(page.locator("#qa-chat .bot-row")).to_have_count(0)
    expect(page.locator("#qa-sources")).to_have_text(text("sources_empty", "en"))


def test_clicking_an_earlier_reply_shows_its_sources_again(page):
    ask(page, "Талдыбулак кени 2019-жылы канча алтын өндүргөн?")
    ask(page, "Which power transmission line helped Kyrgyzstan build a unified energy system?")
    quote = page.locator("#qa-sources mark.qa-quote").first
    expect(quote).to_contain_text("Datka")
    page.locator("#qa-chat .bot-row").first.click()
    expect(quote).to_contain_text("133 335", timeout=10000)
    expect(page.locator("#qa-article-html mark#qa-cite-1")).to_contain_text("133 335")


def test_a_question_sent_right_after_another_is_answered_after_it(page):
    box, users = page.locator("#qa-question textarea"), page.locator("#qa-chat .user-row")
    questions = ["Талдыбулак кени 2019-жылы канча алтын өндүргөн?",
                 "Which power transmission line helped Kyrgyzstan build a unified energy system?"]
    for sent, question in enumerate(questions, 1):
        box.fill(question)
        box.press("Enter")
        expect(users).to_have_count(sent)  # shown at once, whether or not the reply before has come
    replies = page.locator("#qa-chat .bot-row")
    expect(replies).to_have_count(2, timeout=30000)
    assert [users.nth(n).inner_text().strip() for n in range(2)] == questions
    expect(replies.last).to_contain_text("Datka")


GREETINGS = {"ky": "Салам!", "ru": "Привет!", "en": "Hello!"}


@pytest.fixture(params=["ky-KG", "ru-RU", "en-US"])
def localized(browser, ui_server, request):
    """A page opened by a browser whose language is the locale ``request.param``; yields it and the language."""
    locale = request.param
    page = open_page(browser, ui_server[0], locale=locale,
                     extra_http_headers={"Accept-Language": f"{locale},{locale[:2]};q=0.9"})
    yield page, locale[:2]
    page.context.close()


def test_page_speaks_the_browsers_language_and_suggests_questions(localized, ui_server):
    page, language = localized
    expect(page.locator("#qa-send")).to_have_text(text("ask", language))
    expect(page.locator("#qa-question textarea")).to_have_attribute("placeholder", text("placeholder", language))
    expect(page.locator("#qa-ui-language input:checked")).to_have_value(language)
    reply = ask(page, GREETINGS[language])
    assert not reply.startswith(text("polite", language, problem="")[:10])
    expect(page.locator("#qa-sources")).to_have_text(text("sources_empty", language))  # small talk: no sources
    suggestions = page.locator("#qa-suggestions button.qa-suggestion:visible")
    expect(suggestions.first).to_be_visible(timeout=30000)
    assert 1 <= suggestions.count() <= 3
    replies = page.locator("#qa-chat .bot-row")
    before = replies.count()
    suggestions.first.click()
    expect(replies).to_have_count(before + 1, timeout=30000)
    expect(page.locator("#qa-sources details.qa-source").first).to_be_visible()
    expect(page.locator("#qa-sources h3")).to_have_text(text("sources", language))
    expect(replies.last).to_contain_text(text(f"question_in_{language}", language))  # asked in the page's language
    if language == "ky":
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "screenshot-ky.png"), full_page=True)
    only_origin_requests(page, ui_server[0])


def test_language_switch_changes_every_label(page):
    expect(page.locator("#qa-send")).to_have_text(text("ask", "en"))
    for language, name in LANGUAGE_NAMES.items():
        page.locator("#qa-ui-language label", has_text=name).click()
        expect(page.locator("#qa-send")).to_have_text(text("ask", language))
        expect(page.locator("#qa-clear")).to_have_text(text("clear", language))
        expect(page.locator("#qa-sources")).to_have_text(text("sources_empty", language))
        expect(page.locator("#qa-question textarea")).to_have_attribute("placeholder", text("placeholder", language))
