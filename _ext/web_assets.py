"""The site's pinned JavaScript: MathJax and Thebe, fetched from the npm registry.

The book must read offline (equations included) and its Live Code must work
against a Jupyter server on the reader's own computer, so the site serves both
libraries itself instead of loading them from a CDN. Nothing here is committed:
``npm pack`` downloads each pinned tarball, its SHA-512 is checked against the
value pinned below, and only the files the site needs are unpacked into
``_vendor/static/`` (git-ignored), which the ``rnnbook_site`` extension adds to
the site's ``_static/`` folder.

Usage: ``python _ext/web_assets.py`` (the book build calls :func:`ensure` itself).
"""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "_vendor"


@dataclass(frozen=True)
class NpmAsset:
    """One pinned npm package and the files of it that the site serves."""

    name: str
    version: str
    integrity: str  # the registry's "sha512-<base64>" digest of the tarball
    keep: tuple[str, ...]  # glob patterns, relative to the package root
    strip: str = ""  # leading folder removed when unpacking (e.g. "es5/")

    @property
    def stamp(self) -> str:
        return f"{self.name}@{self.version} {self.integrity}\n"


# MathJax 3.2.2 is what Sphinx 7.4 loads by default (``mathjax@3`` on jsDelivr):
# the combined TeX+MathML/CHTML component, plus the pieces it loads on demand
# (TeX extensions, fonts, the context menu and its accessibility tools).
MATHJAX = NpmAsset(
    name="mathjax",
    version="3.2.2",
    integrity="sha512-Bt+SSVU8eBG27zChVewOicYs7Xsdt40qm4+UpHyX7k0/O9NliPc+x77k1/FEsPsjKPZGJvtRZM1vO+geW0OhGw==",
    keep=(
        "LICENSE",
        "es5/tex-mml-chtml.js",
        "es5/input/*",
        "es5/output/chtml/*",
        "es5/ui/*",
        "es5/a11y/*",
        "es5/sre/*",
    ),
    strip="es5/",
)

# sphinx-thebe 0.3.1 asks unpkg for thebe 0.8.2, which the npm registry no longer
# serves; 0.9.3 is the current release. Its API differs (see rnnbook-live.js).
THEBE = NpmAsset(
    name="thebe",
    version="0.9.3",
    integrity="sha512-Rb/7kVhtlffXra3kIe7OuIGE7awsm2/fGWxw21DiNfnWLnUQiDl9AWqYdshPwZPG/5DzLpsJRPix2xtCPtJmQQ==",
    keep=("package.json", "lib/*.js", "lib/*.txt", "lib/thebe.css"),
)

ASSETS = (MATHJAX, THEBE)

# axe-core, the accessibility checker the browser tests run on every page (WCAG 2 A
# and AA rules). A test tool, not part of the site: it is fetched into
# ``_vendor/test/`` and injected into each page by tests/test_browser.py.
AXE = NpmAsset(
    name="axe-core",
    version="4.14.1",
    integrity="sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ==",
    keep=("LICENSE", "axe.min.js"),
)
TEST_ASSETS = (AXE,)


class AssetError(RuntimeError):
    """A pinned asset could not be fetched or did not match its pinned digest."""


def cdn_url(asset: NpmAsset, path: str) -> str:
    """Where a CDN serves ``path`` of the pinned package (the fallback without npm)."""
    return (
        f"https://cdn.jsdelivr.net/npm/{asset.name}@{asset.version}/{asset.strip}{path}"
    )


def _sri(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def _wanted(member: str, asset: NpmAsset) -> str | None:
    """The path below the asset's folder for a tarball member, or None to skip it."""
    if not member.startswith("package/"):
        return None
    rel = member[len("package/") :]
    if not any(fnmatch.fnmatch(rel, pattern) for pattern in asset.keep):
        return None
    if asset.strip and rel.startswith(asset.strip):
        rel = rel[len(asset.strip) :]
    return rel


def _unpack(tarball: Path, asset: NpmAsset, dest: Path) -> int:
    count = 0
    with tarfile.open(tarball, "r:gz") as tar:
        for member in tar.getmembers():
            rel = _wanted(member.name, asset) if member.isfile() else None
            if rel is None:
                continue
            target = dest / rel
            if not target.resolve().is_relative_to(dest.resolve()):
                raise AssetError(f"{asset.name}: unsafe path in tarball: {member.name}")
            target.parent.mkdir(parents=True, exist_ok=True)
            with tar.extractfile(member) as src:  # type: ignore[union-attr]
                target.write_bytes(src.read())
            count += 1
    return count


def fetch(asset: NpmAsset, static_dir: Path, npm: str) -> Path:
    """Download ``asset`` with ``npm pack``, verify it, unpack it to
    ``static_dir/NAME``."""
    dest = static_dir / asset.name
    static_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=static_dir) as tmp:
        tmp_dir = Path(tmp)
        result = subprocess.run(
            [
                npm,
                "pack",
                f"{asset.name}@{asset.version}",
                "--json",
                "--pack-destination",
                tmp,
            ],
            capture_output=True,
            text=True,
            cwd=tmp,
        )
        if result.returncode != 0:
            raise AssetError(
                f"npm pack {asset.name}@{asset.version} "
                f"failed:\n{result.stderr[-2000:]}"
            )
        filename = json.loads(result.stdout)[0]["filename"]
        tarball = tmp_dir / filename
        digest = _sri(tarball.read_bytes())
        if digest != asset.integrity:
            raise AssetError(
                f"{asset.name}@{asset.version}: tarball digest {digest} differs from "
                f"the pinned {asset.integrity}; refusing to use it"
            )
        staging = tmp_dir / "unpacked"
        if _unpack(tarball, asset, staging) == 0:
            raise AssetError(
                f"{asset.name}@{asset.version}: none of {asset.keep} in the tarball"
            )
        (staging / ".pinned").write_text(asset.stamp)
        if dest.exists():
            shutil.rmtree(dest)
        staging.rename(dest)
    return dest


def is_current(asset: NpmAsset, static_dir: Path) -> bool:
    stamp = static_dir / asset.name / ".pinned"
    return stamp.is_file() and stamp.read_text() == asset.stamp


def ensure(
    static_dir: Path = VENDOR / "static", assets: tuple[NpmAsset, ...] = ASSETS
) -> Path:
    """Make ``static_dir`` hold every pinned asset of ``assets`` (the site's, unless
    told otherwise); fetch only what is missing or stale.

    Raises :class:`AssetError` when an asset is missing and npm is not installed,
    or when a download does not match its pinned digest.
    """
    missing = [asset for asset in assets if not is_current(asset, static_dir)]
    if missing:
        npm = shutil.which("npm")
        if npm is None:
            names = ", ".join(f"{a.name}@{a.version}" for a in missing)
            raise AssetError(
                f"npm is not installed, so {names} cannot be fetched into "
                f"{static_dir}; install Node.js (it brings npm) and build again"
            )
        for asset in missing:
            fetch(asset, static_dir, npm)
    return static_dir


if __name__ == "__main__":
    try:
        print(f"pinned web assets ready in {ensure()}")
    except AssetError as err:
        sys.exit(f"error: {err}")
