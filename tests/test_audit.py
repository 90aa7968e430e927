"""`make audit` offline: the advisory matcher finds a known-vulnerable version and passes a fixed one (OSV
ranges for PyPI with `packaging`, SEMVER ranges and node-semver range strings for npm), and the audit reads
the snapshot kept in the repository and says which source it used and how old it is."""

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "data" / "advisories.json"


def _module(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


advisories = _module("advisories")


@pytest.fixture(scope="module")
def fixture() -> dict:
    return advisories.load_snapshot(FIXTURE)


@pytest.mark.parametrize(("version", "vulnerable"), [
    ("4.2.25", True), ("4.2.26", False), ("5.1.4", False), ("5.2", True), ("5.2.7", True), ("5.2.8", False),
    ("6.0", False),
])
def test_a_pypi_version_in_an_affected_range_is_found_and_a_fixed_one_is_not(
        fixture: dict, version: str, vulnerable: bool) -> None:
    found = advisories.findings(fixture["advisories"]["PyPI"], "PyPI", {"django": version})
    assert [f.advisory for f in found] == (["PYSEC-TEST-1"] if vulnerable else [])
    if vulnerable:
        assert found[0].ids == {"PYSEC-TEST-1", "CVE-2099-0001"} and set(found[0].fixed) == {"4.2.26", "5.2.8"}


def test_named_versions_last_affected_and_withdrawn_advisories(fixture: dict) -> None:
    pypi = fixture["advisories"]["PyPI"]
    for version, vulnerable in (("0.8.11", True), ("0.8.12", False), ("1.0", True), ("1.1.2", True),
                                ("1.1.3", False)):
        assert bool(advisories.findings(pypi, "PyPI", {"python-docx": version})) is vulnerable, version
    assert advisories.findings(pypi, "PyPI", {"lxml": "5.0"}) == []
    assert advisories.findings(pypi, "PyPI", {"not-in-any-advisory": "1.0"}) == []


@pytest.mark.parametrize(("name", "version", "vulnerable"), [
    ("path-to-regexp", "0.1.7", True), ("path-to-regexp", "0.1.12", False), ("path-to-regexp", "6.2.2", True),
    ("path-to-regexp", "6.3.0", False), ("path-to-regexp", "8.2.0", False), ("path-to-regexp", "6.3.0-rc.1", True),
    ("koa", "1.6.4", True), ("koa", "1.6.5", False), ("koa", "1.7.1", True), ("koa", "1.7.2", False),
    ("koa", "3.0.1", False),
])
def test_an_npm_version_in_an_affected_range_is_found_and_a_fixed_one_is_not(
        fixture: dict, name: str, version: str, vulnerable: bool) -> None:
    assert bool(advisories.findings(fixture["advisories"]["npm"], "npm", {name: version})) is vulnerable


@pytest.mark.parametrize(("version", "spec", "expected"), [
    ("1.2.3", "*", True), ("1.2.3", "<= 1.2.3", True), ("1.2.4", "<=1.2.3", False),
    ("1.2.9", "1.2.x", True), ("1.3.0", "1.2.x", False), ("2.0.1", "2.0.x || 2.1.x", True),
    ("0.2.9", "^0.2.3", True), ("0.3.0", "^0.2.3", False), ("1.9.0", "^1.2.3", True), ("2.0.0", "^1.2.3", False),
    ("1.2.9", "~1.2.3", True), ("1.3.0", "~1.2.3", False), ("1.5.0", "1.2.3 - 1.5.0", True),
    ("1.5.1", "1.2.3 - 1.5.0", False), ("2.1.0-M1", "2.1.0-M1 || 2.1.0-M2", True), ("2.1.0", "2.1.0-M1", False),
    ("2.1.6", "<1.6.5 || < 2.1.7 > 2.0.0", True), ("2.0.0", "<1.6.5 || < 2.1.7 > 2.0.0", False),
])
def test_node_semver_ranges(version: str, spec: str, expected: bool) -> None:
    assert advisories.satisfies(version, spec) is expected


def test_semantic_versions_order_as_semver_says() -> None:
    order = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11",
             "1.0.0-rc.1", "1.0.0", "1.0.1", "1.10.0", "2.0.0"]
    parsed = [advisories.SemVer.parse(v) for v in order]
    assert parsed == sorted(parsed)


def test_the_audit_reads_the_repository_snapshot_offline_and_says_which_source_and_how_old() -> None:
    snapshot = advisories.load_snapshot(ROOT / "data" / "advisories" / "snapshot.json")
    assert set(snapshot["sources"]) == {"PyPI", "npm"} and all(s["date"] for s in snapshot["sources"].values())
    assert "django" in snapshot["packages"]["PyPI"] and "oidc-provider" in snapshot["packages"]["npm"]
    run = subprocess.run([sys.executable, str(ROOT / "scripts" / "audit.py"), "--offline"], capture_output=True,
                         text=True, timeout=120)
    assert run.returncode in (0, 1), run.stderr
    assert "PyPA advisory database" in run.stdout and "days old" in run.stdout
    assert "npm (tests/idp/oidc)" in run.stdout and "npm (frontend)" in run.stdout


def test_the_refresh_script_reads_both_databases_from_git_and_keeps_only_our_packages(tmp_path: Path) -> None:
    """scripts/refresh-advisories.py on two tiny repositories laid out as pypa/advisory-database (YAML per
    package) and github/advisory-database (OSV JSON per advisory, all ecosystems mixed)."""
    refresh = _module("refresh-advisories")
    pypa, github = tmp_path / "pypa", tmp_path / "github"
    files = {
        pypa / "vulns" / "django" / "PYSEC-TEST-1.yaml": (
            "id: PYSEC-TEST-1\ndetails: A test advisory\naffected:\n- package: {name: django, ecosystem: PyPI}\n"
            "  ranges:\n  - type: GIT\n    repo: https://example.org\n    events: [{introduced: '0'}, {fixed: abc}]\n"
            "  - type: ECOSYSTEM\n    events: [{introduced: '0'}, {fixed: '5.2.8'}]\n"),
        pypa / "vulns" / "not-ours" / "PYSEC-TEST-2.yaml": "id: PYSEC-TEST-2\naffected: []\n",
        github / "advisories" / "github-reviewed" / "2026" / "01" / "GHSA-aaaa" / "GHSA-aaaa.json": (
            '{"id": "GHSA-aaaa", "summary": "koa", "affected": [{"package": {"ecosystem": "npm", "name": "koa"},'
            ' "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.16.1"}]}]}]}'),
        github / "advisories" / "github-reviewed" / "2026" / "01" / "GHSA-bbbb" / "GHSA-bbbb.json": (
            '{"id": "GHSA-bbbb", "summary": "not npm", "affected": [{"package": {"ecosystem": "PyPI", "name": '
            '"koa"}}]}'),
    }
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for repo in (pypa, github):
        for command in (["init", "-q"], ["add", "."], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm",
                                                       "advisories"]):
            subprocess.run(["git", "-C", str(repo), *command], check=True)
    pypi = refresh.from_pypa(refresh.git_dir_of(pypa), {"django", "lxml"})
    assert [a["id"] for a in pypi] == ["PYSEC-TEST-1"]
    assert [r["type"] for r in pypi[0]["affected"][0]["ranges"]] == ["ECOSYSTEM"]
    npm = refresh.from_github(refresh.git_dir_of(github), {"koa", "jose"})
    assert [a["id"] for a in npm] == ["GHSA-aaaa"]
    assert advisories.findings(npm, "npm", {"koa": "2.16.0"}) and not advisories.findings(npm, "npm", {"koa": "2.16.1"})
    assert advisories.findings(pypi, "PyPI", {"Django": "5.2.7"})
