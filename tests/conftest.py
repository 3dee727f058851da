"""Shared fixtures: a small bilingual news corpus and an index built from it."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

from search.sync import sync_index

REPO = Path(__file__).resolve().parents[1]
SHIPPED_CORPUS = REPO / "corpus"

# Russian articles: every one mentions deliveries (поставки) in some inflected form, so that
# a query for «поставки» fills more than one page of ten.
RU_ARTICLES = [
    ("Россия продолжит поставки вертолётов Ми-35М в Азербайджан", "ТАСС"),
    ("Рособоронэкспорт обсудил поставку зенитных комплексов С-400", "Интерфакс"),
    ("Поставками бронетехники займётся новый холдинг", "РИА Новости"),
    ("Азербайджан ожидает поставок новых систем ПВО", "ТАСС"),
    ("Вице-премьер рассказал о графике поставок вооружения", "Интерфакс"),
    ("Сроки поставки фрегатов перенесены на год", "РИА Новости"),
    ("Военно-техническое сотрудничество и поставки запчастей", "ТАСС"),
    ("Министерство обороны подвело итоги поставок за квартал", "Интерфакс"),
    ("На выставке обсуждали поставки беспилотников", "РИА Новости"),
    ("Поставки стрелкового оружия выросли вдвое", "ТАСС"),
    ("Контракт на поставку танков подписан в Баку", "Интерфакс"),
    ("Эксперты оценили поставки боеприпасов", "РИА Новости"),
    ("Поставки радиолокационных станций начнутся весной", "ТАСС"),
    ("Завод нарастил поставки бронежилетов", "Интерфакс"),
]
EN_ARTICLES = [
    ("Russia completes delivery of Mi-35M helicopters to Azerbaijan", "Reuters"),
    ("Baku signs arms supply deal with Rosoboronexport", "Defense News"),
    ("S-400 deliveries expected next year, officials say", "Reuters"),
    ("Frigate program delayed as deliveries slip", "Defense News"),
    ("Air defense exercises held near the Caspian Sea", "Reuters"),
    ("Drone makers delivered a record number of systems", "Defense News"),
    ("Analysts weigh the value of military-technical cooperation", "Reuters"),
    ("Tank plant ramps up deliveries of armored vehicles", "Defense News"),
    ("Ministry reports quarterly arms deliveries", "Reuters"),
    ("Radar stations to be delivered in spring", "Defense News"),
]
XSS_TITLE = "Alert <script>alert('title')</script> in the newsroom"
XSS_BODY = "The report quoted <script>alert('body')</script> verbatim & more about radars."
NESTED_ID = "regional/kavkaz/zametka"


def write_article(corpus: Path, name: str, title: str, body: str, meta: dict | None = None):
    """Write corpus/NAME.txt (first line the title) and, with meta, its NAME.meta.json."""
    path = corpus / f"{name}.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{title}\n\n{body}\n", encoding="utf-8")
    if meta is not None:
        sidecar = path.with_name(path.stem + ".meta.json")
        sidecar.write_text(json.dumps({"title": title, **meta}, ensure_ascii=False), "utf-8")
    return path


def _ru_body(title: str, i: int) -> str:
    return (
        f"{title}. Об этом сообщил источник в оборонной промышленности.\n\n"
        f"По его словам, поставки по контракту номер {100 + i} идут по графику, а "
        "военно-техническое сотрудничество двух стран развивается.\n\n"
        "Заказчик рассчитывает получить всю технику до конца года."
    )


def _en_body(title: str, i: int) -> str:
    return (
        f"{title}. The announcement came from a defense industry source.\n\n"
        f"Under contract number {200 + i}, deliveries are on schedule and arms supply "
        "between the two countries continues to grow.\n\n"
        "The customer expects every vehicle to arrive before the end of the year."
    )


def build_test_corpus(corpus: Path) -> Path:
    """Write the shipped articles plus 26 small Russian and English ones into corpus."""
    corpus.mkdir(parents=True, exist_ok=True)
    for path in SHIPPED_CORPUS.glob("*.txt"):
        shutil.copyfile(path, corpus / path.name)
    for i, (title, source) in enumerate(RU_ARTICLES):
        # Months apart: the bodies share a template, and articles this alike dated within
        # days of each other would rightly be grouped as one story.
        date = f"{2019 + i % 3 + i // 12 * 3}-{1 + i % 12:02d}-1{i % 10}"
        meta = {"date": date, "source": source, "lang": "ru"}
        meta["url"] = f"https://example.org/ru/{i}"
        write_article(corpus, f"ru_{i:02d}", title, _ru_body(title, i), meta)
    for i, (title, source) in enumerate(EN_ARTICLES):
        date = f"{2019 + i % 3}-{1 + i % 12:02d}-2{i % 10}"
        meta = {"date": date, "source": source, "lang": "en"}
        meta["url"] = f"https://example.com/en/{i}"
        write_article(corpus, f"en_{i:02d}", title, _en_body(title, i), meta)
    write_article(
        corpus,
        "xss",
        XSS_TITLE,
        XSS_BODY,
        {"date": "2021-05-05", "source": "Evil <b>Wire</b>"},
    )
    write_article(
        corpus,
        NESTED_ID,
        "Заметка о кавказской безопасности",
        "Региональная заметка: учения ПВО прошли у берегов Каспийского моря.",
        {"date": "2020-03-03", "source": "Кавказский узел", "lang": "ru"},
    )
    return corpus


@pytest.fixture(scope="session")
def news_index(tmp_path_factory) -> Path:
    """Return an index folder built once from the test corpus; tests must not change it."""
    root = tmp_path_factory.mktemp("news")
    corpus = build_test_corpus(root / "corpus")
    report = sync_index(corpus, root / "index")
    assert not report.failed, report.failed
    return root / "index"


@contextmanager
def running_server(index: Path):
    """Run the real server (`serve()`, waitress) on a free port in a subprocess; yield its
    base URL, and stop it on the way out."""
    code = "import sys; from pathlib import Path; from web.app import serve; "
    code += "serve(Path(sys.argv[1]), port=0)"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(index)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=REPO,
    )
    try:
        line = proc.stdout.readline()  # serve() prints the URL once it listens
        match = re.search(r"http://127\.0\.0\.1:\d+/", line)
        if not match:
            proc.kill()
            pytest.fail(f"server did not start: {line!r} {proc.stderr.read()}")
        yield match.group(0).rstrip("/")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()
