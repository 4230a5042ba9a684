"""Look up each bibliography plug-in once per build, not once per reference.

pybtex and sphinxcontrib-bibtex find their styles (name, label, sorting
styles) through Python's entry points, and ``importlib.metadata.entry_points``
reads the metadata of every installed distribution on each call. They call it
for every formatted reference, about 190 times in this book: some 3 s of a
prose-only rebuild, which issue 26 budgets at 20 s (``bench/build_time.py``).

The installed distributions do not change during a build, so this extension
answers each ``(group, name)`` query from a cache. It wraps only the two
modules' own lookup names; plug-ins registered at run time (pybtex's
``register_plugin``) are still checked first by pybtex, as before.
Listed in ``_config.yml`` under ``sphinx.local_extensions``.
"""

from __future__ import annotations

import functools
from importlib.metadata import EntryPoint
from importlib.metadata import entry_points as _entry_points


@functools.lru_cache(maxsize=None)
def entry_points(*, group: str, name: str) -> tuple[EntryPoint, ...]:
    """The installed entry points of ``group`` called ``name``, read once."""
    return tuple(_entry_points(group=group, name=name))


def setup(app) -> dict:
    import pybtex.plugin
    import sphinxcontrib.bibtex.plugin

    pybtex.plugin.entry_points = entry_points
    sphinxcontrib.bibtex.plugin.entry_points = entry_points
    return {"parallel_read_safe": True, "parallel_write_safe": True}
