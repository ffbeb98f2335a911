"""Reads an iCalendar file with the `icalendar` package and checks what RFC 5545 requires
of a published calendar: VERSION and PRODID, and in every event a UID, DTSTAMP and an
all-day DTSTART before its DTEND. Prints the events as JSON; exits 1 naming a problem.

    python3 check_calendar.py FILE.ics
"""
import datetime
import json
import sys

from icalendar import Calendar

data = open(sys.argv[1], "rb").read()
problems = []
if b"\r\n" not in data or any(len(line) > 75 for line in data.split(b"\r\n")):
    problems.append("lines must end with CRLF and be folded at 75 octets")
calendar = Calendar.from_ical(data)
for name in ["VERSION", "PRODID"]:
    if name not in calendar:
        problems.append(f"the calendar has no {name}")
if str(calendar.get("VERSION")) != "2.0":
    problems.append("VERSION is not 2.0")
events = []
uids = set()
for event in calendar.walk("VEVENT"):
    for name in ["UID", "DTSTAMP", "DTSTART", "SUMMARY"]:
        if name not in event:
            problems.append(f"an event has no {name}")
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    if isinstance(start, datetime.datetime) or not isinstance(start, datetime.date) or not start < end:
        problems.append(f"{event.get('UID')}: DTSTART must be a date before DTEND")
    if str(event.get("UID")) in uids:
        problems.append(f"{event.get('UID')} is twice")
    uids.add(str(event.get("UID")))
    for component in [event]:
        if getattr(component, "errors", None):
            problems.append(f"{event.get('UID')}: {component.errors}")
    events.append({"uid": str(event.get("UID")), "summary": str(event.get("SUMMARY")), "description": str(event.get("DESCRIPTION")),
                   "start": start.isoformat(), "url": str(event.get("URL")), "categories": event.get("CATEGORIES").to_ical().decode()})
if problems:
    print("\n".join(problems), file=sys.stderr)
    sys.exit(1)
print(json.dumps({"name": str(calendar.get("X-WR-CALNAME")), "events": events}, ensure_ascii=False))
