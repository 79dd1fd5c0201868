"""The addons install with pip, OCA style: each addon folder builds, with whool, a wheel named
``odoo-addon-<addon>`` at its manifest's version, holding the addon's manifest, data files and
static assets under ``odoo/addons/<addon>/`` (what ``make wheels`` builds into ``dist/``)."""

import ast
import email.parser
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
ADDONS = sorted(manifest.parent.name for manifest in REPO.glob("*/__manifest__.py"))


def git_files(addon, folder):
    out = subprocess.run(
        ["git", "ls-files", "--", f"{addon}/{folder}"], cwd=REPO, check=True, capture_output=True, text=True
    ).stdout
    return out.split()


@pytest.fixture(scope="module", params=ADDONS)
def built(request, tmp_path_factory):
    """(addon, manifest, wheel file names, wheel metadata) of a wheel built as ``make wheels`` does."""
    addon = request.param
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [
            *(sys.executable, "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check"),
            *("--no-deps", "--no-build-isolation", "--wheel-dir", str(dist), str(REPO / addon)),
        ],
        check=True,
    )
    (wheel,) = dist.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        (metadata_name,) = (name for name in names if name.endswith(".dist-info/METADATA"))
        metadata = email.parser.HeaderParser().parsestr(archive.read(metadata_name).decode())
    manifest = ast.literal_eval((REPO / addon / "__manifest__.py").read_text())
    return addon, manifest, names, metadata


@pytest.mark.parametrize("addon", ADDONS)
def test_addon_builds_with_whool(addon):
    pyproject = REPO / addon / "pyproject.toml"
    assert pyproject.is_file(), f"{addon}/pyproject.toml is missing: `make lint` (whool init) adds it"
    assert 'build-backend = "whool.buildapi"' in pyproject.read_text()


def test_wheel_name_and_version(built):
    addon, manifest, _names, metadata = built
    assert metadata["Name"] == f"odoo-addon-{addon}"
    # whool adds the number of commits since the manifest's version changed
    assert (metadata["Version"] + ".").startswith(manifest["version"] + ".")
    assert metadata["License"] == manifest["license"]


def test_wheel_holds_the_addon(built):
    addon, manifest, names, _metadata = built
    root = f"odoo/addons/{addon}/"
    expected = {"__manifest__.py", "__init__.py", *manifest.get("data", []), *manifest.get("demo", [])}
    static = git_files(addon, "static")
    if manifest.get("assets"):
        assert static, f"{addon} declares assets but git tracks no static file"
    expected.update(path.removeprefix(f"{addon}/") for path in static)
    missing = sorted(path for path in expected if root + path not in names)
    assert not missing, f"missing from the wheel of {addon}: {missing}"
    assert root + "pyproject.toml" not in names
