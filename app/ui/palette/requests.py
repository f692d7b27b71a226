"""The palette's requests: every request of every open collection, as fuzzy candidates."""

from __future__ import annotations

from collections.abc import Iterable

from app.core.fuzzy import Candidate
from app.core.model import Collection, Folder, Request

#: (collection, request): what the palette lists and ``requestChosen`` hands back
RequestRef = tuple[Collection, Request]

NAME, METHOD, URL, PATH = range(4)
PATH_SEPARATOR = " / "


def request_weights() -> tuple[int, ...]:
    """A match in the name counts most, then the URL, the folder path, the method."""
    return (100, 60, 85, 75)


def request_candidates(pairs: Iterable[RequestRef]) -> list[Candidate[RequestRef]]:
    """One candidate per request: (name, method, URL, "Collection / folder / sub")."""
    return RequestCandidates().build(pairs)


class RequestCandidates:
    """Builds the candidates, reusing those of requests unchanged since the last build
    (folding 10,000 requests' texts anew at every opening of the palette costs more
    than a keystroke may)."""

    def __init__(self) -> None:
        self._last: dict[int, Candidate[RequestRef]] = {}

    def build(self, pairs: Iterable[RequestRef]) -> list[Candidate[RequestRef]]:
        paths: dict[int, str] = {}  # id(request) -> its path, each collection walked once
        walked: set[int] = set()
        last = self._last
        kept: dict[int, Candidate[RequestRef]] = {}
        candidates: list[Candidate[RequestRef]] = []
        for collection, request in pairs:
            if id(collection) not in walked:
                walked.add(id(collection))
                _walk(collection.name, collection.requests, collection.folders, paths)
            fields = (
                request.name,
                request.method.upper(),
                request.url,
                paths.get(id(request), collection.name),
            )
            candidate = last.get(id(request))
            if (
                candidate is None
                or candidate.fields != fields
                or candidate.item[1] is not request
                or candidate.item[0] is not collection
            ):
                candidate = Candidate((collection, request), fields)
            kept[id(request)] = candidate
            candidates.append(candidate)
        self._last = kept
        return candidates


def _walk(path: str, requests: list[Request], folders: list[Folder], paths: dict[int, str]) -> None:
    """Each request's folder path, the path text made once per folder."""
    for request in requests:
        paths[id(request)] = path
    for folder in folders:
        _walk(f"{path}{PATH_SEPARATOR}{folder.name}", folder.requests, folder.folders, paths)
