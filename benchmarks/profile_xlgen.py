"""cProfile of xlgen build, import and parse on prepared benchmark data, in one process
each (run by benchmarks/run.py). Writes the top entries by cumulative and by own time.

    python benchmarks/profile_xlgen.py build  --db STORE --out DIR           > build.txt
    python benchmarks/profile_xlgen.py import --db STORE_COPY --file EDITED  > import.txt
    python benchmarks/profile_xlgen.py parse  --file DOCUMENT.txt            > parse.txt
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
from pathlib import Path

TOP = 25


def run(what: str, args: argparse.Namespace) -> None:
    if what == "build":
        from xlgen.build import build
        from xlgen.store import Store

        with Store.open(args.db) as store:
            build("bench", store=store, out_dir=Path(args.out))
    elif what == "import":
        from xlgen.cli import _preview_text
        from xlgen.importer import apply_import, preview_import
        from xlgen.store import Store

        with Store.open(args.db) as store:
            preview = preview_import(store, [Path(args.file)])
            rev = apply_import(store, preview, os_user="bench")
        _preview_text(preview, rev)
    elif what == "parse":
        import json

        from xlgen.export import to_json_obj
        from xlgen.seeds import parse_document_path

        document, text, _ = parse_document_path(Path(args.file))
        json.dumps(
            to_json_obj(document, file=Path(args.file).name, encoding=text.encoding),
            ensure_ascii=False,
            indent=2,
        )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["build", "import", "parse"])
    ap.add_argument("--db")
    ap.add_argument("--out")
    ap.add_argument("--file")
    args = ap.parse_args()
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    run(args.what, args)
    profiler.disable()
    elapsed = time.perf_counter() - started
    import xlgen

    root = str(Path(xlgen.__file__).resolve().parent.parent) + "/"
    for order in ("cumulative", "tottime"):
        buf = io.StringIO()
        stats = pstats.Stats(profiler, stream=buf)
        stats.sort_stats(order).print_stats(TOP)
        text = (
            buf.getvalue()
            .replace(root, "")
            .replace(str(Path(__file__).resolve().parent.parent) + "/", "")
        )
        text = text.replace(sys.prefix + "/lib/python3.11/site-packages/", "").replace(
            sys.prefix + "/lib/python3.11/", ""
        )
        body = text[text.find("   ncalls") :].rstrip()
        print(
            f"### {args.what}: top {TOP} by {order} (profiled wall {elapsed:.2f} s)\n\n```\n{body}\n```\n"
        )


if __name__ == "__main__":
    main()
