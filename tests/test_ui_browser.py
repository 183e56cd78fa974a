"""The chat UI in a real headless Chromium (Debian's), driven by Playwright."""

import json

import pytest
from conftest import ARTIFACTS, ask
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture()
def page(browser, ui_server):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.requests = []
    page.on("request", lambda request: page.requests.append(request.url))
    page.goto(ui_server[0], wait_until="load")
    page.wait_for_selector("#qa-question textarea")
    yield page
    context.close()


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
        expect(first.locator(".qa-translation-label")).to_contain_text("Our translation")
        first.locator("details.qa-original summary").click()
        expect(first.locator("details.qa-original mark.qa-quote")).to_contain_text(original)
    first.locator("a.qa-show").click()
    cited = page.locator("#qa-article-html mark#qa-cite-1")
    expect(cited).to_be_in_viewport(timeout=5000)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"chat-{language}.png"), full_page=True)
    origin = ui_server[0].rstrip("/")
    assert [url for url in page.requests if not url.startswith((origin, "data:", "blob:"))] == []


def test_abstention_reads_as_such_with_related_passages(page):
    reply = ask(page, "How many Chinese tourists visited Issyk-Kul in 2021?")  # the football one: a strict xfail
    assert "The article does not say" in reply
    expect(page.locator("#qa-sources h3")).to_contain_text("Related passages")


def test_thumbs_up_is_saved_and_clear_resets(page, ui_server):
    ask(page, "Ош шаардык ооруканасы кандай оорукана болуп калды?")
    feedback = ui_server[1]
    before = feedback.read_text(encoding="utf-8").count("\n") if feedback.exists() else 0
    page.locator("#qa-chat .bot-row button[aria-label='Like'], #qa-chat button[title='Like']").last.click()
    expect(page.locator("#qa-status")).to_contain_text("saved", timeout=10000)
    rows = [json.loads(line) for line in feedback.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == before + 1 and rows[-1]["liked"] is True and "Ош" in rows[-1]["question"]
    page.locator("#qa-clear").click()
    expect(page.locator("#qa-chat .bot-row")).to_have_count(0)
    expect(page.locator("#qa-sources")).to_contain_text("Sources of the answer appear here")


def test_clicking_an_earlier_reply_shows_its_sources_again(page):
    ask(page, "Талдыбулак кени 2019-жылы канча алтын өндүргөн?")
    ask(page, "Which power transmission line helped Kyrgyzstan build a unified energy system?")
    quote = page.locator("#qa-sources mark.qa-quote").first
    expect(quote).to_contain_text("Datka")
    page.locator("#qa-chat .bot-row").first.click()
    expect(quote).to_contain_text("133 335", timeout=10000)
    expect(page.locator("#qa-article-html mark#qa-cite-1")).to_contain_text("133 335")
