"""The asset fetcher of the build (_ext/web_assets.py): pinned npm tarballs, verified
and unpacked safely."""

from __future__ import annotations

import base64
import hashlib
import io
import sys
import tarfile
from pathlib import Path

import pytest

import web_assets


def _fake_tarball(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _fake_npm(tmp_path: Path, tarball: bytes) -> str:
    """An `npm` that 'packs' the given tarball, so fetch() runs without a network."""
    (tmp_path / "pkg.tgz").write_bytes(tarball)
    npm = tmp_path / "npm"
    npm.write_text(
        f"#!{sys.executable}\n"
        "import json, shutil, sys\n"
        "dest = sys.argv[sys.argv.index('--pack-destination') + 1]\n"
        f"shutil.copy({str(tmp_path / 'pkg.tgz')!r}, dest + '/pkg.tgz')\n"
        "print(json.dumps([{'filename': 'pkg.tgz'}]))\n"
    )
    npm.chmod(0o755)
    return str(npm)


def test_web_assets_unpacks_only_kept_files_of_a_verified_tarball(tmp_path):
    tarball = _fake_tarball(
        {
            "package/es5/tex.js": b"math",
            "package/es5/other.js": b"x",
            "package/README.md": b"doc",
        }
    )
    digest = "sha512-" + base64.b64encode(hashlib.sha512(tarball).digest()).decode()
    asset = web_assets.NpmAsset(
        "demo", "1.0.0", digest, keep=("es5/tex.js",), strip="es5/"
    )
    dest = web_assets.fetch(asset, tmp_path / "static", _fake_npm(tmp_path, tarball))
    assert sorted(p.name for p in dest.iterdir()) == [".pinned", "tex.js"]
    assert (dest / "tex.js").read_bytes() == b"math"
    assert web_assets.is_current(asset, tmp_path / "static")


def test_web_assets_refuses_a_tarball_whose_digest_differs(tmp_path):
    tarball = _fake_tarball({"package/es5/tex.js": b"tampered"})
    asset = web_assets.NpmAsset("demo", "1.0.0", "sha512-AAAA", keep=("es5/tex.js",))
    with pytest.raises(web_assets.AssetError, match="differs from the pinned"):
        web_assets.fetch(asset, tmp_path / "static", _fake_npm(tmp_path, tarball))
    assert not (tmp_path / "static" / "demo").exists()


def _digest(tarball: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(tarball).digest()).decode()


@pytest.mark.parametrize(
    "member", ["package/es5/../../../escaped.js", "package/es5/../../escaped.js"]
)
def test_web_assets_refuses_a_member_that_escapes_the_unpack_folder(tmp_path, member):
    # A verified tarball can still be hostile: a kept member whose path climbs out of
    # the asset's folder must stop the fetch before anything is written there.
    tarball = _fake_tarball({"package/es5/tex.js": b"math", member: b"evil"})
    asset = web_assets.NpmAsset(
        "demo", "1.0.0", _digest(tarball), keep=("es5/*",), strip="es5/"
    )
    static = tmp_path / "site" / "static"
    with pytest.raises(
        web_assets.AssetError, match="unsafe path in tarball: " + member
    ):
        web_assets.fetch(asset, static, _fake_npm(tmp_path, tarball))
    assert not list(tmp_path.rglob("escaped.js"))
    assert not web_assets.is_current(asset, static)


def test_axe_core_is_pinned_for_the_tests_and_not_served_by_the_site():
    assert web_assets.AXE in web_assets.TEST_ASSETS
    assert web_assets.AXE not in web_assets.ASSETS
    assert web_assets.AXE.integrity.startswith("sha512-")
    assert "axe.min.js" in web_assets.AXE.keep


def test_citation_entries_become_list_items():
    import rnnbook_site

    body = (
        '<div role="list" class="citation-list">'
        '<div class="citation" id="id1" role="doc-biblioentry"><p>A.</p></div>'
        '<div class="citation" id="id2" role="doc-biblioentry"><p>B.</p></div></div>'
    )
    fixed = rnnbook_site.accessible_body(body)
    assert "doc-biblioentry" not in fixed
    assert fixed.count('role="listitem"') == 2
    assert fixed.replace('role="listitem"', 'role="doc-biblioentry"') == body
