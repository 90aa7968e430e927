"""`make audit`: are any of the Python packages in the virtualenv, or the npm packages in frontend/ and
tests/idp/oidc/ lock files, named by a known advisory?

It asks the advisory services first (pip-audit, against PyPI's vulnerability data; npm audit, against the npm
registry's), each with a short timeout, and uses one only when it really answered: pip-audit that could
look up no package, or npm audit refused by the registry, counts as unreachable. Otherwise it reads the
snapshot kept in the repository (data/advisories/snapshot.json, refreshed by scripts/refresh-advisories.py).
It prints which source it used and how old it is. Findings listed in docs/operations.md (between the
audit-accepted markers, with their reason) are reported but do not fail; any other finding exits 1.

    .venv/bin/python scripts/audit.py [--offline] [--timeout 15]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from advisories import NPM, PYPI, Finding, findings, load_snapshot  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT = ROOT / "data" / "advisories" / "snapshot.json"
LOCK_DIRS = [ROOT / "frontend", ROOT / "tests" / "idp" / "oidc"]
OPERATIONS = ROOT / "docs" / "operations.md"


def installed_python(python: str) -> dict[str, str]:
    rows = json.loads(subprocess.run([python, "-m", "pip", "list", "--format=json", "--exclude-editable"],
                                     capture_output=True, text=True, check=True).stdout)
    return {row["name"]: row["version"] for row in rows}


def installed_npm() -> dict[str, dict[str, str]]:
    """Per lock file directory: package name to version (a name at two versions is kept at both)."""
    result: dict[str, dict[str, str]] = {}
    for folder in LOCK_DIRS:
        packages = json.loads((folder / "package-lock.json").read_text(encoding="utf-8")).get("packages", {})
        found = result.setdefault(str(folder.relative_to(ROOT)), {})
        for path, info in packages.items():
            if path and "version" in info:
                name = path.rsplit("node_modules/", 1)[-1]
                found[name if name not in found or found[name] == info["version"] else f"{name}@{path}"] = \
                    info["version"]
    return result


def accepted() -> dict[str, str]:
    """Advisory ids accepted in docs/operations.md, with the reason given there."""
    text = OPERATIONS.read_text(encoding="utf-8")
    if "<!-- audit-accepted -->" not in text:
        return {}
    block = text.split("<!-- audit-accepted -->", 1)[1].split("<!-- /audit-accepted -->", 1)[0]
    reasons = {}
    for line in block.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and re.match(r"^[A-Z]+-[\w-]+$", cells[0]):
            reasons[cells[0]] = cells[-1]
    return reasons


# -- The services ----------------------------------------------------------------------------------------------

def pip_audit(installed: dict[str, str], timeout: int) -> list[Finding] | str:
    """pip-audit's findings, or why it could not be used."""
    tool = shutil.which("pip-audit", path=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))
    if tool is None:
        return "pip-audit is not installed (pip install -e '.[audit]')"
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as requirements:
        requirements.write("".join(f"{name}=={version}\n" for name, version in sorted(installed.items())))
        requirements.flush()
        try:
            run = subprocess.run([tool, "-r", requirements.name, "--no-deps", "--disable-pip", "--format", "json",
                                  "--progress-spinner", "off", "--timeout", str(timeout)],
                                 capture_output=True, text=True, timeout=timeout * 6)
        except subprocess.TimeoutExpired:
            return "pip-audit did not answer in time"
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError:
        last = (run.stderr.strip().splitlines() or ["no output"])[-1]
        return f"pip-audit could not reach its service ({last[:160]})"
    dependencies = report.get("dependencies", [])
    skipped = [d for d in dependencies if d.get("skip_reason")]
    if dependencies and len(skipped) == len(dependencies):
        return "pip-audit could look up no package ({})".format(skipped[0]["skip_reason"][:120])
    found = []
    for dependency in dependencies:
        for vuln in dependency.get("vulns", []):
            found.append(Finding(PYPI, dependency["name"], dependency["version"], vuln["id"],
                                 tuple(vuln.get("aliases", [])), (vuln.get("description") or "")[:160],
                                 tuple(vuln.get("fix_versions", []))))
    return found


def npm_audit(folder: Path, timeout: int) -> list[Finding] | str:
    if shutil.which("npm") is None:
        return "npm is not installed"
    try:
        run = subprocess.run(["npm", "audit", "--json", "--package-lock-only", f"--fetch-timeout={timeout * 1000}",
                              "--fetch-retries=0"], cwd=folder, capture_output=True, text=True, timeout=timeout * 3)
    except subprocess.TimeoutExpired:
        return "npm audit did not answer in time"
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError:
        return "npm audit gave no report"
    if "error" in report or "vulnerabilities" not in report:
        message = report.get("error", {}).get("summary") or report.get("message") or "no report"
        return f"npm audit could not reach its service ({str(message).splitlines()[0][:160]})"
    found = []
    for name, item in report["vulnerabilities"].items():
        for via in item.get("via", []):
            if isinstance(via, dict):
                ident = str(via.get("url", "")).rsplit("/", 1)[-1] or str(via.get("source"))
                found.append(Finding(NPM, name, str(item.get("range", "")), ident, (), via.get("title", ""),
                                     ()))
    return found


# -- Report ------------------------------------------------------------------------------------------------------

def _age(date: str) -> str:
    when = datetime.datetime.fromisoformat(date)
    days = (datetime.datetime.now(datetime.UTC) - when.astimezone(datetime.UTC)).days
    return f"{days} days old" if days != 1 else "1 day old"


def describe_snapshot(snapshot: dict[str, Any], ecosystem: str) -> str:
    source = snapshot["sources"][ecosystem]
    return "the snapshot in {} ({} at {}, of {}: {}; cut on {})".format(
        SNAPSHOT.relative_to(ROOT), source["database"], source["commit"][:10], source["date"][:10],
        _age(source["date"]), snapshot["made"][:10])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", default=sys.executable, help="the virtualenv's python")
    parser.add_argument("--offline", action="store_true", help="do not ask the services; read the snapshot only")
    parser.add_argument("--timeout", type=int, default=15, help="seconds each service may take")
    parser.add_argument("--snapshot", type=Path, default=SNAPSHOT)
    args = parser.parse_args()
    snapshot = load_snapshot(args.snapshot)
    python = installed_python(args.python)
    npm = installed_npm()
    report: list[Finding] = []

    result: list[Finding] | str = "--offline" if args.offline else pip_audit(python, args.timeout)
    if isinstance(result, list):
        print(f"Python: {len(python)} packages checked by pip-audit (PyPI's vulnerability service, live).")
        report += result
    else:
        print(f"Python: {len(python)} packages checked against {describe_snapshot(snapshot, PYPI)}.")
        if not args.offline:
            print(f"        (the live service was not used: {result})")
        report += findings(snapshot["advisories"][PYPI], PYPI, python)
    for folder, packages in npm.items():
        live = "--offline" if args.offline else npm_audit(ROOT / folder, args.timeout)
        if isinstance(live, list):
            print(f"npm ({folder}): {len(packages)} packages checked by npm audit (the registry's service, live).")
            report += live
        else:
            print(f"npm ({folder}): {len(packages)} packages checked against {describe_snapshot(snapshot, NPM)}.")
            if not args.offline:
                print(f"        (the live service was not used: {live})")
            plain = {name.split("@node_modules/")[0]: version for name, version in packages.items()}
            report += findings(snapshot["advisories"][NPM], NPM, plain)

    known = accepted()
    failing = 0
    for finding in sorted(set(report), key=lambda f: (f.ecosystem, f.name, f.advisory)):
        reason = next((known[i] for i in sorted(finding.ids) if i in known), None)
        fixed = " (fixed in {})".format(", ".join(finding.fixed)) if finding.fixed else ""
        line = f"{finding.ecosystem} {finding.name} {finding.version}: {finding.advisory} {finding.summary}{fixed}"
        if reason is None:
            failing += 1
            print("  FOUND     " + line)
        else:
            print(f"  accepted  {line}\n            reason (docs/operations.md): {reason}")
    print(f"{failing} finding(s) not accepted." if failing else "No known advisory names a package in use, "
          "apart from those accepted in docs/operations.md.")
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
