"""Reads the ledger's feeds the way subscribers' software does, for LedgerServerTests.

Usage: check_feeds.py FEED.atom FEED.json SCHEMA.json
Prints one JSON object: what feedparser made of the Atom feed, and the JSON Feed's
schema errors (with format checks: uri, date-time). Exit status 0 when both parsed.
"""
import json
import sys

import feedparser
import jsonschema

atom_path, json_path, schema_path = sys.argv[1:4]
atom = feedparser.parse(atom_path)
with open(json_path, encoding="utf-8") as handle:
    feed = json.load(handle)
with open(schema_path, encoding="utf-8") as handle:
    schema = json.load(handle)
validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
errors = [f"{'/'.join(map(str, error.path))}: {error.message}" for error in validator.iter_errors(feed)]
print(json.dumps({
    "bozo": int(atom.bozo),
    "bozo_exception": str(atom.get("bozo_exception", "")),
    "version": atom.version,
    "title": atom.feed.get("title", ""),
    "entries": [{
        "id": entry.get("id"),
        "title": entry.get("title"),
        "link": entry.get("link"),
        "updated": entry.get("updated"),
        "content": entry.get("content", [{}])[0].get("value"),
        "links": [link.get("href") for link in entry.get("links", [])],
    } for entry in atom.entries],
    "json_errors": errors,
    "json_items": len(feed.get("items", [])),
}))
sys.exit(0 if not atom.bozo and not errors else 1)
