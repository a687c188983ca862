"""Shared fixtures: real project files in temporary folders, never the user's own data."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CODEBOOK = ROOT / "codebooks" / "image-sharing.yaml"
SAMPLE = ROOT / "samples" / "image-sharing"


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """codewell's data folder (demo copies, settings) points at a temporary folder in every test."""
    monkeypatch.setenv("CODEWELL_DATA_DIR", str(tmp_path_factory.mktemp("codewell-data")))
    monkeypatch.setenv("NO_COLOR", "1")


@pytest.fixture
def codebook():
    from codewell.codebook import load_codebook

    return load_codebook(CODEBOOK)


@pytest.fixture
def empty_project(tmp_path: Path, codebook):
    """A new project file with the sample codebook and no responses."""
    from codewell.project import Project

    project = Project.create(tmp_path / "study.cw", codebook)
    yield project
    project.close()


@pytest.fixture
def sample_project(empty_project):
    """A project file with the sample codebook and the sample responses imported."""
    empty_project.import_responses(SAMPLE / "responses.csv")
    return empty_project


@pytest.fixture
def small_csv(tmp_path: Path) -> Path:
    """A tiny survey export with the quirks real ones have: a blank answer, commas, a newline."""
    path = tmp_path / "small.csv"
    path.write_text(
        "id,profession,response\n"
        "r1,Radiographer,\"Helps them understand, and ask better questions\"\n"
        "r2,Radiologist,\"Could cause anxiety\nif seen alone at home\"\n"
        "r3,Sonographer,\n"
        "r4,Radiographer,n/a\n",
        encoding="utf-8",
    )
    return path
