"""From raw text to a list of tokens: preprocessing and tokenization.

Explained on the page "Converting raw text into sequence data"
(``book/text_preprocessing.md``).

The pipeline is deliberately crude, so that every step can be checked by eye:

1. :func:`preprocess` keeps letters only and lower-cases them;
2. :func:`tokenize` cuts the result into characters or words.
"""

from __future__ import annotations

import re

from ..checks import check_choice, check_str

TOKEN_LEVELS = ("char", "word")

# One or more characters that are not ASCII letters.
_NON_LETTERS = re.compile(r"[^A-Za-z]+")


def _check_text(text: object) -> str:
    return check_str(
        "text",
        text,
        min_length=1,
        why="there is nothing to preprocess or tokenize; "
        "pass the raw text, e.g. rnnbook.load_time_machine()",
    )


def preprocess(text: str) -> str:
    """Keep letters only, in lower case: every run of other characters becomes ONE
    space.

    Punctuation, digits, line breaks and accented letters are all "other
    characters". Nothing is stripped at either end: a text that starts or ends
    with non-letters starts or ends with a single space. For *The Time Machine*
    the text starts with a letter and ends with a line break, so the result is
    173,428 characters long, the last of them a space (the source chapter's
    count, which it gets the same way).
    """
    return _NON_LETTERS.sub(" ", _check_text(text)).lower()


def tokenize(text: str, level: str = "char") -> list[str]:
    """Split preprocessed ``text`` into tokens.

    ``level="char"``: every character is a token, spaces included (so the
    sequence can be turned back into the text exactly).
    ``level="word"``: tokens are the maximal runs of non-space characters
    (``str.split()``), so no token is empty and spaces are not tokens.
    """
    _check_text(text)
    check_choice("token level", level, TOKEN_LEVELS)
    return list(text) if level == "char" else text.split()
