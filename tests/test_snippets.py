"""Snippets: fragments around matches, <mark> around the words, everything else escaped."""

from hypothesis import given
from hypothesis import strategies as st

from search.snippets import Span, make_snippet, mark_all


def test_marks_the_matched_word():
    text = "Россия начала поставки С-400 в Турцию."
    start = text.index("поставки")
    html = make_snippet(text, [Span(start, start + len("поставки"), "поставка")])
    assert "<mark>поставки</mark>" in html


def test_escapes_html_around_and_inside_marks():
    text = "<script>alert(1)</script> arms <b>deal</b>"
    start = text.index("arms")
    html = make_snippet(text, [Span(start, start + 4, "arm")])
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html and "<mark>arms</mark>" in html


def test_no_match_gives_the_lead_shortened_on_a_word():
    text = "word " * 100
    html = make_snippet(text, [])
    assert html.endswith("…") and len(html) < 240 and not html.rstrip("…").endswith("wor")


def test_far_apart_matches_give_separate_fragments():
    text = "alpha " + "filler " * 200 + "omega"
    spans = [Span(0, 5, "alpha"), Span(len(text) - 5, len(text), "omega")]
    html = make_snippet(text, spans)
    assert html.count("<mark>") == 2 and "…" in html and len(html) < 700


def test_at_most_three_fragments():
    text = " ".join(f"hit{i} " + "pad " * 80 for i in range(6))
    spans = []
    for i in range(6):
        start = text.index(f"hit{i}")
        spans.append(Span(start, start + 4, "hit"))
    assert make_snippet(text, spans).count("<mark>") == 3


def test_mark_all_keeps_newlines():
    text = "Первый абзац.\n\nВторой <абзац>."
    start = text.index("Второй")
    assert mark_all(text, [Span(start, start + 6, "второй")]) == (
        "Первый абзац.\n\n<mark>Второй</mark> &lt;абзац&gt;."
    )


@given(st.text(max_size=300), st.lists(st.tuples(st.integers(-5, 320), st.integers(0, 30))))
def test_snippet_never_raises_and_never_leaks_markup(text, raw_spans):
    spans = [Span(a, a + n, "t") for a, n in raw_spans]
    html = make_snippet(text, spans)
    stripped = html.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in stripped and ">" not in stripped
