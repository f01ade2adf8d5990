"""Time xlgen's evaluation parser inside one process: reading/decoding the file
(xlgen.textio.read_document) and parse_evaluation(lines), separately. Prints JSON.

    python benchmarks/parse_inproc.py DOCUMENT.txt
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from xlgen.parse.evaluation import parse_evaluation
from xlgen.textio import read_document

if __name__ == "__main__":
    t0 = time.perf_counter()
    doc = read_document(Path(sys.argv[1]))
    lines = doc.lines
    t1 = time.perf_counter()
    ev = parse_evaluation(lines, source=doc.path.name)
    t2 = time.perf_counter()
    print(
        json.dumps(
            {
                "read_s": round(t1 - t0, 4),
                "parse_s": round(t2 - t1, 4),
                "lines": len(lines),
                "indicators": len(ev.indicator_rows()),
                "warnings": len(ev.warnings),
            }
        )
    )
