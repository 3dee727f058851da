"""Measure ambiguous Russian forms in context: does the index weigh the right lemma first?

Each case is a sentence, a word form in it and the lemma a reader gives it there. The
index's lemma for the form is the one it weighs most at that word (search.text.analysis with
search.text.context); the prior is pymorphy3's most likely lemma of the form alone, what the
index used before. Prints each case, then both accuracies, and the ranking check: a query
``сталь`` must rank an article about armour steel above one where «стали» is the verb.

Run: .venv/bin/python tests/measure_context.py
"""

from __future__ import annotations

import sys

from search.text.analysis import analyze
from search.text.words import normalize, russian_lemmas

# (sentence, form, lemma in this sentence). Forms the issue names (стали, мира, стороны,
# мины, войска) and others defense news uses in two senses (суда: суд/судно, полки:
# полк/полка, вести, данные, вина).
CASES: list[tuple[str, str, str]] = [
    ("Завод увеличил выпуск броневой стали.", "стали", "сталь"),
    ("Корпус сделан из новой стали.", "стали", "сталь"),
    ("Выпуск стали вырос на треть.", "стали", "сталь"),
    ("Качество российской стали выросло.", "стали", "сталь"),
    ("Цены на прокат легированной стали выросли.", "стали", "сталь"),
    ("Лист из стали толщиной десять миллиметров.", "стали", "сталь"),
    ("В стали обнаружены трещины.", "стали", "сталь"),
    ("Для стали такой марки нужна другая печь.", "стали", "сталь"),
    ("От стали отказались в пользу композита.", "стали", "сталь"),
    ("Производство специальной стали освоено.", "стали", "сталь"),
    ("Марки стали для брони засекречены.", "стали", "сталь"),
    ("Поставки стали в Турцию сократились.", "стали", "сталь"),
    ("Стороны стали обсуждать сроки поставок.", "стали", "стать"),
    ("Закупки вооружения стали главной темой встречи.", "стали", "стать"),
    ("Они стали союзниками.", "стали", "стать"),
    ("Войска стали отходить к границе.", "стали", "стать"),
    ("Танки стали тяжелее.", "стали", "стать"),
    ("Корабли стали на якорь.", "стали", "стать"),
    ("В Москве стали известны детали сделки.", "стали", "стать"),
    ("Ученые стали изучать образцы.", "стали", "стать"),
    ("Военные суда вошли в порт.", "суда", "судно"),
    ("Десантные суда прибыли в Тартус.", "суда", "судно"),
    ("Суда сели на мель.", "Суда", "судно"),
    ("Решение суда вступило в силу.", "суда", "суд"),
    ("Приговор военного суда обжалован.", "суда", "суд"),
    ("Строительство новых судов начнется в мае.", "судов", "судно"),
    ("Между судами установлена связь.", "судами", "судно"),
    ("Экипаж судна спасен.", "судна", "судно"),
    ("Танковые полки переброшены к границе.", "полки", "полк"),
    ("Книжные полки заполнены уставами.", "полки", "полка"),
    ("Сапер обезвредил противотанковую мину.", "мину", "мина"),
    ("Пришли вести с фронта.", "вести", "весть"),
    ("Последние вести из Сирии тревожны.", "вести", "весть"),
    ("Делегация будет вести переговоры.", "вести", "вести"),
    ("Новые данные о потерях опубликованы.", "данные", "данные"),
    ("Бутылка красного вина стояла на столе.", "вина", "вино"),
    ("Две пары истребителей взлетели.", "пары", "пара"),
    ("Борьба за укрепление мира продолжается.", "мира", "мир"),
    ("Ремонт стекла кабины занял неделю.", "стекла", "стекло"),
    ("Дорога мира открыта.", "мира", "мир"),
    ("Стороны подписали соглашение.", "Стороны", "сторона"),
    ("Обе стороны согласились.", "стороны", "сторона"),
    ("Мины установлены вдоль дороги.", "Мины", "мина"),
    ("Войска отошли от границы.", "Войска", "войско"),
    ("Российские войска провели учения.", "войска", "войско"),
]

STEEL = (
    "Завод освоил выпуск броневой стали. Корпуса машин делают из новой стали, "
    "марки стали для брони засекречены."
)
VERB = (
    "Переговоры стали трудными. Стороны стали спорить, цены стали расти, поставки стали "
    "реже, и партнеры стали искать других поставщиков."
)


def index_lemma(sentence: str, form: str) -> str:
    """Return the lemma the index weighs most at the form's position in the sentence."""
    start = sentence.index(form)
    stacked = [
        term
        for term in analyze(sentence)
        if term.start == start and term.text[:1] not in ("=", "~") and term.lang == "ru"
    ]
    return max(stacked, key=lambda term: term.boost).text


def prior_lemma(form: str) -> str:
    return russian_lemmas(normalize(form))[0][0]


def accuracy(pick) -> float:
    return sum(pick(sentence, form) == lemma for sentence, form, lemma in CASES) / len(CASES)


def steel_weights() -> tuple[float, float]:
    """Return the summed «сталь» weight of the steel article and of the verb article."""
    return tuple(
        sum(term.boost for term in analyze(text) if term.text == "сталь") for text in (STEEL, VERB)
    )


def main() -> int:
    for sentence, form, lemma in CASES:
        got, prior = index_lemma(sentence, form), prior_lemma(form)
        mark = "ok " if got == lemma else "XX "
        print(f"{mark} {form:8} {lemma:8} index {got:8} prior {prior:8} | {sentence}")
    print()
    print(f"{len(CASES)} forms in context: index (context) accuracy {accuracy(index_lemma):.3f},")
    print(f"  prior only {accuracy(lambda sentence, form: prior_lemma(form)):.3f}")
    steel, verb = steel_weights()
    print(f"«сталь» weight: steel article {steel:.3f}, verb article {verb:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
