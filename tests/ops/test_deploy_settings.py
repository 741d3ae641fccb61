"""deploy/env.example is a complete production configuration: `check --deploy` is clean with it."""

import os
import subprocess
import sys

from deploy.nginx_site import read_env_file
from tests.conftest import ROOT


def test_check_deploy_is_clean_with_the_example_env_file(tmp_path):
    settings = read_env_file(str(ROOT / "deploy" / "env.example"))
    # The host's directories, here in a temporary one; nothing else changed.
    settings.update(STATE_DIR=str(tmp_path), STATIC_ROOT=str(tmp_path / "static"), MEDIA_ROOT=str(tmp_path / "media"))
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL", "DEBUG")}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**env, **settings},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_every_setting_the_hub_reads_is_in_the_example_and_the_guide():
    """A setting added to the code without a word in docs/deployment.md or deploy/env.example fails here."""
    import re

    read = set()
    for path in [*ROOT.glob("hub/*.py"), *ROOT.glob("*/settings.py"), ROOT / "deploy" / "nginx_site.py"]:
        text = path.read_text()
        read |= set(re.findall(r'(?:environ\.get|env_bool|env_list)\("([A-Z_]+)"', text))
        read |= set(re.findall(r'environ\["([A-Z_]+)"\]', text))
    from dataclasses import fields

    from deploy.nginx_site import Site

    read |= {field.name.upper() for field in fields(Site)}
    guide = (ROOT / "docs" / "deployment.md").read_text()
    missing = sorted(name for name in read if f"`{name}`" not in guide)
    assert not missing, f"not described in docs/deployment.md: {missing}"


def test_the_systemd_units_are_valid(tmp_path):
    """systemd-analyze verify reads each unit as systemd would (the venv's python stands in for
    /srv/khurusapha/app/.venv/bin/python, which only a real host has)."""
    import shutil

    from tests.conftest import require

    analyze = shutil.which("systemd-analyze")
    require(analyze is not None, "systemd-analyze is not installed")
    for unit in (ROOT / "deploy" / "systemd").iterdir():
        text = unit.read_text().replace("/srv/khurusapha/app/.venv/bin/python", sys.executable)
        name = unit.name.replace("@.", "@8001.") if "web@" in unit.name else unit.name.replace("@.", "@1.")
        (tmp_path / name).write_text(text)
        (tmp_path / unit.name).write_text(text)  # the template, for the instances
    units = sorted(str(path) for path in tmp_path.iterdir() if "@." not in path.name)
    result = subprocess.run([analyze, "verify", "--man=no", *units], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(units) == 4
