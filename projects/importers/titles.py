"""Titles and kinds that an agenda item's own text suggests, for the importer.

A title is the item's opening clause as plain text, cut where it still reads; a kind is
the first kind word ("paper", "blog post", ...) among the item's opening words.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from projects.markdown import markdown_to_text
from projects.models import Project

TITLE_MAX_LENGTH = 100
# A markdown link whose text is a bare URL: [https://...](https://...)
_URL_LINK_TEXT = re.compile(r"\[(https?://[^\]\s]+)\](?=\()")
_URL_WORD_BREAK = re.compile(r"[-_+\s]+")
_URL_PAGE_SUFFIX = re.compile(r"\.(?:s?html?|php|aspx?|pdf)$", re.I)
# A lower-case URL slug reads as the title of a work: each word capitalized, but these
# small words stay lower-case (unless first) and these acronyms upper-case.
_SMALL_WORDS = {
    "a", "an", "and", "as", "at", "but", "by", "for", "from", "in", "into", "nor", "of", "on",
    "or", "per", "so", "the", "to", "up", "via", "vs", "with", "yet",
}  # fmt: skip
_ACRONYMS = {
    "ai", "agi", "api", "cirl", "gpt", "gpu", "llm", "llms", "ml", "nlp", "rl", "rlhf", "sgd",
    "tpu",
}  # fmt: skip
# A title cut short reads best just before a word that opens a clause ...
_CLAUSE_WORDS = {
    "although", "and", "and/or", "because", "but", "compared", "how", "if", "insofar", "nor",
    "or", "rather", "since", "than", "that", "though", "unless", "until", "versus", "vs",
    "whereas", "what", "when", "where", "whether", "which", "while", "who", "whom", "whose",
    "why",
}  # fmt: skip
# ... or else just before a preposition or an auxiliary verb, which open a phrase.
_PHRASE_WORDS = {
    "about", "across", "after", "against", "along", "among", "around", "at", "before",
    "between", "beyond", "by", "during", "for", "from", "in", "into", "like", "of", "on",
    "onto", "over", "per", "through", "to", "toward", "towards", "under", "via", "with",
    "within", "without",
    "are", "can", "could", "is", "may", "might", "must", "shall", "should", "was", "were",
    "will", "would",
}  # fmt: skip
# A cut title never ends on a word that promises more ("... does for inner…").
_DANGLING_WORDS = _CLAUSE_WORDS | _PHRASE_WORDS | {
    "a", "also", "an", "as", "be", "been", "being", "e.g.", "he", "her", "his", "i", "i.e.",
    "it", "its", "more", "most", "much", "my", "no", "not", "our", "she", "so", "such", "the",
    "their", "these", "they", "this", "those", "very", "we", "you", "your",
}  # fmt: skip
# The opening clause ends at the first comma, semicolon, bracket, dash between spaces,
# or colon or sentence end followed by a space (so that "https://..." does not end it).
_CLAUSE_END = re.compile(r"[,;(\[]|\s[-–—]\s|[:.?!](?:\s|$)")
_KIND_WORDS = re.compile(
    r"\b(blog post|paper|list|scenario|sketch|exercises?|investigation|comparison)\b"
)
_KIND_BY_WORD = {
    "blog post": Project.Kind.BLOG_POST,
    "paper": Project.Kind.PAPER,
    "list": Project.Kind.LIST,
    "scenario": Project.Kind.SCENARIO,
    "sketch": Project.Kind.SKETCH,
    "exercise": Project.Kind.EXERCISES,
    "exercises": Project.Kind.EXERCISES,
    "investigation": Project.Kind.INVESTIGATION,
    "comparison": Project.Kind.COMPARISON,
}
# How far into an item its kind may be named: "As many alignment exercises as ..."
_KIND_OPENING_WORDS = 6


def infer_kind(description: str) -> str:
    """The project's kind, from the first kind word among the item's opening words."""
    opening = " ".join(markdown_to_text(description).lower().split()[:_KIND_OPENING_WORDS])
    match = _KIND_WORDS.search(opening)
    return _KIND_BY_WORD[match.group(1)] if match else Project.Kind.OTHER


def title_text(description: str) -> str:
    """The item as plain text for its title: links as their text, bare URLs as their last words.

    "covers the key points in [https://site/ai-could-defeat-us/](...)" reads as
    "covers the key points in “AI Could Defeat Us”" (see ``_words_of_url``).
    """
    return markdown_to_text(_URL_LINK_TEXT.sub(_readable_link_text, description))


def _readable_link_text(match: re.Match) -> str:
    """A bare URL's link text as the words of its last path segment, quoted, or its host."""
    url = urlsplit(match[1])
    words = _words_of_url(url.path)
    return f"[“{words}”]" if words else f"[{url.hostname}]"


def _words_of_url(path: str) -> str:
    """The words of a URL path's last segment, as its source wrote them.

    A slug with a capital letter keeps its case ("Shard-Theory" -> "Shard Theory"). An
    all lower-case slug is title-cased: every word capitalized except the small words in
    ``_SMALL_WORDS`` (unless first), and the acronyms in ``_ACRONYMS`` upper-case
    ("ai-could-defeat-all-of-us-combined" -> "AI Could Defeat All of Us Combined").
    """
    last = unquote(path.rstrip("/").rsplit("/", 1)[-1])
    words = _URL_WORD_BREAK.split(_URL_PAGE_SUFFIX.sub("", last).strip("-_+ "))
    if any(ch.isupper() for ch in last):
        return " ".join(words)
    return " ".join(_title_cased(word, first=not position) for position, word in enumerate(words))


def _title_cased(word: str, *, first: bool) -> str:
    """A lower-case word as a title writes it: acronyms upper-case, small words lower-case."""
    if word in _ACRONYMS:
        return word.upper()
    if word in _SMALL_WORDS and not first:
        return word
    return word[:1].upper() + word[1:]


def derive_title(description: str) -> str:
    """A short title: the opening clause as plain text, cut to 100 characters where it reads."""
    text = title_text(description)
    end = _CLAUSE_END.search(text)
    clause = (text[: end.start()] if end else text).strip()
    if len(clause) <= TITLE_MAX_LENGTH:
        return clause
    return _cut_where_it_reads(clause) + "…"


def _cut_where_it_reads(clause: str) -> str:
    """The clause's longest beginning that leaves room for "…" and reads as a title.

    A cut may not end inside quotes or brackets, on punctuation, or on a word in
    ``_DANGLING_WORDS``. Of the cuts that keep at least half the length allowed, one just
    before a word in ``_CLAUSE_WORDS`` is best, then one just before a word in
    ``_PHRASE_WORDS``; failing both, the longest cut that reads; failing that, the last
    whole word.
    """
    limit = TITLE_MAX_LENGTH - 1
    words = clause.split(" ")
    cuts: list[tuple[int, str]] = []
    for end in range(1, len(words)):
        head = " ".join(words[:end])
        if len(head) > limit:
            break
        if _ends_where_it_reads(head):
            following = _bare_word(words[end])
            rank = 0 if following in _CLAUSE_WORDS else 1 if following in _PHRASE_WORDS else 2
            cuts.append((rank, head))
    for best in (0, 1):
        heads = [head for rank, head in cuts if rank == best and len(head) >= limit // 2]
        if heads:
            return heads[-1]
    if cuts:
        return cuts[-1][1]
    head = clause[:limit]
    return (head.rsplit(" ", 1)[0] if " " in head else head).rstrip(" ,;:-–—")


def _ends_where_it_reads(head: str) -> bool:
    """Whether a title may stop after ``head``: quotes and brackets closed, on a full word."""
    last = head.rsplit(" ", 1)[-1]
    return (
        head.count("“") == head.count("”")
        and head.count("(") == head.count(")")
        and head.count('"') % 2 == 0
        and (last[-1].isalnum() or last[-1] in "”’)\"'")
        and _bare_word(last) not in _DANGLING_WORDS
    )


def _bare_word(word: str) -> str:
    """A word without quotes or brackets around it, lower-cased, to look up in a word list."""
    return word.strip("“”‘’\"'()").lower()
