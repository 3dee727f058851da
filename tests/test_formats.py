"""Web pages, PDFs and e-mails read as articles, indexed beside text files."""

from __future__ import annotations

import json
import mailbox
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from make_files import REPORT_LINES, encrypt_pdf, make_message, make_pdf

from search.errors import DocumentError, DocumentNotFoundError
from search.ingest.html import read_html
from search.ingest.mail import parse_message
from search.ingest.outlets import known_outlet
from search.ingest.pdf import read_pdf
from search.ingest.read import read_document, read_documents
from search.service import Engine
from search.sync import sync_index

PAGES = Path(__file__).parent / "data" / "pages"


def page(tmp_path: Path, name: str) -> Path:
    target = tmp_path / f"{name}.html"
    shutil.copyfile(PAGES / f"{name}.html", target)
    return target


def test_russian_page_gives_text_and_metadata(tmp_path):
    doc = read_document(page(tmp_path, "ru_news"), tmp_path)
    assert (doc.id, doc.title, doc.date, doc.source, doc.lang) == (
        "ru_news.html",
        "Минобороны получило первую партию Су-57",
        "2021-03-12",
        "ТАСС",
        "ru",
    )
    assert doc.url == "https://tass.ru/armiya-i-opk/10912345"
    assert doc.author == "Иван Петров"
    assert doc.body.startswith("МОСКВА, 12 марта. /ТАСС/. Воздушно-космические силы")
    assert doc.provenance["date"] == "page metadata"


def test_english_page_gives_text_and_metadata(tmp_path):
    doc = read_document(page(tmp_path, "en_news"), tmp_path)
    assert (doc.title, doc.date, doc.source, doc.lang, doc.author) == (
        "Army awards contract for new air defense radars",
        "2021-06-14",
        "Defense News",
        "en",
        "Jane Doe",
    )
    assert doc.url.startswith("https://www.defensenews.com/land/2021/06/14/")
    assert doc.body.startswith("WASHINGTON — The U.S. Army awarded")


@pytest.mark.parametrize(
    "name, furniture",
    [
        ("ru_news", ["Пользователь123", "Читайте также", "Флот получит", "Экономика", "<p>"]),
        ("en_news", ["reader42", "Navy picks new frigate", "Subscribe", "Related", "<p>"]),
    ],
)
def test_navigation_comments_and_related_links_stay_out(tmp_path, name, furniture):
    doc = read_document(page(tmp_path, name), tmp_path)
    for words in furniture:
        assert words not in doc.body


def test_page_without_meta_tags_takes_outlet_from_its_link(tmp_path):
    path = tmp_path / "bare.html"
    path.write_text(
        "<html><body><article><h1>Учения ПВО прошли под Астраханью</h1>"
        "<p>Расчёты зенитных ракетных комплексов отразили массированный налёт условного "
        "противника на полигоне Ашулук, сообщили в пресс-службе округа.</p>"
        "</article></body></html>",
        "utf-8",
    )
    path.with_name("bare.html.meta.json").write_text('{"url": "https://ria.ru/20210312/x.html"}')
    doc = read_document(path, tmp_path)
    assert (doc.title, doc.source, doc.date) == (
        "Учения ПВО прошли под Астраханью",
        "РИА Новости",
        "2021-03-12",
    )


def test_page_without_text_fails_with_a_reason(tmp_path):
    path = tmp_path / "empty.html"
    path.write_text("<html><head><title></title></head><body><script>x()</script></body></html>")
    with pytest.raises(DocumentError, match="no article text"):
        read_document(path, tmp_path)


def test_pdf_title_comes_from_metadata_else_first_heading(tmp_path):
    (tmp_path / "titled.pdf").write_bytes(make_pdf(REPORT_LINES, title="Air Defense Report Q3"))
    (tmp_path / "plain.pdf").write_bytes(make_pdf(REPORT_LINES, title="Microsoft Word - r.docx"))
    titled = read_document(tmp_path / "titled.pdf", tmp_path)
    plain = read_document(tmp_path / "plain.pdf", tmp_path)
    assert (titled.id, titled.title, titled.provenance["title"]) == (
        "titled.pdf",
        "Air Defense Report Q3",
        "pdf metadata",
    )
    assert plain.title == "Quarterly Report on Air Defense Procurement"
    assert plain.body.startswith("The ministry received twelve radar stations")
    assert titled.body.startswith("Quarterly Report on Air Defense Procurement\n\nThe ministry")


def test_russian_pdf_is_read_from_its_text_layer(tmp_path):
    lines = [
        "Отчёт о поставках вооружений за третий квартал",
        "",
        "Заказчик получил три корвета и партию радиолокационных станций.",
        "Поставки зенитных ракет задержались на месяц.",
    ]
    (tmp_path / "otchet.pdf").write_bytes(make_pdf(lines))
    doc = read_document(tmp_path / "otchet.pdf", tmp_path)
    assert (doc.title, doc.lang) == ("Отчёт о поставках вооружений за третий квартал", "ru")
    assert doc.body.startswith("Заказчик получил три корвета")


@pytest.mark.parametrize(
    "data, reason",
    [
        (make_pdf(None), "PDF without a text layer"),
        (encrypt_pdf(make_pdf(REPORT_LINES)), "encrypted PDF: it needs a password"),
        (make_pdf(REPORT_LINES)[:200], "unreadable PDF"),
    ],
    ids=["scan", "encrypted", "truncated"],
)
def test_unreadable_pdf_fails_with_its_reason(tmp_path, data, reason):
    (tmp_path / "bad.pdf").write_bytes(data)
    with pytest.raises(DocumentError, match=reason):
        read_document(tmp_path / "bad.pdf", tmp_path)


def test_pdf_locked_only_against_editing_is_read(tmp_path):
    (tmp_path / "locked.pdf").write_bytes(encrypt_pdf(make_pdf(REPORT_LINES), password=""))
    assert "interceptor missiles" in read_document(tmp_path / "locked.pdf", tmp_path).body


def bulletin(attachments=()) -> bytes:
    return make_message(
        "Бюллетень: поставки вооружений за неделю",
        "Пресс-служба ВПК <press@vpk-news.example>",
        "Fri, 12 Mar 2021 09:30:00 +0300",
        text="Добрый день\n\nЗа неделю заказчик получил три корвета и партию радиолокационных "
        "станций. Подробности в приложенном отчёте.",
        attachments=attachments,
    )


def test_email_subject_date_and_sender_become_title_date_and_outlet(tmp_path):
    (tmp_path / "bulletin.eml").write_bytes(bulletin())
    doc = read_document(tmp_path / "bulletin.eml", tmp_path)
    assert (doc.id, doc.title, doc.date, doc.source, doc.lang) == (
        "bulletin.eml",
        "Бюллетень: поставки вооружений за неделю",
        "2021-03-12",
        "Пресс-служба ВПК",
        "ru",
    )
    assert doc.body.startswith("Добрый день\n\nЗа неделю заказчик получил три корвета")


def test_email_html_body_is_read_as_a_page_and_sender_domain_names_the_outlet(tmp_path):
    html = (PAGES / "en_news.html").read_text("utf-8")
    raw = make_message(
        "Radar contract", "news@defensenews.com", "Mon, 14 Jun 2021 18:02 +0000", html=html
    )
    (tmp_path / "radar.eml").write_bytes(raw)
    doc = read_document(tmp_path / "radar.eml", tmp_path)
    assert (doc.title, doc.source) == ("Radar contract", "Defense News")
    assert doc.body.startswith("WASHINGTON — The U.S. Army") and "reader42" not in doc.body


def test_email_attachments_become_articles_of_their_own(tmp_path):
    pdf = make_pdf(REPORT_LINES, title="Air Defense Report Q3")
    scan = make_pdf(None)
    raw = bulletin([("report.pdf", "application/pdf", pdf), ("scan.pdf", "application/pdf", scan)])
    (tmp_path / "bulletin.eml").write_bytes(raw)
    found = read_documents(tmp_path / "bulletin.eml", tmp_path)
    assert [doc.id for doc in found.documents] == ["bulletin.eml", "bulletin.eml#report.pdf"]
    assert found.documents[1].title == "Air Defense Report Q3"
    assert found.failed == [
        {
            "id": "bulletin.eml#scan.pdf",
            "error": "PDF without a text layer (a scan?): run OCR on it first",
        }
    ]


def write_mbox(path: Path, messages: list[bytes]) -> None:
    box = mailbox.mbox(path)
    for raw in messages:
        box.add(raw)
    box.flush()
    box.close()


def test_mbox_messages_and_attachments_are_indexed_and_follow_changes(tmp_path):
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    (corpus / "s400.txt").write_text("Поставки С-400\n\nТекст заметки о поставках.", "utf-8")
    shutil.copyfile(PAGES / "ru_news.html", corpus / "s400.html")
    pdf = make_pdf(REPORT_LINES, title="Air Defense Report Q3")
    second = make_message(
        "Weekly digest",
        "Defense Digest <digest@example.com>",
        "Mon, 15 Mar 2021 08:00 +0000",
        text="Radar deliveries continue on schedule, officials said.",
    )
    write_mbox(corpus / "box.mbox", [bulletin([("report.pdf", "application/pdf", pdf)]), second])
    report = sync_index(corpus, index)
    assert (report.added, report.failed) == (5, [])
    engine = Engine(index)
    assert engine.document("s400")["title"] == "Поставки С-400"
    assert engine.document("s400.html")["source"] == "ТАСС"
    assert engine.document("box.mbox#1#report.pdf")["title"] == "Air Defense Report Q3"
    assert engine.document("box.mbox#2")["source"] == "Defense Digest"
    assert sync_index(corpus, index).unchanged == 5

    write_mbox(corpus / "box2.mbox", [second])
    (corpus / "box2.mbox").replace(corpus / "box.mbox")  # the bulletin was deleted
    report = sync_index(corpus, index)
    assert (report.added, report.updated, report.removed) == (0, 1, 2)
    with pytest.raises(DocumentNotFoundError):
        Engine(index).document("box.mbox#1#report.pdf")
    assert Engine(index).document("box.mbox#1")["title"] == "Weekly digest"


def test_web_page_shows_extracted_text_never_the_stored_html(tmp_path):
    from web.app import create_app

    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    hostile = (PAGES / "en_news.html").read_text("utf-8")
    hostile = hostile.replace("<p>The radars", "<p><script>alert(1)</script>The radars")
    (corpus / "radars.html").write_text(hostile, "utf-8")
    pdf = make_pdf(REPORT_LINES, title="Air Defense Report Q3")
    (corpus / "bulletin.eml").write_bytes(bulletin([("report.pdf", "application/pdf", pdf)]))
    assert sync_index(corpus, index).added == 3
    client = create_app({"INDEX_DIR": index, "TESTING": True}).test_client()
    page = client.get("/doc/radars.html").get_data(as_text=True)
    assert "<p>WASHINGTON — The U.S. Army awarded" in page
    assert "<script>alert(1)" not in page and "reader42" not in page
    original = "https://www.defensenews.com/land/2021/06/14/army-awards-contract-for-new-air"
    assert f'<a href="{original}' in page
    attachment = client.get("/doc/bulletin.eml%23report.pdf").get_data(as_text=True)
    assert 'href="/doc/bulletin.eml"' in attachment and "Air Defense Report Q3" in attachment
    for path in ("/corpus/radars.html", "/static/../corpus/radars.html", "/radars.html"):
        assert client.get(path).status_code == 404


EVAL_CASES = json.loads((PAGES / "eval" / "expected.json").read_text("utf-8"))


@pytest.mark.parametrize("case", EVAL_CASES, ids=[case["file"] for case in EVAL_CASES])
def test_saved_pages_give_the_title_date_outlet_and_link_written_by_hand(tmp_path, case):
    path = tmp_path / case["file"]
    shutil.copyfile(PAGES / "eval" / case["file"], path)
    if case["sidecar_url"]:
        sidecar = path.with_name(path.name + ".meta.json")
        sidecar.write_text(json.dumps({"url": case["sidecar_url"]}), "utf-8")
    doc = read_document(path, tmp_path)
    outlet = known_outlet(case["source"]) or case["source"] if case["source"] else None
    assert (doc.title, doc.date, doc.source, doc.url, doc.lang) == (
        case["title"],
        case["date"],
        outlet,
        case["url"],
        case["lang"],
    )


HTML_PIECES = st.sampled_from(
    ["<html>", "<body>", "<p>", "</p>", "<article>", "<h1>", "<meta charset='koi8-r'>",
     "<script>", "<!--", "]]>", "&amp;", "&#0;", "Поставки С-400 идут по графику.",
     "Deliveries are on schedule.", "\x00", "\ud7ff", "<meta property='og:title' content='",
     "<time datetime='2021-02-30'>", "<link rel=canonical href='javascript:x'>"]
)  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(st.lists(HTML_PIECES, max_size=40).map("".join))
def test_a_page_is_read_or_refused_with_a_reason_never_a_crash(markup):
    try:
        page = read_html(markup.encode("utf-8", "surrogatepass"))
    except DocumentError:
        return
    assert page.article.title and page.article.body


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_as_pdf_or_email_give_an_article_or_a_reason(data):
    for reader in (read_pdf, parse_message):
        try:
            reader(b"%PDF-1.4\n" + data if reader is read_pdf else data)
        except DocumentError:
            pass


def test_the_parts_folder_of_a_page_saved_complete_is_not_indexed(tmp_path):
    corpus = tmp_path / "corpus"
    (corpus / "radars_files").mkdir(parents=True)
    shutil.copyfile(PAGES / "en_news.html", corpus / "radars.html")
    (corpus / "radars_files" / "style.css").write_text("body { color: red; }\n")
    (corpus / "radars_files" / "app.js").write_text("var tracking = 'radars';\n")
    (corpus / "other_files").mkdir()
    (corpus / "other_files" / "note.txt").write_text("A note\n\nKept: no page of that name.")
    report = sync_index(corpus, tmp_path / "index")
    assert (report.added, report.failed) == (2, [])


def test_add_refuses_a_page_over_the_size_cap_and_copies_nothing(tmp_path):
    from search.errors import DefsearchError
    from search.ingest.add import add_articles

    corpus = tmp_path / "corpus"
    big = tmp_path / "big.html"
    big.write_bytes(b"<html><body><p>" + b"x" * (10 * 1024 * 1024) + b"</p></body></html>")
    good = page(tmp_path, "en_news")
    with pytest.raises(DefsearchError, match=r"big\.html: too large \(\d+ bytes, limit 10485760\)"):
        add_articles([good, big], corpus)
    assert not corpus.exists() or not any(corpus.iterdir())
