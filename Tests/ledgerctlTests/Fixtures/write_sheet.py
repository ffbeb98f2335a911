"""Writes a commitments sheet as a Spanish-locale spreadsheet user would save it, with
Python's own csv module: a UTF-8 byte-order mark, `;` between fields, Spanish headers,
quoted cells holding the separator, quotes and line breaks, and a cell that a spreadsheet
would run as a formula; the status change says the day it happened.

    python3 write_sheet.py OUT.csv
"""
import csv
import sys

rows = [
    ["id", "demandas", "compromiso de", "tipo", "resumen", "resumen en español", "plazo", "fuentes", "fecha", "visibilidad",
     "estado", "base", "justificación", "fuentes del estado", "fecha del estado"],
    ["segob-arms-registry", "stop-arms-flow", "segob", "pledge",
     'SEGOB pledged a public registry of seized weapons; "every one traced"',
     "La SEGOB se comprometió a un registro público de armas incautadas;\nuna por una", "2023-12-31",
     "https://www.gob.mx/segob\nhttps://example.org/registro", "2023-08-01", "public",
     "in-progress", "claimed", "=HYPERLINK(\"https://evil.example\",\"click\")", "https://www.gob.mx/segob/prensa", "2023-08-05"],
    ["cndh-arms-report", "stop-arms-flow", "cndh", "statement", "CNDH; a report on arms trafficking, promised for autumn", "", "", "https://www.cndh.org.mx/",
     "2023-08-02", "internal", "", "", "", "", ""],
]
with open(sys.argv[1], "w", newline="", encoding="utf-8-sig") as file:
    csv.writer(file, delimiter=";", quoting=csv.QUOTE_MINIMAL).writerows(rows)
