"""Every addon keeps the house layout (oms_core/tests/layout.py): one model or
one inherit per file, named after it, none over 500 lines, no override of the
ORM's internals. Pure: it reads the source files, so new addons are covered
without a test of their own."""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ADDONS = sorted(path.parent for path in (ROOT / "addons").glob("*/__manifest__.py"))


def _layout():
    path = ROOT / "addons" / "oms_core" / "tests" / "layout.py"
    spec = importlib.util.spec_from_file_location("oms_layout", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("addon", ADDONS, ids=[path.name for path in ADDONS])
def test_every_addon_keeps_the_house_layout(addon):
    assert _layout().layout_problems(addon) == []
