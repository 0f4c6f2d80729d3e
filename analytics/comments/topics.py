"""Recurring themes discovered in a set of comments of one language: NMF on TF-IDF, each topic
labelled by its top terms (in the comments' own language)."""

import re
import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.decomposition import NMF
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from spacy.lang.en.stop_words import STOP_WORDS as EN_STOP_WORDS
from spacy.lang.fr.stop_words import STOP_WORDS as FR_STOP_WORDS

STOP_WORDS = {"en": EN_STOP_WORDS, "fr": FR_STOP_WORDS}
# Placeholders left by the scrubber, and the survey's own subject, say nothing about a theme.
ALWAYS_STOP = {"name", "email", "phone", "url", "handle", "iban", "card", "nir", "ia", "ai"}
MIN_COMMENTS = 20  # below this, topics are noise
TERMS = 4
TERM = r"(?u)\b[^\W\d_]{3,}\b"  # words of three letters or more, accents kept: the labels are read


@dataclass(frozen=True)
class Topic:
    terms: tuple[str, ...]
    members: tuple[int, ...]  # indexes into the texts


def _lower(text: str) -> str:
    return text.lower().replace("’", "'")


def _stop_words(lang: str) -> list[str]:
    # Stop words go through the same tokens as the texts ("quelqu'un" -> "quelqu").
    words = {term for word in STOP_WORDS[lang] for term in re.findall(TERM, _lower(word))}
    return sorted(words | ALWAYS_STOP)


def discover(texts: list[str], lang: str, count: int | None = None) -> list[Topic]:
    """Up to `count` topics (by default one per 15 comments, 2 to 8). Each text joins the topic it
    weighs most on; texts that weigh on none join none. Deterministic for the same texts."""
    if len(texts) < MIN_COMMENTS:
        return []
    count = count or max(2, min(8, len(texts) // 15))
    vectoriser = TfidfVectorizer(
        preprocessor=_lower,
        token_pattern=TERM,
        stop_words=_stop_words(lang),
        min_df=2,
        max_df=0.5,
        sublinear_tf=True,
    )
    try:
        matrix = vectoriser.fit_transform(texts)
    except ValueError:  # nothing left after stop words
        return []
    count = min(count, matrix.shape[1])
    if count < 2:
        return []
    with warnings.catch_warnings():
        # Repetitive comments converge slowly; an approximate factorisation labels topics as well.
        warnings.simplefilter("ignore", ConvergenceWarning)
        weights = NMF(n_components=count, init="nndsvd", random_state=0, max_iter=400).fit(matrix)
    memberships = weights.transform(matrix)
    vocabulary = np.array(vectoriser.get_feature_names_out())
    topics = []
    for index, component in enumerate(weights.components_):
        members = tuple(
            int(i) for i in np.flatnonzero((memberships.argmax(axis=1) == index) & (memberships.max(axis=1) > 0))
        )
        if members:
            topics.append(Topic(terms=tuple(vocabulary[component.argsort()[::-1][:TERMS]]), members=members))
    return topics
