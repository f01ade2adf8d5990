"""Edit cells of a workbook in LibreOffice through UNO, recalculate, store as xlsx.

Run by ``uno_edit`` of tests/support/libreoffice.py under a Python that can ``import uno``
(Debian's ``/usr/bin/python3`` with python3-uno), never imported: only the standard library
and ``uno`` are available here. Reads one JSON request on stdin::

    {"soffice": "/usr/bin/soffice", "profile": "file:///tmp/.../profile",
     "input": "/abs/in.xlsx", "output": "/abs/out.xlsx",
     "filter": "Calc MS Excel 2007 XML", "connect_timeout": 60,
     "edits": [["Sheet", "B2", 5], ["Sheet", "C2", "text"], ["Sheet", "D2", null]]}

Starts its own headless soffice listening on a private pipe, loads the file hidden,
applies the edits, calls calculateAll() and stores. Problems are printed to stderr as
``XLGEN-ERROR: message`` lines (Korean) and the exit code is 2.
"""

import json
import os
import subprocess
import sys
import time
import uuid

import uno
from com.sun.star.beans import PropertyValue
from com.sun.star.connection import NoConnectException
from com.sun.star.lang import DisposedException

# com.sun.star.sheet.CellFlags: VALUE | DATETIME | STRING | FORMULA, what the Delete key clears.
CLEAR_CONTENTS = 1 | 2 | 4 | 16


class EditError(Exception):
    """A problem worth a clear message (missing sheet, bad address, password)."""


def prop(name, value):
    p = PropertyValue()
    p.Name = name
    p.Value = value
    return p


def connect(pipe, proc, timeout):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local
    )
    url = f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext"
    deadline = time.monotonic() + timeout
    while True:
        try:
            return resolver.resolve(url)
        except NoConnectException:
            if proc.poll() is not None:
                raise EditError(
                    f"LibreOffice가 시작하자마자 끝났습니다 (종료 코드 {proc.returncode})."
                ) from None
            if time.monotonic() > deadline:
                raise EditError(f"LibreOffice에 연결하지 못했습니다 ({timeout:g}초).") from None
            time.sleep(0.1)


def single_cell(sheet, address):
    try:
        rng = sheet.getCellRangeByName(address)
    except Exception:
        raise EditError(f"셀 주소가 올바르지 않습니다: {sheet.Name}!{address}") from None
    a = rng.getRangeAddress()
    if a.StartColumn != a.EndColumn or a.StartRow != a.EndRow:
        raise EditError(f"셀 하나의 주소여야 합니다: {sheet.Name}!{address}")
    return sheet.getCellByPosition(a.StartColumn, a.StartRow)


def apply_edits(doc, edits):
    sheets = doc.getSheets()
    by_sheet = {}
    for name, address, value in edits:
        if not sheets.hasByName(name):
            raise EditError(f"시트가 없습니다: {name}")
        by_sheet.setdefault(name, []).append((address, value))
    for name, cells in by_sheet.items():
        sheet = sheets.getByName(name)
        was_protected = sheet.isProtected()
        if was_protected:
            # Calc keeps the protection options (what may be selected, formatted, ...) across
            # unprotect/protect; only the password is set again, to "" as it was.
            sheet.unprotect("")
            if sheet.isProtected():
                raise EditError(f"암호로 보호된 시트는 편집할 수 없습니다: {name}")
        try:
            for address, value in cells:
                cell = single_cell(sheet, address)
                if value is None:
                    cell.clearContents(CLEAR_CONTENTS)
                elif isinstance(value, str):
                    cell.setString(value)
                else:
                    cell.setValue(float(value))
        finally:
            if was_protected:
                sheet.protect("")


def main():
    request = json.load(sys.stdin)
    pipe = f"xlgen_{os.getpid()}_{uuid.uuid4().hex}"
    cmd = [
        request["soffice"],
        f"-env:UserInstallation={request['profile']}",
        "--headless",
        "--invisible",
        "--nologo",
        "--nodefault",
        "--nolockcheck",
        "--norestore",
        f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext",
    ]
    proc = subprocess.Popen(
        cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    desktop = None
    try:
        ctx = connect(pipe, proc, float(request.get("connect_timeout", 60)))
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        in_url = uno.systemPathToFileUrl(request["input"])
        doc = desktop.loadComponentFromURL(in_url, "_blank", 0, (prop("Hidden", True),))
        if doc is None or not hasattr(doc, "getSheets"):
            raise EditError(f"통합문서를 열지 못했습니다: {os.path.basename(request['input'])}")
        try:
            apply_edits(doc, request["edits"])
            doc.calculateAll()
            out_url = uno.systemPathToFileUrl(request["output"])
            doc.storeToURL(
                out_url,
                (prop("FilterName", request["filter"]), prop("Overwrite", True)),
            )
        finally:
            doc.close(True)
    finally:
        if desktop is not None:
            try:
                desktop.terminate()
            except DisposedException:  # the bridge goes away while terminating
                pass
            except Exception:
                pass
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


if __name__ == "__main__":
    try:
        main()
    except EditError as exc:
        print(f"XLGEN-ERROR: {exc}", file=sys.stderr)
        sys.exit(2)
    except Exception as exc:  # UNO exceptions carry their text in .Message
        message = getattr(exc, "Message", "") or str(exc) or type(exc).__name__
        print(
            f"XLGEN-ERROR: LibreOffice 편집 중 오류: {type(exc).__name__}: {message}",
            file=sys.stderr,
        )
        sys.exit(2)
