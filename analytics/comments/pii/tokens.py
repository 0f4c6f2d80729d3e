"""Words of a comment with their offsets, folded spelling and sentence position; French
elisions ("d'Olivier") and English possessives ("Karim's") split off the word."""

import re
from dataclasses import dataclass

from analytics.comments.pii import lexicon as lx
from analytics.comments.pii.patterns import PLACEHOLDER

_WORD = r"[^\W\d_]+(?:[-'’][^\W\d_]+)*"
_TOKEN = re.compile(
    rf"(?P<ph>{PLACEHOLDER})|(?P<role>[Nn][+-]\d)|(?P<word>{_WORD})|(?P<num>\d(?:[\d.,:/h-]*\d)?)|(?P<punct>\S)"
)
_ELISION = re.compile(r"(?i)^(l|d|j|m|t|s|n|c|qu|jusqu|lorsqu|puisqu)['’](?=[^\W\d_])")
_POSSESSIVE = re.compile(r"['’]s$")
_SENTENCE_END = set(".!?…:;\n")
_OPENERS = set("\"'«“‘([-–—•*>")


def stop_words_of_both() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS as EN_STOP
    from spacy.lang.fr.stop_words import STOP_WORDS as FR_STOP

    return frozenset(lx.fold(w) for w in EN_STOP | FR_STOP)


STOP_WORDS = stop_words_of_both()


@dataclass
class Token:
    text: str
    start: int
    end: int
    kind: str  # ph, role, word, num, punct
    fold: str = ""
    sentence_start: bool = False

    @property
    def is_word(self) -> bool:
        return self.kind in ("word", "role")

    @property
    def titlecase(self) -> bool:
        # "Karim", "O'Brien", "Jean-Pierre"; not "AI-assisted", "IDs", "ChatGPT" is (C, h).
        return self.kind == "word" and self.text[0].isupper() and (len(self.text) == 1 or self.text[1].islower())

    @property
    def upper(self) -> bool:
        return self.kind == "word" and len(self.text) > 1 and self.text.isupper()


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    for match in _TOKEN.finditer(text):
        kind, start, word = match.lastgroup, match.start(), match.group()
        if kind == "word" and (elision := _ELISION.match(word)):
            elided = elision.group()
            tokens.append(Token(elided, start, start + len(elided), "elision", lx.fold(elided)))
            start, word = start + elision.end(), word[elision.end() :]
        if kind == "word" and (possessive := _POSSESSIVE.search(word)) and len(word) > 3:
            word = word[: possessive.start()]
        tokens.append(Token(word, start, start + len(word), kind, lx.fold(word)))
    boundary = True
    for token in tokens:
        if token.kind == "punct" and token.text in _SENTENCE_END:
            boundary = True
        elif token.kind == "punct" and token.text in _OPENERS:
            token.sentence_start = boundary
        else:
            token.sentence_start, boundary = boundary, False
    return tokens
