"""`xlgen` CLI with the importer's package-size limit raised, for measuring imports of
workbooks larger than xlgen.importer.MAX_PACKAGE_BYTES (100 MB uncompressed; a built
workbook passes it at about 62,000 indicators). Everything else is unchanged.

    python benchmarks/xlgen_cli_unlimited.py import EDITED.xlsx --db STORE
"""

from __future__ import annotations

import sys

import xlgen.importer
from xlgen.cli import main

if __name__ == "__main__":
    xlgen.importer.MAX_PACKAGE_BYTES = 1 << 40
    main(sys.argv[1:])
