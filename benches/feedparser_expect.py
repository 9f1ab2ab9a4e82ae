#!/usr/bin/env python3
"""Check what raqib read from the feedparser corpus against the corpus's own `Expect:` lines.

    cargo bench --bench feed_corpus -- ../shared/corpus/feedparser
    python3 benches/feedparser_expect.py ../shared/corpus/feedparser target/feed-corpus.jsonl

Only expectations about titles, links, ids and dates are evaluated (raqib turns everything else
into plain text or does not keep it). An expectation counts as satisfied when it evaluates true
over raqib's values laid out the way feedparser names them; a reference to anything raqib does
not produce counts as unsatisfied. raqib keeps one date per entry (published, else updated), so
it stands for both `published_parsed` and `updated_parsed`.
"""
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

KEYS = re.compile(r"(?:feed|entries\[\d+\])\['([a-z_]+)'\]")
WANTED = {"title", "link", "id", "published_parsed", "updated_parsed", "published", "updated"}


def expectation(path):
    head = path.read_text(encoding="utf-8", errors="replace")[:2000]
    match = re.search(r"Expect:\s*(.+)", head)
    return match.group(1).strip() if match else None


def entry_view(entry):
    view = {"title": entry["title"], "link": entry["link"] or "", "id": entry["id"] or ""}
    if entry["published"] is not None:
        parsed = time.gmtime(entry["published"])
        view["published_parsed"] = view["updated_parsed"] = parsed
    return view


def main():
    root, results = Path(sys.argv[1]), Path(sys.argv[2])
    read = {}
    for line in results.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        read[row["file"]] = row
    counts = Counter()
    failures = []
    for path in sorted((root / "wellformed").rglob("*")):
        if not path.is_file():
            continue
        expect = expectation(path)
        if not expect:
            continue
        keys = set(KEYS.findall(expect))
        if not keys or not keys <= WANTED:
            continue
        counts["checks"] += 1
        row = read.get(str(path.relative_to(root)))
        if not row or not row["ok"]:
            counts["not parsed"] += 1
            failures.append((path, expect, "not parsed"))
            continue
        scope = {
            "bozo": False,
            "feed": {"title": row["title"]} if row["title"] is not None else {},
            "entries": [entry_view(e) for e in row["entries"]],
            "u": lambda s: s,
        }
        try:
            ok = bool(eval(expect.replace("u'", "'").replace('u"', '"'), {"__builtins__": {}}, scope))
        except Exception as err:  # a key raqib does not produce, an index out of range
            ok, why = False, type(err).__name__
        else:
            why = "false"
        counts["satisfied" if ok else "unsatisfied"] += 1
        if not ok:
            failures.append((path, expect, why))
    print(f"well-formed files with a title/link/id/date check: {counts['checks']}")
    print(f"satisfied: {counts['satisfied']}  unsatisfied: {counts['unsatisfied']}  not parsed: {counts['not parsed']}")
    for path, expect, why in failures[: int(sys.argv[3]) if len(sys.argv) > 3 else 0]:
        print(f"  {path.relative_to(root)} [{why}]: {expect}")


if __name__ == "__main__":
    main()
