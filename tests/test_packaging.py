"""The core installs as a package with its data: catalog, rules and stylesheet travel with it."""

from __future__ import annotations

import subprocess
import sys
import zipfile

from conftest import ROOT


def test_wheel_carries_the_data_files(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    (wheel,) = tmp_path.glob("flagref-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        p.relative_to(ROOT / "hooks").as_posix()
        for pattern in ("catalog/*.yaml", "checks/rules/*.yaml", "render/static/*")
        for p in (ROOT / "hooks" / "flagref").glob(pattern)
    }
    assert expected and expected <= names
    assert any(n.endswith("entry_points.txt") for n in names)
