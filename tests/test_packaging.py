"""An installed wheel works, not only a checkout: knowledge/ and prompts/ ship inside it."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_wheel_ships_data_folders_and_finds_them(tmp_path: Path) -> None:
    out = tmp_path / "wheel"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = out.glob("regelrett-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "assistant/_data/knowledge/sources.yaml" in names
    assert "assistant/_data/knowledge/default-sources.yaml" in names
    assert sum(n.startswith("assistant/_data/knowledge/templates/") for n in names) >= 6
    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)
    probe = (
        "from assistant.resources import data_folder, project_root;"
        "k = data_folder('knowledge'); print(k); print(project_root());"
        "assert (k / 'templates').is_dir()"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    assert result.stdout.splitlines()[0] == str(target / "assistant" / "_data" / "knowledge")
