#!/usr/bin/python3
"""Keeps the naud2018 section of bench/RESULTS.md (between <!-- naud2018:begin --> and
<!-- naud2018:end -->) apart from the COBA/CUBA part, which summarize_results.py rewrites whole.

  splice_section.py extract RESULTS.md          print the section (nothing if there is none)
  splice_section.py insert RESULTS.md BLOCK.md  replace the section by BLOCK.md's, or append it
"""
import os
import re
import sys

BEGIN, END = "<!-- naud2018:begin -->", "<!-- naud2018:end -->"
PATTERN = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END) + r"\n?", re.S)


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("extract", "insert"):
        sys.exit(__doc__)
    path = sys.argv[2]
    text = open(path).read() if os.path.exists(path) else ""
    if sys.argv[1] == "extract":
        m = PATTERN.search(text)
        if m:
            sys.stdout.write(m.group(0))
        return
    block = open(sys.argv[3]).read()
    if BEGIN not in block:
        sys.exit(f"{sys.argv[3]}: no {BEGIN} marker")
    if not block.endswith("\n"):
        block += "\n"
    if PATTERN.search(text):
        text = PATTERN.sub(lambda _: block, text, count=1)
    else:
        text = text + ("\n" if text and not text.endswith("\n\n") else "") + block
    with open(path, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
