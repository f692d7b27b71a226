"""curl's arguments read as curl reads them: options (with their values) and URLs.

``read_args`` turns one command's words into ``CurlArgs``: every option as a
``(long name, value, word)`` in command-line order, the URLs, and where
``--next`` starts another set.  Combined short flags (``-sSLk``), values glued
to short options (``-XPOST``, ``-d@file``) and ``--no-`` switches are
understood; an option curl does not know is an error at its position, as curl
makes it one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.core.importers.curl_options import (
    LONG_FLAGS,
    LONG_OPTIONS_TAKING_VALUE,
    SHORT_OPTIONS,
)
from app.core.importers.errors import MalformedImport
from app.core.importers.shell_words import Word

#: what a curl executable may be called
CURL_NAMES = frozenset({"curl", "curl.exe"})
#: words a docs page may put before the command (a prompt)
PROMPTS = frozenset({"$", "%", ">", "#", "PS>"})


@dataclass(frozen=True, slots=True)
class Option:
    name: str  # curl's long name, e.g. "data-raw"
    value: str | None  # None for a switch
    word: Word
    #: False for ``--no-NAME``
    enabled: bool = True
    #: as typed: ``-d``, ``--data``, ``--no-buffer``
    spelled: str = ""


@dataclass(slots=True)
class CurlArgs:
    """One request's share of a command line (``--next`` starts another)."""

    options: list[Option] = field(default_factory=list)
    urls: list[Word] = field(default_factory=list)


def _error(message: str, word: Word) -> MalformedImport:
    return MalformedImport(message, line=word.line, column=word.column)


def program_words(words: list[Word]) -> list[Word]:
    """The words after ``curl`` (a prompt, ``sudo`` or ``VAR=value`` before it skipped)."""
    index = 0
    while index < len(words):
        text = words[index].text
        if text in PROMPTS or text == "sudo" or ("=" in text and text[0].isalpha()):
            index += 1
            continue
        break
    if index >= len(words):
        raise _error("this is not a curl command", words[-1])
    program = words[index].text.replace("\\", "/").rsplit("/", 1)[-1].lower()
    if program not in CURL_NAMES:
        raise _error(f"this is not a curl command (it runs “{words[index].text}”)", words[index])
    return words[index + 1 :]


def read_args(words: list[Word]) -> list[CurlArgs]:
    """The options and URLs of ``words`` (the words after ``curl``), per ``--next``."""
    groups = [CurlArgs()]
    i = 0
    only_urls = False
    while i < len(words):
        word = words[i]
        text = word.text
        i += 1
        current = groups[-1]
        if only_urls or not text.startswith("-") or text == "-":
            current.urls.append(word)
            continue
        if text == "--":
            only_urls = True
            continue
        if text.startswith("--"):
            name = text[2:]
            if name in LONG_OPTIONS_TAKING_VALUE:
                if i >= len(words):
                    raise _error(f"{text} needs a value", word)
                current.options.append(Option(name, words[i].text, word, spelled=text))
                i += 1
            elif name in LONG_FLAGS:
                if name == "next":
                    groups.append(CurlArgs())
                else:
                    current.options.append(Option(name, None, word, spelled=text))
            elif name.startswith("no-") and name[3:] in LONG_FLAGS:
                current.options.append(Option(name[3:], None, word, enabled=False, spelled=text))
            else:
                raise _error(f"curl has no option {text}", word)
            continue
        letters = text[1:]
        for j, letter in enumerate(letters):
            long_name = SHORT_OPTIONS.get(letter)
            if long_name is None:
                raise _error(f"curl has no option -{letter}", word)
            if long_name in LONG_OPTIONS_TAKING_VALUE:
                glued = letters[j + 1 :]
                if glued:
                    current.options.append(Option(long_name, glued, word, spelled=f"-{letter}"))
                elif i < len(words):
                    current.options.append(
                        Option(long_name, words[i].text, word, spelled=f"-{letter}")
                    )
                    i += 1
                else:
                    raise _error(f"-{letter} needs a value", word)
                break
            if long_name == "next":
                groups.append(CurlArgs())
                current = groups[-1]
            else:
                current.options.append(Option(long_name, None, word, spelled=f"-{letter}"))
    return groups
