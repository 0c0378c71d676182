"""What a grant seeker types into Keywords, read the way a search box is read.

- plain words are *wanted*: an opportunity matching every one comes first, then those matching
  most of them (at least half), each word also found through its synonyms (``SYNONYMS``);
- a "quoted phrase" is *required*, word for word (stemmed);
- ``-word`` and ``-"a phrase"`` *exclude*;
- ``a or b`` wants either (one term with two spellings).

Parsing is pure Python; turning words into tsquery text (stemming, stop words) is left to
PostgreSQL itself, so the query and the stored vectors always agree. ``keyword_ranked`` is the
catalog query that ``grants.selectors.opportunity_search`` uses.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchQueryField
from django.db import connection
from django.db.models import BooleanField, Case, F, FloatField, Func, QuerySet, Value, When
from django.db.models.functions import Cast

from grants.models import Opportunity
from grants.scoring import US_STATES

MAX_TERMS = 12  # a pasted paragraph must not become a hundred-branch query

# Words a grant seeker uses for the same thing. Each group is symmetric: typing any member also
# finds the others. Only entries that stay unambiguous after English stemming belong here
# ("connectivity" stems to "connect", which would find "connect farmers with markets", so it is
# one-way, below; "aging" stems to "age", as in "ages 16 to 24", so it is left out).
SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("broadband", "internet", "wifi", "wi-fi"),
    ("youth", "children", "kids", "teens", "young people"),
    ("seniors", "older adults", "elderly"),
    ("small business", "entrepreneurs", "startup"),
    ("nonprofit", "non-profit", "not-for-profit"),
    ("veterans", "service members"),
    ("homeless", "unhoused"),
    ("telehealth", "telemedicine"),
    ("mental health", "behavioral health"),
    ("hunger", "food insecurity", "food security"),
    ("farmers", "ranchers", "agricultural producers"),
    ("renewable energy", "clean energy"),
    ("employment", "jobs"),
    ("child care", "childcare", "daycare"),
    ("public transportation", "public transit", "buses"),
    ("university", "college", "higher education"),
    ("arts", "artists"),
    ("tribal", "tribes", "native american", "indigenous"),
    ("domestic violence", "family violence", "intimate partner violence"),
    ("reentry", "re-entry", "returning citizens"),
    ("bike", "bicycle", "biking"),
    ("pedestrian", "walking"),
    ("urban forestry", "tree canopy"),
)
# Typing the key also finds the values, not the other way round.
ONE_WAY: dict[str, tuple[str, ...]] = {
    "connectivity": ("broadband", "internet"),
    "renewable": ("solar", "wind"),
    "stem": ("science", "technology", "engineering", "math"),
}


def _index() -> dict[str, tuple[str, ...]]:
    index: dict[str, tuple[str, ...]] = {}
    for group in SYNONYMS:
        for word in group:
            index[word] = tuple(other for other in group if other != word)
    for word, others in ONE_WAY.items():
        index[word] = index.get(word, ()) + others
    return index


_SYNONYMS = _index()
_LONGEST = max(len(key.split()) for key in _SYNONYMS)


@dataclass(frozen=True)
class Term:
    """One wanted thing: what was typed and the other ways of saying it."""

    spellings: tuple[str, ...]


@dataclass
class ParsedQuery:
    wanted: list[Term] = field(default_factory=list)
    phrases: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.wanted or self.phrases or self.excluded)

    def texts(self) -> list[str]:
        """Every text PostgreSQL must turn into a tsquery."""
        texts = [s for term in self.wanted for s in term.spellings] + self.phrases + self.excluded
        return list(dict.fromkeys(texts))


def minimum_wanted(*, wanted: int, phrases: int) -> int:
    """How many of ``wanted`` terms an opportunity must match: at least half; none beside a required phrase."""
    if phrases:
        return 0
    return math.ceil(wanted / 2)


_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def _term(words: list[str]) -> Term:
    typed = " ".join(words)
    return Term((typed, *_SYNONYMS.get(typed, ())))


def _group_words(words: list[str]) -> list[Term]:
    """Words to terms: the longest run of words that is a synonym entry stays together."""
    terms, i = [], 0
    while i < len(words):
        for size in range(min(_LONGEST, len(words) - i), 0, -1):
            run = words[i : i + size]
            if size == 1 or " ".join(run) in _SYNONYMS:
                terms.append(_term(run))
                i += size
                break
    return terms


_OR = object()


def parse(text: str) -> ParsedQuery:
    query = ParsedQuery()
    items: list = []  # Terms, with _OR between those typed as alternatives
    words: list[str] = []

    def flush() -> None:
        items.extend(_group_words(words))
        words.clear()

    for negated, phrase, word in _TOKEN.findall(text.lower()):
        if not word:  # a quoted phrase (an unclosed quote runs to the end)
            flush()
            phrase = " ".join(phrase.split())
            if phrase:
                (query.excluded if negated else query.phrases).append(phrase)
        elif word == "or":
            flush()
            items.append(_OR)
        elif word.startswith("-") and word.strip("-"):
            flush()
            query.excluded.append(word.strip("-"))
        elif word.strip("-"):
            words.append(word.strip("-"))
    flush()
    groups: list[tuple[str, ...]] = []
    join = False
    for item in items:
        if item is _OR:
            join = bool(groups)
            continue
        groups.append(groups.pop() + item.spellings if join else item.spellings)
        join = False
    # Each word typed counts, found through any of its spellings: "broadband internet" matched by
    # "internet" alone is two of two, so such a pair outweighs a third word such as "rural".
    # A word typed twice counts once.
    for spellings in dict.fromkeys(tuple(dict.fromkeys(group)) for group in groups):
        query.wanted.append(Term(spellings))
    query.wanted = query.wanted[:MAX_TERMS]
    return query


# The catalog query.


class _Matches(Func):
    """``search @@ <tsquery>``: answered by the GIN index on the stored, weighted vector."""

    arg_joiner = " @@ "
    template = "(%(expressions)s)"
    output_field = BooleanField()


def _matches(tsquery: str) -> _Matches:
    return _Matches(F("search"), Cast(Value(tsquery), SearchQueryField()))


def _tsqueries(texts: list[str]) -> dict[str, str]:
    """Each text as PostgreSQL's English configuration reads it (stemmed; "" for stop words only)."""
    if not texts:
        return {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT t, phraseto_tsquery('english', t)::text FROM unnest(%s::text[]) AS t", [texts])
        return dict(cursor.fetchall())


def _any(parts: list[str]) -> str:
    return "(" + " | ".join(f"({part})" for part in parts) + ")"


_PLACE_NAMES = {name.lower() for name in US_STATES.values()}
_LEXEME = re.compile(r"'((?:[^']|'')*)'")
MAX_COMBINATIONS = 64  # "at least k of n" spelled out in the tsquery up to this many branches


def _lexeme_frequencies() -> dict[str, float]:
    """How common each common lexeme of the catalog is (the share of opportunities holding it), from
    the statistics ANALYZE keeps for the vector column: no pass over the catalog per search."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
            "WHERE tablename = %s AND attname = 'search' AND most_common_elems IS NOT NULL",
            [Opportunity._meta.db_table],
        )
        row = cursor.fetchone()
    if not row:
        return {}
    lexemes, frequencies = row
    return dict(zip(lexemes, frequencies[: len(lexemes)], strict=True))


def _rarity(terms: list[str], *, places: set[str]) -> dict[str, float]:
    """Each term's inverse document frequency (the rarer, the heavier), estimated from the column
    statistics; a lexeme missing from them is rarer than the rarest listed. Without statistics
    (a table never analysed) every term weighs the same.

    A place counts half: a program that names no place is open everywhere, so "Louisiana
    broadband" wants national broadband programs before Louisiana programs about anything else.
    """
    frequencies = _lexeme_frequencies() if len(terms) > 1 else {}
    rare = min(frequencies.values(), default=1.0) / 2

    def frequency(term: str) -> float:
        # A term is any of its spellings; a spelling (a phrase) is as rare as its rarest word.
        spellings = term[1:-1].split(" | ") if term.startswith("(") else [term]
        total = 0.0
        for spelling in spellings:
            words = [w.replace("''", "'") for w in _LEXEME.findall(spelling)]
            total += min((frequencies.get(w, rare) for w in words), default=rare)
        return min(total, 1.0)

    return {
        term: (math.log(1 + 1 / frequency(term)) if frequencies else 1.0) * (0.5 if term in places else 1.0)
        for term in terms
    }


def _at_least(terms: list[str], count: int) -> str | None:
    """A tsquery matching at least ``count`` of ``terms``, so that the index itself leaves the rest
    out; None when that would take too many branches (then a filter does it)."""
    if count <= 1:
        return _any(terms)
    if math.comb(len(terms), count) > MAX_COMBINATIONS:
        return None
    return _any([" & ".join(f"({t})" for t in group) for group in itertools.combinations(terms, count)])


def keyword_ranked(found: QuerySet, keywords: str) -> QuerySet | None:
    """The opportunities the keywords find, ranked: most wanted terms matched first, then the
    rarer terms, then the weighted text rank (title above synopsis above agency above
    eligibility). None: no keywords (or only stop words)."""
    query = parse(keywords)
    if query.is_empty:
        return None
    lexemes = _tsqueries(query.texts())
    wanted_by_text = {
        _any(spellings): term.spellings[0]
        for term in query.wanted
        if (spellings := [lexemes[s] for s in term.spellings if lexemes[s]]) and lexemes[term.spellings[0]]
    }
    wanted = list(wanted_by_text)
    places = {text for text, typed in wanted_by_text.items() if typed in _PLACE_NAMES}
    phrases = [lexemes[p] for p in query.phrases if lexemes[p]]
    excluded = [lexemes[e] for e in query.excluded if lexemes[e]]
    if not (wanted or phrases or excluded):
        return None
    minimum = minimum_wanted(wanted=len(wanted), phrases=len(phrases))
    enough = _at_least(wanted, minimum) if wanted and minimum else None
    # What the index must find: every phrase, enough wanted terms, none of the excluded.
    must = [*phrases] + ([enough] if enough else []) + [f"!({e})" for e in excluded]
    if not phrases and wanted and not enough:
        must.append(_any(wanted))
    found = found.filter(_matches(" & ".join(f"({m})" for m in must)))
    # One number orders them: a thousand per wanted term matched, plus the term's rarity (< 1000),
    # so "more terms" always wins and "rarer terms" decides among equals ("internet" says more
    # than "access"). Each term is tested once per opportunity.
    relevance = sum(
        (
            Case(When(_matches(term), then=Value(1000 + weight)), default=Value(0.0))
            for term, weight in _rarity(wanted, places=places).items()
        ),
        Value(0.0),
    )
    positive = wanted + phrases
    rank = (
        Func(
            F("search"), Cast(Value(_any(positive)), SearchQueryField()), function="ts_rank", output_field=FloatField()
        )
        if positive
        else Value(0.0)
    )
    found = found.annotate(relevance=relevance, rank=rank)
    if wanted and minimum > 1 and not enough:
        found = found.filter(relevance__gte=1000 * minimum)
    return found.order_by("-relevance", "-rank", "id")
