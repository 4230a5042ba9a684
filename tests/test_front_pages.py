"""The opening page, the first sections and the notation page, as built.

Every section page of the table of contents ends alike (Summary, exercises
with folded solutions, References), the first sections cite the textbook they
grow from instead of "the source chapter", and the site says which licence
covers what.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

SECTIONS = ("sequences", "text_preprocessing", "language_models")
ROOT = Path(__file__).resolve().parents[1]


def toc_section_pages() -> list[str]:
    """Every lesson page of `_toc.yml`: the chapters of each part except the
    Appendix (notation and engineering notes end differently), without the
    opening page, which is the root."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    names = []
    for part in toc["parts"]:
        if part.get("caption", "").strip().lower() == "appendix":
            continue
        for chapter in part["chapters"]:
            names.append(Path(chapter["file"]).name)
    return [name for name in names if name != Path(toc["root"]).name]


def test_toc_lists_the_lesson_pages():
    pages = toc_section_pages()
    # The front pages and the last lesson are there; the appendix is not.
    assert pages[:3] == list(SECTIONS) and "parallel_rnn" in pages
    assert "intro" not in pages and "notation" not in pages


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def read(built_book: Path, name: str) -> str:
    return (built_book / "book" / f"{name}.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", toc_section_pages())
def test_section_ends_with_summary_exercises_references(built_book, name):
    html = read(built_book, name)
    heads = re.findall(r"<h2>(.*?)<a", html)
    titles = [re.sub(r"<[^>]+>|\d+(\.\d+)*\.?\s*", "", h).strip() for h in heads]
    assert titles[-3:] == ["Summary", "Exercises", "References"], titles
    exercises = re.findall(r'class="[^"]*exercise[^"]*"', html)
    assert 3 <= html.count('class="exercise admonition"') <= 5, exercises[:3]
    # Every exercise has a solution, folded (a dropdown) until the reader opens it.
    assert html.count("solution dropdown") == html.count('class="exercise admonition"')


@pytest.mark.parametrize("name", ("intro",) + SECTIONS)
def test_pages_cite_dive_into_deep_learning(built_book, name):
    text = text_of(read(built_book, name))
    assert "Zhang" in text and "Dive into Deep Learning" in text
    assert "source chapter" not in text and "the source's" not in text


def test_opening_page_draws_the_task_shapes(built_book):
    html = read(built_book, "intro")
    assert 'id="fig-task-shapes"' in html
    for name in (
        "one to many",
        "many to one",
        "many to many, aligned",
        "many to many, not aligned",
    ):
        assert name in text_of(html).lower(), name


def test_notation_page_is_built_and_linked(built_book):
    html = read(built_book, "notation")
    for symbol in ("W}_{xh}", "W}_{hh}", "W}_{hq}", "b}_h", "b}_q", "O}_t"):
        assert symbol in html, symbol
    assert "notation.html" in read(built_book, "sequences")
    assert "notation.html" in read(built_book, "language_models")


def test_footer_names_both_licences(built_book):
    for name in ("intro", "sequences", "notation"):
        html = read(built_book, name)
        assert 'class="extra_footer"' in html, name
        footer = html.split('class="extra_footer"')[1].split("</div>")[0]
        assert (
            "CC BY-SA 4.0" in footer
            and "MIT" in footer
            and "Dive into Deep Learning" in footer
        )


def test_licence_files_say_what_they_cover():
    text = (ROOT / "LICENSE-text").read_text(encoding="utf-8")
    assert "Attribution-ShareAlike 4.0 International" in text
    assert "Dive into Deep Learning" in text and "MIT" in text
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")


def test_every_bibliography_has_its_own_key_and_label_prefix():
    # sphinxcontrib-bibtex numbers each page's list from 1, so two pages with
    # the same label prefix both make "S1": the strict build fails on the
    # duplicate label. Read the sources, so the fast tests catch it.
    keys, labels = {}, {}
    for page in sorted((ROOT / "book").glob("*.md")):
        text = page.read_text(encoding="utf-8")
        for option, seen in (("keyprefix", keys), ("labelprefix", labels)):
            for value in re.findall(rf"^:{option}: *(\S+)", text, re.M):
                assert value not in seen, (
                    f"{page.name} and {seen[value]} both use :{option}: "
                    f"{value}; give {page.name} its own"
                )
                seen[value] = page.name
    assert len(labels) >= 17


def test_every_table_a_cell_builds_is_shown():
    # rnnbook.table returns the table; Jupyter shows only a cell's last
    # expression, so a table followed by more statements is silently lost.
    lost = []
    for page in sorted((ROOT / "book").glob("*.md")):
        cells = re.findall(r"^```\{code-cell\}[^\n]*\n(.*?)^```", page.read_text(
            encoding="utf-8"), re.M | re.S)
        for cell in cells:
            lines = [line for line in cell.split("\n") if line.strip()]
            for i, line in enumerate(lines):
                if re.match(r"(rnnbook\.)?table\(", line):
                    after = [a for a in lines[i + 1:] if a[0] not in " )]}"]
                    if after:
                        lost.append(f"{page.name}: {line[:40]}... then {after[0]}")
    assert not lost, "make the table the cell's last statement:\n" + "\n".join(lost)
