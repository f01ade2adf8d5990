"""Tests of the evaluation parser (주요사업 평가 현황) on the 2019 seed and on hand-written variants.

The seed is parsed with its corrections file; the variants under tests/data/evaluation/ are
parsed without one, as a new district's document would be.
"""

from __future__ import annotations

import codecs
import json
import os
import re
import tomllib
from pathlib import Path

import pytest

from xlgen.findings import Kind
from xlgen.model import Evaluation
from xlgen.parse.evaluation import looks_like_evaluation, parse_evaluation
from xlgen.rules import indicator_rate, is_weak, project_rate
from xlgen.textio import read_document

ROOT = Path(__file__).resolve().parents[1]
SEED_DIR = ROOT / "seeds" / "2019"
SEED = SEED_DIR / "004_87ab448168a45e13.txt"
DATA = Path(__file__).resolve().parent / "data" / "evaluation"
GOLDEN = Path(__file__).resolve().parent / "golden" / "eval-2019.json"

BUREAUS = {
    "감사담당관": ["감사담당관"],
    "미래비전추진단": ["소통기획과", "사회적경제과", "미래교육과"],
    "행정국": ["총무과", "홍보전산과", "자치행정과", "민원여권과", "문화체육과"],
    "재정국": ["재정관리과", "재무과", "일자리경제과", "징수과", "부과과"],
    "복지국": ["복지정책과", "사회복지과", "보육지원과", "아동청소년복지과", "어르신복지과"],
    "생활환경국": ["가로경관과", "청소과", "환경과", "푸른도시과"],
    "도시국": ["주택과", "도시계획과", "도시재생과", "건축과", "부동산정보과"],
    "안전교통국": ["도시안전과", "도로과", "치수과", "교통행정과", "주차문화과"],
    "보건소": ["보건지원과", "건강증진과", "의약과", "위생과"],
}
PROJECTS_PER_BUREAU = [4, 14, 21, 18, 21, 16, 19, 22, 19]
PROJECTS_PER_DEPARTMENT = [
    4,
    4,
    4,
    6,
    4,
    5,
    3,
    5,
    4,
    3,
    4,
    5,
    3,
    3,
    4,
    6,
    3,
    5,
    3,
    5,
    3,
    5,
    3,
    4,
    4,
    4,
    2,
    5,
    5,
    5,
    3,
    5,
    4,
    5,
    5,
    4,
    5,
]
SUMMARY = [  # as printed in Ⅰ: bureau, 사업 수, 정상추진, 부진, line
    ("감사담당관", 4, 4, 0, 22),
    ("미래비전추진단", 14, 13, 1, 24),
    ("행정국", 21, 21, 0, 26),
    ("재정국", 18, 17, 1, 28),
    ("복지국", 21, 21, 0, 30),
    ("생활환경국", 16, 15, 1, 32),
    ("도시국", 19, 19, 0, 34),
    ("안전교통국", 22, 22, 0, 36),
    ("보건소", 19, 19, 0, 38),
]
RATE_MISMATCH_LINES = [423, 433, 438, 448, 910, 912, 918, 1100, 1105, 1110, 1138, 1626, 1628]


def _corrections() -> dict:
    with open(SEED_DIR / "corrections.toml", "rb") as fh:
        return tomllib.load(fh)


def _parse(path: Path, corrections: dict | None = None) -> Evaluation:
    return parse_evaluation(read_document(path).lines, corrections=corrections, source=path.name)


def _kind(evaluation: Evaluation, prefix: str) -> list:
    return [w for w in evaluation.warnings if w.message.startswith(prefix)]


def _containing(evaluation: Evaluation, *words: str) -> list:
    return [w for w in evaluation.warnings if any(word in w.message for word in words)]


def _weak_projects(evaluation: Evaluation) -> list[tuple[str, str]]:
    """(bureau, project) of every 부진 project, judged with xlgen.rules as the workbook does."""
    return [
        (b.name, p.name)
        for b in evaluation.bureaus
        for d in b.departments
        for p in d.projects
        if is_weak(
            project_rate(indicator_rate(i.target, i.actual, i.direction) for i in p.indicators),
            evaluation.threshold,
        )
    ]


def golden_dump(evaluation: Evaluation) -> dict:
    """The records the golden file pins: department → bureau, projects, indicators."""
    return {
        "departments": [
            {
                "department": d.name,
                "bureau": b.name,
                "projects": [
                    {
                        "name": p.name,
                        "indicators": [
                            {
                                "name": i.name,
                                "unit": i.unit,
                                "target": i.target,
                                "actual": i.actual,
                                "stated_rate": i.stated_rate,
                                "line": i.line,
                            }
                            for i in p.indicators
                        ],
                    }
                    for p in d.projects
                ],
            }
            for b in evaluation.bureaus
            for d in b.departments
        ]
    }


def _golden_text(evaluation: Evaluation) -> str:
    # Compared as text so that 100 and 100.0 (int and float) stay different.
    return json.dumps(golden_dump(evaluation), ensure_ascii=False, indent=1) + "\n"


def _structure(evaluation: Evaluation) -> list:
    """[(bureau, department, [(project, [indicator, ...]), ...]), ...] for compact assertions."""
    return [
        (b.name, d.name, [(p.name, [i.name for i in p.indicators]) for p in d.projects])
        for b in evaluation.bureaus
        for d in b.departments
    ]


def _records(evaluation: Evaluation) -> dict:
    """Everything a parse produces, as plain data, for comparing two parses."""
    return {
        "golden": golden_dump(evaluation),
        "title": evaluation.title,
        "year": evaluation.year,
        "threshold": evaluation.threshold,
        "summary": [(r.bureau, r.projects, r.normal, r.weak, r.line) for r in evaluation.summary],
        "ratio": evaluation.summary_ratio,
        "narrative": [
            (
                s.heading,
                s.line,
                [(f.title, [(h.text, h.details) for h in f.highlights]) for f in s.fields],
            )
            for s in evaluation.narrative
        ],
        "warnings": [(w.line, w.message) for w in evaluation.warnings],
    }


@pytest.fixture(scope="module")
def seed() -> Evaluation:
    return _parse(SEED, _corrections())


@pytest.fixture(scope="module")
def seed_text() -> str:
    return read_document(SEED).text


# --------------------------------------------------------------------------- the seed


def test_seed_header(seed: Evaluation) -> None:
    assert seed.title == "2019년 성과관리 주요사업 평가 현황"
    assert seed.year == 2019
    assert seed.threshold == 80
    assert seed.org is None


def test_seed_departments_and_bureaus(seed: Evaluation) -> None:
    assert len(seed.departments()) == 37
    assert [b.name for b in seed.bureaus] == list(BUREAUS)
    for bureau in seed.bureaus:
        assert [d.name for d in bureau.departments] == BUREAUS[bureau.name], bureau.name


def test_seed_department_order_follows_headers(seed: Evaluation, seed_text: str) -> None:
    section = seed_text.split("Ⅲ. 2019년 부서별 추진 현황", 1)[1]
    headers = re.findall(r"^\s*▢\s*(\S+)", section, flags=re.MULTILINE)
    assert [d.name for d in seed.departments()] == headers


def test_seed_counts(seed: Evaluation) -> None:
    assert len(seed.projects()) == 154
    assert len(seed.indicator_rows()) == 244
    assert [
        sum(len(d.projects) for d in b.departments) for b in seed.bureaus
    ] == PROJECTS_PER_BUREAU
    assert [len(d.projects) for d in seed.departments()] == PROJECTS_PER_DEPARTMENT


def test_seed_weak_projects(seed: Evaluation) -> None:
    assert _weak_projects(seed) == [
        ("미래비전추진단", "도서관 운영 활성화"),
        ("재정국", "지역일자리 사업 지원"),
        ("생활환경국", "음식물류 폐기물 자원화"),
    ]
    assert _containing(seed, "부진", "사업 수") == []


def test_seed_rate_mismatches(seed: Evaluation) -> None:
    mismatches = _kind(seed, "달성률 불일치")
    assert [w.line for w in mismatches] == RATE_MISMATCH_LINES
    by_line = {w.line: w.message for w in mismatches}
    assert "인쇄 150, 계산 142" in by_line[423]  # 청렴도 향상 시책 추진 26 → 37
    assert "인쇄 204, 계산 205" in by_line[1626]  # 도로조명시설물 정비 100 → 205
    ratio = _kind(seed, "비율(%) 불일치")
    assert len(ratio) == 1
    assert ratio[0].line == 20
    assert "인쇄 99 / 1" in ratio[0].message and "계산 98 / 2" in ratio[0].message


def test_seed_corrections_all_applied(seed: Evaluation) -> None:
    entries = _corrections()["evaluation"]
    assert len(entries["row"]) == 8 and len(entries["table"]) == 1
    assert len(_kind(seed, "보정 적용")) == len(entries["row"]) + len(entries["table"])
    assert _kind(seed, "보정 항목이 문서와 맞지 않아") == []


def _indicator(evaluation: Evaluation, department: str, name: str):
    found = [
        i for _, d, _, i in evaluation.indicator_rows() if d.name == department and i.name == name
    ]
    assert len(found) == 1, (department, name, found)
    return found[0]


@pytest.mark.parametrize(
    ("department", "name", "unit", "target", "actual", "rate"),
    [
        ("청소과", "음식물류폐기물 감량실적", "톤", 752, -231, -31),
        ("홍보전산과", "정보통신시스템 정상가동 목표달성도", "%", 99.8, 100.0, 100),
        ("미래교육과", "도서관독서실 이용자수", "만명", 124, 93, 75),
        ("주차문화과", "불법 주정차 단속", "건", 139952, 265962, 190),
        ("감사담당관", "청렴도 향상 시책 추진", "회", 26, 37, 150),
        ("재무과", "세외수입 징수 (공유재산 관리)", "백만원", 2713, 2234, 82),
        ("일자리경제과", "전통시장 경쟁력 강화", "천원", 25519, 36485, 143),
        ("문화체육과", "관광진흥기반 구축", "천명", 70, 68, 97),
        ("푸른도시과", "수변 생태순환길 조성", "㎞", 8.9, 8.9, 100),
        ("총무과", "직무능력향상 교육", "시간", 101817, 102332, 101),
        ("일자리경제과", "동물등록 및 가축방역", "두", 5900, 9606, 163),
        ("교통행정과", "학교 주변 어린이 보행안전 강화", "개교", 18, 31, 172),
        ("아동청소년복지과", "외국인주민 교육프로그램 수료 목표 달성도", "%", 48, 61.3, 129),
        ("주차문화과", "지속적인 주차공간 조성", "%", 100, 254.0, 254),
    ],
)
def test_seed_numbers(seed: Evaluation, department, name, unit, target, actual, rate) -> None:
    ind = _indicator(seed, department, name)
    assert (ind.unit, ind.target, ind.actual, ind.stated_rate) == (unit, target, actual, rate)
    # Printed without a decimal point → int; with one → float.
    assert [type(v) for v in (ind.target, ind.actual, ind.stated_rate)] == [
        type(v) for v in (target, actual, rate)
    ]


def test_seed_units(seed: Evaluation) -> None:
    units = {i.unit for *_, i in seed.indicator_rows()}
    assert units == {
        "%",
        "건",
        "회",
        "명",
        "개소",
        "톤",
        "백만원",
        "천원",
        "만명",
        "천명",
        "㎞",
        "시간",
        "대",
        "두",
        "개교",
        "개",
    }


def test_seed_headless_page_tables(seed: Evaluation) -> None:
    first = {d.name: d.projects[0].indicators[0].line for d in seed.departments()}
    assert first["주택과"] == 1318
    assert first["의약과"] == 1850
    assert first["위생과"] == 1942
    depts = {d.name: d for d in seed.departments()}
    assert depts["주택과"].projects[0].name == "맑은 아파트 만들기 실현"
    assert depts["의약과"].projects[0].name == "신뢰받는 의무행정 서비스"
    assert depts["위생과"].projects[0].name == "식중독 사전예방 지도 관리"
    # The table after each of those headers is not theirs.
    assert depts["푸른도시과"].projects[0].name == "공원관리 수준향상"
    assert depts["건강증진과"].projects[0].name == "무료독감 예방접종 대상자 확대"
    paired = _kind(seed, "부서 제목 없이 쪽 머리에 있는 표를")
    assert [(w.line, w.message.split("'")[1]) for w in paired] == [
        (1307, "주택과"),
        (1839, "의약과"),
        (1931, "위생과"),
    ]


def test_seed_summary(seed: Evaluation) -> None:
    assert [(r.bureau, r.projects, r.normal, r.weak, r.line) for r in seed.summary] == SUMMARY
    total = seed.summary_total
    assert total is not None
    assert (total.projects, total.normal, total.weak, total.line) == (154, 151, 3, 18)
    assert seed.summary_ratio == (99, 1)


def test_seed_narrative(seed: Evaluation) -> None:
    n = seed.narrative
    assert [s.heading for s in n] == [
        "감사담당관",
        "미래비전추진단",
        "행정국",
        "재정국",
        "복지국 ‧ 보건소",
        "생활환경국",
        "도시국",
        "안전교통국",
    ]
    assert [s.line for s in n] == [46, 62, 95, 150, 208, 261, 312, 363]
    audit = n[0]
    assert [f.title for f in audit.fields] == [
        "도전! 청렴 골든벨 실시",
        "찾아가는 청렴 교육 및 청렴 간담회 실시",
    ]
    [golden_bell] = audit.fields[0].highlights
    assert golden_bell.text.startswith("청탁금지법, 청렴상식 등을")
    assert golden_bell.text.endswith("청렴문화 정착에 기여")
    assert golden_bell.details == []
    vision = n[1]
    assert [f.title for f in vision.fields] == ["기획분야", "사회적경제분야", "교육분야"]
    assert [len(h.details) for h in vision.fields[0].highlights] == [2, 1]
    assert vision.fields[0].highlights[1].details == [
        "소통과 협치의 구정기조 실현을 위해 다양한 분야 주민과의 소통의 장을 마련하여 총 21회, 567명, 140건의 주민제안 접수"
    ]
    finance = n[3]
    assert [f.title for f in finance.fields] == [
        "재정관리․재무 분야",
        "지역경제․일자리 분야",
        "징수․부과 분야",
    ]
    marketing = finance.fields[1].highlights[2]
    assert marketing.text == "소상공인, 중소기업 마케팅 및 교육 지원으로 판로 개척 발판 마련"
    assert marketing.details[1] == "우수 중소·벤처기업 박람회(4.5.~4.11.): 8개 업체"  # a "·" detail
    assert len(marketing.details) == 5
    # The stray page number "- 5 -" before 복지국 ‧ 보건소 is not a detail.
    last = finance.fields[2].highlights[0].details
    assert len(last) == 1 and last[0].endswith("65세 이상 어르신들에게 일자리 제공")
    assert [f.title for f in n[4].fields] == ["복지분야", "보건분야"]
    street = n[5].fields[0].highlights[0]
    assert street.details[1:] == [
        "사업기간: 2019.1월 ~ 9월",
        "위 치: 영중로(영등포역 앞 삼거리~영등포시장 사거리) 390m",
        "추진개요: 보도확장 및 차로축소, 가로지장물 정비, 거리가게 허가제",
    ]
    assert n[-1].fields[-1].highlights[-1].text.endswith("주차불편을 해소하는데 기여")
    # One record per marked line of Ⅱ: 22 "◇", 48 "○"/"◦", 51 "-"/"·" (52 minus "- 5 -").
    assert sum(len(s.fields) for s in n) == 22
    assert sum(len(f.highlights) for s in n for f in s.fields) == 48
    assert sum(len(h.details) for s in n for f in s.fields for h in f.highlights) == 51


def test_seed_names_are_not_empty_and_come_from_the_text(seed: Evaluation, seed_text: str) -> None:
    for _, dept, project, ind in seed.indicator_rows():
        assert ind.name.strip(), (dept.name, project.name, ind.line)
        assert project.name.strip(), (dept.name, ind.line)
        for name in (project.name, ind.name):
            for token in name.split():
                assert token in seed_text, (dept.name, name, token)


def test_seed_golden(seed: Evaluation) -> None:
    got = _golden_text(seed)
    if os.environ.get("XLGEN_UPDATE_GOLDEN"):
        GOLDEN.write_text(got, encoding="utf-8")
    assert got == GOLDEN.read_text(encoding="utf-8")


def test_seed_without_corrections_still_parses() -> None:
    evaluation = _parse(SEED)
    assert len(evaluation.departments()) == 37
    assert len(evaluation.indicator_rows()) == 244  # rows never get lost, only regrouped
    assert _kind(evaluation, "보정 적용") == []
    # Today the heuristics alone get some rows wrong; whenever the count is off, Ⅰ says so.
    if len(evaluation.projects()) != 154:
        assert _containing(evaluation, "사업 수")


def test_looks_like_evaluation(seed_text: str) -> None:
    assert looks_like_evaluation(seed_text)
    for path in sorted(DATA.glob("*.txt")):
        assert looks_like_evaluation(read_document(path).text), path.name
    plan = ROOT / "seeds" / "plan-seogu" / "000_927cff7e11b514e0.txt"
    assert not looks_like_evaluation(read_document(plan).text)
    assert not looks_like_evaluation("")


# --------------------------------------------------------------------------- hand-written variants


def test_clean_document() -> None:
    ev = _parse(DATA / "clean.txt")
    assert ev.warnings == []
    assert (ev.title, ev.year, ev.threshold) == ("2021년 성과관리 주요사업 평가 현황", 2021, 70)
    assert _structure(ev) == [
        (
            "기획실",
            "기획예산과",
            [
                ("건전재정 운영 기반 강화", ["지방채 상환 목표 달성도", "재정자립도 제고"]),
                ("성과중심 조직문화 정착", ["성과평가 결과 환류"]),
            ],
        ),
        (
            "문화관광국",
            "문화예술과",
            [
                ("생활문화 활성화", ["생활문화동아리 지원", "찾아가는 음악회"]),
                ("구립 미술관 운영 내실화", ["관람객 수", "미술관 운영수지 개선액"]),
            ],
        ),
        (
            "문화관광국",
            "관광진흥과",
            [
                ("관광객 유치 확대", ["관광안내소 이용객"]),
                ("축제 경쟁력 강화", ["가을축제 방문객 만족도"]),
            ],
        ),
        (
            "건설교통국",
            "도로관리과",
            [
                (
                    "안전한 도로 유지관리",
                    ["노후 보도 정비", "포트홀 긴급 보수", "도로시설물 안전점검 실시"],
                ),
            ],
        ),
        (
            "건설교통국",
            "교통정책과",
            [
                ("대중교통 편의 증진", ["버스정류소 스마트쉼터 설치"]),
                ("지능형 교통체계 구축", ["교통신호 연동화 구간"]),
                ("공영주차장 확충", ["주차면 조성"]),
            ],
        ),
    ]
    rows = {i.name: i for *_, i in ev.indicator_rows()}
    assert (rows["미술관 운영수지 개선액"].actual, rows["미술관 운영수지 개선액"].stated_rate) == (
        -8,
        -20,
    )
    assert (rows["재정자립도 제고"].target, rows["재정자립도 제고"].actual) == (30.5, 31.2)
    assert (rows["노후 보도 정비"].unit, rows["노후 보도 정비"].actual) == ("㎞", 12.4)
    assert rows["관광안내소 이용객"].target == 12000
    # Threshold 70 (printed), not 80: 미술관 (60, △20) is 부진, nothing else.
    assert _weak_projects(ev) == [("문화관광국", "구립 미술관 운영 내실화")]
    assert [(r.bureau, r.projects) for r in ev.summary] == [
        ("기획실", 2),
        ("문화관광국", 4),
        ("건설교통국", 4),
    ]
    assert ev.summary_ratio == (90, 10)
    assert [s.heading for s in ev.narrative] == ["기획실", "문화관광국", "건설교통국"]
    assert [f.title for f in ev.narrative[1].fields] == ["문화예술분야", "관광분야"]
    assert ev.narrative[0].fields[0].highlights[0].details == [
        "상환 계획 수립 및 분기별 점검으로 재정 건전성 확보에 기여"
    ]


def test_headless_page_tables_without_corrections_are_a_finding() -> None:
    """Issue 11: which department a page's headless table belongs to is decided from the
    content; here the text allows three readings, all inside 환경국 (so Ⅰ cannot tell), and
    the parse says so instead of relying on the page-start space."""
    ev = _parse(DATA / "headless_page.txt")
    [finding] = _kind(ev, "확인 필요")
    assert finding.line == 70
    assert finding.kind is Kind.TABLE_READINGS_AMBIGUOUS
    assert finding.get("tables") == ((75, 85, 3), (94, 105, 2), (113, 121, 2))
    assert finding.get("readings")[0] == ("환경보호과", "청소행정과", "공원녹지과")
    assert ("공원녹지과", "청소행정과", "환경보호과") in finding.get("readings")
    # the three tables involved, by their rows, and the four readings (two pairs between the
    # headless table and the tableless heading, each possibly straddling a page break)
    message = finding.message
    assert message.count("75~85행 표(지표 3개)") == 5, message  # named, then in each reading
    for label in ("94~105행 표(지표 2개)", "113~121행 표(지표 2개)"):
        assert message.count(label) == 4, message
    readings = re.findall(r"\d\) ([^/]*?)(?: / |\. 1\)로)", message)
    assert len(readings) == 4, message
    assert sorted(r.split(", ")[0].split(" → ")[1] for r in readings) == [
        "공원녹지과",
        "청소행정과",
        "청소행정과",
        "환경보호과",
    ]
    assert "[[evaluation.table]]" in finding.message
    # whatever reading was taken, no row is lost and 복지국 is untouched
    assert len(ev.indicator_rows()) == 12
    assert [d.name for d in ev.bureaus[0].departments] == ["복지정책과", "노인장애인과"]


def test_headless_page_table_pairs_with_header_at_page_end() -> None:
    ev = _parse(
        DATA / "headless_page.txt",
        {"evaluation": {"table": [{"department": "공원녹지과", "numbers": "개소 3 3 100"}]}},
    )
    assert ev.year == 2020
    assert _structure(ev) == [
        (
            "복지국",
            "복지정책과",
            [
                ("지역사회 보장협의체 운영", ["협의체 회의 개최"]),
                ("긴급복지 지원", ["긴급지원 가구"]),
            ],
        ),
        (
            "복지국",
            "노인장애인과",
            [
                ("어르신 돌봄 서비스 확대", ["돌봄 대상자", "경로당 운영 지원"]),
                ("장애인 편의시설 확충", ["편의시설 설치"]),
            ],
        ),
        (
            "환경국",
            "청소행정과",
            [
                ("재활용 활성화", ["재활용품 수거량"]),
                ("무단투기 근절", ["무단투기 단속"]),
            ],
        ),
        (
            "환경국",
            "공원녹지과",
            [
                ("도시공원 조성 및 정비", ["근린공원 조성", "노후 공원 정비"]),
                ("가로수 관리 강화", ["가로수 정비"]),
            ],
        ),
        (
            "환경국",
            "환경보호과",
            [
                ("대기질 개선", ["미세먼지 저감 실적"]),
                ("소음 진동 관리", ["민원 처리"]),
            ],
        ),
    ]
    depts = {d.name: d for d in ev.departments()}
    # 공원녹지과's table is printed first on its page, its "▢" header last.
    assert depts["공원녹지과"].line == 107
    assert depts["공원녹지과"].projects[0].indicators[0].line == 78
    assert depts["환경보호과"].projects[0].indicators[0].line == 119
    paired = _kind(ev, "부서 제목 없이 쪽 머리에 있는 표를")
    assert [w.line for w in paired] == [70, 108]
    [settled] = _kind(ev, "보정 적용")
    assert settled.line == 70 and "→ 공원녹지과" in settled.message
    others = [w for w in ev.warnings if w not in paired and w is not settled]
    assert others == []


def test_cp949_markers_page_numbers_spaced_names_repeated_title() -> None:
    ev = _parse(DATA / "cp949_markers.txt")
    assert ev.title == "2018년 성과관리 주요사업 평가 현황"
    assert ev.year == 2018
    assert [(r.bureau, r.projects, r.normal, r.weak) for r in ev.summary] == [
        ("행정국", 3, 3, 0),
        ("도시국", 5, 4, 1),
    ]
    assert ev.summary_ratio == (88, 13)  # 7/8 = 87.5 and 1/8 = 12.5, rounded half away from zero
    assert _containing(ev, "불일치", "사업 수", "부진", "정상추진") == []
    assert _structure(ev) == [
        (
            "행정국",
            "총무과",
            [
                ("청사 관리 효율화", ["청사 에너지 절감률"]),
                ("직원 역량 강화", ["직무교육 운영"]),
            ],
        ),
        ("행정국", "민원봉사과", [("민원 처리기간 단축", ["평균 처리일수 단축"])]),
        (
            "도시국",
            "건축과",
            [
                ("건축 인허가 신속 처리", ["인허가 처리"]),
                ("위반건축물 정비", ["이행강제금 부과"]),
            ],
        ),
        (
            "도시국",
            "도시계획과",
            [("도시관리계획 재정비", ["재정비 용역 추진율", "지구단위계획 수립"])],
        ),
        (
            "도시국",
            "주택과",
            [
                ("공동주택 관리 지원", ["관리비 지원 단지"]),
                ("노후주택 개량 지원", ["집수리 지원"]),
            ],
        ),
    ]
    assert _weak_projects(ev) == [("도시국", "도시관리계획 재정비")]
    rows = {i.name: i for *_, i in ev.indicator_rows()}
    assert (rows["평균 처리일수 단축"].unit, rows["평균 처리일수 단축"].target) == ("일", 2.0)
    assert rows["관리비 지원 단지"].unit == "단지"
    # Ⅱ with ◆ fields, "ㅇ" and "○" highlights, "·" details, page numbers in between.
    assert [s.heading for s in ev.narrative] == ["행정국", "도시국"]
    admin, city = ev.narrative
    assert [f.title for f in admin.fields] == ["행정지원분야"]
    assert [(h.text, h.details) for h in admin.fields[0].highlights] == [
        ("민원 처리기간 단축", ["민원 처리기간을 평균 2.1일 단축하여 주민 만족도 향상"]),
        ("직원 역량강화 교육 확대", ["직무교육 42과정 운영"]),
    ]
    assert [f.title for f in city.fields] == ["도시계획분야", "주택분야"]
    assert [h.text for h in city.fields[1].highlights] == ["공동주택 관리 지원 확대"]
    texts = [
        t
        for s in ev.narrative
        for f in s.fields
        for h in f.highlights
        for t in [h.text, *h.details]
    ]
    assert not any(re.search(r"\d+ -", t) for t in texts)


def test_only_sections_one_and_three() -> None:
    ev = _parse(DATA / "only_1_3.txt")
    assert ev.narrative == []
    assert ev.year == 2023
    assert [(b.name, [d.name for d in b.departments]) for b in ev.bureaus] == [
        ("자치행정국", ["자치행정과"]),
        ("보건소", ["보건행정과", "건강증진과"]),
    ]
    assert len(ev.projects()) == 5 and len(ev.indicator_rows()) == 6
    assert _containing(ev, "사업 수", "정상추진", "부진", "달성률") == []


def test_missing_pages_warn_but_parse() -> None:
    ev = _parse(DATA / "missing_pages.txt")
    assert [d.name for d in ev.departments()] == ["기획과", "경제과", "복지과", "건설과"]
    assert len(ev.projects()) == 6
    assert [b.name for b in ev.bureaus] == ["기획경제국", "복지문화국", "안전건설국"]
    assert ev.bureaus[-1].departments == []
    messages = [(w.line, w.message) for w in ev.warnings]
    assert (11, "Ⅰ 표 계 사업 수: 인쇄 11, Ⅲ에서 계산 6") in messages
    assert any(line == 17 and "경계가 맞지 않아" in m for line, m in messages)
    assert (19, "안전건설국 사업 수: Ⅰ 표 3, Ⅲ에서 계산 0") in messages
    # The project cut off by the missing page is reported, not silently dropped.
    assert [line for line, m in messages if "숫자 없는 글" in m] == [68, 69]


def test_blank_actuals() -> None:
    ev = _parse(DATA / "blank_actuals.txt")
    assert _structure(ev) == [
        (
            "교육청년국",
            "교육지원과",
            [
                ("평생학습 기반 확충", ["평생학습 강좌 운영", "학습동아리 지원"]),
                ("청소년 진로교육 지원", ["진로체험 참여자", "진로박람회"]),
            ],
        ),
        ("교육청년국", "청년정책과", [("청년 창업 지원", ["창업 공간 입주 기업"])]),
        (
            "녹색환경국",
            "기후환경과",
            [("탄소중립 실천 확산", ["탄소포인트제 가입 가구", "온실가스 감축량"])],
        ),
        ("녹색환경국", "자원순환과", [("재활용 선별 확대", ["재활용 선별량"])]),
    ]
    rows = {i.name: i for *_, i in ev.indicator_rows()}
    blank = ["학습동아리 지원", "진로박람회", "온실가스 감축량"]
    assert [(rows[n].target, rows[n].actual, rows[n].stated_rate) for n in blank] == [
        (30, None, None),
        (2, None, None),
        (1000, None, None),
    ]
    assert all(indicator_rate(rows[n].target, rows[n].actual) is None for n in blank)
    # Blank rates are skipped in the mean: 진로교육 (75, blank) → 75 → 부진.
    assert _weak_projects(ev) == [("교육청년국", "청소년 진로교육 지원")]
    assert _containing(ev, "불일치", "사업 수", "정상추진", "부진") == []


def test_organization_mapping_overrides_counts() -> None:
    org = {
        "organization": {
            "문화관광국": ["관광진흥과", "문화예술과"],
            "기획실": ["기획예산과"],
            "건설교통국": ["교통정책과"],
        }
    }
    ev = parse_evaluation(read_document(DATA / "clean.txt").lines, corrections=org)
    assert [(b.name, [d.name for d in b.departments]) for b in ev.bureaus] == [
        ("문화관광국", ["문화예술과", "관광진흥과"]),
        ("기획실", ["기획예산과"]),
        ("건설교통국", ["교통정책과"]),
        ("(국 미상)", ["도로관리과"]),
    ]
    assert [w.message for w in ev.warnings if "조직도에 없는" in w.message] == [
        "조직도에 없는 부서입니다: 도로관리과"
    ]


def test_unused_correction_is_reported() -> None:
    corrections = {
        "evaluation": {"row": [{"department": "없는과", "numbers": "% 1 2 3", "project": ""}]}
    }
    ev = parse_evaluation(read_document(DATA / "clean.txt").lines, corrections=corrections)
    assert [w.message for w in ev.warnings] == [
        "보정 항목이 문서와 맞지 않아 쓰이지 않았습니다: 없는과 '% 1 2 3'"
    ]


@pytest.mark.parametrize(
    ("encoding", "newline", "detected"),
    [
        ("cp949", "\n", "cp949"),
        ("utf-16", "\n", "utf-16"),
        ("utf-16-le", "\r\n", "utf-16-le"),
        ("utf-8-sig", "\n", "utf-8-sig"),
        ("utf-8", "\r\n", "utf-8"),
        ("cp949", "\r\n", "cp949"),
    ],
)
def test_encodings_give_identical_records(
    tmp_path: Path, encoding: str, newline: str, detected: str
) -> None:
    source = DATA / "cp949_markers.txt"
    reference = _records(_parse(source))
    text = source.read_text(encoding="utf-8").replace("\n", newline)
    data = text.encode(encoding)
    if encoding == "utf-8-sig":
        assert data.startswith(codecs.BOM_UTF8)
    path = tmp_path / f"evaluation-{encoding}.txt"
    path.write_bytes(data)
    doc = read_document(path)
    assert doc.encoding == detected
    assert doc.newline == ("CRLF" if newline == "\r\n" else "LF")
    assert _records(parse_evaluation(doc.lines, source=path.name)) == reference


# --------------------------------------------------------------------------- known parser bugs
# Each test below pins a parser bug found by review, now fixed.


def test_last_narrative_line_is_not_a_heading() -> None:
    lines = [
        "Ⅱ. 2019년 국별 주요사업 추진 성과",
        "행정국",
        "◇ 민원분야",
        "○ 민원 처리 지원",
        "Ⅲ. 2019년 부서별 추진 현황",
        "▢ 민원과",
        "주요사업명 성과지표 단위 목표 실적",
        "민원 처리 민원 처리 건 10 10 100",
    ]
    ev = parse_evaluation(lines)
    assert [s.heading for s in ev.narrative] == ["행정국"]
    assert [h.text for h in ev.narrative[0].fields[0].highlights] == ["민원 처리 지원"]


def test_dash_in_ratio_row_means_zero() -> None:
    ev = _parse(DATA / "only_1_3.txt")  # prints "비율(%) - 100 -" for 5 = 5 + 0
    assert _kind(ev, "비율(%) 불일치") == []


def test_year_from_section_heading_when_title_has_none() -> None:
    lines = [
        "성과관리 주요사업 평가 현황",
        "Ⅰ. 국별 사업추진 현황",
        "사업 수 1 1 -",
        "가  국 1 1 -",
        "Ⅲ. 2022년 부서별 추진 현황",
        "",
        "▢ 가과",
        "주요사업명 성과지표 단위 목표 실적",
        "사업 지표 건 1 1 100",
    ]
    assert parse_evaluation(lines).year == 2022


def test_repeated_title_separated_by_a_space() -> None:
    title = "2019년 성과관리 주요사업 평가 현황"
    lines = [
        f" {title} {title}",
        "Ⅲ. 2019년 부서별 추진 현황",
        "▢ 가과",
        "주요사업명 성과지표 단위 목표 실적",
        "사업 지표 건 1 1 100",
    ]
    assert parse_evaluation(lines).title == title


def test_short_one_line_indicator_in_narrow_document_is_not_split() -> None:
    lines = [
        "2024년 성과관리 주요사업 평가 현황",
        "Ⅰ. 국별 사업추진 현황",
        "사업 수 1 1 -",
        "교 육 국 1 1 -",
        "Ⅲ. 2024년 부서별 추진 현황",
        "",
        "▢ 교육지원과",
        "",
        "주요사업명 성과지표 단위 목표 실적",
        "달성률",
        "",
        "(%)",
        "",
        "평생학습 ",
        "기반 확충",
        "",
        "평생학습 강좌 운영 강좌 120 131 109 ",
        "",
        "학습동아리 지원 개 30 33 110 ",
    ]
    ev = parse_evaluation(lines)
    assert _structure(ev) == [
        (
            "교육국",
            "교육지원과",
            [("평생학습 기반 확충", ["평생학습 강좌 운영", "학습동아리 지원"])],
        )
    ]


def test_single_table_row_in_corrections_is_not_silently_ignored() -> None:
    corrections = tomllib.loads(
        '[evaluation.row]\ndepartment = "관광진흥과"\n'
        'numbers = "% 85 88.4 104"\nproject = ""\n'
        'indicator = "가을축제 방문객 만족도"\n'
    )
    ev = parse_evaluation(read_document(DATA / "clean.txt").lines, corrections=corrections)
    assert _containing(ev, "보정")
