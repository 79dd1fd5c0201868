"""The README files say what the manifests say: the root README's table of the addons (their
dependencies and whether they install by themselves) and its dependency diagram, and each addon's
changelog (readme/HISTORY.md, OCA's readme fragment, shown in the addon's README.md), which has an
entry for the manifest's version and for every migration."""

import ast
import re
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
ADDONS = sorted(manifest.parent.name for manifest in REPO.glob("*/__manifest__.py"))
README = (REPO / "README.md").read_text()


def manifest(addon):
    return ast.literal_eval((REPO / addon / "__manifest__.py").read_text())


def names(text):
    return set(re.findall(r"`([\w.]+)`", text))


def table_rows():
    """The rows of the root README's table of the addons: {addon: cells}."""
    rows = {}
    for line in README.split("\n## Architecture\n", 1)[1].split("\n## ", 1)[0].splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if line.startswith("| `") and cells[0].strip("`") in ADDONS:
            rows[cells[0].strip("`")] = cells
    return rows


@pytest.mark.parametrize("addon", ADDONS)
def test_the_table_of_the_addons_matches_the_manifest(addon):
    row = table_rows().get(addon)
    assert row, f"README.md's Architecture table has no row for {addon}"
    _name, _holds, depends, installed = row
    assert names(depends) == set(manifest(addon)["depends"]), f"{addon}: the README's dependencies are {depends}"
    if manifest(addon).get("auto_install"):
        assert "`auto_install`" in installed, f"{addon} installs by itself (auto_install): the README says {installed}"
    else:
        assert installed == "by hand", f"{addon} is not auto_install: the README says {installed}"


@pytest.mark.parametrize("addon", ADDONS)
def test_the_dependency_diagram_matches_the_manifest(addon):
    arrows = re.findall(rf"^{addon} +──► (.+)$", README, re.MULTILINE)
    assert len(arrows) == 1, f"README.md's diagram has {len(arrows)} lines for {addon}, not 1"
    assert set(re.split(r"[ ,+]+", arrows[0].strip())) == set(manifest(addon)["depends"])


def history_versions(addon):
    return re.findall(r"^## (\S+) \(\d{4}-\d\d-\d\d\)$", (REPO / addon / "readme" / "HISTORY.md").read_text(), re.M)


@pytest.mark.parametrize("addon", ADDONS)
def test_the_history_has_the_manifest_version_and_every_migration(addon):
    versions = history_versions(addon)
    assert versions, f"{addon}/readme/HISTORY.md has no version"
    assert versions[0] == manifest(addon)["version"], (
        f"{addon}: the newest entry of readme/HISTORY.md is not the manifest's version"
    )
    migrations = {path.name for path in (REPO / addon / "migrations").glob("*") if path.is_dir()}
    assert not migrations - set(versions), f"{addon}: migrations without an entry in readme/HISTORY.md"


@pytest.mark.parametrize("addon", ADDONS)
def test_the_readme_shows_the_history(addon):
    history = (REPO / addon / "readme" / "HISTORY.md").read_text()
    readme = (REPO / addon / "README.md").read_text()
    assert "\n## Changelog\n" in readme, f"{addon}/README.md has no Changelog section"
    shown = readme.split("\n## Changelog\n", 1)[1].split("\n## ", 1)[0]
    assert shown.strip() == re.sub(r"^## ", "### ", history, flags=re.M).strip(), (
        f"{addon}/README.md's Changelog differs from readme/HISTORY.md (its headings one level down)"
    )


def map_rows():
    """The rows of the root README's map of the repository: {folder cell: what it holds}."""
    section = README.split("\n## Map of the repository\n", 1)[1].split("\n## ", 1)[0]
    table = section.split("\n| folder |", 1)[1].split("\n\n", 1)[0]
    return dict(line.strip("|").split("|", 1) for line in table.splitlines()[2:])


def test_the_map_of_the_repository_names_every_folder_and_its_files():
    tracked = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    folders = {path.split("/", 1)[0] for path in tracked.splitlines() if "/" in path}
    rows = map_rows()
    named = {name.rstrip("/") for cell in rows for name in re.findall(r"`([\w.-]+)/`", cell)}
    assert named == folders, f"README.md's map of the repository names {sorted(named)}, git has {sorted(folders)}"
    for cell, holds in rows.items():
        for folder in re.findall(r"`([\w.-]+)/`", cell):
            for name in re.findall(r"`([\w.-]+\.(?:py|sh))`", holds):
                assert list((REPO / folder).rglob(name)), f"README.md's map: {folder}/ holds no {name}"


@pytest.mark.parametrize("addon", ADDONS)
def test_the_external_python_dependencies_are_installed_by_the_setup(addon):
    """What an addon's manifest needs from Python is in requirements.txt, which the setup installs,
    and in the README's table of requirements."""
    wanted = manifest(addon).get("external_dependencies", {}).get("python", [])
    required = {
        re.split(r"[<>=!~ ;\[]", line.strip(), maxsplit=1)[0].lower()
        for line in (REPO / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    requirements = README.split("\n## Requirements\n", 1)[1].split("\n## ", 1)[0]
    for name in wanted:
        assert name.lower() in required, f"{addon} needs {name}: requirements.txt does not install it"
        assert f"\n| {name} |" in requirements, f"{addon} needs {name}: README.md's Requirements table lacks it"
