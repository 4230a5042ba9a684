"""Tell the pages' training loops that the book is being built, not read live.

During ``jupyter-book build`` nobody watches the cells run, and every output
that a cell leaves becomes part of the page. The trainer's live plot (and its
progress bar) are for people running a page in Jupyter; in the build they would
only add images without captions. This Sphinx extension sets the environment
variable ``RNNBOOK_BATCH=1`` in the build process before any notebook runs; the
kernels that myst-nb starts inherit it, and ``rnnbook.Trainer`` then leaves its
live plot and its progress bar off (``live=None`` and ``progress=None`` mean "in a
Jupyter kernel, except in the build"; ``progress`` also in a terminal).

It also runs every notebook of the build on one CPU thread (``OMP_NUM_THREADS=1``,
unless the caller set it): the pages' tensors are small, and on the two-core
machine that builds the book a second thread made small elementwise operations
far slower, not faster (``bench/README.md``). The setting is made here, once,
so that no page carries it; a reader's own kernel keeps torch's default.
Listed in ``_config.yml`` under ``sphinx.local_extensions``.
"""

from __future__ import annotations

import os

from rnnbook.training import BATCH_MODE_ENV as ENV  # the one definition of the name


def setup(app) -> dict:
    os.environ[ENV] = "1"
    os.environ.setdefault("OMP_NUM_THREADS", "1")  # torch reads it in each kernel
    return {"parallel_read_safe": True, "parallel_write_safe": True}
