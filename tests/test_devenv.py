"""The setup script (scripts/devenv.sh) leaves the environment of the commands it runs unchanged:
what it needs only for a build (pip's constraints) is given to the build's own commands."""

import os
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# A stand-in for the interpreter: `-m venv DIR` makes a virtual environment whose pip only records
# the environment it was called with; anything else is the real interpreter's.
FAKE_PYTHON = """#!/usr/bin/env bash
if [ "$1" = -m ] && [ "$2" = venv ]; then
    mkdir -p "$3/bin"
    ln -s "$(command -v python3)" "$3/bin/python"
    printf '#!/usr/bin/env bash\\nenv -0 >"%s/pip-env-$$"\\n' "$3" >"$3/bin/pip"
    chmod +x "$3/bin/pip"
    exit 0
fi
exec python3 "$@"
"""

# Sources the script, builds the environment (no system packages), then runs `env` as any later
# command (pytest, pip wheel) would.
BUILD_THEN_RUN = """
source scripts/devenv.sh
ensure_debs() { :; }
env -0 >"$1/before"
ensure_venv
env -0 >"$1/after"
"""


def environ(path):
    return dict(item.split("=", 1) for item in path.read_text().split("\0") if item)


def test_a_command_run_after_the_environment_build_sees_nothing_the_build_exported(tmp_path):
    python = tmp_path / "python"
    python.write_text(FAKE_PYTHON)
    python.chmod(0o755)
    odoo_src = tmp_path / "odoo"
    odoo_src.mkdir()
    (odoo_src / "requirements.txt").write_text("")
    venv = tmp_path / "venv"
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    env |= {"PYTHON": str(python), "ODOO_SRC": str(odoo_src), "VENV_DIR": str(venv)}
    subprocess.run(["bash", "-c", BUILD_THEN_RUN, "build", str(tmp_path)], cwd=REPO, env=env, check=True)

    assert (venv / ".deal_pipeline-requirements").is_file(), "the environment was not built"
    before, after = environ(tmp_path / "before"), environ(tmp_path / "after")
    assert {name: value for name, value in after.items() if before.get(name) != value} == {}
    # the constraints reached every pip call of the build, and only those
    constraints = str(REPO / "scripts" / "pip-constraints.txt")
    pip_calls = [environ(path) for path in venv.glob("pip-env-*")]
    assert len(pip_calls) == 2
    for pip_env in pip_calls:
        assert pip_env.get("PIP_CONSTRAINT") == constraints
        assert pip_env.get("PIP_BUILD_CONSTRAINT") == constraints
