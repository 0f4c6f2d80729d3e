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
from collections.abc import Callable

from presidio_analyzer import EntityRecognizer, RecognizerResult

from analytics.comments.pii import context as cx
from analytics.comments.pii import lexicon as lx
from analytics.comments.pii.tokens import STOP_WORDS, Token, tokenize


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
        figure = cx.public_figure(words, i, text)
        if figure:
            taken.update(range(i, i + figure))
            continue
        score = _name_score(words, i, text, first_names, common, people, taken)
        if not score:
            if cx.names_a_thing(words, i, text):
                # The rest of a product's or a room's name is not a person: "Salesforce Einstein",
                # "salle Jean Monnet", "Copilot Studio".
                taken.update(range(i, cx.chain_end(words, i, text) + 1))
            continue
        first = i
        # A family name written first ("Nguyen Van An"): an unknown capitalised word just before.
        if (
            i > 0
            and i - 1 not in taken
            and words[i - 1].titlecase
            and words[i - 1].fold not in common
            and not cx.never_a_name(words[i - 1].fold)
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
    seen = {words[k].fold for k in taken if words[k].kind == "word" and not cx.never_a_name(words[k].fold)}
    for k, token in enumerate(words):
        if k not in taken and token.titlecase and token.fold in seen and token.fold not in STOP_WORDS:
            decided.append((token.start, token.end, 0.7))
    return sorted(decided)


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


def _name_score(words, i, text, first_names, common, people, taken) -> float:
    token, fold = words[i], words[i].fold
    if len(fold) < 2 or fold in lx.TITLES or fold in lx.STREETS:
        return 0.0
    if fold in lx.ACRONYMS and (token.upper or len(fold) <= 3):
        return 0.0
    if token.upper and not (i > 0 and words[i - 1].fold in lx.TITLES):
        return 0.0  # "ISO 27001", "RGPD": capitals alone are acronyms
    context = cx.context(words, i, text)
    after = text[token.end :]
    first = _is_first_name(token, first_names)
    is_common = fold in common
    capital = token.titlecase or (token.upper and "title" in context)
    if first is None:
        context.discard("intro")  # "I'm Scottish", "I am French"
    strong = context & {"title", "role", "intro"}
    surname_follows = cx.surname_after(words, i, text)
    person_next = cx.person_follows(after)
    # "avec Karim et Kwame": joined to a name just found.
    if "coordination" in context and i - 2 in taken:
        context.add("speaking")

    if fold in lx.PRODUCTS or any(cx.phrase_at(words, i, p) for p in lx.PRODUCT_PHRASES):
        # "Claude" the tool, unless a title or role word right before says a person ("mon
        # collègue Claude"), or a surname follows ("Claude Martin"; "Claude Sonnet" is the model).
        if capital and (context & {"title", "intro"} or "role" in context and "role_comma" not in context):
            return 0.9
        following = cx.next_word(words, i, text)
        surname = (
            capital
            and first is not None
            and following is not None
            and following.titlecase
            and following.fold not in common
            and following.fold not in lx.PRODUCT_SUFFIXES
            and not cx.never_a_name(following.fold)
        )
        return 0.85 if surname else 0.0
    if (fold in lx.CALENDAR or fold in lx.demonyms()) and not strong:
        return 0.0  # "on 3 March", "in German"
    if "place_name" in context and "role" not in context:  # "salle Jean Monnet", "le projet Phoenix"
        return 0.0
    if fold in lx.PLACES and not (context & {"title", "intro"} or "role" in context and "de" not in context):
        return 0.0
    if cx.PLACE_NEXT.match(after) and not strong:  # "Virginia site", "the Lyon office"
        return 0.0
    if capital and strong:
        return 0.95
    # "The", "On", "Will you": a first name that is a stop word needs a verb of speaking or a role.
    stop_word = fold in STOP_WORDS and not context & {"speaking", "role", "title"}
    # "Je m'en sers", "On nous a dit": pronouns that some name list holds are never names.
    said_next = capital and fold in cx.STOP_WORD_NAMES and person_next
    if stop_word and (token.sentence_start or not capital) and not said_next:
        return 0.0
    if first is not None:
        return _first_name_score(words, i, text, first, is_common, capital, context, surname_follows, person_next)
    # Not a first name: capitalised words no lexicon knows, with a person context.
    if not capital or is_common:
        if not is_common and token.kind == "word" and len(fold) >= 3 and "title" in context:
            return 0.8  # "mme durand"
        return 0.0
    if i > 0 and words[i - 1].fold in cx.ARTICLES:  # "une victoire à la Pyrrhus"
        return 0.0
    if context & {"speaking", "signoff", "role_of"} or person_next:
        return 0.75
    if cx.unknown_pair(words, i, text, common):  # "Chidi Okeke built a GPT"
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
        return 0.75 if evidence or cx.lowercase_surname_after(words, i, text) else 0.0
    # A first name that is also a word ("Pierre", "Rose", "Will", "hope"): evidence needed.
    if capital and "determiner" in context:
        return 0.0
    if capital and ("speaking" in context or surname_follows and not token.sentence_start):
        return 0.85
    if capital and not token.sentence_start:
        return 0.0 if token.fold in STOP_WORDS else 0.85
    if capital:  # start of a sentence
        following = cx.next_word(words, i, text)
        plain_word = following is not None and following.fold in lx.common_words()
        if surname_follows and not plain_word or "speaking" in context or person_next:
            return 0.85
        if cx.name_joined_after(words, i, text):  # "Grace and Will from support"
            return 0.8
        if token.fold not in STOP_WORDS and first.western >= 5 and cx.PERSON_NEXT_WEAK.match(text[token.end :]):
            return 0.7
        return 0.0
    if token.fold in STOP_WORDS:
        return 0.0
    if token.sentence_start and first.western >= 3 and cx.PERSON_NEXT.match(text[token.end :]):
        return 0.8  # "claire m'a dit que..."
    if cx.DEPARTMENT_NEXT.match(text[token.end :]) and first.anywhere >= 3:
        return 0.8  # "raj from procurement"
    if first.western >= 3 and (context & {"title", "role", "intro", "speaking"}):
        return 0.8
    return 0.0


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
            if candidate.fold in STOP_WORDS or candidate.fold in cx.COORDINATION:
                break
            last += 1
            continue
        if lowercase_name and candidate.fold not in common and len(candidate.fold) >= 3:
            last += 1
            continue
        break
    return last
