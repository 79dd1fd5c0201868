"""Odoo's own test runner (`odoo-bin --test-enable`, `make test-odoo`, OCA's CI) runs only the
test modules that an addon's ``tests/__init__.py`` imports: every ``tests/test_*.py`` must be."""

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# the addons that have tests
ADDONS = sorted(path.parent.name for path in REPO.glob("*/__manifest__.py") if (path.parent / "tests").is_dir())


def imported_modules(init):
    """The modules that ``from . import ...`` statements of ``init`` import."""
    return {
        alias.name
        for node in ast.walk(ast.parse(init.read_text()))
        if isinstance(node, ast.ImportFrom) and node.level == 1 and not node.module
        for alias in node.names
    }


@pytest.mark.parametrize("addon", ADDONS)
def test_every_test_module_is_imported_by_the_tests_package(addon):
    tests = REPO / addon / "tests"
    modules = {path.stem for path in tests.glob("test_*.py")}
    missing = sorted(modules - imported_modules(tests / "__init__.py"))
    assert not missing, f"{addon}/tests/__init__.py does not import {missing}: Odoo's test runner skips them"
