"""Exports written a block of responses at a time are the in-memory export: wide and long CSV
byte for byte, Parquet the same table, XLSX the same sheets (issue 15)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from codewell.io.export import export_dataset
from codewell.io.export_stream import export_blocks
from codewell.report.non_answers import NonAnswers
from codewell.values import Response, Status


@pytest.fixture(scope="module")
def coded(tmp_path_factory: pytest.TempPathFactory):
    """The sample study coded by two coders, built once per module: every test here only reads
    it (exports write outside the project), and building it is ~1 s of commits."""
    from conftest import CODEBOOK, SAMPLE
    from codewell.codebook import load_codebook
    from codewell.project import Project

    project = Project.create(tmp_path_factory.mktemp("coded") / "study.cw", load_codebook(CODEBOOK))
    project.import_responses(SAMPLE / "responses.csv")
    project.add_responses([Response("X1", "=1+2 call me on 07700 900123", 900, {"late": "yes"}),
                           Response("X2", "n/a.", 901, {})], "late.csv")
    rng = random.Random(9)
    ids = [r.id for r in project.responses()]
    for coder in ("ana", "ben"):
        chosen = rng.sample(ids, 80) + ["X1"]
        project.apply_codings({coder: {rid: frozenset(rng.sample(project.codebook.ids, rng.randint(0, 2)))
                                       for rid in chosen}}, "test")
        project.set_status(coder, chosen[1], Status.FLAGGED)
        project.set_memo(coder, chosen[2], "@SUM(A1) worth quoting")
    yield project
    project.close()


@pytest.mark.parametrize(("coder", "options"), [
    ("ana", {}),
    ("all", {}),
    ("ben", {"raw": True}),
    ("ana", {"redact": True, "redact_names": ("Smith",)}),
    ("all", {"non_answer": NonAnswers(["n/a", "yes please"])}),
])
@pytest.mark.parametrize("block", [7, 10_000])
def test_blocks_write_the_in_memory_file(coded, tmp_path: Path, coder: str, options: dict, block: int) -> None:
    whole = export_dataset(coded.dataset(with_log=False), tmp_path / "whole.csv", coder=coder, **options)
    streamed = coded.export_stream(None, lambda attributes, blocks: export_blocks(
        blocks, attributes, tmp_path / "streamed.csv", coder=coder, **options), block=block)
    assert (tmp_path / "streamed.csv").read_bytes() == (tmp_path / "whole.csv").read_bytes()
    assert (tmp_path / "streamed.variables.csv").read_bytes() == (tmp_path / "whole.variables.csv").read_bytes()
    assert streamed.summary().replace("streamed", "whole") == whole.summary()


@pytest.mark.parametrize(("layout", "format", "coder", "options"), [
    ("long", "csv", "ana", {}),
    ("long", "csv", "all", {"include_uncoded": True}),
    ("long", "csv", "all", {}),
    ("wide", "parquet", "all", {}),
    ("long", "parquet", "all", {}),
    ("wide", "xlsx", "ana", {"redact": True}),
    ("long", "xlsx", "all", {}),
])
def test_every_streamed_format_is_the_in_memory_file(coded, tmp_path: Path, layout: str, format: str,
                                                     coder: str, options: dict) -> None:
    whole, streamed = tmp_path / f"whole.{format}", tmp_path / f"streamed.{format}"
    report = export_dataset(coded.dataset(), whole, format=format, layout=layout, coder=coder, **options)
    again = coded.export_stream(None, lambda attributes, blocks: export_blocks(
        blocks, attributes, streamed, format=format, layout=layout, coder=coder, **options),
        block=7, with_log=layout == "long")  # many blocks
    assert again.summary().replace("streamed.", "whole.") == report.summary()
    if format == "csv":
        assert streamed.read_bytes() == whole.read_bytes()
        assert streamed.with_name("streamed.variables.csv").read_bytes() == \
            whole.with_name("whole.variables.csv").read_bytes()
    elif format == "parquet":
        import pyarrow.parquet as pq

        assert pq.read_table(streamed).equals(pq.read_table(whole), check_metadata=True)
    else:
        assert workbook(streamed) == workbook(whole)


def workbook(path: Path) -> dict[str, list[tuple]]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


def test_a_long_file_of_finished_rows_reads_those_rows_alone(coded, tmp_path: Path) -> None:
    seen: list[int] = []

    def write(attributes, blocks):
        for ds in blocks("ana"):
            seen.append(len(ds.responses))
        return export_blocks(blocks, attributes, tmp_path / "long.csv", layout="long", coder="ana")

    coded.export_stream(["ana"], write, block=25, with_log=True)
    assert sum(seen) == len(coded.finished("ana")) < len(coded.responses()) and max(seen) == 25


def test_cli_export_streams_and_refuses_as_before(coded, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from codewell.cli.app import app

    out = tmp_path / "out.csv"
    result = CliRunner().invoke(app, ["export", coded.location, "-o", str(out), "--coder", "ana"])
    assert result.exit_code == 0, result.output
    export_dataset(coded.dataset(["ana"], with_log=False), tmp_path / "whole.csv", coder="ana")
    assert out.read_bytes() == (tmp_path / "whole.csv").read_bytes()
    refused = CliRunner().invoke(app, ["export", coded.location, "-o", str(tmp_path / "two.csv")])
    assert refused.exit_code == 2
    assert "Error: this project has several coders (ana, ben)" in refused.output
    assert not (tmp_path / "two.csv").exists()
