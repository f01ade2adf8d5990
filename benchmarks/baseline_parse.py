"""I/O floor for `xlgen parse`: read the file, decode UTF-8, split lines, and match one
precompiled "단위 목표 실적 달성률" regex per line, emitting the numbers as JSON. No
xlgen logic (no encoding detection, no row decisions, no checks). Only a floor to compare
against: the parser's real work has no bare-library equivalent.

    python benchmarks/baseline_parse.py DOCUMENT.txt > /dev/null
"""

from __future__ import annotations

import json
import re
import sys

NUM = r"(?:△?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|-)"
ANCHOR = re.compile(rf"^(.*?)(\S+)\s+({NUM})\s+({NUM})\s+({NUM})\s*$")

if __name__ == "__main__":
    with open(sys.argv[1], "rb") as fh:
        text = fh.read().decode("utf-8")
    rows = []
    for line in text.split("\n"):
        m = ANCHOR.match(line)
        if m:
            rows.append(m.groups())
    json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
