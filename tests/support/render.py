"""Records → extracted text, in each document kind's extraction style, with switches for the
ways extraction tools and editors differ (issue 11).

`render_evaluation` builds on benchmarks/generate.py (its records, word pools and row
layout: project names wrapped over lines, indicator names on the numbers line or wrapped
before a bare numbers line) and adds the switches of `Style`. `render_plan` writes a
tab-separated 성과계획 총괄표 in the plan seed's layout. `make_plan` makes plan records
whose printed totals add up.

A `Style` changes only how the text looks, never what it says, so a parser that decides
from the content reads every rendering to the same records, or says where it cannot.
"""

from __future__ import annotations

import random
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT / "benchmarks") not in sys.path:
    sys.path.append(str(ROOT / "benchmarks"))

import generate as gen  # noqa: E402  (benchmarks/generate.py)

from xlgen.model import Evaluation, OfficeRow, Plan, PolicyGoal, StrategicGoal  # noqa: E402
from xlgen.rules import excel_round  # noqa: E402

FOOTERS = {
    "none": None,
    "dash": "- {n} -",
    "emdash": "— {n} —",
    "minus": "− {n} −",
    "slash": "{n} / {total}",
    "page": "Page {n}",
    "page_of": "Page {n} of {total}",
    "korean": "{n}쪽",
}
MINUS = {"△": "△", "U+2212": "\u2212", "U+2013": "\u2013", "U+FE63": "\ufe63", "-": "-"}
SEPARATORS = {"comma": ",", "thin": "\u2009", "narrow": "\u202f", "nbsp": "\u00a0"}
INVISIBLE = ["", "\u200b", "\ufeff", "\u2060", "\u00ad"]
MARKS = ["▢", "□", "ㅁ"]


@dataclass(frozen=True)
class Style:
    """How a rendering looks. Every field only changes the text's appearance."""

    indent: str = "page"  # "page": one space at a page start (the seed), "none", "all"
    blank: int = 1  # blank lines between the pieces of a wrapped cell (0-2)
    page_lines: int = 60  # lines per page before a footer and a new page
    quirk: float = 0.0  # chance that a page begins with a table whose heading ends the page
    footer: str = "dash"
    minus: str = "△"
    form: str = "NFC"  # or "NFD"
    invisible: str = ""  # put after every mark and inside names
    separator: str = "comma"
    percent: bool = False  # "150%" for the printed rates
    trailing: str = ""  # e.g. "note", "eof", "note+eof"
    mark: str = "▢"
    crlf: bool = False
    seed: int = 7


def _finish(lines: list[str], style: Style) -> str:
    text = "\n".join(lines) + "\n"
    if "note" in style.trailing:
        text += "\n※ 자료: 각 부서 제출 자료\n"
    if style.form != "NFC":
        text = unicodedata.normalize(style.form, text)
    if style.crlf:
        text = text.replace("\n", "\r\n")
    if "eof" in style.trailing:
        text += "\x1a"
    return text


def _number(value, style: Style, *, percent: bool = False) -> str:
    if value is None:
        return "-"
    sign = MINUS[style.minus] if value < 0 else ""
    v = abs(value)
    text = f"{v:,.1f}" if isinstance(v, float) else f"{v:,}"
    text = text.replace(",", SEPARATORS[style.separator])
    return sign + text + ("%" if percent else "")


# --------------------------------------------------------------------------- evaluation


def make_evaluation(n: int, seed: int) -> Evaluation:
    return gen.make_evaluation(n, seed=seed)


def render_evaluation(ev: Evaluation, style: Style) -> str:
    """The evaluation as extracted text (the 2019 seed's layout) in the given style."""
    rng = random.Random(style.seed)
    out: list[str] = []
    z = style.invisible
    mark = style.mark + z
    page = [1]
    on_page = [0]
    total_pages = max(2, sum(len(d.projects) for d in ev.departments()) // 8)

    def add(text: str) -> None:
        out.append(text)
        on_page[0] += 1

    def footer() -> None:
        pattern = FOOTERS[style.footer]
        if pattern:
            add(pattern.format(n=page[0], total=total_pages))
        page[0] += 1
        on_page[0] = 0

    def lead(first_on_page: bool) -> str:
        if style.indent == "all":
            return "  "
        return " " if style.indent == "page" and first_on_page else ""

    def blanks() -> None:
        for _ in range(style.blank):
            add("")

    title = ev.title
    add(f"{lead(True)}{title}{title}")
    add("")
    add("Ⅰ. 국별 사업추진 현황")
    add("")
    add("국  별 계")
    add("추진현황")
    add("정상추진 부  진")
    add("")
    t = ev.summary_total
    add(f"사업 수 {_number(t.projects, style)} {_number(t.normal, style)} {t.weak or '-'}")
    add("")
    pct = "%" if style.percent else ""
    normal_pct, weak_pct = (int(v) if v else "-" for v in ev.summary_ratio)
    add(f"비율(%) - {normal_pct}{pct if normal_pct != '-' else ''} {weak_pct}")
    add("")
    for r in ev.summary:
        add(f"{gen._spaced(r.bureau)} {_number(r.projects, style)} {r.normal:,} {r.weak or '-'}")
        add("")
    add(f"{lead(False)}※ 부진판정 기준 : 목표 대비 달성률 {ev.threshold}% 이하")
    footer()
    add(f"{lead(True)}Ⅱ. {ev.year}년 국별 주요사업 추진 성과")
    add("")
    for s in ev.narrative:
        add(s.heading)
        add("")
        for f in s.fields:
            add(f"◇{z} {f.title}")
            add("")
            for h in f.highlights:
                add(f"○ {h.text}")
                add("")
                for d in h.details:
                    add(f"- {d}")
                    add("")
    footer()
    add(f"{lead(True)}Ⅲ. {ev.year}년 부서별 추진 현황")
    add("")
    header = ["주요사업명 성과지표 단위 목표 실적", "달성률", "", "(%)", ""]
    departments = ev.departments()
    i = 0
    first_on_page = False
    while i < len(departments):
        if i + 1 < len(departments) and rng.random() < style.quirk:
            # "[A's table] ▢ B [B's table] ▢ A": a page that begins with A's table.
            b_dept, a_dept = departments[i], departments[i + 1]
            footer()
            add(lead(True) + header[0])
            out.extend(header[1:])
            _rows(out, add, a_dept, rng, style)
            add(f"{mark} {b_dept.name}")
            add("")
            out.extend(header)
            _rows(out, add, b_dept, rng, style)
            add(f"{mark} {a_dept.name}")
            add("")
            first_on_page = False
            i += 2
            continue
        dept = departments[i]
        if on_page[0] > style.page_lines:
            footer()
            first_on_page = True
        add(f"{lead(first_on_page)}{mark} {dept.name}")
        first_on_page = False
        add("")
        out.extend(header)
        _rows(out, add, dept, rng, style)
        i += 1
    footer()
    return _finish(out, style)


def _numbers(ind, style: Style) -> str:
    rate = _number(ind.stated_rate, style, percent=style.percent and ind.stated_rate is not None)
    return (f"{ind.unit} {_number(ind.target, style)} {_number(ind.actual, style)} {rate}").replace(
        "%%", "%"
    )


def _rows(out: list[str], add, dept, rng: random.Random, style: Style) -> None:
    """generate._rows with the style's blank lines and invisible characters."""
    z = style.invisible
    for project in dept.projects:
        name_lines = gen._wrap(project.name.split(), rng.choice([8, 10, 13]))
        for j, ind in enumerate(project.indicators):
            if j == 0:
                for k, piece in enumerate(name_lines):
                    add(piece[:1] + z + piece[1:] if k == 0 else piece)
                if rng.random() < 0.5:
                    for _ in range(style.blank):
                        add("")
                add(f"{ind.name} {_numbers(ind, style)}  ")
            elif len(ind.name.split()) >= 3 and ind.name.split()[-2] in gen.CONTINUE_WORD:
                words = ind.name.split()
                add(" ".join(words[:-1]))
                add(words[-1])
                for _ in range(style.blank):
                    add("")
                add(_numbers(ind, style))
            else:
                add(f"{ind.name} {_numbers(ind, style)}")
            for _ in range(max(style.blank, 1)):
                add("")


# --------------------------------------------------------------------------- plan

_OFFICES = [
    "의회사무국",
    "기획실",
    "감사담당관",
    "총무국",
    "복지환경국",
    "경제문화국",
    "안전도시국",
]
_SG = [
    "효율적인 의정지원으로 선진 의회상을 구현한다.",
    "창의행정실천 및 건전재정운영으로 으뜸서구구현 기반조성",
    "투명한 행정으로 주민에게 신뢰받는 청렴 서구 구현",
    "대내외 고객만족 및 지방재정 효율성 확보로 일 잘하는 지방정부 실현",
    "주민주체의 복지공동체 실현과 쾌적한 생활환경 조성",
    "문화·교육·산업기반 조성으로 지역활성화",
    "안전하고 살기 좋은 도시환경 조성",
]
_PG = [
    "효율적인 의회 운영과 의정역량 강화",
    "구정종합기획 및 재정운영의 효율화",
    "깨끗하고 투명한 행정 구현",
    "민원중심의 열린 행정 실현",
    "공평과세 구현 및 안정적인 자주재원 확충",
    "맞춤형 복지서비스 제공",
    "자원순환 체계 구축",
    "지역경제 활성화",
    "생활체육 활성화",
    "안전한 도로환경 조성",
]
_IND = [
    "기자간담회 실시 횟수",
    "의존재원 확보실적",
    "소송 승소율",
    "청렴교육 이수율",
    "민원처리만족도",
    "구세 정리율",
    "세무조사 실시율",
    "독거노인세대 방문율",
    "재활용가능폐기물 재활용실적",
    "생활체육 활성화 지수",
    "보도 정비실적",
    "공원 이용자 수",
]


def make_plan(seed: int, offices: int = 5) -> Plan:
    """Plan records whose 계 row, 비교증감 and 비중 are what their inputs give."""
    rng = random.Random(seed)
    goals: list[StrategicGoal] = []
    rows: list[OfficeRow] = []
    names = _OFFICES[: max(2, min(offices, len(_OFFICES)))]
    for k, office in enumerate(names):
        sg = StrategicGoal(office=office, name=_SG[k % len(_SG)], budget=None, share=None)
        for p in rng.sample(range(len(_PG)), rng.randint(1, 3)):
            pg = PolicyGoal(name=_PG[p])
            pg.indicators = [_IND[i] for i in rng.sample(range(len(_IND)), rng.randint(1, 4))]
            sg.policy_goals.append(pg)
        budget = rng.randint(100, 300_000)
        sg.budget = budget
        goals.append(sg)
        prev = max(1, budget + rng.randint(-5_000, 5_000))
        rows.append(
            OfficeRow(
                office=office,
                strategic_goals=1,
                policy_goals=len(sg.policy_goals),
                indicators=sum(len(p.indicators) for p in sg.policy_goals),
                unit_projects=rng.randint(1, 40),
                budget=budget,
                prev_budget=prev,
                change=budget - prev,
            )
        )
    total_budget = sum(g.budget for g in goals)  # type: ignore[misc]
    for g in goals:
        g.share = float(excel_round(g.budget / total_budget * 100, 2))  # type: ignore[operator]
    total = OfficeRow(
        office="계",
        **{
            f: sum(getattr(r, f) for r in rows)
            for f in (
                "strategic_goals",
                "policy_goals",
                "indicators",
                "unit_projects",
                "budget",
                "prev_budget",
                "change",
            )
        },
    )
    return Plan(
        title="3. 성과계획 총괄표",
        org=None,
        year=None,
        unit="개, 백만원",
        offices=rows,
        total=total,
        goals=goals,
    )


def render_plan(plan: Plan, style: Style) -> str:
    """The plan as tab-separated extracted text (the plan seed's layout) in the style."""
    z = style.invisible
    out: list[str] = []
    page = [1]

    def footer() -> None:
        pattern = FOOTERS[style.footer]
        if pattern:
            out.append(pattern.format(n=page[0], total=9))
        page[0] += 1

    def num(v, *, share: bool = False) -> str:
        if share:
            return f"{v:.2f}" + ("%" if style.percent else "")
        return _number(v, style)

    lead = " " if style.indent == "all" else ""
    out += ["", "", f"{lead}{plan.title}", "", "가. 총괄", "", f"(단위:{plan.unit})", ""]
    out.append("실국명\t성과계획\t\t\t\t예산액\t\t")
    out.append("\t전략목표수\t정책사업목표\t\t단위사업수\t예산액\t전년도예산액\t비교증감")
    out.append("\t\t개수\t지표수\t\t\t\t")
    for r in [plan.total, *plan.offices]:
        assert r is not None
        cells = [
            r.office[:1] + z + r.office[1:],
            *(
                str(getattr(r, f))
                for f in ("strategic_goals", "policy_goals", "indicators", "unit_projects")
            ),
            num(r.budget),
            num(r.prev_budget),
            num(r.change),
        ]
        out.append("\t".join(cells))
    out += ["", "나. 성과계획 및 자원비중", ""]
    header = "전략목표명 (실국명)\t정책사업목표명\t성과지표명\t예산액 (백만원)\t\t비중(%)"
    out.append(header)
    rows_on_page = 0
    for g in plan.goals:
        first = True
        for p in g.policy_goals:
            for j, ind in enumerate(p.indicators):
                if rows_on_page >= style.page_lines // 4:
                    footer()
                    out += ["", header]
                    rows_on_page = 0
                    if not first:  # a new page repeats the current goal names
                        out.append(f"{g.name} ({g.office})\t{p.name}\t{ind}\t\t\t")
                        rows_on_page += 1
                        continue
                if first:
                    out.append(
                        f"{g.name} ({g.office})\t{p.name}\t{ind}\t{num(g.budget)}\t\t"
                        f"{num(g.share, share=True)}"
                    )
                    first = False
                elif j == 0:
                    out.append(f"\t{p.name}\t{ind}\t\t\t")
                else:
                    out.append(f"\t\t{ind}\t\t\t")
                rows_on_page += 1
    footer()
    return _finish(out, style)
