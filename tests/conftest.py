"""Test-session settings."""

from __future__ import annotations

import os

# python-hwpx (the HWPX test-document writer) brings lxml into the test environment, and
# openpyxl switches to lxml when it is there, which writes some XML differently (a literal
# CR in an inline string becomes "&#13;"). The tests that make workbooks with openpyxl
# were written against its standard-library writer: keep that one.
os.environ.setdefault("OPENPYXL_LXML", "False")
