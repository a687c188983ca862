"""Where codewell keeps its own files, and where the bundled sample study lives.

``CODEWELL_DATA_DIR`` overrides the platform data folder (tests point it at a temporary folder).
The samples ship beside the package in a source checkout and under ``<prefix>/share/codewell`` in
a wheel install.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from codewell.errors import CodewellError


def data_dir() -> Path:
    override = os.environ.get("CODEWELL_DATA_DIR")
    if override:
        path = Path(override)
    else:
        from platformdirs import user_data_dir

        path = Path(user_data_dir("codewell", appauthor=False))
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def _bundled(folder: str) -> Path:
    checkout = Path(__file__).resolve().parents[2] / folder
    installed = Path(sys.prefix) / "share" / "codewell" / folder
    for candidate in (checkout, installed):
        if candidate.is_dir():
            return candidate
    raise CodewellError(f"the bundled {folder} folder is missing (looked in {checkout} and {installed})",
                        hint="reinstall codewell from its source folder: pip install -e .")


def sample_study(name: str = "image-sharing") -> tuple[Path, Path]:
    """(codebook file, sample folder) of a bundled study."""
    return _bundled("codebooks") / f"{name}.yaml", _bundled("samples") / name
