"""Extracts the README's walkthrough blocks marked for testing.

A fenced ```sh block preceded (on the line before its opening fence, blank lines allowed) by
`<!-- readme-test -->` is run as written; `<!-- readme-test: server -->` marks the block that
starts the server and keeps running. Unmarked blocks (the build, steps that need a phone or
root) are prose for the reader only.

    python3 tests/readme/readme_blocks.py README.md   # lists the marked blocks
"""

import re
import sys
from dataclasses import dataclass
from pathlib import Path

MARK = re.compile(r"^<!--\s*readme-test(?::\s*(?P<mode>[a-z-]+))?\s*-->\s*$")
FENCE_OPEN = re.compile(r"^```(?P<lang>[A-Za-z0-9_-]*)\s*$")


@dataclass
class Block:
    line: int      # 1-based line of the opening fence
    mode: str      # "run" or "server"
    text: str


def extract(markdown):
    """The marked blocks, in order. A marker not followed by an ```sh block is an error."""
    lines = markdown.splitlines()
    blocks = []
    i = 0
    while i < len(lines):
        mark = MARK.match(lines[i])
        if not mark:
            i += 1
            continue
        mode = mark.group("mode") or "run"
        if mode not in ("run", "server"):
            raise ValueError(f"line {i + 1}: unknown readme-test mode {mode!r}")
        j = i + 1
        while j < len(lines) and not lines[j].strip():
            j += 1
        fence = FENCE_OPEN.match(lines[j]) if j < len(lines) else None
        if not fence or fence.group("lang") != "sh":
            raise ValueError(f"line {i + 1}: readme-test marker not followed by a ```sh block")
        k = j + 1
        while k < len(lines) and lines[k].strip() != "```":
            k += 1
        if k == len(lines):
            raise ValueError(f"line {j + 1}: unclosed code block")
        blocks.append(Block(line=j + 1, mode=mode, text="\n".join(lines[j + 1:k]) + "\n"))
        i = k + 1
    return blocks


if __name__ == "__main__":
    for block in extract(Path(sys.argv[1] if len(sys.argv) > 1 else "README.md").read_text()):
        print(f"--- line {block.line} ({block.mode})")
        print(block.text, end="")
