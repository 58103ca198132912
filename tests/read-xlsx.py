#!/usr/bin/python3
"""Reads an .xlsx file the way a spreadsheet program would, independently
of Vetter's writer: the zip (every part's checksum checked), the package's
content types and relationships, the workbook's sheets in order. Prints one
JSON line per sheet: {"name": ..., "rows": [[cell, ...], ...]}, a number
cell as a number, a text cell as a string, an empty cell as null."""

import json
import sys
import xml.etree.ElementTree as ET
import zipfile

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
DOC_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def main(path):
    with zipfile.ZipFile(path) as archive:
        bad = archive.testzip()
        if bad is not None:
            sys.exit(f"{path}: {bad} is damaged")
        types = ET.fromstring(archive.read("[Content_Types].xml"))
        overrides = {o.get("PartName") for o in types}
        root_rels = ET.fromstring(archive.read("_rels/.rels"))
        workbook_path = next(r.get("Target") for r in root_rels.iter(REL + "Relationship"))
        workbook = ET.fromstring(archive.read(workbook_path))
        rels = ET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target") for r in rels.iter(REL + "Relationship")}
        for sheet in workbook.iter(MAIN + "sheet"):
            part = "xl/" + targets[sheet.get(DOC_REL + "id")]
            if "/" + part not in overrides:
                sys.exit(f"{path}: {part} has no content type")
            rows = []
            for row in ET.fromstring(archive.read(part)).iter(MAIN + "row"):
                cells = []
                for cell in row.iter(MAIN + "c"):
                    if cell.get("t") == "inlineStr":
                        cells.append("".join(t.text or "" for t in cell.iter(MAIN + "t")))
                    elif cell.find(MAIN + "v") is not None:
                        cells.append(float(cell.find(MAIN + "v").text))
                    else:
                        cells.append(None)
                rows.append(cells)
            print(json.dumps({"name": sheet.get("name"), "rows": rows}))


main(sys.argv[1])
