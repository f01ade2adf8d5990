"""Local times for people (xlgen.timefmt); the store keeps UTC."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from xlgen import timefmt

STAMP = "2026-12-01T18:46:37.250898+00:00"


@pytest.fixture
def tz(monkeypatch):
    def set_tz(value: str | None) -> None:
        if value is None:
            monkeypatch.delenv("TZ", raising=False)
        else:
            monkeypatch.setenv("TZ", value)
        time.tzset()

    yield set_tz
    monkeypatch.undo()
    time.tzset()


def test_seoul_from_tz(tz):
    tz("Asia/Seoul")
    assert timefmt.local_time(STAMP) == "2026-12-02 03:46"
    assert timefmt.zone_label() == "한국 표준시(UTC+9)"


def test_other_zone_from_tz(tz):
    tz("Europe/Berlin")
    assert timefmt.local_time(STAMP) == "2026-12-01 19:46"
    assert timefmt.zone_label(at=datetime(2026, 12, 1, tzinfo=UTC)) == (
        "현지 시각 Europe/Berlin(UTC+1)"
    )
    assert timefmt.zone_label(at=datetime(2026, 7, 1, tzinfo=UTC)).endswith("(UTC+2)")


def test_utc_on_purpose(tz):
    tz("UTC")
    assert timefmt.local_time(STAMP) == "2026-12-01 18:46"
    assert timefmt.zone_label() == "협정 세계시(UTC)"


def test_posix_rule(tz):
    tz("KST-9")
    assert timefmt.local_time(STAMP) == "2026-12-02 03:46"


def test_no_zone_configured_means_korea(tz, monkeypatch, tmp_path):
    tz(None)
    monkeypatch.setattr(timefmt.sys, "platform", "linux")
    monkeypatch.setattr(timefmt, "LOCALTIME", tmp_path / "missing")
    assert timefmt.display_zone() is timefmt.KST
    assert timefmt.local_time(STAMP) == "2026-12-02 03:46"


def test_machine_unset_rules(tmp_path, monkeypatch):
    monkeypatch.setattr(timefmt.sys, "platform", "linux")
    assert timefmt._machine_unset(tmp_path / "missing") is True
    zoneinfo = tmp_path / "zoneinfo" / "Etc"
    zoneinfo.mkdir(parents=True)
    (zoneinfo / "UTC").write_bytes(b"TZif")
    (tmp_path / "zoneinfo" / "Europe").mkdir()
    (tmp_path / "zoneinfo" / "Europe" / "Berlin").write_bytes(b"TZif")
    utc_link = tmp_path / "localtime-utc"
    utc_link.symlink_to(zoneinfo / "UTC")
    berlin_link = tmp_path / "localtime-berlin"
    berlin_link.symlink_to(tmp_path / "zoneinfo" / "Europe" / "Berlin")
    assert timefmt._machine_unset(utc_link) is True
    assert timefmt._machine_unset(berlin_link) is False
    monkeypatch.setattr(timefmt.sys, "platform", "win32")
    assert timefmt._machine_unset(tmp_path / "missing") is False


def test_naive_stamp_is_utc(tz):
    tz("Asia/Seoul")
    assert timefmt.local_time("2026-12-01T18:46:00") == "2026-12-02 03:46"
    assert timefmt.local_time(datetime(2026, 12, 1, 18, 46, tzinfo=UTC)) == "2026-12-02 03:46"
