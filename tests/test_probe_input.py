"""Bad input and output safety from the command line, as a researcher (or a hostile tester) hits
them: each case found broken by a probe, with the exact message, the exit code, and the project or
file left as it was."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from codewell.cli.app import app

ROOT = Path(__file__).resolve().parents[1]
CODEBOOK = ROOT / "codebooks" / "image-sharing.yaml"
runner = CliRunner()


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def coded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small coded project (ana finished r1-r3, r4 not yet), built once for the module."""
    folder = tmp_path_factory.mktemp("probe")
    project = folder / "study.cw"
    data = folder / "data.csv"
    data.write_text("id,response,STR5,Site\n"
                    "r1,Worried about what they see,a,x\n"
                    "r2,Helps them understand,b,y\n"
                    "r3,Nothing to add,a,x\n"
                    "r4,Could frighten some patients,b,y\n", encoding="utf-8")
    codings = folder / "codings.csv"
    codings.write_text("id,coder,code\nr1,ana,anxiety\nr2,ana,understanding\nr3,ana,\n",
                       encoding="utf-8")
    for args in (("init", project, "--codebook", CODEBOOK), ("import", project, data),
                 ("import", project, codings, "--codings")):
        result = run(*args)
        assert result.exit_code == 0, result.output
    return project


@pytest.fixture
def coded(coded_template: Path, tmp_path: Path) -> Path:
    from conftest import copy_project

    return copy_project(coded_template, tmp_path / "study.cw")


def test_a_column_named_like_a_stata_string_type_still_exports_to_stata(coded: Path) -> None:
    """Stata reserves str1 ... str2045; a survey column 'STR5' made readstat refuse the whole file
    with 'A provided name is a reserved word' and a hint about disk space."""
    import pyreadstat

    from codewell.io.variable_names import variable_name

    assert [variable_name(n) for n in ("str5", "STR80", "str", "strong", "str5x")] == \
        ["str5_", "STR80_", "str_", "strong", "str5x"]
    out = coded.parent / "coded.dta"
    result = run("export", coded, "-o", out)
    assert result.exit_code == 0, result.output
    frame, meta = pyreadstat.read_dta(str(out))
    assert "STR5_" in frame.columns and meta.column_names_to_labels["STR5_"] == "STR5"
