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
        # a collection's folder chains are walked once, not once per request
        chains: dict[int, dict[int, tuple[Folder, ...]]] = {}
        last = self._last
        kept: dict[int, Candidate[RequestRef]] = {}
        candidates: list[Candidate[RequestRef]] = []
        for collection, request in pairs:
            known = chains.get(id(collection))
            if known is None:
                known = {id(r): chain for chain, r in collection.iter_requests()}
                chains[id(collection)] = known
            chain = known.get(id(request), ())
            path = PATH_SEPARATOR.join((collection.name, *(f.name for f in chain)))
            fields = (request.name, request.method.upper(), request.url, path)
            candidate = last.get(id(request))
            if (
                candidate is None
                or candidate.item[1] is not request
                or candidate.item[0] is not collection
                or candidate.fields != fields
            ):
                candidate = Candidate((collection, request), fields)
            kept[id(request)] = candidate
            candidates.append(candidate)
        self._last = kept
        return candidates
