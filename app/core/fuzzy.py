"""Fuzzy matching for the palette: type a few letters of a name, get it first.

Scored as fzf, VS Code and Sublime do it: the query's characters must appear in the
text in order (any case); each matched character scores, more when it starts a word
(after a space, ``-``, ``_``, ``.``), a path segment (after ``/``), a camelCase hump
or the text itself, more again when it continues a run of matched characters, less
for every character skipped between matches.  ``match`` returns the score and the
positions it matched (to highlight them); ``Ranker`` ranks thousands of candidates,
each with several fields (a request's name, method, URL and folder path), per
keystroke: a compiled prefilter drops non-matches in C, and a query that extends the
previous one only looks at what the previous one kept.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Generic, TypeVar

T = TypeVar("T")

SCORE_MATCH = 16
GAP_START = -3
GAP_EXTENSION = -1
#: the first character of the text (a prefix match)
BONUS_START = 10
#: after a path separator or another delimiter: ``/users``, ``a:b``
BONUS_DELIMITER = 9
#: after a space or other non-word character: ``get-user``, ``get user``, ``a.b``
BONUS_BOUNDARY = 8
#: a camelCase hump or the first digit after letters: ``getUser``, ``post1``
BONUS_CAMEL = 7
#: a character right after the previous match, at least
BONUS_CONSECUTIVE = -(GAP_START + GAP_EXTENSION)
#: the first query character's bonus counts this many times (where a match starts matters)
FIRST_CHAR_MULTIPLIER = 2
#: the character matched in the query's own case
BONUS_CASE = 1

_DELIMITERS = frozenset("/\\:;|,")


@dataclass(frozen=True, slots=True)
class Match:
    """A query matched in a text: higher scores are better matches."""

    score: int
    #: indexes into the text, ascending, one per query character
    positions: tuple[int, ...]


def fold(text: str) -> str:
    """``text`` in lower case, one character for one (``İ`` lowers to two: kept)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c if len(low := c.lower()) != 1 else low for c in text)


def _bonus(text: str, position: int) -> int:
    """What matching ``text[position]`` is worth beyond ``SCORE_MATCH``."""
    if position == 0:
        return BONUS_START
    current = text[position]
    if not current.isalnum():
        return 0
    before = text[position - 1]
    if before.isalnum():
        if before.islower() and current.isupper():
            return BONUS_CAMEL
        if current.isdigit() and not before.isdigit():
            return BONUS_CAMEL
        return 0
    return BONUS_DELIMITER if before in _DELIMITERS else BONUS_BOUNDARY


class Pattern:
    """One query term, compiled once and matched against many texts."""

    __slots__ = ("_prefilter", "folded", "query")

    def __init__(self, query: str) -> None:
        self.query = query
        self.folded = fold(query)
        if self.folded:
            first, rest = self.folded[0], self.folded[1:]
            # "abc" -> a[^b]*+b[^c]*+c inside one field: a subsequence, no backtracking storms
            regex = re.escape(first) + "".join(
                f"[^{re.escape(c)}{_STOP}]*+{re.escape(c)}" for c in rest
            )
            self._prefilter: re.Pattern[str] | None = re.compile(regex)
        else:
            self._prefilter = None

    def could_match(self, folded_text: str) -> bool:
        """True if the query is a subsequence of ``folded_text`` (already ``fold``ed), or
        of one of its fields (``FIELD_SEPARATOR``, ``LINE_SEPARATOR`` between them)."""
        return self._prefilter is None or self._prefilter.search(folded_text) is not None

    def match(self, text: str, folded_text: str | None = None) -> Match | None:
        """The best-scoring way the query's characters appear in ``text``, or None."""
        query = self.folded
        if not query:
            return Match(0, ())
        low = fold(text) if folded_text is None else folded_text
        m = len(query)
        # earliest and latest feasible position of each query character
        earliest: list[int] = []
        position = -1
        for c in query:
            position = low.find(c, position + 1)
            if position < 0:
                return None
            earliest.append(position)
        if m == 1:
            return self._single(text, low, earliest[0])
        latest = [0] * m
        position = len(low)
        for i in range(m - 1, -1, -1):
            position = low.rfind(query[i], 0, position)
            latest[i] = position
        return self._align(text, low, earliest, latest)

    def _single(self, text: str, low: str, position: int) -> Match:
        """One character: its occurrence with the best bonus (the first of equals)."""
        c, exact = self.folded, self.query
        best_score, best_position = -1, position
        while position >= 0:
            score = _bonus(text, position) * FIRST_CHAR_MULTIPLIER
            if text[position] == exact:
                score += BONUS_CASE
            if score > best_score:
                best_score, best_position = score, position
                if position == 0:
                    break
            position = low.find(c, position + 1)
        return Match(SCORE_MATCH + best_score, (best_position,))

    def _align(self, text: str, low: str, earliest: list[int], latest: list[int]) -> Match:
        """Dynamic programming over the occurrences of each query character.

        A cell is one occurrence: its best score so far, the bonus of the run it
        continues (consecutive characters keep the bonus their run started with, as
        in fzf) and where the previous character was matched.  The best gapped
        predecessor is a running maximum: the gap penalty is linear in the distance.
        """
        query, original = self.folded, self.query
        # cells[i] = list of (position, score, run_bonus, index of the previous cell)
        cells: list[list[tuple[int, int, int, int]]] = []
        row: list[tuple[int, int, int, int]] = []
        c = query[0]
        position = earliest[0]
        while 0 <= position <= latest[0]:
            bonus = _bonus(text, position)
            score = SCORE_MATCH + bonus * FIRST_CHAR_MULTIPLIER
            if text[position] == original[0]:
                score += BONUS_CASE
            row.append((position, score, bonus, -1))
            position = low.find(c, position + 1)
        cells.append(row)
        for i in range(1, len(query)):
            c = query[i]
            exact = original[i]
            previous = cells[-1]
            row = []
            best_key, best_index = -(10**9), -1
            j = 0
            position = low.find(c, earliest[i])
            while 0 <= position <= latest[i]:
                # predecessors at least two characters back: a gap
                while j < len(previous) and previous[j][0] < position - 1:
                    key = previous[j][1] - GAP_EXTENSION * previous[j][0]
                    if key > best_key:
                        best_key, best_index = key, j
                    j += 1
                bonus = _bonus(text, position)
                case = BONUS_CASE if text[position] == exact else 0
                score, run, back = -(10**9), bonus, -1
                if best_index >= 0:
                    score = (
                        best_key
                        + GAP_EXTENSION * position
                        - 2 * GAP_EXTENSION
                        + GAP_START
                        + SCORE_MATCH
                        + bonus
                        + case
                    )
                    back = best_index
                # the predecessor right before: a consecutive run
                if j < len(previous) and previous[j][0] == position - 1:
                    before = previous[j]
                    run_bonus = max(before[2], bonus, BONUS_CONSECUTIVE)
                    consecutive = before[1] + SCORE_MATCH + run_bonus + case
                    if consecutive >= score:
                        # a word start inside a run starts a stronger run (fzf)
                        stronger = bonus >= BONUS_BOUNDARY and bonus > before[2]
                        score, run, back = consecutive, bonus if stronger else before[2], j
                if back >= 0:
                    row.append((position, score, run, back))
                position = low.find(c, position + 1)
            cells.append(row)
        last = max(range(len(cells[-1])), key=lambda k: cells[-1][k][1])
        score = cells[-1][last][1]
        positions = []
        index = last
        for i in range(len(cells) - 1, -1, -1):
            cell = cells[i][index]
            positions.append(cell[0])
            index = cell[3]
        positions.reverse()
        return Match(score, tuple(positions))


def match(query: str, text: str) -> Match | None:
    """Score ``query`` against ``text`` (case-insensitive); None if it does not match."""
    return Pattern(query).match(text)


def terms(query: str) -> list[str]:
    """The query's space-separated terms: each must match one of a candidate's fields."""
    return query.split()


#: only this many characters of each field are matched (VS Code matches 128): a
#: 2,000-character URL costs what its start costs, and is found by its start
MATCHED_CHARS = 256
#: between a candidate's fields, and between candidates, in the ranker's one big text
FIELD_SEPARATOR = "\x1f"
LINE_SEPARATOR = "\n"


class Candidate(Generic[T]):
    """Something to rank: its fields (shown, and highlighted where they matched)."""

    __slots__ = ("_folded", "fields", "haystack", "item")

    def __init__(self, item: T, fields: tuple[str, ...]) -> None:
        self.item = item
        self.fields = fields
        self._folded: tuple[str, ...] | None = None
        line = FIELD_SEPARATOR.join(
            [f if len(f) <= MATCHED_CHARS else f[:MATCHED_CHARS] for f in fields]
        )
        if LINE_SEPARATOR in line or line.count(FIELD_SEPARATOR) != len(fields) - 1:
            line = FIELD_SEPARATOR.join(
                f.replace(LINE_SEPARATOR, " ").replace(FIELD_SEPARATOR, " ") for f in self.folded
            )
        #: every field (its matched start), folded, on one line: what the prefilters scan
        self.haystack = lowered if len(lowered := line.lower()) == len(line) else fold(line)

    @property
    def folded(self) -> tuple[str, ...]:
        """Each field's matched start, folded (made when first scored)."""
        if self._folded is None:
            self._folded = tuple(fold(f[:MATCHED_CHARS]) for f in self.fields)
        return self._folded


@dataclass(frozen=True, slots=True)
class Ranked(Generic[T]):
    item: T
    score: int
    #: the candidate's fields
    fields: tuple[str, ...]
    #: per field, the matched positions (ascending; empty where nothing matched)
    positions: tuple[tuple[int, ...], ...]


#: at most this many candidates are scored exactly (and shown) per query; when more
#: match, the likeliest (the term at a field's start, at a word start, as initials,
#: anywhere in one piece) are chosen first, in one C-speed scan each
EXACT_LIMIT = 100
#: a query that extends the previous one re-checks the previous survivors one by one
#: when there are at most this many (else one scan of everything is faster)
NARROW_LIMIT = 2000


class Ranker(Generic[T]):
    """Ranks candidates against query after query.

    Per keystroke: one regex scan of all candidates' text (one string) finds those
    that match, stopping once there are more than ``NARROW_LIMIT``; when more
    than ``EXACT_LIMIT`` may match, scans for the best kinds of match pick which get
    scored exactly (a Python loop per candidate costs more than a keystroke may take
    for 10,000 of them).  ``weights`` (percent, one per field) make a match in the
    first field (a name) count more than one in a URL.
    """

    def __init__(
        self, candidates: Sequence[Candidate[T]], weights: Sequence[int] | None = None
    ) -> None:
        self._candidates = candidates
        self._weights = tuple(weights) if weights is not None else None
        # a separator first: every character then has one before it (for lookbehinds)
        self._text = LINE_SEPARATOR + LINE_SEPARATOR.join(c.haystack for c in candidates)
        self._starts: list[int] = []
        offset = 1
        for candidate in candidates:
            self._starts.append(offset)
            offset += len(candidate.haystack) + 1
        self._index_at = {start: i for i, start in enumerate(self._starts)}
        self._last_query = ""
        #: every candidate the last query may match (None: more than NARROW_LIMIT)
        self._last_survivors: list[int] | None = None
        #: how many candidates the last query matched, at least (see ``matched_all``)
        self.matched = 0
        #: False when more than ``NARROW_LIMIT`` matched and they were not all counted
        self.matched_all = True
        #: True when the last ranking left out candidates that may match (past ``EXACT_LIMIT``)
        self.truncated = False

    @property
    def candidates(self) -> Sequence[Candidate[T]]:
        return self._candidates

    def rank(self, query: str) -> list[Ranked[T]]:
        """Matching candidates, best first (ties: shorter first field, then given order);
        at most ``EXACT_LIMIT`` of them."""
        words = terms(query)
        if not words:
            self._last_query, self._last_survivors = "", None
            self.matched, self.matched_all = len(self._candidates), True
            self.truncated = len(self._candidates) > EXACT_LIMIT
            return [
                Ranked(c.item, 0, c.fields, tuple(() for _ in c.fields))
                for c in self._candidates[:EXACT_LIMIT]
            ]
        patterns = [Pattern(w) for w in words]
        survivors = self._survivors(query, patterns)
        self._last_query = query
        self._last_survivors = survivors if len(survivors) <= NARROW_LIMIT else None
        self.matched, self.matched_all = len(survivors), len(survivors) <= NARROW_LIMIT
        self.truncated = len(survivors) > EXACT_LIMIT
        if len(survivors) <= EXACT_LIMIT:
            chosen: Sequence[int] = survivors
        else:
            chosen = self._likeliest(patterns, survivors)
        scored: list[tuple[int, int, int, Ranked[T]]] = []
        candidates = self._candidates
        for index in chosen:
            candidate = candidates[index]
            ranked = self._score(candidate, patterns)
            if ranked is not None:
                scored.append((-ranked.score, len(candidate.fields[0]), index, ranked))
        scored.sort(key=lambda entry: entry[:3])
        return [entry[3] for entry in scored]

    def _survivors(self, query: str, patterns: list[Pattern]) -> list[int]:
        """Indexes of the candidates every term may match, in the given order; past
        ``NARROW_LIMIT`` the first ``NARROW_LIMIT + 1`` of them."""
        previous = self._last_survivors
        checks = [p.could_match for p in patterns]
        candidates = self._candidates
        if previous is not None and self._last_query and query.startswith(self._last_query):
            return [i for i in previous if all(check(candidates[i].haystack) for check in checks)]
        survivors: list[int] = []
        index_at = self._index_at
        longest = max(patterns, key=lambda p: len(p.folded))
        for m in _in_line(longest.folded).finditer(self._text):
            index = index_at[m.start()]
            if all(check(candidates[index].haystack) for check in checks):
                survivors.append(index)
                if len(survivors) > NARROW_LIMIT:
                    break
        return survivors

    def _likeliest(self, patterns: list[Pattern], survivors: list[int]) -> list[int]:
        """``EXACT_LIMIT`` candidates, those where the longest term matches best first.

        ``survivors`` may be only the first of those that match: a tier's match is
        checked against the other terms instead.
        """
        longest = max(patterns, key=lambda p: len(p.folded))
        others = [p.could_match for p in patterns if p is not longest]
        candidates = self._candidates
        chosen: dict[int, None] = {}
        starts = self._starts
        for tier in _tiers(longest.folded):
            for m in tier.finditer(self._text):
                index = bisect_right(starts, m.start()) - 1
                if index in chosen:
                    continue
                if all(check(candidates[index].haystack) for check in others):
                    chosen[index] = None
                    if len(chosen) >= EXACT_LIMIT:
                        return list(chosen)
        for index in survivors:  # a term that matched only across fields' edges
            chosen.setdefault(index, None)
            if len(chosen) >= EXACT_LIMIT:
                break
        return list(chosen)

    def _score(self, candidate: Candidate[T], patterns: list[Pattern]) -> Ranked[T] | None:
        fields, folded, weights = candidate.fields, candidate.folded, self._weights
        positions: list[set[int]] = [set() for _ in fields]
        total = 0
        for pattern in patterns:
            best: Match | None = None
            best_score = 0
            best_field = -1
            for k, text in enumerate(fields):
                found = pattern.match(text, folded[k])
                if found is None:
                    continue
                score = found.score if weights is None else found.score * weights[k] // 100
                if best is None or score > best_score:
                    best, best_score, best_field = found, score, k
            if best is None:
                return None
            total += best_score
            positions[best_field].update(best.positions)
        return Ranked(candidate.item, total, fields, tuple(tuple(sorted(p)) for p in positions))


_STOP = FIELD_SEPARATOR + LINE_SEPARATOR
#: a lookbehind for the character before the first: any field's start, any word's start
_FIELD_START = f"[{_STOP}]"
_WORD_START = f"[^0-9a-z{_STOP}]|[{_STOP}]"


def _first(c: str, before: str) -> str:
    """``c``, only where the character before it matches ``before`` (a class).

    The literal comes first so that the regex engine jumps from one ``c`` to the
    next in C; the lookbehind then looks back at ``c`` and the character before it.
    """
    escaped = re.escape(c)
    return escaped if not before else f"{escaped}(?<=(?:{before}){escaped})"


@cache
def _in_line(term: str) -> re.Pattern[str]:
    """Matches at the start of each line (candidate) that holds ``term``'s characters
    in order, fields' edges ignored: one linear C pass over all candidates (the first
    occurrence of each character is as good as any to find a subsequence, so the
    classes are possessive) keeps those that may match, each then checked field by
    field."""
    return re.compile(
        "^" + "".join(f"[^{re.escape(c)}{LINE_SEPARATOR}]*+{re.escape(c)}" for c in term),
        re.MULTILINE,
    )


@cache
def _subsequence(term: str, before: str = "") -> re.Pattern[str]:
    """``term``'s characters in order inside one field (the first after ``before``).

    ``a[^b]*+b[^c]*+c``: possessive classes, each scanned once per attempt.
    """
    return re.compile(
        _first(term[0], before)
        + "".join(f"[^{re.escape(c)}{_STOP}]*+{re.escape(c)}" for c in term[1:])
    )


@cache
def _tiers(term: str) -> tuple[re.Pattern[str], ...]:
    """The kinds of match that score best, best first: in one piece at a field's
    start, in one piece at a word start, scattered from a field's start, scattered
    from a word start, in one piece anywhere."""
    rest = re.escape(term[1:])
    return (
        re.compile(_first(term[0], _FIELD_START) + rest),
        re.compile(_first(term[0], _WORD_START) + rest),
        _subsequence(term, _FIELD_START),
        _subsequence(term, _WORD_START),
        re.compile(re.escape(term)),
    )
