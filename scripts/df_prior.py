#!/usr/bin/env python3
"""Write data/df-prior/{ar,fr,en}.tsv: the share of news articles expected to hold each of a
language's most frequent words, the prior that story grouping blends with a young database's
own document frequencies (src/story/prior.rs).

Source: wordfreq 3.1.1 (PyPI; code Apache-2.0, word lists CC BY-SA 4.0, built from Wikipedia,
subtitles, news, books, web crawls and social media). Its figures are token frequencies; an
article of ARTICLE_WORDS words holds a word of frequency f with probability 1 - exp(-f * n)
when its occurrences are independent, which overstates the share of topical words (they come
in bursts) and is the usual first approximation.

    python3 -m venv /tmp/wf && /tmp/wf/bin/pip install wordfreq==3.1.1
    /tmp/wf/bin/python scripts/df_prior.py
"""

import math
import pathlib

import wordfreq

LANGUAGES = ("ar", "fr", "en")
WORDS_PER_LANGUAGE = 12_000
ARTICLE_WORDS = 400

out = pathlib.Path(__file__).resolve().parent.parent / "data" / "df-prior"
out.mkdir(parents=True, exist_ok=True)
for lang in LANGUAGES:
    lines = []
    for word in wordfreq.top_n_list(lang, WORDS_PER_LANGUAGE, wordlist="best"):
        if any(c.isspace() or c == "\t" for c in word):
            continue
        share = 1.0 - math.exp(-wordfreq.word_frequency(word, lang) * ARTICLE_WORDS)
        lines.append(f"{word}\t{share:.3g}\n")
    (out / f"{lang}.tsv").write_text("".join(lines), encoding="utf-8")
    print(lang, len(lines), "words")
