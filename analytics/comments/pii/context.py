"""What stands around a candidate word: the words before it (title, role, verb of speaking,
determiner, street or project) and what follows it (a verb, a department, a surname)."""

import functools
import re

from analytics.comments.pii import lexicon as lx
from analytics.comments.pii.tokens import Token

# What follows a name that says a person does something ("Pierre m'a dit", "Will said",
# "Rose from finance"); `_WEAK` ones ("Claire a", "Hope is") are too common after a word.
PERSON_NEXT = re.compile(
    r"(?i)^\s*(?:m['’]|nous a|vous a|m['’]a|a dit|a demandé|a expliqué|a refusé|a validé|a proposé|a décidé|"
    r"dit|pense|trouve|veut|voulait|disait|explique|répète|gère|gérait|sait|"
    r"said|told|asked|says|tells|asks|thinks|thought|wants|wanted|keeps|kept|explained|suggested|"
    r"mentioned|wrote|sent|showed|helped|agreed|believes|feels|knows|manages|insists|refused|"
    r"built|created|quit|left|joined|cried|complained|admitted|confirmed|promised|"
    r"a créé|a construit|a quitté|est parti|est partie|a pleuré|a craqué|a avoué|a confirmé|a promis|"
    r"and I\b|et moi\b|, (?:who|qui)\b)"
)
POSSESSIVE_NEXT = re.compile(r"^['’]s\b")
DEPARTMENT_NEXT = re.compile(
    r"^\s*(?:\(\s*|,?\s+(?i:in|from|at|of|de|du|des|à|au|aux|chez)\s+)"
    r"(?i:the\s+|la\s+|le\s+|l['’]|les\s+)?"
    r"(?:IT|HR|RH|DSI|R&D|(?i:finance|accounts|accounting|legal|sales|marketing|procurement|purchasing|payroll|support|"
    r"ops|operations|logistics|warehouse|engineering|data|design|compliance|audit|admin|customer|comptabilité|compta|"
    r"logistique|paie|achats|juridique|informatique|ventes|qualité|production|entrepôt|accueil|communication|"
    r"recrutement|recruitment|security|sécurité|facilities|treasury|trésorerie|contrôle de gestion|controlling|"
    r"planning|maintenance|atelier|magasin))\b"
)
APPOSITION = re.compile(
    r"(?i)^\s*,\s*(?:the|our|my|his|her|their|your|la|le|l['’]|notre|mon|ma|son|sa|leur|votre)\s*([^\W\d_]+)(?:\s+([^\W\d_]+))?"
)
PLACE_NEXT = re.compile(
    r"(?i)^\s+(?:site|sites|office|offices|campus|plant|branch|hub|factory|store|hq|headquarters|agency|airport)\b"
)
# French only: "Claire a raison", "Rose est partie"; "Joy is gone", "Hope is not a strategy" are nouns.
PERSON_NEXT_WEAK = re.compile(r"(?i)^\s*(?:a|est|était|avait|fait)\b")
SIGN_OFFS = lx.word_set("cordialement merci thanks regards cheers bises best signé signed")
INTRODUCTIONS = (("m'", "appelle"), ("name", "is"), ("nom", "est"), ("moi", "c'est"), ("i'm",), ("i", "am"))
PREPOSITIONS = lx.word_set("à a avec au to with by par pour for from de d' chez")
ROLE_FILLERS = lx.word_set("""
direct directe hiérarchique product project team tech line new nouveau nouvelle nouvel ancien
ancienne former old actuel actuelle current rh it adjoint adjointe principal principale
""")
# "chef de projet", "cheffe d'équipe", "responsable du service".
ROLE_COMPLEMENTS = lx.word_set("projet projets équipe equipe service pôle pole département rayon secteur mission site")
COORDINATION = frozenset({"et", "and", "ou", "or", "&"})
STOP_WORD_NAMES = lx.word_set("will may")
ARTICLES = lx.word_set("le la les l' un une the this that ce cet cette")


def names_a_thing(words, i, text) -> bool:
    if not (words[i].titlecase or words[i].upper):
        return False
    return words[i].fold in lx.PRODUCTS or thing_marker(words, i, text)


def thing_marker(words, i, text) -> bool:
    """words[i] comes right after "salle", "rue", "projet", "Team", "l'IA"... ("ai" only as AI)."""
    if i == 0 or text[words[i - 1].end : words[i].start].strip() != "":
        return False
    previous = words[i - 1]
    if previous.fold in ("ai", "ia") and not previous.upper:
        return False
    return previous.fold in lx.STREETS or previous.fold in lx.THINGS


def chain_end(words, i, text) -> int:
    """Last index of the run of capitalised words that starts at words[i]."""
    last = i
    while (
        last + 1 < len(words)
        and (words[last + 1].titlecase or words[last + 1].upper)
        and text[words[last].end : words[last + 1].start].strip() in ("", "-")
    ):
        last += 1
    return last


def public_figure(words, i, text) -> int:
    """Number of words of a public figure's name starting at words[i] ("Sam Altman"), or 0."""
    adjacent = i + 1 < len(words) and text[words[i].end : words[i + 1].start].strip() == ""
    return 2 if adjacent and f"{words[i].fold} {words[i + 1].fold}" in lx.PUBLIC_FIGURES else 0


def never_a_name(fold: str) -> bool:
    """Products, acronyms, places, titles, months, streets and demonyms are no person."""
    return any(fold in words for words in _never_names())


@functools.cache
def _never_names() -> tuple[frozenset[str], ...]:
    return (lx.PRODUCTS, lx.ACRONYMS, lx.PLACES, lx.TITLES, lx.CALENDAR, lx.STREETS, lx.demonyms())


def previous(words, i, n=1) -> str:
    return words[i - n].fold if i - n >= 0 and words[i - n].kind != "ph" else ""


def role_before(words, i) -> bool:
    """A role word right before words[i], past fillers: "mon manager direct", "chef de projet"."""
    j = i - 1
    while j >= 0:
        if words[j].fold in ROLE_FILLERS:
            j -= 1
        elif words[j].fold in ROLE_COMPLEMENTS and j >= 1 and words[j - 1].fold in ("de", "d'", "du"):
            j -= 2
        else:
            break
    if j < 0 or i - j > 4 or words[j].fold not in lx.ROLES:
        return False
    # "my lead will review": "lead" after "to"/"will" is a verb.
    return not (words[j].fold == "lead" and previous(words, j) in ("to", "will", "would", "can"))


def context(words, i, text) -> set[str]:
    """What stands before words[i]: title, role, speaking, place, determiner, coordination."""
    found: set[str] = set()
    prev = words[i - 1] if i > 0 else None
    if prev is None or prev.kind == "ph":
        return found
    gap = text[prev.end : words[i].start]
    # "MS Project", "DR" (disaster recovery): a title is not written in capitals, except "M.".
    if prev.fold in lx.TITLES and gap.strip() in ("", ".") and (not prev.upper or prev.text == "M"):
        found.add("title")
    if gap.strip() in ("", ",") and role_before(words, i):
        found.add("role")
        if gap.strip() == ",":
            found.add("role_comma")
    if gap.strip() in ("", ",", ":"):
        # "s'appelle Atlas" names a thing; "m'appelle Karim" introduces the writer.
        reflexive = previous(words, i, 2) in ("s'", "se")
        if prev.fold in lx.SPEAKING and not reflexive:
            found.add("speaking")
        elif prev.fold in PREPOSITIONS:
            for back in range(2, 5):
                if previous(words, i, back) in lx.SPEAKING:
                    found.add("speaking")
                    break
        if prev.fold in SIGN_OFFS and gap.strip() == ",":
            found.add("signoff")
        for phrase in INTRODUCTIONS:
            if tuple(previous(words, i, k) for k in range(len(phrase), 0, -1)) == phrase:
                found.add("intro")
    if prev.fold in lx.DETERMINERS and gap.strip() == "":
        found.add("determiner")
    if prev.fold in lx.PLACE_MARKERS or (prev.fold in PREPOSITIONS and "speaking" not in found):
        found.add("place")
    if thing_marker(words, i, text):
        found.add("place_name")
    if prev.fold in ("de", "d'", "du"):
        found.add("de")
        if i >= 2 and words[i - 2].fold in lx.ROLES:  # "le manager de Fatou"
            found.add("role_of")
    if prev.fold in COORDINATION:
        found.add("coordination")
    return found


def next_word(words, i, text) -> Token | None:
    if i + 1 < len(words) and text[words[i].end : words[i + 1].start].strip() in ("", "'", "’"):
        return words[i + 1]
    return None


def surname_after(words, i, text) -> bool:
    following = next_word(words, i, text)
    if following is None or following.kind != "word":
        return False
    if following.fold in lx.PRODUCTS or following.fold in lx.ACRONYMS or following.fold in lx.PLACES:
        return False
    if following.titlecase or following.upper:
        return following.fold not in lx.DETERMINERS and following.fold not in COORDINATION
    return False


def name_joined_after(words, i, text) -> bool:
    """words[i] is joined by "and" / "et" to a capitalised first name that no word list holds."""
    joiner = next_word(words, i, text)
    if joiner is None or joiner.fold not in COORDINATION:
        return False
    other = next_word(words, i + 1, text)
    if other is None or not other.titlecase or never_a_name(other.fold):
        return False
    return other.fold in lx.first_names()


def lowercase_surname_after(words, i, text) -> bool:
    """ "priya sharma": a lower-case word no lexicon knows right after a lower-case first name."""
    following = next_word(words, i, text)
    return (
        following is not None
        and following.kind == "word"
        and following.text.islower()
        and len(following.fold) >= 3
        and following.fold not in lx.common_words()
        and not never_a_name(following.fold)
    )


def person_follows(after: str) -> bool:
    """What follows says a person: "said", "m'a dit", "'s", "from finance", ", la stagiaire"."""
    if PERSON_NEXT.match(after) or POSSESSIVE_NEXT.match(after) or DEPARTMENT_NEXT.match(after):
        return True
    apposition = APPOSITION.match(after)
    return bool(apposition and any(lx.fold(w) in lx.ROLES for w in apposition.groups() if w))


def unknown_pair(words, i, text, common) -> bool:
    """Two capitalised words no lexicon knows, then a plain word: a first and a last name."""
    if i + 1 >= len(words) or text[words[i].end : words[i + 1].start].strip() != "":
        return False
    second = words[i + 1]
    if not second.titlecase or second.fold in common or never_a_name(second.fold) or len(second.fold) < 2:
        return False
    third = next_word(words, i + 1, text)
    return third is None or not (third.titlecase or third.upper)


def phrase_at(words, i, phrase: str) -> bool:
    parts = phrase.split()
    for offset in range(len(parts)):
        start = i - offset
        inside = start >= 0 and start + len(parts) <= len(words)
        if inside and [w.fold for w in words[start : start + len(parts)]] == parts:
            return True
    return False
