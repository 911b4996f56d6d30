"""The Haystack query language (partners.md G1, PROPOSED grammar) and its matcher.

    query   := or
    or      := and { ("OR" | "|") and }
    and     := unary { ["AND" | "&"] unary }          -- juxtaposition is AND
    unary   := ("NOT" | "-") unary | primary          -- "-" only glued to what follows
    primary := "(" or ")" | TERM | "\"" PHRASE "\""

Operators are case-insensitive words (``and``, ``Or``) or the symbols ``&``/``&&``, ``|``/``||``;
a term is any run of characters without whitespace, quotes, parentheses, ``&`` or ``|`` (so
``LG-삼성`` is one term). Matching is case-insensitive substring search on title + content
(Korean has no word boundaries to respect); a phrase is matched as written, its inner
whitespace collapsed to single spaces. Malformed queries (empty, unbalanced parentheses or
quotes, a dangling operator, more than :data:`MAX_TERMS` terms or :data:`MAX_DEPTH` levels of
parentheses, longer than :data:`MAX_LENGTH` characters) raise :class:`QueryError`.

Relevance of a matching text: each positive term (not under an odd number of NOTs) counts
3 per occurrence in the title and 1 per occurrence in the content; a query without positive
terms scores 1.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

MAX_LENGTH = 1000
MAX_TERMS = 64
MAX_DEPTH = 16
TITLE_WEIGHT = 3

_SPECIAL = set('()"&|')
_OPERATORS = {"AND": "AND", "OR": "OR", "NOT": "NOT"}


class QueryError(ValueError):
    """A query the grammar does not accept."""


@dataclass(frozen=True)
class Node:
    op: str  # "term" | "and" | "or" | "not"
    text: str = ""
    children: tuple[Node, ...] = ()

    def key(self) -> str:
        """A canonical text of the tree (cache keys)."""
        if self.op == "term":
            return repr(self.text)
        if self.op == "not":
            return f"-{self.children[0].key()}"
        return f"{self.op}({','.join(c.key() for c in self.children)})"


Token = tuple[str, str]  # (kind, text): TERM, AND, OR, NOT, LP, RP


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch == '"':
            end = text.find('"', i + 1)
            if end < 0:
                raise QueryError("unbalanced double quote")
            phrase = " ".join(text[i + 1:end].split())
            if not phrase:
                raise QueryError("empty phrase")
            tokens.append(("TERM", phrase))
            i = end + 1
        elif ch in "()":
            tokens.append(("LP" if ch == "(" else "RP", ch))
            i += 1
        elif ch in "&|":
            j = i
            while j < n and text[j] == ch:
                j += 1
            if j - i > 2:
                raise QueryError(f"unexpected {text[i:j]}")
            tokens.append(("AND" if ch == "&" else "OR", ch))
            i = j
        elif ch == "-":
            if i + 1 >= n or text[i + 1].isspace() or text[i + 1] in ")&|":
                raise QueryError("'-' must be followed by a term")
            tokens.append(("NOT", "-"))
            i += 1
        else:
            j = i
            while j < n and not text[j].isspace() and text[j] not in _SPECIAL:
                j += 1
            word = text[i:j]
            op = _OPERATORS.get(word.upper())
            tokens.append((op, word) if op else ("TERM", word))
            i = j
    return tokens


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.terms = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos][0] if self.pos < len(self.tokens) else None

    def take(self) -> Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def parse(self) -> Node:
        if not self.tokens:
            raise QueryError("the query is empty")
        node = self.or_(0)
        if self.pos < len(self.tokens):
            raise QueryError(f"unexpected {self.tokens[self.pos][1]!r}")
        return node

    def or_(self, depth: int) -> Node:
        items = [self.and_(depth)]
        while self.peek() == "OR":
            self.take()
            items.append(self.and_(depth))
        return items[0] if len(items) == 1 else Node("or", children=tuple(items))

    def and_(self, depth: int) -> Node:
        items = [self.unary(depth)]
        while True:
            kind = self.peek()
            if kind == "AND":
                self.take()
            elif kind not in ("TERM", "NOT", "LP"):
                break
            items.append(self.unary(depth))
        return items[0] if len(items) == 1 else Node("and", children=tuple(items))

    def unary(self, depth: int) -> Node:
        if self.peek() == "NOT":
            self.take()
            return Node("not", children=(self.unary(depth),))
        return self.primary(depth)

    def primary(self, depth: int) -> Node:
        kind = self.peek()
        if kind is None:
            raise QueryError("the query ends with an operator")
        if kind == "LP":
            if depth >= MAX_DEPTH:
                raise QueryError(f"more than {MAX_DEPTH} levels of parentheses")
            self.take()
            node = self.or_(depth + 1)
            if self.peek() != "RP":
                raise QueryError("unbalanced parenthesis")
            self.take()
            return node
        if kind == "TERM":
            self.terms += 1
            if self.terms > MAX_TERMS:
                raise QueryError(f"more than {MAX_TERMS} terms")
            return Node("term", self.take()[1].casefold())
        raise QueryError(f"unexpected {self.take()[1]!r}")


@dataclass(frozen=True)
class Query:
    """A parsed query: ``matches(text)`` and ``score(text, title_len)`` on case-folded text."""

    source: str
    tree: Node
    positive: tuple[str, ...]
    matches: Callable[[str], bool]

    @property
    def key(self) -> str:
        return self.tree.key()

    def score(self, text: str, title_len: int) -> int:
        if not self.positive:
            return 1
        total = 0
        title = text[:title_len]
        for term in self.positive:
            in_title = title.count(term)
            total += TITLE_WEIGHT * in_title + text.count(term) - in_title
        return max(total, 1)


def _compile(node: Node) -> Callable[[str], bool]:
    if node.op == "term":
        term = node.text
        return lambda text: term in text
    if node.op == "not":
        inner = _compile(node.children[0])
        return lambda text: not inner(text)
    parts = [_compile(c) for c in node.children]
    if node.op == "and":
        return lambda text: all(p(text) for p in parts)
    return lambda text: any(p(text) for p in parts)


def _positive(node: Node, negated: bool, out: list[str]) -> None:
    if node.op == "term":
        if not negated and node.text not in out:
            out.append(node.text)
    elif node.op == "not":
        _positive(node.children[0], not negated, out)
    else:
        for child in node.children:
            _positive(child, negated, out)


def parse(text: str) -> Query:
    """Parse a query (raises :class:`QueryError`)."""
    if len(text) > MAX_LENGTH:
        raise QueryError(f"longer than {MAX_LENGTH} characters")
    tree = _Parser(tokenize(text)).parse()
    positive: list[str] = []
    _positive(tree, False, positive)
    return Query(text, tree, tuple(positive), _compile(tree))
