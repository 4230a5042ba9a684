"""_ext/plugin_cache.py: bibliography plug-ins are found as before, and read once."""

from __future__ import annotations

from importlib.metadata import entry_points as stdlib_entry_points

import plugin_cache
import pybtex.plugin
import pytest
import sphinxcontrib.bibtex.plugin


@pytest.fixture
def installed(monkeypatch):
    """setup() on the two modules, undone after the test."""
    monkeypatch.setattr(pybtex.plugin, "entry_points", pybtex.plugin.entry_points)
    monkeypatch.setattr(sphinxcontrib.bibtex.plugin, "entry_points",
                        sphinxcontrib.bibtex.plugin.entry_points)
    plugin_cache.setup(app=None)


def test_the_cache_answers_as_the_installed_metadata_does():
    group = "pybtex.style.formatting"
    want = [ep.value for ep in stdlib_entry_points(group=group, name="plain")]
    assert want  # pybtex's own plain style is installed
    assert [ep.value for ep in plugin_cache.entry_points(group=group, name="plain")] \
        == want
    assert plugin_cache.entry_points(group=group, name="no such style") == ()


def test_each_query_reads_the_metadata_once(monkeypatch):
    calls = []

    def counting(**query):
        calls.append(query)
        return stdlib_entry_points(**query)

    plugin_cache.entry_points.cache_clear()
    monkeypatch.setattr(plugin_cache, "_entry_points", counting)
    for _ in range(5):
        plugin_cache.entry_points(group="pybtex.style.labels", name="alpha")
    assert len(calls) == 1
    plugin_cache.entry_points.cache_clear()


def test_styles_still_load_after_setup(installed):
    from pybtex.plugin import find_plugin
    from sphinxcontrib.bibtex.plugin import find_plugin as bibtex_find_plugin

    assert pybtex.plugin.entry_points is plugin_cache.entry_points
    assert find_plugin("pybtex.style.formatting", "plain").__name__ == "Style"
    assert bibtex_find_plugin("sphinxcontrib.bibtex.style.referencing",
                              "author_year") is not None
    with pytest.raises(pybtex.plugin.PluginNotFound):
        find_plugin("pybtex.style.formatting", "no such style")
