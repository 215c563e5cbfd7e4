"""Search over projects: the query language, the stored vector that makes it fast on
PostgreSQL, a plainer fallback for SQLite, and highlighting for a results page.

A query reads like a web search (what PostgreSQL's ``websearch_to_tsquery`` reads): every
word must match, in any of its English inflections ("hack" finds "hacking"); "a quoted
phrase" matches those words in a row; ``-word`` or ``-"a phrase"`` leaves out the projects
that have it; ``or`` splits the query into alternatives, each a group of the words around
it ("gradient hacking or deception" is either both of the first words, or the last).
Common words ("the", "of") match nothing on their own, and a query with nothing else to
look for is no search at all. ``parse_query`` reads a query once, into ``SearchTerms``,
which every part below uses, so that the database, the fallback and the highlighting
agree on what was asked.

Where a project's words come from, and how much each counts: its title (weight A), its
description and the curators' summary (B), the text of its shown comments and the titles
of its outputs that were not rejected (C), each from its markdown source.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import reduce
from operator import add, and_, or_

import snowballstemmer
from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, SearchVectorField
from django.db import connections, models, router, transaction
from django.db.backends.ddl_references import Statement
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from projects.markdown import markdown_to_text

# Longer queries are cut (a search box needs no more), and words past MAX_TERMS are
# ignored, so that no query can build an unbounded SQL statement.
MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
CONFIG = "english"

# PostgreSQL's English stop words (tsearch_data/english.stop): they match nothing alone.
_ENGLISH_STOP = """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his
    himself she her hers herself it its itself they them their theirs themselves what which
    who whom this that these those am is are was were be been being have has had having do
    does did doing a an the and but if or because as until while of at by for with about
    against between into through during before after above below to from up down in out on
    off over under again further then once here there when where why how all any both each
    few more most other some such no nor not only own same so than too very s t can will just
    don should now
"""
STOP_WORDS = frozenset(_ENGLISH_STOP.split())

# A query's pieces: an optional "-", then a quoted phrase (its closing quote optional) or a
# run of anything but spaces and quotes.
_TOKEN = re.compile(r'(?P<minus>-?)(?:"(?P<phrase>[^"]*)"?|(?P<bare>[^\s"]+))')
# Words as PostgreSQL's parser mostly sees them: letters and digits, split at anything else.
_WORD = re.compile(r"[^\W_]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

# The Snowball English stemmer, as PostgreSQL's english configuration uses; one per thread,
# since a stemmer keeps state while it works.
_stemmers = threading.local()


def stem(word: str) -> str:
    """The English stem of a word, lowercased: "Hacking" -> "hack"."""
    stemmer = getattr(_stemmers, "english", None)
    if stemmer is None:
        stemmer = _stemmers.english = snowballstemmer.stemmer("english")
    return stemmer.stemWord(word.lower())


def _prefix(word: str) -> str:
    """What every inflection of ``word`` starts with, for the fallback's word match: its stem,
    less a final "i" or "e" that the stemmer writes for "y" ("studi") or keeps ("hope")."""
    word = word.lower()
    prefix = stem(word)
    if len(prefix) > 3 and prefix[-1] in "ie":
        prefix = prefix[:-1]
    while not word.startswith(prefix):
        prefix = prefix[:-1]
    return prefix or word


@dataclass(frozen=True)
class Term:
    """A word, a hyphenated word or a quoted phrase: its text as typed, and its words."""

    text: str
    words: tuple[str, ...]

    @property
    def websearch(self) -> str:
        """The term for ``websearch_to_tsquery``: quoted, so PostgreSQL's parser splits it
        exactly as it splits a project's text ("GPT-3", "x.y")."""
        return f'"{self.text}"'

    @property
    def pattern(self) -> str:
        """A regular expression that finds the term in text, for the fallback: each word at
        a word start, in any inflection, a phrase's words in a row."""
        parts = [
            re.escape(word.lower()) + r"\b"
            if word.lower() in STOP_WORDS
            else re.escape(_prefix(word)) + r"\w*"
            for word in self.words
        ]
        return r"\b" + r"[\W_]+".join(parts)


@dataclass(frozen=True)
class Clause:
    """One alternative of a query: the terms a project must have, and those it must not."""

    required: tuple[Term, ...] = ()
    excluded: tuple[Term, ...] = ()

    @property
    def websearch(self) -> str:
        """The alternative in web-search syntax."""
        return " ".join(
            [t.websearch for t in self.required] + ["-" + t.websearch for t in self.excluded]
        )


@dataclass(frozen=True)
class SearchTerms:
    """A query, read: its alternatives. False when there is nothing to search for."""

    clauses: tuple[Clause, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.clauses)

    @property
    def websearch(self) -> str:
        """The query rebuilt in web-search syntax from what was read: nothing else (stray
        quotes, control characters, words past the limit) reaches the database."""
        return " or ".join(clause.websearch for clause in self.clauses)

    @property
    def required(self) -> tuple[Term, ...]:
        """Every term some alternative asks for, in order, without repeats."""
        return tuple(dict.fromkeys(t for c in self.clauses for t in c.required))

    @property
    def stems(self) -> frozenset[str]:
        """The stems of the words asked for, less common words and any word the query
        excludes: the words a highlight marks."""
        wanted = {stem(w) for t in self.required for w in t.words if w.lower() not in STOP_WORDS}
        excluded = {stem(w) for c in self.clauses for t in c.excluded for w in t.words}
        return frozenset(wanted - excluded)


def parse_query(query: str) -> SearchTerms:
    """Read a query in web-search syntax (see the module's docstring). Never raises."""
    query = _CONTROL.sub(" ", query or "")[:MAX_QUERY_LENGTH]
    clauses: list[Clause] = []
    required: list[Term] = []
    excluded: list[Term] = []
    count = 0
    for token in _TOKEN.finditer(query):
        text = " ".join((token["phrase"] if token["bare"] is None else token["bare"]).split())
        negated = bool(token["minus"])
        if token["bare"] is not None and not negated and text.lower() == "or":
            if required or excluded:
                clauses.append(Clause(tuple(required), tuple(excluded)))
            required, excluded = [], []
            continue
        words = tuple(_WORD.findall(text))
        if count >= MAX_TERMS or all(w.lower() in STOP_WORDS for w in words):
            continue  # an empty term, or only common words: PostgreSQL ignores it too
        count += 1
        (excluded if negated else required).append(Term(text=text, words=words))
    if required or excluded:
        clauses.append(Clause(tuple(required), tuple(excluded)))
    return SearchTerms(tuple(clauses))


# Searching


def search_projects(projects: models.QuerySet, query: str) -> models.QuerySet:
    """``projects`` that match ``query``, annotated with ``search_rank`` (higher is better),
    in no particular order; with nothing to search for, all of them, ranked 0.

    Full-text search on PostgreSQL, a word match elsewhere (see ``_match_words``).
    """
    terms = parse_query(query)
    if not terms:
        return projects.annotate(search_rank=models.Value(0.0, output_field=models.FloatField()))
    if connections[projects.db].vendor == "postgresql":
        return _match_vectors(projects, terms)
    return _match_words(projects, terms)


class _Weighted(models.Func):
    """The part of a search vector with the given weights (PostgreSQL's ts_filter)."""

    function = "ts_filter"
    output_field = SearchVectorField()

    def __init__(self, vector, weights: str) -> None:
        # The weights are letters this module names, never user input.
        template = "%(function)s(%(expressions)s, '{" + weights + '}\'::"char"[])'
        super().__init__(vector, template=template)


def _match_vectors(projects: models.QuerySet, terms: SearchTerms) -> models.QuerySet:
    """PostgreSQL: the stored vector against the query, through the GIN index.

    ``ts_rank`` saturates (many matches in a long discussion approach 1, as does a title
    match), so the rank adds three: in the title alone, in the title and description, and
    in everything. A title match thus outranks any number of matches in a description,
    and those any number in comments, without penalizing long projects the way a
    length normalization would.
    """
    query = SearchQuery(terms.websearch, search_type="websearch", config=CONFIG)
    vector = models.F("search_vector")
    rank = (
        SearchRank(_Weighted(vector, "a"), query)
        + SearchRank(_Weighted(vector, "a,b"), query)
        + SearchRank(vector, query)
    )
    return projects.filter(search_vector=query).annotate(search_rank=rank)


def _match_words(projects: models.QuerySet, terms: SearchTerms) -> models.QuerySet:
    """Any other database (SQLite): each term matched as a regular expression (word starts,
    any case, inflections through the stem) in the title, description, summary, shown
    comments and shown outputs' titles; Exists subqueries, so no row repeats.

    Each term the query asks for adds 1 when it is in the title, else 0.4 in the
    description or summary, else 0.1 in a comment or an output's title.
    """
    condition = reduce(
        or_,
        (
            reduce(
                and_,
                [_has(term) for term in clause.required]
                + [~_has(term) for term in clause.excluded],
            )
            for clause in terms.clauses
        ),
    )
    ranks = [_word_rank(term) for term in terms.required]
    rank = reduce(add, ranks) if ranks else models.Value(0.0)
    return projects.filter(condition).annotate(
        search_rank=models.ExpressionWrapper(rank, output_field=models.FloatField())
    )


def _in_discussion(term: Term) -> models.Q:
    """A shown comment or a shown output's title of the project has the term."""
    from projects.models import Comment, Output

    pattern = term.pattern
    project = models.OuterRef("pk")
    return models.Q(
        models.Exists(Comment.objects.shown().filter(project=project, body__iregex=pattern))
    ) | models.Q(
        models.Exists(Output.objects.shown().filter(project=project, title__iregex=pattern))
    )


def _in_text(term: Term) -> models.Q:
    """The project's description or summary has the term."""
    return models.Q(description__iregex=term.pattern) | models.Q(summary__iregex=term.pattern)


def _has(term: Term) -> models.Q:
    """The project has the term anywhere search looks."""
    return models.Q(title__iregex=term.pattern) | _in_text(term) | _in_discussion(term)


def _word_rank(term: Term) -> models.Case:
    """How much the term counts for a project: by the best place it is found."""
    return models.Case(
        models.When(title__iregex=term.pattern, then=models.Value(1.0)),
        models.When(_in_text(term), then=models.Value(0.4)),
        models.When(_in_discussion(term), then=models.Value(0.1)),
        default=models.Value(0.0),
        output_field=models.FloatField(),
    )


# Keeping the stored vector current


def search_vector() -> models.Expression:
    """A project's search vector, computed in SQL from its row, its shown comments and the
    titles of its outputs that were not rejected (each aggregated in a subquery)."""
    from projects.models import Comment, Output

    def text_of(rows: models.QuerySet, field: str) -> models.Subquery:
        return models.Subquery(
            rows.filter(project=models.OuterRef("pk"))
            .order_by()
            .values("project")
            .annotate(text=StringAgg(field, delimiter="\n"))
            .values("text")
        )

    return (
        SearchVector("title", weight="A", config=CONFIG)
        + SearchVector("description", "summary", weight="B", config=CONFIG)
        + SearchVector(
            text_of(Comment.objects.shown(), "body"),
            text_of(Output.objects.shown(), "title"),
            weight="C",
            config=CONFIG,
        )
    )


def _on_postgresql() -> bool:
    """Whether projects are written to PostgreSQL (the only database with a stored vector)."""
    from projects.models import Project

    return connections[router.db_for_write(Project)].vendor == "postgresql"


def refresh_search_vector(*project_ids: int) -> None:
    """Recompute these projects' search vectors from what they show now; nothing off
    PostgreSQL.

    One UPDATE computes every vector in SQL, in the caller's transaction, so a change
    and its vector commit (or roll back) together. ``Event.record`` calls it after every
    event but those of ``Event.UNINDEXED_KINDS``: every change of a project's title,
    description, summary, comments or outputs records an event, so that one place keeps
    the vector current, and a new kind of change is indexed unless someone says it is not.

    The rows are locked first: otherwise, of two comments committed at once, the UPDATE
    that waited for the other's lock would still compute from a snapshot taken before the
    other committed, and lose its words. ``FOR NO KEY UPDATE`` does not conflict with the
    key-share lock a new comment or output holds on its project, so this cannot deadlock.
    """
    if not project_ids or not _on_postgresql():
        return
    from projects.models import Project

    projects = Project.objects.filter(pk__in=project_ids)
    with transaction.atomic(savepoint=False):
        list(projects.select_for_update(no_key=True).order_by("pk").values_list("pk"))
        projects.update(search_vector=search_vector())


def fill_search_vectors() -> None:
    """Compute every project's search vector in one UPDATE (after a migration or a bulk
    load that went around the domain's methods); nothing off PostgreSQL."""
    if _on_postgresql():
        from projects.models import Project

        Project.objects.update(search_vector=search_vector())


class GinIndexOnPostgreSQL(GinIndex):
    """A GIN index on PostgreSQL, and no index on a database without GIN (SQLite).

    There its SQL is a comment: the migration that adds it, and SQLite's table rebuilds
    (which recreate every index of a model on any later change to its table), run as
    they are.
    """

    def create_sql(self, model, schema_editor, using="", **kwargs) -> Statement:
        """``CREATE INDEX ... USING gin`` on PostgreSQL, a comment elsewhere."""
        if schema_editor.connection.vendor == "postgresql":
            return super().create_sql(model, schema_editor, using=using, **kwargs)
        return Statement("-- %(name)s: a GIN index, on PostgreSQL only", name=self.name)

    def remove_sql(self, model, schema_editor, **kwargs) -> Statement:
        """``DROP INDEX`` on PostgreSQL, a comment elsewhere."""
        if schema_editor.connection.vendor == "postgresql":
            return super().remove_sql(model, schema_editor, **kwargs)
        return Statement("-- %(name)s: a GIN index, on PostgreSQL only", name=self.name)


# Showing results


def _marked_words(text: str, stems: frozenset[str]):
    """The (start, end) of each word of ``text`` whose stem is one of ``stems``."""
    for word in _WORD.finditer(text):
        if stem(word.group()) in stems:
            yield word.span()


def highlight(text: str, query: str) -> SafeString:
    """``text`` HTML-escaped, with each word the query asks for (in any inflection, any
    case; never a word it excludes) in ``<mark>``."""
    text = str(text or "")
    stems = parse_query(query).stems
    parts, position = [], 0
    for start, end in _marked_words(text, stems) if stems else ():
        parts.append(escape(text[position:start]))
        parts.append(f"<mark>{escape(text[start:end])}</mark>")
        position = end
    parts.append(escape(text[position:]))
    return mark_safe("".join(parts))  # every piece of text above is escaped


def excerpt(text: str, query: str, length: int = 220) -> str:
    """A plain-text window of about ``length`` characters of markdown ``text``: around the
    first word the query asks for (or from the beginning when none is there), cut at word
    boundaries, with "…" where text was left out."""
    plain = markdown_to_text(str(text or ""))
    if len(plain) <= length:
        return plain
    stems = parse_query(query).stems
    first = next(_marked_words(plain, stems), None) if stems else None
    # The match sits a third of the way in, so that it has some context before it.
    start = 0 if first is None else max(0, min(first[0] - length // 3, len(plain) - length))
    end = start + length
    if start > 0:
        # Cut at a space, never through a word (nor through the match).
        space = plain.rfind(" ", 0, start + 1)
        start = space + 1 if space >= 0 else 0
        end = start + length
    if end < len(plain):
        space = plain.rfind(" ", start, end + 1)
        end = space if space > start else end
    window = plain[start:end].strip()
    return ("…" if start > 0 else "") + window + ("…" if end < len(plain) else "")
