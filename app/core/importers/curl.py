"""``parse_curl``: the one entry point for curl commands (a paste, a file, stdin).

    imported = parse_curl(text)          # raises MalformedImport (line, column)
    for item in imported.requests:
        request = to_request(item)       # Courier's model Request
        item.not_honoured, item.notes    # what to tell the user

Several commands may be given (one per line, or separated by ``;`` / ``&&``);
bash and Windows cmd flavours are both read.  Nothing is imported half-way: a
malformed command raises before anything is returned.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.core.importers.curl_args import program_words, read_args
from app.core.importers.curl_semantics import CurlRequest, curl_requests
from app.core.importers.errors import MalformedImport
from app.core.importers.shell_words import looks_like_cmd, split_bash, split_cmd

#: the longest command text accepted (a pasted command is kilobytes; bodies go in files)
MAX_TEXT = 16 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class CurlImport:
    """The requests of the commands given, in order, each with its notes."""

    requests: tuple[CurlRequest, ...]
    #: "bash" or "cmd": how the text was read
    flavour: str

    @property
    def notes(self) -> list[str]:
        """Everything the user should hear about, one line per request that has any."""
        out = []
        for request in self.requests:
            said = [*request.not_honoured, *request.notes]
            if said:
                out.append(f"{request.method} {request.url}: " + "; ".join(said))
        return out


def looks_like_curl(text: str) -> bool:
    """Is ``text`` (a URL bar paste) a curl command rather than a URL?"""
    stripped = text.lstrip().lstrip("$").lstrip()
    head = stripped[:9].lower()
    return head.startswith(("curl ", "curl\t", "curl.exe ", "curl\\\n", "curl ^"))


def parse_curl(text: str, *, base_dir: Path | None = None) -> CurlImport:
    """The requests the curl command(s) in ``text`` send.

    ``base_dir`` is where relative ``@file`` paths are looked up (the current
    directory by default).  Raises ``MalformedImport`` with the line and column.
    """
    if len(text) > MAX_TEXT:
        raise MalformedImport(
            f"the text is over {MAX_TEXT // (1024 * 1024)} MiB; put big bodies in files",
            line=1,
            column=1,
        )
    if "\x00" in text:
        index = text.index("\x00")
        line = text.count("\n", 0, index) + 1
        column = index - (text.rfind("\n", 0, index) + 1) + 1
        raise MalformedImport("the text holds a NUL character", line=line, column=column)
    flavour = "cmd" if looks_like_cmd(text) else "bash"
    commands = split_cmd(text) if flavour == "cmd" else split_bash(text)
    if not commands:
        raise MalformedImport("there is no curl command here", line=1, column=1)
    directory = base_dir if base_dir is not None else Path.cwd()
    requests: list[CurlRequest] = []
    for command in commands:
        for args in read_args(program_words(command.words)):
            for request in curl_requests(args, directory, command.stdin_file):
                request.notes.extend(command.notes)
                if command.variables:
                    names = ", ".join("{{" + n + "}}" for n in command.variables)
                    request.notes.append(f"shell variables became Courier variables: {names}")
                requests.append(request)
    return CurlImport(tuple(requests), flavour)
