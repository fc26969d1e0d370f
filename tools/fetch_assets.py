"""Fetch the book's web assets from the npm registry, so the built HTML loads no CDN.

MathJax (equations), RequireJS and the ipywidgets HTML manager (static widgets) are
``npm pack``-ed at pinned versions, checked against the sha512 pinned below and unpacked
into ``_assets/vendor/`` (gitignored), which Sphinx copies to ``_build/html/_static/``.
Only the files a page loads (and what those lazy-load) are kept.

    python tools/fetch_assets.py                # what ``make setup`` runs; quiet when done
    python tools/fetch_assets.py --license-text # rewrite LICENSE-TEXT.md (CC BY 4.0)

To move to a new version: change ``version`` and ``integrity`` (``npm view PKG@VERSION
dist.integrity``), run the script, then build the book and run tests/test_browser.py.
"""

from __future__ import annotations

import argparse
import base64
import fnmatch
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "_assets" / "vendor"
STAMP = ".npm-integrity"


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    integrity: str  # the registry's dist.integrity: sha512 of the tarball, base64
    folder: str  # under _assets/vendor/
    strip: str  # prefix removed from the tarball's member names
    keep: tuple[str, ...]  # fnmatch patterns, after stripping

    @property
    def spec(self) -> str:
        return f"{self.name}@{self.version}"


PACKAGES = (
    # tex-chtml.js is the component the pages load; it fetches its fonts and any TeX
    # extension it autoloads (\boldsymbol, \cancel, ...) from next to itself.
    Package(
        "mathjax",
        "3.2.2",
        "sha512-Bt+SSVU8eBG27zChVewOicYs7Xsdt40qm4+UpHyX7k0/O9NliPc+x77k1/FEsPsjKPZGJvtRZM1vO+geW0OhGw==",
        "mathjax",
        "package/es5/",
        ("tex-chtml.js", "output/chtml/fonts/woff-v2/*.woff", "input/tex/extensions/*.js"),
    ),
    Package(
        "mathjax",
        "3.2.2",
        "sha512-Bt+SSVU8eBG27zChVewOicYs7Xsdt40qm4+UpHyX7k0/O9NliPc+x77k1/FEsPsjKPZGJvtRZM1vO+geW0OhGw==",
        "mathjax",
        "package/",
        ("LICENSE",),
    ),
    Package(
        "requirejs",
        "2.3.8",
        "sha512-7/cTSLOdYkNBNJcDMWf+luFvMriVm7eYxp4BcFCsAX0wF421Vyce5SXP17c+Jd5otXKGNehIonFlyQXSowL6Mw==",
        "requirejs",
        "package/",
        ("require.js",),
    ),
    # 1.0.x renders the widget state of ipywidgets 8 (@jupyter-widgets/controls 2.0.0).
    Package(
        "@jupyter-widgets/html-manager",
        "1.0.15",
        "sha512-5thBIV6ymNgmPVOHvzx+gGy8ZSKmSazhtGw4/c4xJDVzRhG9PTeQsRjF3FUTopvFi//SABeNz1yp47bCrJ3CQA==",
        "html-manager",
        "package/dist/",
        # the fonts its CSS asks for (Font Awesome); browsers never fetch the .eot/.svg ones
        ("embed-amd.js", "embed.js.LICENSE.txt", "*.woff2", "*.woff", "*.ttf"),
    ),
)

# The CC BY 4.0 legal code, from the SPDX licence list (never typed from memory).
SPDX = Package(
    "spdx-license-list",
    "6.12.0",
    "sha512-+nUYqm3aZMSHbjsthK+i/HHI2okTElCvqwUd4k8QcSk+FTGgjq+fsdFj2wZOaX6XmR2JdWhf/NeflNnvKOjcnQ==",
    "",
    "package/",
    ("licenses/CC-BY-4.0.json",),
)


class FetchError(RuntimeError):
    """A failure the user can act on; the message says how."""


def sha512_integrity(path: Path) -> str:
    digest = hashlib.sha512(path.read_bytes()).digest()
    return "sha512-" + base64.b64encode(digest).decode("ascii")


def npm_pack(spec: str, dest: Path) -> Path:
    """``npm pack`` one pinned package into ``dest``; return the tarball's path."""
    npm = shutil.which("npm")
    if npm is None:
        raise FetchError(
            "npm was not found on PATH. The book's offline assets come from the npm registry:"
            " install Node.js and npm (Debian: apt-get install -y npm), then run"
            " `make setup` again."
        )
    cmd = [npm, "pack", spec, "--json", "--pack-destination", str(dest)]
    cmd += ["--fetch-retries=1", "--fetch-timeout=60000", "--no-fund", "--no-audit"]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        lines = [line for line in proc.stderr.splitlines() if "Unknown user config" not in line]
        detail = "\n".join(lines[:5])  # npm's first lines say why; the rest is a stack
        raise FetchError(
            f"`npm pack {spec}` failed (exit {proc.returncode}): is the npm registry"
            f" reachable (npm config get registry)?\n{detail.strip()}"
        )
    try:
        filename = json.loads(proc.stdout)[0]["filename"]
    except (ValueError, LookupError) as exc:
        raise FetchError(f"`npm pack {spec}` printed no tarball name:\n{proc.stdout}") from exc
    # npm names scoped packages' tarballs without the "@": @a/b -> a-b-1.0.0.tgz
    tarball = dest / filename.lstrip("@").replace("/", "-")
    if not tarball.is_file():
        raise FetchError(f"`npm pack {spec}` reported {filename}, but {tarball} is missing")
    return tarball


def verified_tarball(pkg: Package, tmp: Path, cache: dict) -> Path:
    """The package's tarball, packed once per run and checked against the pinned sha512."""
    if pkg.spec not in cache:
        tarball = npm_pack(pkg.spec, tmp)
        got = sha512_integrity(tarball)
        if got != pkg.integrity:
            raise FetchError(
                f"integrity mismatch for {pkg.spec}:\n  pinned   {pkg.integrity}\n"
                f"  received {got}\nThe registry served a different tarball than the one"
                " this book was tested with; refusing to use it."
            )
        cache[pkg.spec] = tarball
    return cache[pkg.spec]


def extract(pkg: Package, tarball: Path, dest: Path) -> list[Path]:
    """Write the kept regular files of ``tarball`` under ``dest``; return their paths."""
    written = []
    with tarfile.open(tarball, "r:gz") as tar:
        for member in tar.getmembers():
            if not member.isfile() or not member.name.startswith(pkg.strip):
                continue
            rel = member.name[len(pkg.strip) :]
            if ".." in Path(rel).parts or not any(fnmatch.fnmatch(rel, p) for p in pkg.keep):
                continue
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            with tar.extractfile(member) as src:
                target.write_bytes(src.read())
            written.append(target)
    names = [w.relative_to(dest).as_posix() for w in written]
    missing = [p for p in pkg.keep if not fnmatch.filter(names, p)]
    if missing:
        raise FetchError(f"{pkg.spec}: nothing in the tarball matches {missing}")
    return written


def stamp_text(pkgs: list[Package]) -> str:
    return "".join(f"{p.spec} {p.integrity} {' '.join(p.keep)}\n" for p in pkgs)


def fetch_assets() -> list[str]:
    """Bring ``_assets/vendor/`` up to date; return the folders that were (re)fetched."""
    by_folder: dict[str, list[Package]] = {}
    for pkg in PACKAGES:
        by_folder.setdefault(pkg.folder, []).append(pkg)
    stale = {
        folder: pkgs
        for folder, pkgs in by_folder.items()
        if not (VENDOR / folder / STAMP).is_file()
        or (VENDOR / folder / STAMP).read_text() != stamp_text(pkgs)
    }
    if not stale:
        return []
    cache: dict[str, Path] = {}
    with tempfile.TemporaryDirectory(prefix="mlpbook-npm-") as tmp:
        for folder, pkgs in stale.items():
            tarballs = [verified_tarball(pkg, Path(tmp), cache) for pkg in pkgs]
            # unpack next to the old folder, then swap: a failure leaves no half-filled one
            staging = Path(tmp) / "staging" / folder
            for pkg, tarball in zip(pkgs, tarballs, strict=True):
                extract(pkg, tarball, staging)
            (staging / STAMP).write_text(stamp_text(pkgs))
            dest = VENDOR / folder
            shutil.rmtree(dest, ignore_errors=True)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(staging, dest)
    return sorted(stale)


def license_markdown(text: str) -> str:
    """The legal code as MyST Markdown: the words untouched, indentation dropped.

    The SPDX text indents its lettered and numbered clauses; Markdown would read those
    indents as code blocks, so each line is stripped and each "Section N – ..." line
    becomes a heading. Nothing else changes.
    """
    lines = []
    for raw in text.replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if re.match(r"Section \d+ – ", line):
            line = "## " + line
        lines.append(line)
    body = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    head = (
        "# Licence of the text and figures (CC BY 4.0)\n\n"
        "The text and the figures of *Multilayer Perceptrons from Scratch* are licensed"
        " under the Creative Commons Attribution 4.0 International licence, whose legal code"
        " follows. The code (the `mlpbook` library, the tests, the tooling and the code in"
        " the notebooks) is under the MIT licence: see the file `LICENSE` in the"
        " repository.\n\n"
        f"<!-- Generated by tools/fetch_assets.py --license-text from {SPDX.spec}"
        " (licenses/CC-BY-4.0.json, licenseText). Do not edit by hand. -->\n\n"
    )
    return head + body + "\n"


def write_license_text() -> Path:
    with tempfile.TemporaryDirectory(prefix="mlpbook-npm-") as tmp:
        tarball = verified_tarball(SPDX, Path(tmp), {})
        (path,) = extract(SPDX, tarball, Path(tmp) / "x")
        text = json.loads(path.read_text(encoding="utf-8"))["licenseText"]
    out = ROOT / "LICENSE-TEXT.md"
    out.write_text(license_markdown(text), encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--license-text",
        action="store_true",
        help="rewrite LICENSE-TEXT.md from the SPDX licence list instead",
    )
    args = parser.parse_args(argv)
    try:
        if args.license_text:
            print(f"wrote {write_license_text().relative_to(ROOT)}")
            return 0
        fetched = fetch_assets()
    except FetchError as exc:
        print(f"fetch_assets: {exc}", file=sys.stderr)
        return 1
    if fetched:
        print(f"fetch_assets: {', '.join(fetched)} -> {VENDOR.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
