"""Times as a person reads them: ``2026-12-02 03:46`` in the desk's own zone.

The store keeps UTC (ISO 8601 with an offset); only what is shown is converted.

Which zone is shown:

1. ``TZ`` when it is set (an IANA name such as ``Asia/Seoul`` or ``UTC``, or a POSIX rule
   such as ``KST-9``). ``TZ=UTC`` is how to ask for UTC on purpose.
2. Otherwise the machine's zone, unless the machine has none configured: no
   ``/etc/localtime``, or one that is plain UTC. Then Korean standard time (UTC+9), since
   xlgen is made for Korean offices and an unconfigured server or container says UTC only
   because nobody set it. Windows always has a configured zone and is used as it is.

Korea has kept UTC+9 without daylight saving since 1988, so Korean time is a fixed offset
and needs no time-zone database.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

KST = timezone(timedelta(hours=9), "KST")
_UTC_NAMES = {"UTC", "UCT", "Universal", "Zulu", "GMT", "GMT0", "Greenwich"}
LOCALTIME = Path("/etc/localtime")


def _zone_name(path: Path) -> str | None:
    """The IANA name /etc/localtime points at, e.g. "Etc/UTC"; None if it is not a link."""
    try:
        target = os.path.realpath(path)
    except OSError:
        return None
    marker = "zoneinfo" + os.sep
    return target.split(marker, 1)[1] if marker in target else None


def _machine_unset(localtime: Path | None = None) -> bool:
    """Has this machine no zone of its own (no /etc/localtime, or a UTC one)?"""
    if sys.platform.startswith("win"):
        return False
    localtime = localtime or LOCALTIME
    if not localtime.exists():
        return True
    name = _zone_name(localtime)
    if name is not None:
        return name.split("/")[-1] in _UTC_NAMES
    # A copied file rather than a link: judge by what it does.
    now = datetime.now().astimezone()
    return now.utcoffset() == timedelta(0) and (now.tzname() or "UTC") in _UTC_NAMES


def display_zone() -> tzinfo:
    """The zone times are shown in (see the module docstring)."""
    tz = os.environ.get("TZ", "").strip()
    if tz:
        try:
            return ZoneInfo(tz.removeprefix(":"))
        except (ZoneInfoNotFoundError, ValueError):
            if hasattr(time, "tzset"):
                time.tzset()  # a POSIX rule such as "KST-9": the C library reads it
            local = datetime.now().astimezone().tzinfo
            return local or UTC
    if _machine_unset():
        return KST
    return datetime.now().astimezone().tzinfo or UTC


def _parse(value: str | datetime) -> datetime:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # the store writes UTC; a bare stamp is UTC too
    return moment


def local_time(value: str | datetime, zone: tzinfo | None = None) -> str:
    """``2026-12-01T18:46:37.250898+00:00`` → ``2026-12-02 03:46`` (in Korea)."""
    return _parse(value).astimezone(zone or display_zone()).strftime("%Y-%m-%d %H:%M")


def _offset(zone: tzinfo, at: datetime) -> str:
    delta = at.astimezone(zone).utcoffset() or timedelta(0)
    minutes = int(delta.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def zone_label(zone: tzinfo | None = None, at: datetime | None = None) -> str:
    """How a screen or sheet states the zone once: "한국 표준시(UTC+9)", or e.g.
    "현지 시각 Europe/Berlin(UTC+1)" elsewhere."""
    zone = zone or display_zone()
    at = at or datetime.now(UTC)
    offset = _offset(zone, at)
    key = getattr(zone, "key", None) or at.astimezone(zone).tzname() or ""
    if key in ("Asia/Seoul", "ROK", "KST") or zone is KST:
        return f"한국 표준시({offset})"
    if offset == "UTC+0":
        return "협정 세계시(UTC)"
    return f"현지 시각 {key}({offset})" if key else f"현지 시각({offset})"
