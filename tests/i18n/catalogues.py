"""The translation catalogues as the tests read them: every ``trueup/<app>/locale`` .po file,
each entry with its English, its translations and its flags."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TRUEUP = ROOT / "trueup"

# %(name)s, %(count)d, %s and {name}: what a translation must carry over unchanged.
PLACEHOLDER = re.compile(r"%\([A-Za-z_]\w*\)[sdif]|%[sdif]|\{[A-Za-z_]\w*\}")
_LINE = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (".*")$')


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str = ""
    msgctxt: str = ""
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    where: str = ""  # the source file and line the entry names

    @property
    def translations(self) -> list[str]:
        return [self.msgstr[k] for k in sorted(self.msgstr)]

    def english(self, form: int) -> str:
        """The English a translated form stands for: the plural for every form after the
        first."""
        return self.msgid_plural if form and self.msgid_plural else self.msgid


def catalogues() -> list[Path]:
    """Every catalogue of every app, whichever apps have one."""
    return sorted(TRUEUP.glob("*/locale/*/LC_MESSAGES/*.po"))


def _unquote(text: str) -> str:
    body = text[1:-1]
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(0)), body)


def read(path: Path) -> tuple[Entry, list[Entry]]:
    """The catalogue's header entry and its messages (obsolete ones left out)."""
    entries: list[Entry] = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
        entry, current = Entry(), ""
        for line in block.splitlines():
            if line.startswith("#~"):
                entry = Entry()  # obsolete: not used at run time
                break
            if line.startswith("#,"):
                entry.flags |= {f.strip() for f in line[2:].split(",")}
            elif line.startswith("#:") and not entry.where:
                entry.where = line[2:].strip().split(" ")[0]
            elif match := _LINE.match(line):
                current = match.group(1)
                _add(entry, current, _unquote(match.group(2)))
            elif line.startswith('"') and current:
                _add(entry, current, _unquote(line))
        if entry.msgid or entry.msgstr:
            entries.append(entry)
    header = next(e for e in entries if e.msgid == "" and not e.msgctxt)
    return header, [e for e in entries if e is not header]


def _add(entry: Entry, key: str, text: str) -> None:
    if key == "msgid":
        entry.msgid += text
    elif key == "msgid_plural":
        entry.msgid_plural += text
    elif key == "msgctxt":
        entry.msgctxt += text
    else:
        form = int(key[7:-1]) if key.startswith("msgstr[") else 0
        entry.msgstr[form] = entry.msgstr.get(form, "") + text


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))
