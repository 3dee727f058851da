"""Measure name matching: does a query for a person or an organisation find every article?

Indexes the test articles in tests/data/names together with the shipped corpus, runs each
name query of QUERIES in default mode (name keys) and in --exact mode, and prints, per
query, the articles expected (written by hand below), found, missed and the unrelated hits
that came along, then the totals.

Run: .venv/bin/python tests/measure_names.py
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from search.request import make_request
from search.service import Engine
from search.sync import sync_index

ROOT = Path(__file__).resolve().parents[1]
NAMES_DIR = ROOT / "tests" / "data" / "names"
SHIPPED_CORPUS = ROOT / "corpus"
LIMIT = 50  # more than any query's expected set: every hit counts

# Who is mentioned where, by hand (article ids are file names without .txt; "000".."004"
# stand for the shipped corpus files 000_… to 004_…). A set lists every article that mentions
# the person or organisation in any spelling, script or inflection, titles included.
MENTIONS: dict[str, set[str]] = {
    "shoigu": {"003", "ru01_shoigu_hasanov", "en02_shoygu_csto", "ru17_tonoyan", "ru40_armiya2019"},
    "rogozin": {"000", "001", "ru03_rogozin_baku", "en04_rogozin_space"},
    "rosoboronexport": {
        "002",
        "ru05_roe_india",
        "en06_roe_s400_turkey",
        "en26_mi35m_azerbaijan",
        "en34_peskov",
        "ru38_almaz_antey",
        "en39_army2019_kalashnikov",
        "en45_mikheyev",
        "ru46_musaev",
    },
    "hasanov": {"003", "ru01_shoigu_hasanov", "en26_mi35m_azerbaijan", "ru28_aliev_putin"},
    "aliyev": {
        "001",
        "004",
        "ru03_rogozin_baku",
        "ru14_bayramov",
        "en15_pashinian_putin",
        "ru28_aliev_putin",
        "en29_aliev_spelling",
    },
    "mikheev": {"002", "ru05_roe_india", "en45_mikheyev", "ru46_musaev"},
    "rostec": {
        "ru07_erdogan_s400",
        "en08_chemezov_rostec",
        "ru09_rostec_report",
        "en39_army2019_kalashnikov",
    },
    "chemezov": {"ru07_erdogan_s400", "en08_chemezov_rostec", "ru09_rostec_report"},
    "shugaev": {"ru10_shugaev_fsvts", "en11_shugayev_dubai"},
    "lavrov": {"ru12_lavrov_pashinyan", "en13_lavrov_bayramov"},
    "pashinyan": {"ru12_lavrov_pashinyan", "en15_pashinian_putin", "ru16_pashinyan_nominative"},
    "erdogan": {"en06_roe_s400_turkey", "ru07_erdogan_s400"},
    "tonoyan": {"003", "ru17_tonoyan", "en18_tonoyan_ohanyan"},
    "ohanian": {"003", "en18_tonoyan_ohanyan", "ru19_ohanyan", "ru30_sargsyan"},
    "sergeev": {"ru20_sergeev", "en22_sergeyev"},
    "ivanov": {"ru23_ivanov", "en25_ivanov_en"},
    "ivanova": {"en24_ivanova"},
    "mi-35m": {
        "000",
        "ru01_shoigu_hasanov",
        "en26_mi35m_azerbaijan",
        "ru27_mi35m_mali",
        "ru36_jafarov",
        "en45_mikheyev",
        "ru48_manturov_kozhin",
    },
    "su-35": {
        "ru07_erdogan_s400",
        "en08_chemezov_rostec",
        "ru10_shugaev_fsvts",
        "en11_shugayev_dubai",
        "en45_mikheyev",
    },
    "s-400": {
        "ru05_roe_india",
        "en06_roe_s400_turkey",
        "ru07_erdogan_s400",
        "ru10_shugaev_fsvts",
        "en37_almaz_antey",
        "ru38_almaz_antey",
    },
    "csto": {
        "en02_shoygu_csto",
        "ru12_lavrov_pashinyan",
        "ru17_tonoyan",
        "en18_tonoyan_ohanyan",
        "ru30_sargsyan",
        "ru33_gerasimov_peskov",
        "ru42_iskander",
        "en47_yerevan_csto",
    },
    "putin": {
        "000",
        "ru07_erdogan_s400",
        "en15_pashinian_putin",
        "ru28_aliev_putin",
        "en29_aliev_spelling",
    },
    "cavusoglu": {"en31_cavusoglu_akar", "ru32_chavushoglu_akar"},
    "akar": {"en31_cavusoglu_akar", "ru32_chavushoglu_akar"},
    "gerasimov": {"ru33_gerasimov_peskov"},
    "peskov": {"ru33_gerasimov_peskov", "en34_peskov"},
    "jafarov": {"000", "ru36_jafarov"},
    "bayramov": {"en13_lavrov_bayramov", "ru14_bayramov"},
    "sargsyan": {"en29_aliev_spelling", "ru30_sargsyan"},
    "yerevan": {
        "003",
        "ru12_lavrov_pashinyan",
        "ru16_pashinyan_nominative",
        "en18_tonoyan_ohanyan",
        "ru19_ohanyan",
        "ru30_sargsyan",
        "en41_iskander_armenia",
        "ru42_iskander",
        "en47_yerevan_csto",
    },
    "tbilisi": {"en43_garibashvili", "ru44_garibashvili"},
    "almaz-antey": {"en37_almaz_antey", "ru38_almaz_antey"},
    "kalashnikov": {"en39_army2019_kalashnikov", "ru40_armiya2019"},
    "iskander": {"en41_iskander_armenia", "ru42_iskander"},
    "army-2019": {"002", "en39_army2019_kalashnikov", "ru40_armiya2019", "ru46_musaev"},
    "musaev": {"002", "ru46_musaev"},
    "garibashvili": {"en43_garibashvili", "ru44_garibashvili"},
    "stoltenberg": {"en43_garibashvili", "ru44_garibashvili"},
    "kozhin": {"ru48_manturov_kozhin", "en49_kozhin_manturov"},
    "manturov": {"ru48_manturov_kozhin", "en49_kozhin_manturov"},
    # Places, bodies and systems (issue 14): every name, adjective and demonym of the thing
    # in either language counts as a mention (Russia, Russian, Россия, российский).
    "russia": {
        "en02_shoygu_csto",
        "en06_roe_s400_turkey",
        "en08_chemezov_rostec",
        "en11_shugayev_dubai",
        "en13_lavrov_bayramov",
        "en15_pashinian_putin",
        "en18_tonoyan_ohanyan",
        "en22_sergeyev",
        "en24_ivanova",
        "en49_kozhin_manturov",
        "ru01_shoigu_hasanov",
        "ru03_rogozin_baku",
        "ru12_lavrov_pashinyan",
        "ru14_bayramov",
        "ru17_tonoyan",
        "ru19_ohanyan",
        "ru27_mi35m_mali",
        "ru28_aliev_putin",
        "ru36_jafarov",
        "ru58_nord_stream",
        "000",
        "001",
        "002",
        "003",
        "004",
    },
    "germany": {"en53_trump_merkel", "ru52_trump_merkel", "ru58_nord_stream"},
    "britain": {"en51_skripal", "ru50_skripal"},
    "turkey": {
        "en06_roe_s400_turkey",
        "en08_chemezov_rostec",
        "en31_cavusoglu_akar",
        "ru07_erdogan_s400",
        "ru32_chavushoglu_akar",
    },
    "armenia": {
        "en02_shoygu_csto",
        "en13_lavrov_bayramov",
        "en15_pashinian_putin",
        "en18_tonoyan_ohanyan",
        "en29_aliev_spelling",
        "en41_iskander_armenia",
        "en47_yerevan_csto",
        "ru12_lavrov_pashinyan",
        "ru14_bayramov",
        "ru16_pashinyan_nominative",
        "ru17_tonoyan",
        "ru19_ohanyan",
        "ru30_sargsyan",
        "ru42_iskander",
        "001",
        "003",
    },
    "azerbaijan": {
        "en13_lavrov_bayramov",
        "en15_pashinian_putin",
        "en26_mi35m_azerbaijan",
        "en29_aliev_spelling",
        "en31_cavusoglu_akar",
        "en41_iskander_armenia",
        "ru01_shoigu_hasanov",
        "ru03_rogozin_baku",
        "ru14_bayramov",
        "ru28_aliev_putin",
        "ru32_chavushoglu_akar",
        "ru36_jafarov",
        "ru46_musaev",
        "000",
        "001",
        "002",
        "003",
        "004",
    },
    "usa": {"ru64_jackson_guard"},
    "syria": {"en63_kalibr", "ru62_kalibr"},
    "georgia": {"en43_garibashvili", "ru44_garibashvili"},
    "poland": {"en57_poland_patriot", "ru56_poland_patriot"},
    "nato": {"en06_roe_s400_turkey", "en43_garibashvili", "ru44_garibashvili"},
    "eu": {"en59_nord_stream", "ru58_nord_stream"},
    "moscow": {
        "en13_lavrov_bayramov",
        "en22_sergeyev",
        "en51_skripal",
        "ru01_shoigu_hasanov",
        "ru14_bayramov",
        "000",
        "002",
        "003",
    },
    "warsaw": {"en57_poland_patriot", "ru56_poland_patriot"},
    "pentagon": {"en55_johnson_biden", "ru54_johnson_biden"},
    "kremlin": {"en25_ivanov_en", "en34_peskov", "en49_kozhin_manturov", "en63_kalibr"},
    "kalibr": {"en63_kalibr", "ru62_kalibr"},
    "nord-stream": {"en59_nord_stream", "ru58_nord_stream"},
    "gazprom": {"en59_nord_stream", "ru58_nord_stream"},
    "skripal": {"en51_skripal", "ru50_skripal"},
    "trump": {"en53_trump_merkel", "ru52_trump_merkel"},
    "merkel": {"en53_trump_merkel", "ru52_trump_merkel"},
    "johnson": {"en55_johnson_biden", "ru54_johnson_biden"},
    "biden": {"en55_johnson_biden", "ru54_johnson_biden"},
    "baku": {
        "en26_mi35m_azerbaijan",
        "en29_aliev_spelling",
        "en31_cavusoglu_akar",
        "ru03_rogozin_baku",
        "ru14_bayramov",
        "ru32_chavushoglu_akar",
        "ru46_musaev",
        "000",
        "001",
        "003",
    },
    "patriot": {
        "en57_poland_patriot",
        "ru56_poland_patriot",
        "002",
        "ru40_armiya2019",
    },  # the park too
}

# (query as an analyst would type it, whom it is about)
QUERIES: list[tuple[str, str]] = [
    ("Shoygu", "shoigu"),
    ("Шойгу", "shoigu"),
    ("Rogozin", "rogozin"),
    ("Рогозиным", "rogozin"),
    ("Rosoboronexport", "rosoboronexport"),
    ("Рособоронэкспорт", "rosoboronexport"),
    ("Hasanov", "hasanov"),
    ("Гасанов", "hasanov"),
    ("Aliyev", "aliyev"),
    ("Алиев", "aliyev"),
    ("Ilham Aliyev", "aliyev"),
    ("Ильхам Алиев", "aliyev"),
    ("Mikheyev", "mikheev"),
    ("Михеев", "mikheev"),
    ("Rostec", "rostec"),
    ("Ростех", "rostec"),
    ("Chemezov", "chemezov"),
    ("Чемезов", "chemezov"),
    ("Shugaev", "shugaev"),
    ("Шугаев", "shugaev"),
    ("Lavrov", "lavrov"),
    ("Лавров", "lavrov"),
    ("Pashinyan", "pashinyan"),
    ("Пашинян", "pashinyan"),
    ("Erdogan", "erdogan"),
    ("Эрдоган", "erdogan"),
    ("Tonoyan", "tonoyan"),
    ("Тоноян", "tonoyan"),
    ("Ohanian", "ohanian"),
    ("Оганян", "ohanian"),
    ("Сергеев", "sergeev"),
    ("Sergeyev", "sergeev"),
    ("Ivanov", "ivanov"),
    ("Ivanova", "ivanova"),
    ("Mi-35M", "mi-35m"),
    ("Ми-35М", "mi-35m"),
    ("Su-35", "su-35"),
    ("С-400", "s-400"),
    ("CSTO", "csto"),
    ("ОДКБ", "csto"),
    ("Putin", "putin"),
    ("Путин", "putin"),
    ("Cavusoglu", "cavusoglu"),
    ("Чавушоглу", "cavusoglu"),
    ("Akar", "akar"),
    ("Gerasimov", "gerasimov"),
    ("Peskov", "peskov"),
    ("Песков", "peskov"),
    ("Jafarov", "jafarov"),
    ("Джафаров", "jafarov"),
    ("Bayramov", "bayramov"),
    ("Байрамов", "bayramov"),
    ("Sargsyan", "sargsyan"),
    ("Yerevan", "yerevan"),
    ("Ереван", "yerevan"),
    ("Tbilisi", "tbilisi"),
    ("Almaz-Antey", "almaz-antey"),
    ("Калашников", "kalashnikov"),
    ("Iskander", "iskander"),
    ("ARMY-2019", "army-2019"),
    ("Армия-2019", "army-2019"),
    ("Musayev", "musaev"),
    ("Garibashvili", "garibashvili"),
    ("Stoltenberg", "stoltenberg"),
    ("Kozhin", "kozhin"),
    ("Мантуров", "manturov"),
    # Places, bodies, systems and names across scripts (issue 14)
    ("Skripal", "skripal"),
    ("Sergei Skripal", "skripal"),
    ("Скрипаль", "skripal"),
    ("Скрипаля", "skripal"),
    ("Скрипалей", "skripal"),
    ("Сергей Скрипаль", "skripal"),
    ("Trump", "trump"),
    ("Donald Trump", "trump"),
    ("Трамп", "trump"),
    ("Трампа", "trump"),
    ("Merkel", "merkel"),
    ("Angela Merkel", "merkel"),
    ("Меркель", "merkel"),
    ("Johnson", "johnson"),
    ("Boris Johnson", "johnson"),
    ("Джонсон", "johnson"),
    ("Джонсона", "johnson"),
    ("Biden", "biden"),
    ("Joe Biden", "biden"),
    ("Байден", "biden"),
    ("Байдена", "biden"),
    ("Russia", "russia"),
    ("Russian", "russia"),
    ("Россия", "russia"),
    ("России", "russia"),
    ("российский", "russia"),
    ("Germany", "germany"),
    ("German", "germany"),
    ("Германия", "germany"),
    ("немецкий", "germany"),
    ("Britain", "britain"),
    ("British", "britain"),
    ("Великобритания", "britain"),
    ("британский", "britain"),
    ("Turkey", "turkey"),
    ("Turkish", "turkey"),
    ("Турция", "turkey"),
    ("турецкий", "turkey"),
    ("Armenia", "armenia"),
    ("Armenian", "armenia"),
    ("Армения", "armenia"),
    ("армянский", "armenia"),
    ("Azerbaijan", "azerbaijan"),
    ("Azerbaijani", "azerbaijan"),
    ("Азербайджан", "azerbaijan"),
    ("азербайджанский", "azerbaijan"),
    ("United States", "usa"),
    ("USA", "usa"),
    ("США", "usa"),
    ("American", "usa"),
    ("Syria", "syria"),
    ("Сирия", "syria"),
    ("Georgia", "georgia"),
    ("Грузия", "georgia"),
    ("Poland", "poland"),
    ("Polish", "poland"),
    ("Польша", "poland"),
    ("польский", "poland"),
    ("NATO", "nato"),
    ("НАТО", "nato"),
    ("EU", "eu"),
    ("European Union", "eu"),
    ("ЕС", "eu"),
    ("Евросоюз", "eu"),
    ("Moscow", "moscow"),
    ("Москва", "moscow"),
    ("Warsaw", "warsaw"),
    ("Варшава", "warsaw"),
    ("Pentagon", "pentagon"),
    ("Пентагон", "pentagon"),
    ("Kremlin", "kremlin"),
    ("Кремль", "kremlin"),
    ("Kalibr", "kalibr"),
    ("Калибр", "kalibr"),
    ("Nord Stream", "nord-stream"),
    ("Северный поток", "nord-stream"),
    ("Gazprom", "gazprom"),
    ("Газпром", "gazprom"),
    ("Baku", "baku"),
    ("Баку", "baku"),
    ("Patriot", "patriot"),
    ("Пэтриот", "patriot"),
    ("Nord Stream 2", "nord-stream"),
    ("Северного потока", "nord-stream"),
    ("Польши", "poland"),
    ("Пентагона", "pentagon"),
    ("Кремле", "kremlin"),
]

# The exact spelling must rank first: (query, an article that spells the name that way).
EXACT_FIRST: list[tuple[str, str]] = [
    ("Shoygu", "en02_shoygu_csto"),
    ("Aliev", "en29_aliev_spelling"),
    ("Ohanyan", "en18_tonoyan_ohanyan"),
    ("Pashinian", "en15_pashinian_putin"),
    ("Shugayev", "en11_shugayev_dubai"),
    ("Mikheyev", "en45_mikheyev"),
    ("Trump", "en53_trump_merkel"),
    ("Трамп", "ru52_trump_merkel"),
    ("Poland", "en57_poland_patriot"),
    ("Польша", "ru56_poland_patriot"),
    ("Nord Stream", "en59_nord_stream"),
    ("Северный поток", "ru58_nord_stream"),
]

# Neighbours that must stay apart: (query, an article that must not be returned).
FALSE_MATCH_GUARDS: list[tuple[str, str]] = [
    ("Сергеев", "ru21_sergiev_posad"),
    ("Sergeyev", "ru21_sergiev_posad"),
    ("Ivanov", "en24_ivanova"),
    ("Peskov", "ru35_sand_tests"),
    ("Poland", "en60_polish_guard"),  # "polish the barrels"
    ("Kalibr", "ru61_kalibr_guard"),  # «калибр орудия»: the common word, no capital
    ("Togo", "ru61_kalibr_guard"),  # «после того»
    ("Johnson", "ru64_jackson_guard"),  # Джексон
    ("Nord Stream", "en60_polish_guard"),
]


@dataclass
class Row:
    query: str
    expected: set[str]
    found: list[str]  # in rank order

    @property
    def hits(self) -> set[str]:
        return self.expected & set(self.found)

    @property
    def missed(self) -> set[str]:
        return self.expected - set(self.found)

    @property
    def unrelated(self) -> list[str]:
        return [doc for doc in self.found if doc not in self.expected]


def build_corpus(target: Path) -> Path:
    """Copy the test articles and the shipped corpus into one flat corpus folder."""
    target.mkdir(parents=True, exist_ok=True)
    for path in NAMES_DIR.iterdir():
        if path.suffix == ".txt" or path.name.endswith(".meta.json"):
            shutil.copy(path, target / path.name)
    for path in SHIPPED_CORPUS.iterdir():
        if path.is_file():
            # 000_219e968d6b8b0e1f.txt -> 000.txt: short ids for the table
            shutil.copy(path, target / (path.name.split("_", 1)[0] + path.suffix))
    return target


def open_engine(workdir: Path) -> Engine:
    corpus = build_corpus(workdir / "corpus")
    sync_index(corpus, workdir / "index")
    return Engine(workdir / "index")


def search_ids(engine: Engine, query: str, exact: bool = False) -> list[str]:
    # Every article is counted, also those a story grouping would fold under another hit.
    page = engine.search(make_request(query, limit=LIMIT, exact=exact, group=False))
    return [hit.id for hit in page.results]


def measure(engine: Engine, exact: bool = False) -> list[Row]:
    return [Row(query, MENTIONS[who], search_ids(engine, query, exact)) for query, who in QUERIES]


def totals(rows: list[Row]) -> tuple[float, float]:
    """Return (recall, precision) over all queries together."""
    relevant = sum(len(row.expected) for row in rows)
    returned = sum(len(row.found) for row in rows)
    hits = sum(len(row.hits) for row in rows)
    return hits / relevant, (hits / returned if returned else 1.0)


def _short(ids) -> str:
    return ", ".join(sorted(doc.split("_", 1)[0] for doc in ids)) or "-"


def format_table(rows: list[Row], title: str) -> str:
    lines = [
        f"### {title}",
        "",
        "| query | expected | found | missed | unrelated hits |",
        "| --- | ---: | ---: | --- | --- |",
    ]
    for row in rows:
        lines.append(
            f"| {row.query} | {len(row.expected)} | {len(row.hits)} | {_short(row.missed)}"
            f" | {_short(row.unrelated)} |"
        )
    recall, precision = totals(rows)
    expected = sum(len(row.expected) for row in rows)
    hits = sum(len(row.hits) for row in rows)
    extra = sum(len(row.unrelated) for row in rows)
    lines += [
        "",
        f"{len(rows)} queries: {hits}/{expected} mentions found, recall {recall:.3f};"
        f" {extra} unrelated hits, precision {precision:.3f}",
    ]
    return "\n".join(lines)


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="measure-names-") as tmp:
        engine = open_engine(Path(tmp))
        try:
            print(format_table(measure(engine), "default (name keys)"))
            print()
            print(format_table(measure(engine, exact=True), "--exact"))
            print()
            for query, doc in EXACT_FIRST:
                top = (search_ids(engine, query) or ["-"])[0]
                print(f"exact first: {query!r} -> {top} {'ok' if top == doc else 'WRONG'}")
            for query, doc in FALSE_MATCH_GUARDS:
                leaked = doc in search_ids(engine, query)
                print(f"guard: {query!r} must not find {doc}: {'LEAKED' if leaked else 'ok'}")
        finally:
            engine.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
