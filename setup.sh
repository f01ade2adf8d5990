#!/usr/bin/env bash
# One-command set-up on a fresh Debian/Ubuntu machine (see README):
#   1. system packages the tests need (LibreOffice headless, Korean fonts, poppler, UNO,
#      gnumeric's ssconvert as a second spreadsheet engine);
#   2. a virtual environment .venv with xlgen and its test tools;
#   3. the 2019 seed document read into the store.
set -euo pipefail
cd "$(dirname "$0")"

if command -v apt-get >/dev/null 2>&1; then
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    if ! command -v soffice >/dev/null 2>&1 || ! command -v pdftoppm >/dev/null 2>&1 \
        || ! command -v ssconvert >/dev/null 2>&1 \
        || ! /usr/bin/python3 -c "import uno" >/dev/null 2>&1 \
        || ! fc-list 2>/dev/null | grep -i carlito >/dev/null; then
        # (grep -q would stop reading early: fc-list's SIGPIPE fails the pipeline under
        # pipefail and the packages were installed again on every run)
        echo "[setup] LibreOffice(헤드리스), gnumeric, 한글 글꼴, poppler 설치 중..."
        $SUDO apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
            libreoffice-calc-nogui gnumeric fonts-nanum fonts-crosextra-carlito poppler-utils python3-uno \
            >/dev/null
    fi
else
    echo "[setup] apt-get이 없어 LibreOffice 설치를 건너뜁니다 (스프레드시트 엔진 테스트는 건너뜀)." >&2
fi

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    echo "[setup] 가상환경 .venv 만드는 중..."
    "$PYTHON" -m venv .venv
fi
echo "[setup] xlgen 설치 중..."
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e '.[test]'

# Run from the checkout (cd above): seeds/ and out/ are this folder's.
echo "[setup] 2019 통합문서를 만드는 중 (xlgen build 2019)..."
.venv/bin/xlgen build 2019
