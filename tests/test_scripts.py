"""The set-up scripts: Odoo's pins, and the clear errors a newcomer may meet."""

import ast
import importlib.util
import os
import re
import socket
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts"


def _load_odoo_requirements():
    spec = importlib.util.spec_from_file_location(
        "odoo_requirements", SCRIPTS / "odoo_requirements.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run(script, *args, env=None, timeout=60):
    """Run a project script; returns (exit code, stdout + stderr)."""
    result = subprocess.run(
        [str(SCRIPTS / script), *args],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return result.returncode, result.stdout + result.stderr


def test_odoo_pins_are_the_python_312_ones(tmp_path):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(
        "# comment\n"
        "Babel==2.9.1 ; python_version < '3.11'  # old\n"
        "Babel==2.10.3 ; python_version >= '3.11' and python_version < '3.13'\n"
        "lxml==4.9.3 ; python_version > '3.10' and python_version < '3.12'\n"
        "lxml==5.2.1; python_version >= '3.12'\n"
        "lxml-html-clean; python_version >= '3.12'\n"
        "pypiwin32 ; sys_platform == 'win32'\n"
        "python-ldap==3.4.4 ; sys_platform != 'win32' and python_version >= '3.12'\n"
        "pytz  # no pin\n"
    )
    pins = list(_load_odoo_requirements().odoo_pins(requirements))
    assert pins == ["Babel==2.10.3", "lxml==5.2.1", "lxml-html-clean", "pytz"]


def test_missing_odoo_source_that_cannot_be_cloned_says_what_to_provide(tmp_path):
    missing = tmp_path / "odoo"
    code, output = _run(
        "setup.sh",
        "odoo",
        env={"ODOO_SRC": str(missing), "OMS_ODOO_GIT_URL": str(tmp_path / "no-such-repo")},
    )
    assert code != 0
    assert "Odoo 18.0 source is missing and could not be cloned" in output
    assert "ODOO_SRC=/path/to/odoo" in output
    assert "Traceback" not in output
    assert not missing.exists(), "a failed clone must not leave a half folder behind"


def test_odoo_source_of_another_version_is_refused(tmp_path):
    (tmp_path / "odoo").mkdir()
    (tmp_path / "addons").mkdir()
    (tmp_path / "odoo-bin").write_text("")
    (tmp_path / "odoo" / "release.py").write_text("version_info = (17, 0, 0, 'final', 0, '')\n")
    code, output = _run("setup.sh", "odoo", env={"ODOO_SRC": str(tmp_path)})
    assert code != 0
    assert "is not an Odoo 18.0 source tree (found: 17.0)" in output


def test_a_folder_that_is_not_odoo_is_refused(tmp_path):
    code, output = _run("setup.sh", "odoo", env={"ODOO_SRC": str(tmp_path)})
    assert code != 0
    assert "is not an Odoo 18.0 source tree (found: no odoo-bin" in output


def test_make_run_on_a_busy_port_names_the_fix():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, output = _run("run.sh", env={"OMS_HTTP_PORT": str(port)}, timeout=30)
    assert code != 0
    assert f"Port {port} is in use" in output
    assert "OMS_HTTP_PORT=8070 make run" in output
    assert "Traceback" not in output


def test_make_serve_on_a_busy_job_port_names_the_fix():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, output = _run("serve.sh", env={"OMS_JOB_PORT": str(port)}, timeout=30)
    assert code != 0
    assert f"Port {port} is in use" in output
    assert "OMS_JOB_PORT" in output and "make serve" in output
    assert "Traceback" not in output


@pytest.mark.skipif(
    not (ROOT / ".local" / "postgres").exists(), reason="the project's cluster is not set up"
)
def test_postgres_asked_on_another_port_while_running_says_so():
    running = os.environ.get("OMS_PG_PORT", "5488")
    code, output = _run("postgres.sh", "start", env={"OMS_PG_PORT": "1"})
    assert code != 0
    assert f"already running on port {running}, not OMS_PG_PORT=1" in output


def test_make_unit_lists_every_test_that_needs_no_odoo():
    """``make unit`` without ARGS runs the pure-Python tests, and only them.

    A test folder outside an addon's ``tests`` (those need Odoo and its database)
    must be in the Makefile's UNIT_TESTS, or ``make unit`` would skip it.
    """
    result = subprocess.run(
        ["make", "-s", "-n", "unit"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    line = next(line for line in result.stdout.splitlines() if "pytest" in line)
    listed = {ROOT / arg for arg in line.split()[3:]}
    assert listed and all(path.exists() for path in listed), line
    pure = {
        path
        for path in ROOT.glob("addons/*/*/tests/test_*.py")
        if path.parent.parent.name != "tests"
    } | {
        path
        for path in (ROOT / "tests").glob("test_*.py")
        if not re.search(r"^(from|import) odoo\b", path.read_text(), re.MULTILINE)
    }
    missing = {path for path in pure if not any(path == p or p in path.parents for p in listed)}
    assert not missing, sorted(str(path.relative_to(ROOT)) for path in missing)


def _common_settings(*names):
    """The values scripts/common.sh gives the settings ``names``."""
    script = f'source "{SCRIPTS / "common.sh"}"; ' + "; ".join(f'echo "${name}"' for name in names)
    result = subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, check=True, timeout=30
    )
    return result.stdout.splitlines()


def test_opt_in_addons_are_out_of_the_default_set_and_say_what_they_patch():
    """The opt-in addons reach below Odoo's extension points: never installed by
    default nor by themselves, each README says what it patches and how to turn
    it off."""
    default, opt_in = _common_settings("OMS_ADDONS", "OMS_OPT_IN_ADDONS")
    opt_in = opt_in.split(",")
    assert opt_in and not set(opt_in) & set(default.split(","))
    for addon in opt_in:
        manifest = ast.literal_eval((ROOT / "addons" / addon / "__manifest__.py").read_text())
        assert manifest.get("auto_install", False) is False, addon
        readme = (ROOT / "addons" / addon / "README.md").read_text()
        assert re.search(r"^### What it (patches|overrides)", readme, re.MULTILINE), addon
        assert re.search(r"^### What it gains", readme, re.MULTILINE), addon
        assert re.search(r"^## Turn it off", readme, re.MULTILINE), addon


def test_an_unknown_opt_in_addon_names_the_choices():
    code, output = _run("serve.sh", env={"OMS_OPT_ADDONS": "oms_fast_nothing"}, timeout=30)
    assert code != 0
    assert "OMS_OPT_ADDONS names 'oms_fast_nothing'" in output
    assert "oms_fast_intake" in output
    assert "Traceback" not in output
