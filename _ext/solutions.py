"""Build the book with or without the exercises' worked solutions.

The pages write each solution between ``solution-start`` and ``solution-end``
(sphinx-exercise's gated solutions, so that a solution can hold code cells).
By default the built pages show every solution, folded until opened. An
instructor who wants to hand out the exercises alone builds with

    RNNBOOK_SOLUTIONS=hide jupyter-book build .      # or: make book
    RNNBOOK_SOLUTIONS=hide

and every solution, its prose, code and outputs, is left out of the HTML; the
exercises and their numbers stay as they are. The notebooks still run in full,
so a solution that stops working still fails the build.

Why not sphinx-exercise's own ``hide_solutions`` option: in sphinx-exercise
1.2.1 it drops the ``solution-start`` marker but keeps the rest of a gated
solution, and the HTML build then stops with "departing unknown node type:
solution_end_node". This extension instead removes each solution after
sphinx-exercise has gathered it into one node. Listed in ``_config.yml`` under
``sphinx.local_extensions``; the README
documents the option.
"""

from __future__ import annotations

import os

from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform
from sphinx_exercise.nodes import solution_node

ENV = "RNNBOOK_SOLUTIONS"
CHOICES = ("show", "hide")


def solutions_choice(value: str | None) -> str:
    """``"show"`` or ``"hide"`` from the environment variable's value (unset: show)."""
    choice = (value or "show").strip().lower()
    if choice not in CHOICES:
        raise ValueError(
            f"{ENV} must be 'show' or 'hide', got {value!r}; unset it to show the "
            "solutions"
        )
    return choice


class RemoveSolutions(SphinxTransform):
    """Remove every solution node when the build was asked to hide them."""

    # After sphinx-exercise's MergeGatedSolutions (priority 10) has turned each
    # solution-start ... solution-end stretch into one solution node.
    default_priority = 11

    def apply(self, **kwargs) -> None:
        if self.config.rnnbook_solutions != "hide":
            return
        for node in list(self.document.findall(solution_node)):
            node.parent.remove(node)


def setup(app: Sphinx) -> dict:
    app.add_config_value(
        "rnnbook_solutions", solutions_choice(os.environ.get(ENV)), "env"
    )
    app.add_transform(RemoveSolutions)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
