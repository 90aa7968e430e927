"""Refreshes data/advisories/snapshot.json, the advisory database `make audit` reads offline: the PyPA
advisory database (PyPI) and GitHub's advisory database (npm), both in OSV form, cut down to the packages
Udsyn installs (the virtualenv's `pip freeze` and pyproject.toml; frontend/ and tests/idp/oidc/ lock files).

    .venv/bin/python scripts/refresh-advisories.py            # clones both from GitHub (shallow, sparse)
    .venv/bin/python scripts/refresh-advisories.py --pypa DIR --github DIR   # local clones or git dirs

When GitHub cannot be reached it says so, leaves the snapshot as it is and exits with status 2. GitHub's
database is large (gigabytes of history; about 25,000 reviewed advisories): the clone is shallow and
blobless and reads only advisories/github-reviewed. Where it cannot be had, ``--nodejs-wg DIR`` (a clone of
nodejs/security-wg, whose npm advisories stop in January 2023) stands in for npm, and the snapshot says so.
"""

from __future__ import annotations

import argparse
import datetime
import json
import re
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT = ROOT / "data" / "advisories" / "snapshot.json"
LOCKS = [ROOT / "frontend" / "package-lock.json", ROOT / "tests" / "idp" / "oidc" / "package-lock.json"]
PYPA_URL = "https://github.com/pypa/advisory-database"
GITHUB_URL = "https://github.com/github/advisory-database"
NODEJS_WG_URL = "https://github.com/nodejs/security-wg"


class Unreachable(Exception):
    pass


def python_names(python: str) -> set[str]:
    """The packages the virtualenv holds and those pyproject.toml asks for, canonical names."""
    names = set()
    frozen = subprocess.run([python, "-m", "pip", "list", "--format=json"], capture_output=True, text=True,
                            check=True).stdout
    names |= {canonicalize_name(row["name"]) for row in json.loads(frozen)}
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        requirements += extra
    names |= {canonicalize_name(Requirement(r).name) for r in requirements}
    names.discard("udsyn")
    return names


def npm_names() -> set[str]:
    names = set()
    for lock in LOCKS:
        for path in json.loads(lock.read_text(encoding="utf-8")).get("packages", {}):
            if path:
                names.add(path.rsplit("node_modules/", 1)[-1])
    return names


def git(git_dir: Path, *args: str, **kwargs: Any) -> str:
    result = subprocess.run(["git", f"--git-dir={git_dir}", *args], capture_output=True, text=True, check=True,
                            **kwargs)
    return result.stdout


def git_dir_of(path: Path) -> Path:
    """A clone's .git, or a bare git directory as it is."""
    return path / ".git" if (path / ".git").exists() else path


def clone(url: str, target: Path, paths: list[str]) -> Path:
    """A shallow, blobless clone of ``url`` that has fetched only ``paths``; Unreachable when GitHub is not."""
    try:
        subprocess.run(["git", "clone", "--quiet", "--depth", "1", "--filter=blob:none", "--no-checkout", url,
                        str(target)], check=True, capture_output=True, text=True, timeout=600)
        subprocess.run(["git", "-C", str(target), "sparse-checkout", "set", "--no-cone", *paths], check=True,
                       capture_output=True, text=True, timeout=60)
        subprocess.run(["git", "-C", str(target), "checkout", "--quiet"], check=True, capture_output=True, text=True,
                       timeout=3600)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
        detail = getattr(error, "stderr", "") or str(error)
        raise Unreachable(f"could not clone {url}: {detail.strip().splitlines()[-1] if detail.strip() else error}") \
            from error
    return target / ".git"


def head(git_dir: Path) -> dict[str, str]:
    commit, date = git(git_dir, "log", "-1", "--format=%H %cI", "HEAD").split()
    return {"commit": commit, "date": date}


def blobs(git_dir: Path, paths: list[str]) -> Iterator[tuple[str, str]]:
    """The text of each path at HEAD, read in one `git cat-file --batch`."""
    if not paths:
        return
    request = "".join(f"HEAD:{p}\n" for p in paths)
    out = subprocess.run(["git", f"--git-dir={git_dir}", "cat-file", "--batch"], input=request.encode(),
                         capture_output=True, check=True).stdout
    position = 0
    for path in paths:
        header_end = out.index(b"\n", position)
        header = out[position:header_end].split()
        if header[-1] == b"missing":
            position = header_end + 1
            continue
        size = int(header[2])
        yield path, out[header_end + 1:header_end + 1 + size].decode("utf-8")
        position = header_end + 1 + size + 1


def trim(advisory: dict[str, Any], ecosystem: str, names: set[str]) -> dict[str, Any]:
    """Only what matching and the report need: the affected entries of our packages, a short text."""
    def ours(entry: dict[str, Any]) -> bool:
        package = entry.get("package", {})
        name = package.get("name", "")
        return package.get("ecosystem") == ecosystem and (
            canonicalize_name(name) if ecosystem == "PyPI" else name) in names

    kept = {k: advisory[k] for k in ("id", "aliases", "summary", "published", "modified", "withdrawn")
            if advisory.get(k)}
    if not kept.get("summary"):
        kept["summary"] = (advisory.get("details") or "").strip().split("\n")[0][:200]
    kept["affected"] = [{k: v for k, v in e.items() if k in ("package", "ranges", "versions", "database_specific")}
                        for e in advisory.get("affected", []) if ours(e)]
    for entry in kept["affected"]:
        if ecosystem == "PyPI":
            entry.pop("database_specific", None)
        entry["ranges"] = [r for r in entry.get("ranges", []) if r.get("type") in ("ECOSYSTEM", "SEMVER")]
        if not entry["ranges"]:
            del entry["ranges"]
    kept["references"] = [r["url"] for r in advisory.get("references", []) if r.get("type") == "ADVISORY"][:2]
    return kept


def from_pypa(git_dir: Path, names: set[str]) -> list[dict[str, Any]]:
    folders = {canonicalize_name(Path(p).name): p for p in git(git_dir, "ls-tree", "--name-only", "HEAD",
                                                               "vulns/").split()}
    paths = []
    for name in sorted(names & set(folders)):
        paths += git(git_dir, "ls-tree", "-r", "--name-only", "HEAD", folders[name] + "/").split()
    return [trim(yaml.safe_load(text), "PyPI", names) for _path, text in blobs(git_dir, paths)]


def from_github(git_dir: Path, names: set[str]) -> list[dict[str, Any]]:
    paths = [p for p in git(git_dir, "ls-tree", "-r", "--name-only", "HEAD", "advisories/github-reviewed/").split()
             if p.endswith(".json")]
    found = []
    for _path, text in blobs(git_dir, paths):
        if '"npm"' not in text:
            continue
        advisory = json.loads(text)
        if any(e.get("package", {}).get("ecosystem") == "npm" and e["package"].get("name") in names
               for e in advisory.get("affected", [])):
            found.append(trim(advisory, "npm", names))
    return found


def from_nodejs_wg(git_dir: Path, names: set[str]) -> list[dict[str, Any]]:
    """The Node.js security working group's npm advisories (their own format) as OSV records."""
    paths = [p for p in git(git_dir, "ls-tree", "-r", "--name-only", "HEAD", "vuln/npm/").split()
             if re.search(r"/\d+\.json$", p)]
    found = []
    for _path, text in blobs(git_dir, paths):
        item = json.loads(text)
        if item.get("module_name") not in names:
            continue
        found.append({
            "id": "NSWG-ECO-{}".format(item["id"]), "aliases": item.get("cves", []),
            "summary": item.get("title", ""), "published": item.get("publish_date"),
            "modified": item.get("updated_at"),
            "affected": [{"package": {"ecosystem": "npm", "name": item["module_name"]},
                          "database_specific": {"vulnerable_versions": item.get("vulnerable_versions") or "*",
                                                "patched_versions": item.get("patched_versions") or ""}}],
            "references": item.get("references", [])[:2],
        })
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", default=str(ROOT / ".venv" / "bin" / "python"),
                        help="the virtualenv whose packages are audited")
    parser.add_argument("--pypa", type=Path, help="a clone (or git dir) of pypa/advisory-database")
    parser.add_argument("--github", type=Path, help="a clone (or git dir) of github/advisory-database")
    parser.add_argument("--nodejs-wg", type=Path, help="a clone of nodejs/security-wg, for npm when --github "
                                                      "cannot be had")
    parser.add_argument("-o", "--output", type=Path, default=SNAPSHOT)
    args = parser.parse_args()
    python, npm = python_names(args.python), npm_names()
    sources: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        try:
            pypa = git_dir_of(args.pypa) if args.pypa else clone(PYPA_URL, Path(tmp) / "pypa", ["vulns/"])
            if args.github:
                github, npm_source = git_dir_of(args.github), "github"
            elif args.nodejs_wg:
                github, npm_source = git_dir_of(args.nodejs_wg), "nodejs-wg"
            else:
                github, npm_source = clone(GITHUB_URL, Path(tmp) / "github",
                                           ["advisories/github-reviewed/"]), "github"
        except Unreachable as error:
            print(f"refresh-advisories: GitHub cannot be reached from here ({error}).", file=sys.stderr)
            print(f"The snapshot {args.output.relative_to(ROOT)} is left as it is.", file=sys.stderr)
            return 2
        pypi_advisories = from_pypa(pypa, python)
        sources["PyPI"] = {"database": "PyPA advisory database", "repository": PYPA_URL, **head(pypa)}
        if npm_source == "github":
            npm_advisories = from_github(github, npm)
            sources["npm"] = {"database": "GitHub advisory database (reviewed)", "repository": GITHUB_URL,
                              **head(github)}
        else:
            npm_advisories = from_nodejs_wg(github, npm)
            newest = git(github, "log", "-1", "--format=%H %cI", "HEAD", "--", "vuln/npm").split()
            sources["npm"] = {"database": "Node.js security working group (npm advisories, a stand-in for "
                                          "GitHub's database)", "repository": NODEJS_WG_URL,
                              "commit": newest[0], "date": newest[1]}
    snapshot = {
        "made": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "sources": sources,
        "packages": {"PyPI": sorted(python), "npm": sorted(npm)},
        "advisories": {"PyPI": sorted(pypi_advisories, key=lambda a: a["id"]),
                       "npm": sorted(npm_advisories, key=lambda a: a["id"])},
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(snapshot, indent=1, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    print("Wrote {}: {} PyPI advisories ({} of {}), {} npm advisories ({} of {}).".format(
        args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output,
        len(pypi_advisories), sources["PyPI"]["commit"][:10], sources["PyPI"]["date"][:10],
        len(npm_advisories), sources["npm"]["commit"][:10], sources["npm"]["date"][:10]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
