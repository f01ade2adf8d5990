"""Synthetic, realistic evaluation records for the benchmarks (not part of the test suite).

One seed and one N give the same data every time:

- ``make_evaluation(n)``: an ``xlgen.model.Evaluation`` with exactly ``n`` indicators in
  many bureaus (국) and departments (부서); projects with 1-4 indicators; △ (negative) values,
  blank actuals (None), decimals, a few 하향 indicators and a few printed rates that
  disagree with their own inputs (as in the 2019 seed).
- ``render_text(evaluation)``: the same records as an extracted-text evaluation document
  in the seed's layout (seeds/2019/004_87ab448168a45e13.txt): Ⅰ summary with per-bureau
  counts that add up, a short Ⅱ narrative, Ⅲ "▢ 부서" tables with the column header,
  project names wrapped over lines, indicator names wrapped over lines, numbers lines
  "단위 목표 실적 달성률" with thousands separators and △, page numbers, pages that begin
  with a space, and the "[A's table] ▢ B [B's table] ▢ A" page-top quirk.
- ``write_store(evaluation, db)``: the records saved in an xlgen store under a key.
- ``self_check(...)``: parses the rendered text with xlgen's parser and asserts it reads
  back the same bureaus, departments, projects and indicators (names and numbers).

    python benchmarks/generate.py --n 1000 --out /tmp/xlgen-bench --check
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))  # last: a caller may have put another xlgen tree first

from xlgen.model import (  # noqa: E402
    Bureau,
    Department,
    Direction,
    Evaluation,
    Field,
    Highlight,
    Indicator,
    NarrativeSection,
    Project,
    SummaryRow,
)
from xlgen.parse._text import width  # noqa: E402
from xlgen.rules import indicator_rate, is_weak, percent, project_rate  # noqa: E402

KEY = "bench"
YEAR = 2019
THRESHOLD = 80
SIZES = (250, 1_000, 10_000, 100_000)

# --------------------------------------------------------------------------- word pools

BUREAU_BASE = [
    "감사담당관",
    "미래비전추진단",
    "행정국",
    "재정국",
    "복지국",
    "생활환경국",
    "도시국",
    "안전교통국",
    "보건소",
]
BUREAU_QUAL = [
    "미래",
    "행복",
    "푸른",
    "으뜸",
    "열린",
    "희망",
    "스마트",
    "녹색",
    "안심",
    "활력",
    "상생",
    "창의",
    "포용",
    "혁신",
    "품격",
    "공감",
    "든든",
    "맑은",
    "다솜",
    "한빛",
]
BUREAU_AREA = [
    "행정",
    "재정",
    "복지",
    "환경",
    "도시",
    "교통",
    "안전",
    "문화",
    "교육",
    "경제",
    "일자리",
    "주택",
    "보건",
    "청소년",
    "여성가족",
    "공원",
    "체육",
    "민원",
    "세무",
    "건설",
]
BUREAU_END = ["국", "본부", "단"]
DEPT_AREA = [
    "감사",
    "소통기획",
    "사회적경제",
    "미래교육",
    "총무",
    "자치행정",
    "홍보",
    "문화체육",
    "민원여권",
    "재무",
    "세무",
    "징수",
    "일자리경제",
    "복지정책",
    "어르신복지",
    "아동청소년",
    "여성가족",
    "청소행정",
    "환경",
    "공원녹지",
    "주택",
    "건축",
    "도시계획",
    "도시재생",
    "교통행정",
    "주차관리",
    "도로",
    "치수",
    "안전",
    "보건행정",
    "건강증진",
    "의약",
    "위생",
    "지역보건",
    "정보통신",
    "토지관리",
    "부동산정보",
    "생활체육",
    "관광",
    "평생학습",
]
DEPT_QUAL = ["", "제1", "제2", "통합", "중앙", "동부", "서부", "남부", "북부", "신설"]
TOPIC = [
    "구정",
    "청렴도",
    "감사행정",
    "계약심사",
    "주민참여",
    "공약사업",
    "사회적경제",
    "공공구매",
    "청년",
    "민관협치",
    "평생학습",
    "도서관",
    "혁신교육",
    "과학문화",
    "지역축제",
    "생활체육",
    "민원서비스",
    "여권발급",
    "지방세",
    "세외수입",
    "체납액",
    "일자리",
    "전통시장",
    "소상공인",
    "어르신",
    "장애인",
    "아동",
    "청소년",
    "여성",
    "다문화가족",
    "무료급식",
    "자원봉사",
    "생활폐기물",
    "재활용",
    "대기질",
    "미세먼지",
    "하천",
    "공원",
    "가로수",
    "녹지",
    "주택",
    "임대주택",
    "도시재생",
    "골목길",
    "건축물",
    "도로",
    "보도",
    "교통안전",
    "주차",
    "자전거",
    "재난안전",
    "방범",
    "감염병",
    "치매",
    "금연",
    "건강검진",
    "식품위생",
]
PROJECT_ACTION = [
    "활성화",
    "기반 조성",
    "역량 강화",
    "지원 확대",
    "체계 구축",
    "서비스 제공",
    "관리 강화",
    "환경 조성",
    "질 향상",
    "운영 내실화",
    "제도 개선",
    "인프라 확충",
    "안전 관리",
    "참여 확대",
    "예방 사업",
    "정비 사업",
    "육성 지원",
    "맞춤형 지원",
    "종합 대책 추진",
    "품질 향상",
]
PROJECT_LEAD = [
    "",
    "",
    "",
    "구민과 함께하는",
    "현장중심의",
    "찾아가는",
    "주민맞춤형",
    "지속가능한",
    "안전하고 쾌적한",
    "더불어 사는",
    "체계적인",
    "촘촘한",
]
INDICATOR_TAIL = [
    "달성도",
    "달성률",
    "건수",
    "실적",
    "참여자수",
    "이용자수",
    "처리율",
    "만족도",
    "추진율",
    "점검 횟수",
    "교육 인원",
    "설치 개소",
    "정비 실적",
    "절감액",
    "징수율",
    "발생량",
]
INDICATOR_HEAD = [
    "목표",
    "사업",
    "교육",
    "점검",
    "홍보",
    "상담",
    "지원",
    "운영",
    "참여",
    "설치",
    "정비",
    "단속",
    "모니터링",
    "컨설팅",
    "캠페인",
]
CONTINUE_WORD = ["및", "등", "위한"]
UNITS = [
    ("%", 0.30),
    ("건", 0.18),
    ("회", 0.12),
    ("명", 0.15),
    ("개소", 0.05),
    ("백만원", 0.07),
    ("톤", 0.03),
    ("천원", 0.03),
    ("만명", 0.02),
    ("㎞", 0.02),
    ("시간", 0.01),
    ("대", 0.01),
    ("개교", 0.01),
]
NARRATIVE = [
    "주민 참여 방식의 신개념 교육으로 내부 청렴도 향상 및 청렴문화 정착에 기여",
    "부패취약분야 해당과를 직접 방문하여 맞춤형 교육을 실시하고 의견을 청취함",
    "생활 속 사회적경제 실현이라는 구 비전을 공감할 수 있는 행사로 구성",
    "구민과 청소년을 위한 자연 속 쉼터를 조성하여 수련활동 제공 기반 마련",
]


# --------------------------------------------------------------------------- records


def _bureau_names(count: int) -> list[str]:
    names = list(BUREAU_BASE)
    k = 0
    while len(names) < count:
        q = BUREAU_QUAL[k % len(BUREAU_QUAL)]
        a = BUREAU_AREA[(k // len(BUREAU_QUAL)) % len(BUREAU_AREA)]
        e = BUREAU_END[(k // (len(BUREAU_QUAL) * len(BUREAU_AREA))) % len(BUREAU_END)]
        rep = k // (len(BUREAU_QUAL) * len(BUREAU_AREA) * len(BUREAU_END))
        names.append(f"{q}{a}{'' if rep == 0 else f'제{rep + 1}'}{e}")
        k += 1
    return names[:count]


def _weighted_unit(rng: random.Random) -> str:
    x = rng.random()
    acc = 0.0
    for unit, w in UNITS:
        acc += w
        if x < acc:
            return unit
    return UNITS[0][0]


def _value(rng: random.Random, unit: str, decimals: bool) -> int | float:
    if unit == "%":
        v = rng.uniform(10, 100)
    elif unit in ("백만원", "천원"):
        v = rng.choice([rng.uniform(100, 5_000), rng.uniform(5_000, 900_000)])
    elif unit in ("명", "만명"):
        v = rng.choice([rng.uniform(20, 900), rng.uniform(1_000, 60_000)])
    else:
        v = rng.uniform(1, 1_500)
    return round(v, 1) if decimals else max(1, int(v))


def _indicator(rng: random.Random, topic: str) -> Indicator:
    unit = _weighted_unit(rng)
    decimals = unit == "%" and rng.random() < 0.35 or rng.random() < 0.04
    target = _value(rng, unit, decimals)
    if rng.random() < 0.8:
        ratio = rng.uniform(0.85, 1.35)
    else:
        ratio = rng.uniform(0.2, 0.85)
    actual: int | float | None = (
        round(target * ratio, 1) if decimals else int(round(target * ratio))
    )
    r = rng.random()
    if r < 0.04:
        actual = None  # not reported yet: a blank, not zero
    elif r < 0.06:
        actual = -abs(actual) if actual else -1  # △: a decrease
    if r > 0.995 and actual is not None:
        target = None  # no target printed: rate blank
    direction = Direction.DOWN if rng.random() < 0.03 else Direction.UP
    rate = indicator_rate(target, actual, direction)
    stated = None if rate is None else int(rate)
    if stated is not None and rng.random() < 0.02:
        stated += rng.choice([-7, -3, 2, 5, 11])  # a printed rate that its inputs do not give
    extra = rng.choice(INDICATOR_HEAD)
    name = (
        f"{topic} {extra} {rng.choice(INDICATOR_TAIL)}"
        if rng.random() < 0.6
        else f"{extra} {rng.choice(INDICATOR_TAIL)}"
    )
    return Indicator(
        name=name, unit=unit, target=target, actual=actual, stated_rate=stated, direction=direction
    )


def make_evaluation(n: int, seed: int = 20191231) -> Evaluation:
    """An Evaluation with exactly ``n`` indicators."""
    rng = random.Random(seed * 1_000_003 + n)
    bureaus: list[Bureau] = []
    total = 0
    dept_no = 0
    estimated_bureaus = max(9, n // 35 + 1)
    names = _bureau_names(estimated_bureaus * 2)
    while total < n:
        b = Bureau(names[len(bureaus)])
        bureaus.append(b)
        for _ in range(rng.randint(3, 6)):
            if total >= n:
                break
            area = DEPT_AREA[dept_no % len(DEPT_AREA)]
            qual = DEPT_QUAL[(dept_no // len(DEPT_AREA)) % len(DEPT_QUAL)]
            rep = dept_no // (len(DEPT_AREA) * len(DEPT_QUAL))
            dname = f"{qual}{area}{'' if rep == 0 else f'{rep + 1}'}과"
            dept_no += 1
            d = Department(dname)
            b.departments.append(d)
            for _ in range(rng.randint(2, 7)):
                if total >= n:
                    break
                topic = rng.choice(TOPIC)
                pname = " ".join(
                    x for x in (rng.choice(PROJECT_LEAD), topic, rng.choice(PROJECT_ACTION)) if x
                )
                p = Project(pname)
                d.projects.append(p)
                k = rng.choices([1, 2, 3, 4], weights=[55, 25, 13, 7])[0]
                for _ in range(min(k, n - total)):
                    p.indicators.append(_indicator(rng, topic))
                    total += 1
                _shape_further_names(p, rng)
    ev = Evaluation(
        title=f"{YEAR}년 성과관리 주요사업 평가 현황", org="벤치구", year=YEAR, bureaus=bureaus
    )
    ev.threshold = THRESHOLD
    ev.summary = [SummaryRow(b.name, *counts_of(b)) for b in bureaus]
    t = [sum(getattr(r, f) for r in ev.summary) for f in ("projects", "normal", "weak")]
    ev.summary_total = SummaryRow("사업수", *t)
    ev.summary_ratio = (percent(t[1], t[0]), percent(t[2], t[0]))
    ev.narrative = [
        NarrativeSection(
            b.name,
            [
                Field(
                    f"{TOPIC[i % len(TOPIC)]} 분야",
                    [
                        Highlight(
                            NARRATIVE[i % len(NARRATIVE)], [NARRATIVE[(i + 1) % len(NARRATIVE)]]
                        )
                    ],
                )
            ],
        )
        for i, b in enumerate(bureaus[:5])
    ]
    return ev


def _shape_further_names(project: Project, rng: random.Random) -> None:
    """Names of a project's 2nd, 3rd … indicators, shaped the way the documents print them.

    About 30 % are printed wrapped over two lines before a bare numbers line. So that the
    wrapped lines do not read as "project + indicator", the first piece ends in a word that
    never ends a name ("및", "등", "위한"); render_text wraps exactly the names with such a
    word before the last. The others share the numbers line and are kept narrower than a
    column (a wider one would be a project and an indicator printed on one line).
    """
    for ind in project.indicators[1:]:
        words = ind.name.split()
        if rng.random() < 0.3:
            words.insert(len(words) - 1, rng.choice(CONTINUE_WORD))
        elif width(ind.name) > 20:
            words = words[1:]
        ind.name = " ".join(words)


def counts_of(bureau: Bureau) -> tuple[int, int, int]:
    projects = [p for d in bureau.departments for p in d.projects]
    verdicts = [
        is_weak(
            project_rate(indicator_rate(i.target, i.actual, i.direction) for i in p.indicators),
            THRESHOLD,
        )
        for p in projects
    ]
    return len(projects), sum(v is False for v in verdicts), sum(v is True for v in verdicts)


# --------------------------------------------------------------------------- text


def fmt_number(value: int | float | None) -> str:
    """As the documents print it: 1,234 / 26.5 / △231 / - for a blank."""
    if value is None:
        return "-"
    sign = "△" if value < 0 else ""
    v = abs(value)
    text = f"{v:,.1f}" if isinstance(v, float) else f"{v:,}"
    return sign + text


def _spaced(name: str) -> str:
    """Ⅰ prints short names spaced out: "감 사 담 당 관", "행  정  국"."""
    if len(name) <= 3:
        return "  ".join(name)
    return " ".join(name) if len(name) <= 7 else name


def _wrap(words: list[str], max_chars: int) -> list[str]:
    lines, cur = [], ""
    for w in words:
        if cur and len(cur) + 1 + len(w) > max_chars:
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}" if cur else w
    if cur:
        lines.append(cur)
    return lines


def render_text(ev: Evaluation, seed: int = 7) -> str:
    """The evaluation as an extracted-text document in the 2019 seed's layout."""
    rng = random.Random(seed)
    out: list[str] = []
    add = out.append
    title = ev.title
    add(f" {title}{title}{title}")
    add("  ")
    add("")
    add("Ⅰ. 국별 사업추진 현황")
    add("")
    add(" ")
    add("")
    add("             현 황 별  ")
    add("국  별 계")
    add("")
    add("추진현황")
    add("비  고")
    add("")
    add("정상추진 부  진")
    add("")
    add("계")
    add("")
    t = ev.summary_total
    add(f"사업 수 {t.projects:,} {t.normal:,} {t.weak or '-'}")
    add("")
    normal_pct, weak_pct = (int(v) if v else "-" for v in ev.summary_ratio)
    add(f"비율(%) - {normal_pct} {weak_pct}")
    add("")
    for r in ev.summary:
        add(f"{_spaced(r.bureau)} {r.projects:,} {r.normal:,} {r.weak or '-'}")
        add("")
    add(f" ※ 부진판정 기준 : 목표 대비 달성률 {ev.threshold}% 이하")
    add(f" Ⅱ. {ev.year}년 국별 주요사업 추진 성과")
    add("      ")
    add("")
    for s in ev.narrative:
        add(s.heading)
        add("")
        for f in s.fields:
            add(f"◇ {f.title}")
            add("")
            for h in f.highlights:
                add(f"○ {h.text}")
                add("")
                for d in h.details:
                    add(f"- {d}")
                    add("")
    add(f" Ⅲ. {ev.year}년 부서별 추진 현황")
    add("")
    header = ["주요사업명 성과지표 단위 목표 실적", "달성률", "", "(%)", ""]
    departments = ev.departments()
    page = 1
    lines_on_page = 0
    i = 0
    quirk = False
    while i < len(departments):
        # Now and then a page begins with a table whose "▢" header was extracted at the end
        # of the same page, after the next department's table: "[A] ▢ B [B] ▢ A". Never
        # twice in a row: "▢ A" directly before the next such page would read, from the
        # text alone, as A's own heading (a genuine ambiguity the parser reports, not one
        # a benchmark should measure).
        if i + 1 < len(departments) and not quirk and rng.random() < 0.03:
            quirk = True
            b_dept, a_dept = departments[i], departments[i + 1]
            add(f"- {page} -")
            page += 1
            add(" " + header[0])
            out.extend(header[1:])
            _rows(out, a_dept, rng)
            add(f"▢ {b_dept.name}")
            add("")
            out.extend(header)
            _rows(out, b_dept, rng)
            add(f"▢ {a_dept.name}")
            add("")
            lines_on_page = 0
            i += 2
            continue
        quirk = False
        dept = departments[i]
        new_page = lines_on_page > 60
        if new_page:
            add(f"- {page} -")
            page += 1
            lines_on_page = 0
        add(f"{' ' if new_page else ''}▢ {dept.name}")
        add("")
        out.extend(header)
        before = len(out)
        _rows(out, dept, rng)
        lines_on_page += len(out) - before + 6
        i += 1
    add(f"- {page} -")
    return "\n".join(out) + "\n"


def _numbers(ind: Indicator) -> str:
    return f"{ind.unit} {fmt_number(ind.target)} {fmt_number(ind.actual)} {fmt_number(ind.stated_rate)}"


def _rows(out: list[str], dept: Department, rng: random.Random) -> None:
    """One department's rows. A project's first indicator: the project name wrapped over
    the lines before, the indicator name on the numbers line. Further indicators: the name
    on the numbers line, or wrapped over lines before a bare numbers line."""
    for project in dept.projects:
        name_lines = _wrap(project.name.split(), rng.choice([8, 10, 13]))
        for j, ind in enumerate(project.indicators):
            if j == 0:
                out.extend(name_lines)
                if rng.random() < 0.5:
                    out.append("")
                out.append(f"{ind.name} {_numbers(ind)}  ")
            elif len(ind.name.split()) >= 3 and ind.name.split()[-2] in CONTINUE_WORD:
                words = ind.name.split()
                out.extend([" ".join(words[:-1]), words[-1]])  # "… 교육 및" / "달성률"
                out.append("")
                out.append(_numbers(ind))
            else:
                out.append(f"{ind.name} {_numbers(ind)}")
            out.append("")


# --------------------------------------------------------------------------- store


def write_store(ev: Evaluation, db: Path, key: str = KEY) -> int:
    from xlgen.store import Store

    db.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    with Store.open(db) as store:
        rev = store.save_document(
            key,
            ev,
            source_name=f"bench-{key}.txt",
            source_sha256="0" * 64,
            encoding="utf-8",
            os_user="bench",
        )
    return rev


# --------------------------------------------------------------------------- check


def rows_of(ev: Evaluation) -> list[tuple]:
    return [
        (b.name, d.name, p.name, i.name, i.unit, i.target, i.actual, i.stated_rate)
        for b, d, p, i in ev.indicator_rows()
    ]


def self_check(ev: Evaluation, text_path: Path) -> dict:
    """Parse the rendered document with xlgen and assert it reads back the same records."""
    from xlgen.parse import parse_file

    started = time.perf_counter()
    parsed, _ = parse_file(text_path)
    seconds = time.perf_counter() - started
    assert isinstance(parsed, Evaluation), type(parsed)
    assert parsed.threshold == ev.threshold, (parsed.threshold, ev.threshold)
    assert [b.name for b in parsed.bureaus] == [b.name for b in ev.bureaus], "bureau names differ"
    assert len(parsed.departments()) == len(ev.departments()), (
        len(parsed.departments()),
        len(ev.departments()),
    )
    assert len(parsed.projects()) == len(ev.projects()), (
        len(parsed.projects()),
        len(ev.projects()),
    )
    assert len(parsed.indicator_rows()) == len(ev.indicator_rows())
    for pb, eb in zip(parsed.bureaus, ev.bureaus, strict=True):
        assert [d.name for d in pb.departments] == [d.name for d in eb.departments], pb.name
        assert len(pb.departments) == len(eb.departments), pb.name
        assert [len(p.indicators) for d in pb.departments for p in d.projects] == [
            len(p.indicators) for d in eb.departments for p in d.projects
        ], pb.name
    summary = [(r.bureau, r.projects, r.normal, r.weak) for r in parsed.summary]
    assert summary == [(r.bureau, r.projects, r.normal, r.weak) for r in ev.summary], (
        "Ⅰ summary differs"
    )
    got, want = rows_of(parsed), rows_of(ev)
    bad = [(g, w) for g, w in zip(got, want, strict=True) if g != w]
    assert not bad, f"{len(bad)} rows differ, first: {bad[0]}"
    # The parser reads every indicator as 상향 (the text does not say); nothing else differs.
    count_warnings = [w.message for w in parsed.warnings if "Ⅲ의 부서별 사업 수" in w.message]
    assert not count_warnings, count_warnings[:3]
    return {
        "bureaus": len(ev.bureaus),
        "departments": len(ev.departments()),
        "projects": len(ev.projects()),
        "indicators": len(want),
        "warnings": len(parsed.warnings),
        "parse_seconds": round(seconds, 3),
    }


def prepare(n: int, out_dir: Path, *, check: bool = True) -> dict:
    """Generate N: records, store (key "bench"), text document; optionally self-check."""
    out_dir.mkdir(parents=True, exist_ok=True)
    ev = make_evaluation(n)
    text_path = out_dir / f"evaluation-{n}.txt"
    text_path.write_text(render_text(ev), encoding="utf-8")
    db = out_dir / f"store-{n}.sqlite"
    write_store(ev, db)
    info = {
        "n": n,
        "text": str(text_path),
        "db": str(db),
        "text_bytes": text_path.stat().st_size,
        "bureaus": len(ev.bureaus),
        "departments": len(ev.departments()),
        "projects": len(ev.projects()),
    }
    if check:
        info["check"] = self_check(ev, text_path)
    return info


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--n", type=int, action="append", help="indicator count (repeatable); default: all sizes"
    )
    ap.add_argument("--out", type=Path, default=Path("/tmp/xlgen-bench"))
    ap.add_argument(
        "--check", action="store_true", help="parse the text back and assert the same records"
    )
    args = ap.parse_args()
    for n in args.n or SIZES:
        started = time.perf_counter()
        info = prepare(n, args.out / str(n), check=args.check)
        print(f"N={n}: {info} ({time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
