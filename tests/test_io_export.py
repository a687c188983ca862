"""Dataset export (codewell.io.export): layouts, formats, round trips, safety on by default."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from export_samples import ALICE, BOB, STUDY, TEXTS, sample_dataset, study_dataset

from codewell.errors import CodewellError, UnknownNameError
from codewell.io.export import choose_coders, export_dataset
from codewell.io.readers import read_survey


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_wide_csv_starts_with_the_labelled_layout(tmp_path: Path) -> None:
    ds = sample_dataset()
    out = tmp_path / "alice.csv"
    report = export_dataset(ds, out, coder="alice")
    header = next(csv.reader(out.open(encoding="utf-8")))
    codes = list(ds.codebook.ids)
    assert header[: 2 + len(codes)] == ["id", "response", *codes]
    assert header[2 + len(codes):] == ["non_answer", "profession", "site", "memo", "status"]
    assert (report.rows, report.columns, report.coders) == (7, len(header), ("alice",))


def test_wide_csv_round_trips_through_survey_import(tmp_path: Path) -> None:
    ds = sample_dataset()
    out = tmp_path / "alice.csv"
    export_dataset(ds, out, coder="alice", raw=True)
    table = read_survey(out, text_column="response", id_column="id")
    assert [(r.id, r.text) for r in table.responses] == list(TEXTS.items())
    assert table.responses[0].attributes["profession"] == "radiographer"
    rows = read_csv(out)
    for row in rows:
        applied = {code for code in ds.codebook.ids if row[code] == "1"}
        assert applied == (ALICE[row["id"]] if row["status"] == "done" else set())
    assert {r["id"]: r["status"] for r in rows}["r7"] == "flagged"
    assert {row[code] for code in ds.codebook.ids for row in rows if row["id"] == "r7"} == {""}
    assert rows[4]["memo"] == "Mentions rehab."


def test_formula_cells_are_neutralised_by_default(tmp_path: Path) -> None:
    out = tmp_path / "safe.csv"
    report = export_dataset(sample_dataset(), out, coder="alice")
    rows = {row["id"]: row for row in read_csv(out)}
    assert rows["r2"]["response"] == "'" + TEXTS["r2"]
    assert rows["r6"]["response"] == TEXTS["r6"]  # a bulleted answer is text, not a formula
    assert rows["r2"]["memo"] == "+ ask Bob: is a formula a risk?"
    assert rows["r1"]["response"] == TEXTS["r1"]
    assert report.neutralised == 1
    assert "1 cell neutralised" in report.summary()


def test_all_coders_get_prefixed_columns(tmp_path: Path) -> None:
    out = tmp_path / "all.csv"
    export_dataset(sample_dataset(), out, coder="all", raw=True)
    rows = {row["id"]: row for row in read_csv(out)}
    assert rows["r1"]["alice_understanding"] == "1" and rows["r1"]["bob_communication"] == "1"
    assert rows["r7"]["bob_status"] == "uncoded" and rows["r7"]["alice_status"] == "flagged"
    assert rows["r7"]["bob_anxiety"] == ""  # not finished: missing, not "not applied"
    assert rows["r6"]["bob_anxiety"] == "0"  # finished without it
    assert "alice_memo" in rows["r1"] and "understanding" not in rows["r1"]


def test_choosing_a_coder() -> None:
    ds = sample_dataset()
    assert choose_coders(sample_dataset(coders=("alice",)), None) == ("alice",)
    with pytest.raises(CodewellError, match="several coders") as error:
        choose_coders(ds, None)
    assert "--coder" in (error.value.hint or "")
    with pytest.raises(UnknownNameError) as unknown:
        choose_coders(ds, "alcie")
    assert unknown.value.hint == "did you mean 'alice'?"
    consensus = sample_dataset()
    consensus = type(consensus)(consensus.codebook, consensus.responses, (*consensus.coders, "consensus"),
                                {**consensus.codings, "consensus": {}}, consensus.statuses,
                                consensus.memos)
    assert choose_coders(consensus, None) == ("consensus",)


def test_long_layout_carries_the_decision_log(tmp_path: Path) -> None:
    ds = sample_dataset()
    out = tmp_path / "long.csv"
    export_dataset(ds, out, layout="long", coder="all")
    rows = read_csv(out)
    finished = len(ALICE) - 1 + len(BOB)  # alice's r7 is flagged, not finished
    assert len(rows) == finished * len(ds.codebook.ids)
    rebuilt: dict[str, dict[str, set[str]]] = {"alice": {}, "bob": {}}
    for row in rows:
        if row["applied"] == "1":
            rebuilt[row["coder"]].setdefault(row["id"], set()).add(row["code"])
    assert rebuilt["alice"] == {k: v for k, v in ALICE.items() if v and k != "r7"}
    assert rebuilt["bob"] == {k: v for k, v in BOB.items() if v}
    first = next(r for r in rows if (r["id"], r["coder"], r["code"]) == ("r1", "alice", "understanding"))
    assert first["decided_at"] == "2026-03-02T09:30:00+00:00"
    assert (first["from_suggestion"], first["probability_shown"]) == ("1", "0.8")
    assert not any((r["id"], r["coder"]) in {("r7", "bob"), ("r7", "alice")} for r in rows)
    export_dataset(ds, out, layout="long", coder="all", include_uncoded=True)
    rows = read_csv(out)
    assert len(rows) == len(ds.responses) * len(ds.codebook.ids) * 2
    untouched = next(r for r in rows if (r["id"], r["coder"], r["code"]) == ("r7", "bob", "anxiety"))
    assert (untouched["applied"], untouched["status"], untouched["decided_at"]) == ("", "uncoded", "")


def test_parquet_has_proper_types_and_round_trips(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    ds = sample_dataset()
    export_dataset(ds, tmp_path / "w.parquet", format="parquet", coder="alice")
    wide = pq.read_table(tmp_path / "w.parquet")
    assert wide.schema.field("understanding").type == pa.int8()
    assert wide.column("response").to_pylist() == list(TEXTS.values())  # never neutralised
    export_dataset(ds, tmp_path / "l.parquet", format="parquet", layout="long", coder="bob")
    long = pq.read_table(tmp_path / "l.parquet")
    assert long.schema.field("decided_at").type == pa.timestamp("us", tz="UTC")
    assert long.schema.field("applied").type == pa.int8()
    assert long.schema.field("from_suggestion").type == pa.bool_()
    applied = {(i, c) for i, c, a in zip(*(long.column(n).to_pylist() for n in ("id", "code", "applied"))) if a}
    assert applied == {(rid, code) for rid, codes in BOB.items() for code in codes}


def test_xlsx_has_data_codebook_and_frequency_sheets(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    ds = sample_dataset()
    out = tmp_path / "alice.xlsx"
    export_dataset(ds, out, format="xlsx", coder="alice")
    book = load_workbook(out)
    assert book.sheetnames == ["data", "variables", "codebook", "frequencies"]
    data = list(book["data"].iter_rows(values_only=True))
    assert data[0][:3] == ("id", "response", "understanding")
    assert data[2][1] == TEXTS["r2"]  # typed text, never a formula: nothing to prefix
    assert data[6][1] == TEXTS["r6"]
    variables = {row[0]: row[1] for row in book["variables"].iter_rows(min_row=2, values_only=True)}
    assert variables["understanding"] == "Understanding"
    assert data[5][1] == TEXTS["r5"]  # emoji and CRLF kept
    assert [row[0] for row in book["codebook"].iter_rows(min_row=2, values_only=True)] == list(ds.codebook.ids)
    freq = {row[1]: row for row in book["frequencies"].iter_rows(min_row=2, values_only=True)}
    assert freq["understanding"][3:5] == (2, 5)  # r1, r5 of the five answered, finished responses


def test_xlsx_counts_the_cells_whose_control_characters_it_changed(tmp_path: Path) -> None:
    """The in-memory export (segments, and any export of a dataset in hand) reports them too."""
    from openpyxl import load_workbook

    from codewell.io.xlsx_writer import write_workbook

    out = tmp_path / "c.xlsx"
    notes = write_workbook(out, [("data", ["id", "text"], [["r1", "a\x0bb"], ["r2", "c\x0cd\x01e"],
                                                          ["r3", "tab\tand\r\nline"]])])
    assert (notes.controls, notes.too_long) == (2, 0)
    assert [row[1] for row in load_workbook(out)["data"].iter_rows(min_row=2, values_only=True)] == [
        "a\nb", "c\nde", "tab\tand\r\nline"]
    report = export_dataset(sample_dataset(), tmp_path / "s.xlsx", format="xlsx", coder="alice")
    assert report.controls_in_xlsx == 0 and "cannot store" not in report.summary()


def test_raw_xlsx_keeps_formula_text_as_text_never_a_formula(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "raw.xlsx"
    export_dataset(sample_dataset(), out, format="xlsx", coder="alice", raw=True)
    cell = load_workbook(out)["data"]["B3"]
    assert cell.value == TEXTS["r2"] and cell.data_type == "s"


def test_redaction_masks_text_and_memos(tmp_path: Path) -> None:
    ds = sample_dataset(coders=("alice",))
    responses = (ds.responses[0].__class__("p1", "Ring Ann Smith on 07700 900123, NHS 943 476 5919", 2),
                 ds.responses[1].__class__("p2", "NHS 943 476 5918 is not real", 3))
    ds = type(ds)(ds.codebook, responses, ds.coders, {"alice": {}}, {"alice": {}},
                  {"alice": {"p1": "emailed ann@x.org"}})
    out = tmp_path / "red.csv"
    report = export_dataset(ds, out, redact=True, redact_names=["Ann Smith"])
    rows = read_csv(out)
    assert rows[0]["response"] == "Ring [NAME] on [PHONE], NHS [NHS_NUMBER]"
    assert rows[1]["response"] == "NHS 943 476 5918 is not real"
    assert rows[0]["memo"] == "emailed [EMAIL]"
    assert report.redacted == 4


def test_attribute_named_like_a_column_is_renamed(tmp_path: Path) -> None:
    ds = sample_dataset(coders=("alice",))
    responses = tuple(type(r)(r.id, r.text, r.row, {"status": "nurse"}) for r in ds.responses)
    ds = type(ds)(ds.codebook, responses, ds.coders, ds.codings, ds.statuses, ds.memos)
    out = tmp_path / "clash.csv"
    export_dataset(ds, out)
    row = read_csv(out)[0]
    assert (row["status_2"], row["status"]) == ("nurse", "done")


def test_bad_format_and_layout_get_a_hint(tmp_path: Path) -> None:
    with pytest.raises(UnknownNameError) as error:
        export_dataset(sample_dataset(), tmp_path / "x", format="xslx", coder="alice")  # type: ignore[arg-type]
    assert error.value.hint == "did you mean 'xlsx'?"
    with pytest.raises(UnknownNameError):
        export_dataset(sample_dataset(), tmp_path / "x", layout="tall", coder="alice")  # type: ignore[arg-type]


# ---------------------------------------------------------------- the CLI's export and pii functions


def test_run_export_picks_the_format_from_the_suffix(tmp_path: Path) -> None:
    from codewell.cli.export_cmds import run_export
    from codewell.io.refi_qda import read_codebook_qdc, read_project_qdpx

    ds = sample_dataset()
    line = run_export(ds, tmp_path / "out.parquet", coder="bob")
    assert line.startswith("Wrote 7 rows") and "wide parquet, coder bob" in line
    assert "9 codes" in run_export(ds, tmp_path / "book.qdc")
    assert read_codebook_qdc(tmp_path / "book.qdc").codes == ds.codebook.codes
    line = run_export(ds, tmp_path / "p.qdpx", coder="bob")
    assert line == f"Wrote 7 sources and 5 codings by bob to {tmp_path / 'p.qdpx'} as REFI-QDA"
    assert read_project_qdpx(tmp_path / "p.qdpx").users == ("bob",)
    with pytest.raises(CodewellError, match="cannot tell the format"):
        run_export(ds, tmp_path / "out.txt", coder="bob")


def test_run_export_redacts_with_a_names_file(tmp_path: Path) -> None:
    from codewell.cli.export_cmds import run_export
    from codewell.io.refi_qda import read_project_qdpx

    names = tmp_path / "names.txt"
    names.write_text("# staff names\nBob\n\n", encoding="utf-8")
    line = run_export(sample_dataset(), tmp_path / "p.qdpx", names_file=names)
    assert line.endswith("; 1 identifier redacted")  # "ask Bob" in Alice's memo
    memo = read_project_qdpx(tmp_path / "p.qdpx").memos[0]
    assert memo.text == "+ ask [NAME]: is a formula a risk?"


def test_run_pii_lists_kinds_and_positions_without_the_values() -> None:
    import json
    from dataclasses import replace

    from codewell.cli.export_cmds import run_pii
    from codewell.values import Response

    ds = sample_dataset()
    ds = replace(ds, responses=(Response("x1", "Ring 07700 900123 re 943 476 5919", 9), *ds.responses))
    text = run_pii(ds)
    assert text.splitlines()[0] == "x1  row 9: PHONE, NHS_NUMBER"
    assert "07700" not in text
    data = json.loads(run_pii(ds, as_json=True))
    assert data["with_identifiers"] == 1
    assert data["found"][0]["matches"][0] == {"field": "response", "kind": "PHONE", "start": 5,
                                              "end": 17}
    assert run_pii(sample_dataset()) == "No personal identifiers found in 7 responses.\n"


def test_long_xlsx_has_real_date_times(tmp_path: Path) -> None:
    import warnings
    from datetime import datetime

    from openpyxl import load_workbook

    out = tmp_path / "long.xlsx"
    export_dataset(sample_dataset(), out, format="xlsx", layout="long", coder="alice")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rows = list(load_workbook(out)["data"].iter_rows(values_only=True))
    assert rows[0] == ("id", "coder", "code", "applied", "status", "non_answer", "decided_at",
                       "from_suggestion", "probability_shown")
    assert rows[1] == ("r1", "alice", "understanding", 1, "done", 0, datetime(2026, 3, 2, 9, 30),
                       1, 0.8)
    assert rows[2][6:] == (None, None, None)


def test_xlsx_refuses_more_rows_than_excel_holds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from codewell.io import xlsx_writer

    monkeypatch.setattr(xlsx_writer, "MAX_ROWS", 20)
    earlier = tmp_path / "big.xlsx"
    earlier.write_bytes(b"an earlier export")
    with pytest.raises(CodewellError, match="more than 20 rows") as error:
        export_dataset(sample_dataset(), earlier, format="xlsx", layout="long", coder="alice")
    assert error.value.hint == "export to CSV or Parquet instead"
    assert earlier.read_bytes() == b"an earlier export"  # no half-written file replaced it
    assert [p.name for p in tmp_path.iterdir()] == ["big.xlsx"]


# ---------------------------------------------------------------- the sample study, every format

needs_study = pytest.mark.skipif(not (STUDY / "labelled.csv").is_file(),
                                 reason="the sample study is not in samples/image-sharing")


@needs_study
def test_study_wide_csv_reads_back_through_evaluate_and_import(tmp_path: Path) -> None:
    from codewell.suggest.labelled import read_labelled

    ds = study_dataset()
    out = tmp_path / "study.csv"
    export_dataset(ds, out, raw=True)
    labelled = read_labelled(out, ds.codebook)
    assert labelled.ids == tuple(r.id for r in ds.responses)
    assert labelled.texts == tuple(r.text for r in ds.responses)
    assert labelled.label_sets() == [ds.codings["gold"][r.id] for r in ds.responses]
    survey = read_survey(out, text_column="response", id_column="id")
    assert [(r.id, r.text) for r in survey.responses] == [(r.id, r.text) for r in ds.responses]
    assert survey.responses[0].attributes["profession"] == ds.responses[0].attributes["profession"]


@needs_study
@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_study_round_trips_in_every_format(tmp_path: Path, fmt: str) -> None:
    ds = study_dataset()
    wide, long = tmp_path / f"wide.{fmt}", tmp_path / f"long.{fmt}"
    export_dataset(ds, wide, format=fmt, raw=True)
    export_dataset(ds, long, format=fmt, layout="long")
    if fmt == "parquet":
        import pyarrow.parquet as pq

        w, lg = pq.read_table(wide).to_pylist(), pq.read_table(long).to_pylist()
    elif fmt == "xlsx":
        from openpyxl import load_workbook

        def records(path: Path) -> list[dict]:
            rows = list(load_workbook(path, read_only=True)["data"].iter_rows(values_only=True))
            return [dict(zip(rows[0], row)) for row in rows[1:]]

        w, lg = records(wide), records(long)
    else:
        w, lg = read_csv(wide), read_csv(long)
    assert [(str(r["id"]), r["response"] or "") for r in w] == [(r.id, r.text) for r in ds.responses]
    gold = {r.id: set(ds.codings["gold"][r.id]) for r in ds.responses}
    assert {str(r["id"]): {c for c in ds.codebook.ids if int(r[c])} for r in w} == gold
    applied: dict[str, set[str]] = {rid: set() for rid in gold}
    for r in lg:
        if int(r["applied"]):
            applied[str(r["id"])].add(r["code"])
    assert applied == gold
