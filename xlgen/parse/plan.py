"""Parser of a performance plan's "성과계획 총괄표" (tab- or space-separated text).

Two tables: 가. 총괄 (one row per office and the 계 row) and 나. 성과계획 및 자원비중
(strategic goal → policy goals → indicators, budget and share per strategic goal). The 나
table runs over pages; each page repeats its header and the current goal names, sometimes
with OCR slips, stray spaces or shifted cells. Cells are read by content first (a strategic
goal ends with "(실국명)", numbers are numbers) and by column position second.

Nothing here raises on bad input except ParseError, and only when neither table is there.
Everything else becomes a ParseWarning; the document's own totals are checked in
``_plan_checks``.
"""

from __future__ import annotations

import re
from typing import Any

from ..errors import ParseError
from ..findings import ROLE_LABELS, Kind
from ..model import Number, OfficeRow, ParseWarning, Plan, PolicyGoal, StrategicGoal
from ..numbers import DASHES, FULLWIDTH, same
from ..numbers import parse as parse_number
from ._plan_checks import (
    cross_check,
    is_close,
    load_corrections,
    nospace,
    similarity,
    split_merged,
)
from .normalize import lost_characters, normalize_lines, normalize_text

_FOLD = FULLWIDTH
_DASHES = set(DASHES)
_SPACE_SPLIT = re.compile(r"[ \u00a0\u3000\f\v\r]{2,}")
_UNIT_RE = re.compile(r"\(\s*단\s*위\s*[:：]?\s*([^)]{0,60}?)\s*\)")
_PAGE_NO_RE = re.compile(r"^\s*[-–—]?\s*[0-9]{1,4}\s*[-–—]?\s*$")
_NOTE_MARKS = ("※", "주)", "* ")
_NUMBERED_RE = re.compile(r"^\s*[0-9]{1,2}\s*\.\s+\S")
_GA_HEAD_RE = re.compile(r"^\s*가\s*[.)]\s*총\s*괄")
_NA_HEAD_RE = re.compile(r"^\s*나\s*[.)]")
_NEXT_HEAD_RE = re.compile(r"^\s*[다라마바사아]\s*[.)]\s*\S")
_SG_RE = re.compile(r"^(.*?)\s*\(\s*([^()]{1,30}?)\s*\)\s*[.。]?$")
_OFFICE_SUFFIX_RE = re.compile(r"(국|실|관|소|단|센터|본부|과|처|회|청|원|부)$")
_NOT_OFFICE = {"백만원", "천원", "만원", "억원", "원", "실국명", "실국", "단위"}

# Header words. A line made only of these is (part of) a table header; which table it
# belongs to is decided by the strongest word in it.
_NA_STRONG = {"전략목표명", "정책사업목표명", "성과지표명", "비중", "자원비중"}
_GA_WORDS = {
    "전략목표수",
    "정책사업목표수",
    "성과지표수",
    "지표수",
    "단위사업수",
    "전년도예산액",
    "비교증감",
    "증감",
    "개수",
    "성과계획",
    "구분",
    "개",
}
_NA_WEAK = {"전략목표", "성과지표"}
_COMMON = {"실국명", "실국", "예산액", "백만원", "정책사업목표", "계속"}
_TOKEN_RE = re.compile(
    "|".join(sorted(_NA_STRONG | _GA_WORDS | _NA_WEAK | _COMMON, key=len, reverse=True))
)
_HEADER_RE = re.compile(f"(?:{_TOKEN_RE.pattern})+")
_TOTAL_NAMES = {"계", "합계", "총계"}
_GA_COLUMNS = 7
_BARE_OFFICE_RE = re.compile(r"\(\s*[^()]{1,30}\s*\)")

_ROLE_KO = ROLE_LABELS
_NOT_A_NUMBER = object()

# (column, text). The column is the tab index; space-separated lines only know that an
# unindented line's first cell is in column 0, other cells get None.
Cell = tuple[int | None, str]


def looks_like_plan(text: str) -> bool:
    """True when the text reads like a plan's 성과계획 총괄표 (by its headers, not its name)."""
    flat = nospace(normalize_text(text[:200_000]) if isinstance(text, str) else "")
    if "성과계획" not in flat:
        return False
    return any(w in flat for w in ("전략목표명", "정책사업목표명", "전략목표수", "정책사업목표"))


def parse_plan(lines: list[str], *, corrections: dict | None = None, source: str = "") -> Plan:
    """Parse a plan document's lines (LF-split, BOM stripped) into a Plan.

    ``corrections`` is the parsed corrections.toml of the document (its ``[plan]`` table is
    used). ``source`` names the file in the ParseError message. org and year stay None.
    """
    if isinstance(lines, str):
        lines = lines.split("\n")
    # One normalisation layer for both document kinds; see xlgen.parse.normalize.
    lines = normalize_lines([str(x) for x in lines])
    lost = lost_characters(lines)
    if lost:
        number, text = lost[0]
        what = "깨져(�)" if "\ufffd" in text else "`?`로 바뀌어"
        raise ParseError(
            f"{source or '문서'} {number}행: 글자가 {what} 있습니다 ('{text[:30]}'): 저장하며"
            " 이 코드 페이지(CP949 등)에 없는 글자가 손실되었습니다. 원본을 UTF-8로 다시"
            " 저장해 주세요."
        )
    parser = _PlanParser(corrections, source)
    return parser.run(lines)


def _clean(text: str) -> str:
    return " ".join(text.translate(_FOLD).split())


def _split(line: str) -> tuple[list[Cell], bool]:
    """Non-empty cells of a line and whether it was tab-separated."""
    if "\t" in line:
        return [(i, c) for i, p in enumerate(line.split("\t")) if (c := _clean(p))], True
    cells: list[Cell] = [(None, c) for p in _SPACE_SPLIT.split(line.strip()) if (c := _clean(p))]
    if cells and not line[:1].isspace():  # an unindented line starts in the first column
        cells[0] = (0, cells[0][1])
    return cells, False


def _number(text: str) -> Number | object:
    """A printed number (xlgen.numbers: △ or "-" for negatives, "(1,234)" is positive, a
    trailing "%" allowed) or _NOT_A_NUMBER."""
    value = parse_number(text)
    return _NOT_A_NUMBER if value is None else value


def _is_number(text: str) -> bool:
    return _number(text) is not _NOT_A_NUMBER


def _is_title(text: str) -> bool:
    flat = nospace(text)
    return "성과계획" in flat or "총괄표" in flat


def _header_kind(line: str) -> str | None:
    """ "ga", "na" or "common" when the line is (part of) a table header, else None."""
    flat = re.sub(r"[\s()%:·.,\[\]]", "", line.translate(_FOLD))
    if not flat or len(flat) > 200 or not _HEADER_RE.fullmatch(flat):
        return None
    words = set(_TOKEN_RE.findall(flat))
    if words & _NA_STRONG:
        return "na"
    if words & _GA_WORDS:
        return "ga"
    return "na" if words & _NA_WEAK else "common"


class _PlanParser:
    def __init__(self, corrections: Any, source: str) -> None:
        self.source = source
        self.warnings: list[ParseWarning] = []
        self.rules, problems = load_corrections(corrections, _ROLE_KO)
        self.warnings += problems
        self.title = ""
        self.unit = ""
        self.mode: str | None = None  # None, "ga" or "na"
        self.seen_ga = self.seen_na = False
        self.offices: list[OfficeRow] = []
        self.total: OfficeRow | None = None
        self.goals: list[StrategicGoal] = []
        self.office_keys: set[str] = set()  # offices of 가, spaces removed
        self.goal_by_office: dict[str, list[StrategicGoal]] = {}  # goals of 나 per office
        self.sg: StrategicGoal | None = None
        self.pg: PolicyGoal | None = None
        self.page_top = False  # the next 나 row is the first row of a page
        self.headings: dict[str, int] = {}  # "ga"/"na" → line of its "가."/"나." heading

    # ------------------------------------------------------------------ plumbing

    def warn(self, line: int | None, kind: Kind, **fields: Any) -> None:
        self.warnings.append(ParseWarning(line, kind=kind, **fields))

    def fix(self, name: str, role: str, line: int) -> str:
        """Apply the document's [[plan.replace]] corrections to one name, warning each time."""
        for find, replace, where in self.rules:
            if where in (role, "any") and find in name:
                fixed = _clean(name.replace(find, replace))
                self.warn(
                    line,
                    Kind.NAME_CORRECTION,
                    role=role,
                    name=name,
                    fixed=fixed,
                    find=find,
                    replace=replace,
                )
                name = fixed
        return name

    # ------------------------------------------------------------------ main loop

    def run(self, lines: list[str]) -> Plan:
        if lines:
            lines[0] = lines[0].lstrip("\ufeff")
        for index, raw in enumerate(lines):
            try:
                self.line(index + 1, raw)
            except ParseError:
                raise  # a refusal of the whole document, not a bad line
            except Exception as exc:  # a parser bug must not lose the whole document
                self.warn(index + 1, Kind.INTERNAL_ERROR, stage="line", error=type(exc).__name__)
        if not self.offices and self.total is None and not self.goals:
            where = f"{self.source}: " if self.source else ""
            found = (
                "표 머리글은 있으나 자료 행이 없습니다"
                if (self.seen_ga or self.seen_na)
                else "'가. 총괄' 표도 '나. 성과계획 및 자원비중' 표도 찾을 수 없습니다"
            )
            raise ParseError(f"{where}성과계획 총괄표로 읽을 수 없습니다: {found}.")
        plan = Plan(
            title=self.title,
            org=None,
            year=None,
            unit=self.unit,
            offices=self.offices,
            total=self.total,
            goals=self.goals,
            warnings=self.warnings,
        )
        try:
            self.warnings.extend(cross_check(plan))
        except Exception as exc:  # never lose a parse over a check
            self.warn(None, Kind.INTERNAL_ERROR, stage="check", error=type(exc).__name__)
        plan.warnings.sort(key=lambda w: (w.line is not None, w.line or 0))
        return plan

    def line(self, no: int, raw: str) -> None:
        text = _clean(raw)
        if not text:
            return
        if m := _UNIT_RE.search(text):
            self.unit = self.unit or _clean(m.group(1))
            text = _clean(text[: m.start()] + " " + text[m.end() :])
            raw = _UNIT_RE.sub(" ", raw.translate(_FOLD))
            if not text:
                return
        kind = _header_kind(raw)
        if kind == "na":
            self.mode, self.seen_na, self.page_top = "na", True, True
        elif kind == "ga":
            self.mode, self.seen_ga = "ga", True
        elif kind == "common" and self.mode == "na":
            self.page_top = True
        if kind is not None:
            return
        cells, tabbed = _split(raw)
        single = len(cells) <= 1 and (not cells or cells[0][0] in (None, 0))
        if single and _PAGE_NO_RE.match(text):
            return  # a page number such as "- 7 -"
        if text.startswith(_NOTE_MARKS) and self.mode is not None:
            self.warn(no, Kind.NOTE_IGNORED, context="plan", text=text[:40])
            return  # "※ 자료: …" under a table is a note, never a cell
        if _GA_HEAD_RE.match(text) and single:
            self.table_heading(no, "ga", text, bool(self.offices or self.total))
            self.mode, self.seen_ga = "ga", True
        elif _NA_HEAD_RE.match(text) and single and len(text) < 60:
            self.table_heading(no, "na", text, bool(self.goals))
            self.mode, self.seen_na, self.page_top = "na", True, True
        elif _NEXT_HEAD_RE.match(text) and single:
            self.mode = None
        elif self.mode is None:  # before the tables: the title, preferably one naming the table
            if single and not _is_title(self.title) and (_is_title(text) or not self.title):
                self.title = text
        elif single and (nospace(text) == nospace(self.title) or _NUMBERED_RE.match(text)):
            return  # a repeated page title or a numbered heading
        elif self.mode == "ga":
            self.office_row(no, cells, tabbed)
        else:
            self.goal_row(no, cells, tabbed)

    def table_heading(self, no: int, table: str, text: str, filled: bool) -> None:
        """Refuse a second "가. 총괄" or "나. …" heading after that table had rows: the
        document pasted twice, or two documents in one file."""
        first = self.headings.setdefault(table, no)
        if first != no and filled:
            raise ParseError(
                f"{self.source or '문서'} {no}행: '{text[:30]}' 표 제목이 두 번 나옵니다"
                f" ({first}행과 {no}행). 같은 문서를 두 번 붙여 넣었거나 두 문서가 한 파일에"
                " 들어 있습니다. 문서 하나만 남겨 주세요."
            )

    # ------------------------------------------------------------------ 가. 총괄

    def office_row(self, no: int, cells: list[Cell], tabbed: bool) -> None:
        if len(cells) == 1:  # single spaces only: "총무국 1 7 23 36 66,726 63,098 3,628"
            words = cells[0][1].split(" ")
            k = len(words)
            while k > 0 and _is_number(words[k - 1]):
                k -= 1
            if k == 0 or len(words) - k < 3:
                return
            cells = [(None, " ".join(words[:k])), *((None, w) for w in words[k:])]
            tabbed = False
        name_at = next((i for i, (_, t) in enumerate(cells) if not _is_number(t)), None)
        if name_at is None:
            self.warn(no, Kind.OFFICE_ROW_WITHOUT_NAME, cells=[t for _, t in cells])
            return
        name_pos, name = cells[name_at]
        rest = cells[name_at + 1 :]
        values: list[Number | None] = [None] * _GA_COLUMNS
        bad: list[str] = []
        numbers: list[tuple[int | None, Number]] = []
        for pos, t in rest:
            v = 0 if t in _DASHES else _number(t)
            if v is _NOT_A_NUMBER:
                bad.append(t)
            else:
                numbers.append((pos, v))  # type: ignore[arg-type]
        if not numbers:
            if len(cells) > 1:
                self.warn(no, Kind.OFFICE_ROW_WITHOUT_NUMBERS, cells=[t for _, t in cells])
            return
        positional = (
            tabbed
            and name_pos is not None
            and len(numbers) < _GA_COLUMNS
            and all(p is not None and 1 <= p - name_pos <= _GA_COLUMNS for p, _ in numbers)
        )
        for i, (pos, v) in enumerate(numbers[:_GA_COLUMNS]):
            values[pos - name_pos - 1 if positional else i] = v  # type: ignore[operator]
        if bad or len(numbers) != _GA_COLUMNS:
            self.warn(
                no,
                Kind.OFFICE_ROW_CELLS,
                office=name,
                found=len(numbers),
                expected=_GA_COLUMNS,
                not_numbers=bad,
            )
        sg, pg, ind, units, budget, prev, change = values
        row = OfficeRow(
            office=name,
            strategic_goals=_count(sg),
            policy_goals=_count(pg),
            indicators=_count(ind),
            unit_projects=_count(units),
            budget=budget,
            prev_budget=prev,
            change=change,
            line=no,
        )
        if nospace(name) in _TOTAL_NAMES:
            if self.total is not None:
                self.warn(no, Kind.TOTAL_ROW_REPEATED, first_line=self.total.line)
            else:
                self.total = row
        else:
            row.office = self.fix(name, "office", no)
            self.offices.append(row)
            self.office_keys.add(nospace(row.office))

    # ------------------------------------------------------------------ 나. 성과계획

    def known_office(self, office: str) -> bool:
        key = nospace(office)
        return key in self.office_keys or key in self.goal_by_office

    def split_sg(self, text: str, pos: int | None) -> tuple[str, str] | None:
        """(name, office) when a cell is a strategic goal "… (실국명)".

        An office not seen before needs an office-like ending and the first column.
        """
        m = _SG_RE.match(text)
        if not m:
            return None
        name, office = m.group(1).strip(), _clean(m.group(2))
        if not office:
            return None
        if self.known_office(office):
            return name, office
        key = nospace(office)
        plausible = pos == 0 and len(name) >= 4 and key not in _NOT_OFFICE
        if not plausible or any(ch.isdigit() for ch in key) or not _OFFICE_SUFFIX_RE.search(key):
            return None
        return name, office

    def goal_row(self, no: int, cells: list[Cell], tabbed: bool) -> None:
        page_top, self.page_top = self.page_top, False
        texts: list[Cell] = []
        nums: list[tuple[int | None, str, Number]] = []
        for pos, t in cells:
            if t in _DASHES:
                continue
            v = _number(t)
            if v is _NOT_A_NUMBER:
                texts.append((pos, t))
            else:
                nums.append((pos, t, v))  # type: ignore[arg-type]
        if not texts and not nums:
            return
        budget, share = self.budget_share(no, nums)
        repeat = page_top
        sg_cell = self.split_sg(texts[0][1], texts[0][0]) if texts else None
        if sg_cell is None and len(texts) >= 2 and _BARE_OFFICE_RE.fullmatch(texts[1][1]):
            # "(실국명)" pushed into a cell of its own
            sg_cell = self.split_sg(f"{texts[0][1]} {texts[1][1]}", texts[0][0])
            texts = texts[1:] if sg_cell else texts
        if sg_cell is None and len(texts) >= 3 and texts[0][0] == 0:
            sg_cell = (texts[0][1], "")
        if sg_cell is not None:
            texts = texts[1:]
            repeat = self.enter_sg(no, sg_cell[0], sg_cell[1], budget, share) or repeat
        elif budget is not None or share is not None:
            self.numbers_without_goal(no, budget, share)
        if len(texts) > 2:
            self.warn(no, Kind.GOAL_ROW_EXTRA_CELLS, cells=[t for _, t in texts[2:]])
            texts = texts[:2]
        if not texts:
            return
        if len(texts) == 2:
            (pg_pos, pg_name), (_, ind) = texts
            if tabbed and sg_cell is None and pg_pos == 0:
                self.warn(no, Kind.SHIFTED_ROW, policy_goal=pg_name, indicator=ind)
            self.enter_pg(no, pg_name, repeat, ind)
            return
        pos, only = texts[0]
        as_pg = False
        if sg_cell is not None:  # a strategic goal row with one more cell
            if self.pg is not None and repeat and is_close(only, self.pg.name):
                as_pg = True
            elif tabbed:
                as_pg = pos is not None and pos <= 1 or self.pg is None
            else:
                as_pg = not repeat or self.pg is None
        elif tabbed and pos == 1:
            as_pg = True
        if as_pg:
            self.enter_pg(no, only, repeat, None)
            return
        if tabbed and pos == 0:
            self.warn(
                no,
                Kind.SHIFTED_INDICATOR,
                indicator=only,
                policy_goal=self.pg.name if self.pg else None,
            )
        self.add_indicator(no, only)

    def budget_share(
        self, no: int, nums: list[tuple[int | None, str, Number]]
    ) -> tuple[Number | None, Number | None]:
        if not nums:
            return None, None
        if len(nums) > 2:
            self.warn(no, Kind.GOAL_ROW_EXTRA_NUMBERS, cells=[t for _, t, _ in nums])
        if len(nums) >= 2:
            return nums[0][2], nums[1][2]
        pos, raw, value = nums[0]
        if "." in raw or "%" in raw or (pos is not None and pos >= 4):
            return None, value
        return value, None

    def enter_sg(
        self, no: int, name: str, office: str, budget: Number | None, share: Number | None
    ) -> bool:
        """Start or continue a strategic goal; True when it continues (a page repeat)."""
        name = self.fix(name, "strategic_goal", no)
        if office:
            office = self.fix(office, "office", no)
        cur = self.sg
        same: StrategicGoal | None = None
        # one strategic goal per office as a rule; a second one of the same office needs a
        # clearly different name, otherwise it is the same goal repeated (with slips)
        mine = self.goal_by_office.get(nospace(office), [])[-4:] if office else [cur] if cur else []
        if mine:
            score, _, at = max((similarity(name, g.name), g is cur, i) for i, g in enumerate(mine))
            same = mine[at] if score >= 0.6 else None
        if same is None:
            if not office:
                self.warn(no, Kind.GOAL_WITHOUT_OFFICE, name=name)
            self.sg = StrategicGoal(office=office, name=name, budget=budget, share=share, line=no)
            self.goals.append(self.sg)
            if office:
                self.goal_by_office.setdefault(nospace(office), []).append(self.sg)
            self.pg = None
            return False
        if same is not cur:
            self.warn(no, Kind.GOAL_REJOINED, office=same.office, first_line=same.line)
            self.sg = same
            self.pg = same.policy_goals[-1] if same.policy_goals else None
        if name != same.name:
            self.warn(no, Kind.GOAL_RENAMED, name=name, first_line=same.line, first_name=same.name)
        self.compare_numbers(no, same, budget, share)
        return True

    def compare_numbers(
        self, no: int, sg: StrategicGoal, budget: Number | None, share: Number | None
    ) -> None:
        for printed, attr in ((budget, "budget"), (share, "share")):
            if printed is None:
                continue
            known = getattr(sg, attr)
            if known is None:
                setattr(sg, attr, printed)
            elif not same(known, printed):
                self.warn(
                    no,
                    Kind.REPEATED_VALUE_MISMATCH,
                    office=sg.office,
                    column=attr,
                    first_line=sg.line,
                    first=known,
                    printed=printed,
                )

    def numbers_without_goal(self, no: int, budget: Number | None, share: Number | None) -> None:
        if self.sg is None:
            self.warn(no, Kind.NUMBERS_WITHOUT_GOAL)
        else:
            self.compare_numbers(no, self.sg, budget, share)

    def current_sg(self, no: int) -> StrategicGoal:
        if self.sg is None:
            self.warn(no, Kind.ROW_WITHOUT_GOAL)
            self.sg = StrategicGoal(office="", name="", budget=None, share=None, line=no)
            self.goals.append(self.sg)
        return self.sg

    def enter_pg(self, no: int, name: str, repeat: bool, indicator: str | None) -> None:
        sg = self.current_sg(no)
        name = self.fix(name, "policy_goal", no)
        cur = self.pg
        after: str | None = None  # a second policy goal merged into the same cell
        if cur is not None and nospace(name) == nospace(cur.name):
            if name != cur.name:
                self.warn(
                    no,
                    Kind.POLICY_GOAL_SPACING,
                    name=name,
                    first_line=cur.line,
                    first_name=cur.name,
                )
        elif cur is not None and repeat and is_close(name, cur.name):
            self.warn(
                no, Kind.POLICY_GOAL_RENAMED, name=name, first_line=cur.line, first_name=cur.name
            )
        elif cur is not None and repeat and (parts := split_merged(name, cur.name)):
            after = parts[1]
            self.warn(
                no,
                Kind.POLICY_GOAL_SPLIT,
                name=name,
                current=cur.name,
                new=after,
                indicator=indicator,
            )
        else:
            self.pg = PolicyGoal(name=name, line=no)
            sg.policy_goals.append(self.pg)
        if indicator is not None:
            self.add_indicator(no, indicator)
        if after is not None:
            self.pg = PolicyGoal(name=after, line=no)
            sg.policy_goals.append(self.pg)

    def add_indicator(self, no: int, name: str) -> None:
        sg = self.current_sg(no)
        if self.pg is None:
            self.warn(no, Kind.INDICATOR_WITHOUT_POLICY_GOAL, indicator=name)
            self.pg = PolicyGoal(name="", line=no)
            sg.policy_goals.append(self.pg)
        self.pg.indicators.append(self.fix(name, "indicator", no))


def _count(value: Number | None) -> int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else None
