"""Section Ⅲ rows → projects and indicators.

Each raw row holds the words of an indicator row: sometimes a project name (주요사업명)
first, then the indicator name (성과지표). The project name is printed once, before its
first indicator. Whether a row starts a project, and where its words split, is decided
here from the layout that survives extraction:

1. Text lines before the numbers *and* text on the numbers line: the lines before are a
   new project's name and the text on the numbers line is the indicator (a one-line
   indicator shares the baseline of the numbers; a multi-row project's name does not).
2. Only text on the numbers line: an indicator of the current project, unless the text
   is wider than one column can hold (then it is "project indicator" on one line and
   is split at the most likely word boundary), or it is the table's first row.
3. Only text lines before the numbers: the indicator's wrapped name, possibly preceded by
   a new project's name. Each possible split is scored by how the lines end and begin
   (a name does not end in "및" or "위한"; a project name ends like one: "활성화",
   "강화" …), by blank-line blocks, and by words the two names share.

These are heuristics: some rows are genuinely ambiguous from text alone. A corrections
file in the seed folder settles those, and every row decided with low confidence is
reported so a person can check it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ._evaluation_tables import RawRow
from ._text import squash, width

# How project names (주요사업명) typically end.
PROJECT_TAILS = (
    "활성화",
    "강화",
    "조성",
    "확대",
    "정착",
    "향상",
    "지원",
    "관리",
    "추진",
    "운영",
    "구현",
    "제고",
    "구축",
    "실현",
    "예방",
    "건설",
    "사업",
    "서비스",
    "확충",
    "내실화",
    "산정",
    "정책",
    "증진",
    "육성",
    "개선",
    "달성",
    "보호",
    "실행",
    "보급",
    "기획",
    "혁신",
    "등록행정",
    "처리",
    "운용",
    "가꾸기",
    "자원화",
    "통계조사",
    "보안강화",
    "편의제공",
    "프로젝트",
    "건립",
    "개발",
    "환경조성",
    "행정",
    "도모",
    "유지관리",
    "수질관리",
    "복구",
    "단속",
    "과세관리",
    "징수",
)
# A line ending like this continues in the next line of the same cell.
# Standalone words ("및", "등", "위한") or particles that never end a word ("를", "을").
CONTINUES = re.compile(r"(?:(?:^|\s)(?:및|등|위한|통한|대한|따른)|[를을에의]|으로)$")
# A line beginning like this continues the previous line of the same cell.
CONTINUED = re.compile(r"^(?:및|등|위한|통한|\(|·|‧)")
# How indicator names (성과지표) typically end.
INDICATOR_TAILS = (
    "달성도",
    "달성률",
    "달성율",
    "율",
    "률",
    "수",
    "건수",
    "실적",
    "횟수",
    "인원",
    "인원수",
    "점검",
    "실시",
    "량",
    "액",
    "도",
)


@dataclass(slots=True)
class RowDecision:
    """What a raw row means: a new project or not, and the two names."""

    new_project: bool
    project: str  # "" when the row continues the current project
    indicator: str
    confident: bool
    reason: str


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[\s·‧,()]+", text) if len(w) >= 2]


def _shares_words(a: str, b: str) -> bool:
    """True when two names share a word or a 2-character stem of longer words."""
    wa, wb = _words(a), _words(b)
    for x in wa:
        for y in wb:
            if x == y or (len(x) >= 3 and len(y) >= 3 and x[:2] == y[:2]):
                return True
    return False


def _project_like(text: str) -> int:
    text = text.rstrip()
    if CONTINUES.search(text):
        return -3
    return 2 if text.endswith(PROJECT_TAILS) else 0


def _fragment(text: str) -> bool:
    """A short piece ("추진율", "목표 달성도") that cannot be a whole indicator name."""
    return width(text) <= 12


def split_one_line(text: str, column_width: int) -> tuple[str, str, bool]:
    """Split "project indicator" printed on one line; return (project, indicator, sure)."""
    words = text.split()
    best: tuple[float, int] | None = None
    for cut in range(1, len(words)):
        left, right = " ".join(words[:cut]), " ".join(words[cut:])
        score = 0.0
        if width(left) > column_width or width(right) > column_width:
            score -= 10
        score += _project_like(left)
        if right.split()[0][:2] in left or _shares_words(left, right):
            score += 2
        if CONTINUED.search(right):
            score -= 3
        # Prefer balanced halves: both cells are about as wide.
        score -= abs(width(left) - width(right)) / 10
        if best is None or score > best[0]:
            best = (score, cut)
    if best is None:
        return text, text, False
    cut = best[1]
    return " ".join(words[:cut]), " ".join(words[cut:]), best[0] >= 1


def decide(row: RawRow, first: bool, column_width: int, dense: bool) -> RowDecision:
    """Decide one row. `first`: the table's first row; `dense`: blank lines separate cells."""
    lead = row.anchor.lead  # already single-spaced (joined from tokens)
    lines = [
        t if "  " not in t and t.isprintable() else squash(t)
        for block in row.blocks
        for _, t in block
    ]
    if lines and lead:
        return RowDecision(True, " ".join(lines), lead, True, "숫자 앞 줄 + 숫자 줄 글")
    if lead:
        if first or width(lead) > column_width:
            project, indicator, sure = split_one_line(lead, column_width)
            return RowDecision(True, project, indicator, sure, "한 줄에 사업명과 지표명")
        return RowDecision(False, "", lead, True, "숫자 줄의 지표명")
    if not lines:
        return RowDecision(first, "", "", False, "이름 없는 행")
    return _split_lines(row, lines, first, dense)


def _split_lines(row: RawRow, lines: list[str], first: bool, dense: bool) -> RowDecision:
    # Line index where each blank-line block starts.
    starts, n = set(), 0
    for block in row.blocks:
        starts.add(n)
        n += len(block)
    last_start = max(starts)
    scored: list[tuple[float, int]] = []
    for cut in range(0 if not first else 1, len(lines)):
        if cut == 0:
            score = 0.5 if len(row.blocks) == 1 or not dense else 0.0
            scored.append((score, cut))
            continue
        project, indicator = " ".join(lines[:cut]), " ".join(lines[cut:])
        score = float(_project_like(project))
        if CONTINUED.search(lines[cut]):
            score -= 3
        if dense and cut in starts:
            score += 1.5
        elif dense and cut not in starts and len(row.blocks) > 1:
            score -= 1.0
        if _shares_words(project, indicator):
            score += 1
        if indicator.endswith(INDICATOR_TAILS):
            score += 0.5
        if len(row.blocks) == 1:
            score -= 2.5
        if _fragment(indicator):
            score -= 2  # "추진율", "목표 달성도": the tail of a wrapped name, not a name
        if cut == last_start and not _fragment(indicator):
            score += 1  # the last block is the indicator, everything before it the project

        scored.append((score, cut))
    if not scored:  # a one-line first row: the name serves as both
        return RowDecision(True, lines[0], lines[0], False, "사업명만 있는 첫 행")
    scored.sort(key=lambda item: (-item[0], item[1]))
    best_score, cut = scored[0]
    margin = best_score - scored[1][0] if len(scored) > 1 else 9.0
    confident = margin >= 1.5
    if cut == 0:
        return RowDecision(False, "", " ".join(lines), confident, "여러 줄 지표명")
    return RowDecision(
        True, " ".join(lines[:cut]), " ".join(lines[cut:]), confident, "여러 줄 사업명 + 지표명"
    )
