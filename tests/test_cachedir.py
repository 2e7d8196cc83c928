"""What the caches are found by: the code's digest follows its content, not its files' times."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import flagref.cachedir
from flagref.cachedir import code_digest, source_digest

pytestmark = pytest.mark.unit

PACKAGE = Path(flagref.cachedir.__file__).resolve().parent


def test_a_checkout_of_the_same_code_finds_the_same_caches(tmp_path):
    copy = tmp_path / "flagref"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    assert source_digest(copy) == source_digest(PACKAGE) == code_digest()
    for path in copy.rglob("*.py"):  # a fresh checkout: every file written anew
        os.utime(path, ns=(0, 0))
    assert source_digest(copy) == code_digest()


def test_an_edit_to_any_source_file_is_another_digest(tmp_path):
    copy = tmp_path / "flagref"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    before = source_digest(copy)
    model = copy / "model.py"
    model.write_text(model.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    edited = source_digest(copy)
    assert edited != before
    (copy / "new_module.py").write_text("", encoding="utf-8")
    assert source_digest(copy) not in (before, edited)
