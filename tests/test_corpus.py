"""The corpus loader: local folder first, then a verified cache, then a verified
download."""

from __future__ import annotations

import hashlib
import socket
from concurrent.futures import ThreadPoolExecutor

import pytest

from rnnbook.data import corpus
from rnnbook.data.corpus import CorpusError, fetch_verified

GOOD = b"The Time Traveller (for so it will be convenient to speak of him)\n" * 200
GOOD_SHA1 = hashlib.sha1(GOOD).hexdigest()


@pytest.fixture(autouse=True)
def no_env(monkeypatch, tmp_path):
    """Each test starts with no RNNBOOK_DATA_DIR and a private, empty cache."""
    monkeypatch.delenv(corpus.DATA_DIR_ENV, raising=False)
    monkeypatch.setenv(corpus.CACHE_DIR_ENV, str(tmp_path / "cache"))


def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens: a download there fails at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/timemachine.txt"


def test_download_is_verified_and_cached(http_dir, tmp_path):
    root, base = http_dir
    (root / "tm.txt").write_bytes(GOOD)
    path = fetch_verified(url=f"{base}/tm.txt", sha1=GOOD_SHA1, filename="tm.txt")
    assert path == tmp_path / "cache" / "tm.txt"
    assert path.read_bytes() == GOOD
    # A second call is served from the cache, even with the server gone.
    (root / "tm.txt").unlink()
    assert (
        fetch_verified(url=f"{base}/tm.txt", sha1=GOOD_SHA1, filename="tm.txt") == path
    )


def test_bad_download_is_not_kept(http_dir, tmp_path):
    root, base = http_dir
    (root / "tm.txt").write_bytes(GOOD[:-10])  # truncated: wrong checksum
    with pytest.raises(CorpusError, match="SHA-1"):
        fetch_verified(url=f"{base}/tm.txt", sha1=GOOD_SHA1, filename="tm.txt")
    assert list((tmp_path / "cache").glob("*")) == []


def test_corrupt_cache_is_replaced(http_dir, tmp_path):
    root, base = http_dir
    (root / "tm.txt").write_bytes(GOOD)
    cached = tmp_path / "cache" / "tm.txt"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"half a download")
    path = fetch_verified(url=f"{base}/tm.txt", sha1=GOOD_SHA1, filename="tm.txt")
    assert path == cached and cached.read_bytes() == GOOD


def test_corrupt_cache_without_network_is_deleted_and_reported(tmp_path):
    cached = tmp_path / "cache" / "tm.txt"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"garbage")
    with pytest.raises(CorpusError, match="wrong checksum, deleted"):
        fetch_verified(url=closed_port_url(), sha1=GOOD_SHA1, filename="tm.txt")
    assert not cached.exists()


def test_no_network_no_copy_gives_a_clear_error():
    url = closed_port_url()
    with pytest.raises(CorpusError) as info:
        fetch_verified(url=url, sha1=GOOD_SHA1, filename="tm.txt")
    message = str(info.value)
    assert url in message  # says what it tried
    assert "not cached yet" in message
    assert corpus.DATA_DIR_ENV in message  # and how to fix it


def test_data_dir_wins_over_cache_and_network(monkeypatch, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "tm.txt").write_bytes(GOOD)
    cached = tmp_path / "cache" / "tm.txt"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(GOOD)
    monkeypatch.setenv(corpus.DATA_DIR_ENV, str(data))
    assert (
        fetch_verified(url=closed_port_url(), sha1=GOOD_SHA1, filename="tm.txt")
        == data / "tm.txt"
    )


def test_bad_file_in_data_dir_is_reported_not_touched(monkeypatch, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "tm.txt").write_bytes(b"not the novel")
    monkeypatch.setenv(corpus.DATA_DIR_ENV, str(data))
    with pytest.raises(CorpusError, match="expected " + GOOD_SHA1):
        fetch_verified(url=closed_port_url(), sha1=GOOD_SHA1, filename="tm.txt")
    assert (data / "tm.txt").read_bytes() == b"not the novel"


def test_missing_file_in_data_dir_falls_through_and_is_listed(monkeypatch, tmp_path):
    monkeypatch.setenv(corpus.DATA_DIR_ENV, str(tmp_path / "empty"))
    with pytest.raises(CorpusError, match="from RNNBOOK_DATA_DIR"):
        fetch_verified(url=closed_port_url(), sha1=GOOD_SHA1, filename="tm.txt")


def test_concurrent_writers_do_not_corrupt_the_cache(http_dir, tmp_path):
    root, base = http_dir
    (root / "tm.txt").write_bytes(GOOD)

    def fetch(_):
        return fetch_verified(
            url=f"{base}/tm.txt", sha1=GOOD_SHA1, filename="tm.txt"
        ).read_bytes()

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(fetch, range(16)))
    assert all(r == GOOD for r in results)
    cache = tmp_path / "cache"
    # no stray temporary files
    assert sorted(p.name for p in cache.iterdir()) == ["tm.txt"]
    assert (cache / "tm.txt").read_bytes() == GOOD


def test_interrupted_write_leaves_no_file(monkeypatch, tmp_path):
    target = tmp_path / "cache" / "tm.txt"

    def boom(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(corpus.os, "fsync", boom)
    with pytest.raises(KeyboardInterrupt):
        corpus._atomic_write(target, GOOD)
    assert list(target.parent.iterdir()) == []


def test_the_real_novel(novel_text):
    """The real file (found through RNNBOOK_DATA_DIR, the cache or the URL) passed the
    real checksum."""
    assert len(novel_text.encode("utf-8")) == 178979
    assert novel_text.startswith("The Time Machine, by H. G. Wells")


def test_tests_skip_without_the_corpus_but_fail_under_ci(monkeypatch, tmp_path):
    from conftest import novel_or_skip

    nowhere = dict(url=closed_port_url(), data_dir=tmp_path / "empty", timeout=5)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="set RNNBOOK_DATA_DIR"):
        novel_or_skip(**nowhere)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(
        pytest.fail.Exception, match="CI=true and the corpus cannot be had"
    ):
        novel_or_skip(**nowhere)
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / corpus.TIME_MACHINE_FILE).write_bytes(GOOD)
    good = dict(nowhere, sha1=GOOD_SHA1)
    assert novel_or_skip(**good) == GOOD.decode()
