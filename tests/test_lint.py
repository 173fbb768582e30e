"""The code stays lint-clean: `ruff check` runs as part of the test command."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_check_is_clean():
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    result = subprocess.run([ruff, "check", str(ROOT)], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_engine_imports_numpy_only():
    """nnengine is read as teaching material and runs anywhere numpy does."""
    for path in (ROOT / "nnengine").rglob("*.py"):
        text = path.read_text()
        for name in ("streamlit", "altair", "pandas"):
            assert f"import {name}" not in text and f"from {name}" not in text, (path, name)
