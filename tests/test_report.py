"""The report (codewell.report): frequencies as published, intervals, co-occurrence, crosstabs, renderers, chart."""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

import pytest
from export_samples import sample_dataset

from codewell.errors import CodewellError, UnknownNameError
from codewell.values import Code, Codebook, CodedDataset, Response, Status
from codewell.report import (
    build_report,
    cooccurrence,
    crosstab,
    frequency_table,
    plot_frequencies,
    render,
    wilson_interval,
)
from codewell.report.render import bar

POSTER = {"understanding": 106, "communication": 92, "adherence": 70}


def poster_dataset() -> CodedDataset:
    """121 finished answers coded like the study's poster, plus a non-answer and an unfinished one."""
    codebook = Codebook("poster", tuple(Code(c, c.capitalize()) for c in POSTER))
    responses = [Response(f"p{i}", f"answer {i}", i + 2,
                          {"profession": "radiographer" if i % 3 else "radiologist"})
                 for i in range(121)]
    responses += [Response("blank", "  ", 200), Response("later", "not coded yet", 201)]
    codings = {r.id: frozenset(c for c, n in POSTER.items() if i < n)
               for i, r in enumerate(responses[:121])}
    statuses = {r.id: Status.DONE for r in responses[:122]}
    return CodedDataset(codebook, tuple(responses), ("lead",), {"lead": codings},
                        {"lead": statuses}, {"lead": {}})


def test_frequencies_reproduce_the_poster() -> None:
    table = frequency_table(poster_dataset(), "lead")
    assert (table.denominator, table.non_answers, table.not_done) == (121, 1, 1)
    assert [row.poster() for row in table.rows] == [
        "Understanding 87.6% (n=106)", "Communication 76.0% (n=92)", "Adherence 57.9% (n=70)"]
    assert table.rows[1].poster(decimals=2) == "Communication 76.03% (n=92)"


def test_wilson_interval_matches_statsmodels() -> None:
    from statsmodels.stats.proportion import proportion_confint

    for n, total in ((106, 121), (0, 20), (20, 20), (3, 7)):
        low, high = proportion_confint(n, total, alpha=0.05, method="wilson")
        assert wilson_interval(n, total) == pytest.approx((100 * low, 100 * high), abs=1e-9)
    assert all(math.isnan(v) for v in wilson_interval(0, 0))


def test_sample_frequencies_use_finished_answers_only() -> None:
    table = frequency_table(sample_dataset(), "alice")
    # r1-r6 done, r4 is a non-answer, r7 only flagged: denominator 5.
    assert (table.denominator, table.non_answers, table.not_done) == (5, 1, 1)
    counts = {row.code: row.n for row in table.rows}
    assert counts["understanding"] == 2 and counts["anxiety"] == 1 and counts["privacy"] == 0


def test_unknown_coder_gets_a_hint() -> None:
    with pytest.raises(UnknownNameError) as error:
        frequency_table(sample_dataset(), "alise")
    assert error.value.hint == "did you mean 'alice'?"


def test_cooccurrence_counts_pairs() -> None:
    co = cooccurrence(sample_dataset(), "alice")
    i, j = co.codes.index("understanding"), co.codes.index("adherence")
    assert co.counts[i][j] == co.counts[j][i] == 1
    assert co.counts[i][i] == 2


def test_crosstab_uses_chi_square_and_matches_scipy() -> None:
    from scipy.stats import chi2_contingency

    ct = crosstab(poster_dataset(), "lead", "profession")
    assert ct.groups == ("radiographer", "radiologist") and sum(ct.group_totals) == 121
    row = ct.rows[2]  # adherence: applied to p0..p69
    applied = list(row.counts)
    expected = chi2_contingency([applied, [t - a for a, t in zip(applied, ct.group_totals)]])
    assert row.test.method == "chi-square"
    assert (row.test.statistic, row.test.p_value) == pytest.approx(expected[:2])


def test_small_two_by_two_tables_use_fisher() -> None:
    from scipy.stats import fisher_exact

    ct = crosstab(sample_dataset(), "alice", "profession")
    # r7's "NA" is missing; sonographer r4 is a non-answer, so two groups remain.
    assert ct.groups == ("radiographer", "radiologist") and ct.group_totals == (3, 2)
    row = next(r for r in ct.rows if r.code == "understanding")
    assert row.test.method == "Fisher's exact"
    assert row.test.p_value == pytest.approx(fisher_exact([[2, 0], [1, 2]]).pvalue)
    never = next(r for r in ct.rows if r.code == "privacy")
    assert never.test.method is None and "none" in never.test.note


def test_crosstab_unknown_attribute_gets_a_hint() -> None:
    with pytest.raises(UnknownNameError) as error:
        crosstab(sample_dataset(), "alice", "professon")
    assert error.value.hint == "did you mean 'profession'?"


def test_table_render_states_denominator_and_draws_bars() -> None:
    text = render(build_report(poster_dataset(), "lead", by="profession"), "table")
    assert "Coder lead: % of 121 coded responses; excluded: 1 non-answer, 1 not yet coded" in text
    assert "Understanding 87.6% (n=106)" in text
    assert bar(87.6) in text and "By profession" in text and "chi-square" in text


def test_bar_resolves_eighths() -> None:
    assert bar(100, width=4) == "████"
    assert bar(50, width=4) == "██"
    assert bar(12.5 / 4, width=4) == "▏"
    assert bar(float("nan")) == ""


def test_markdown_csv_and_json_renderings() -> None:
    report = build_report(poster_dataset(), "lead", by="profession")
    md = render(report, "md")
    assert "| Understanding | 106 | 87.6 |" in md
    rows = list(csv.DictReader(io.StringIO(render(report, "csv"))))
    first = rows[0]
    assert (first["section"], first["code"], first["n"], first["denominator"]) == (
        "frequency", "understanding", "106", "121")
    assert {r["section"] for r in rows} == {"frequency", "cooccurrence", "by profession"}
    data = json.loads(render(report, "json"))
    assert data["frequencies"][0]["published"] == "Understanding 87.6% (n=106)"
    assert data["crosstab"]["codes"][0]["test"]["method"] == "chi-square"
    with pytest.raises(UnknownNameError, match="unknown report format"):
        render(report, "html")


@pytest.mark.parametrize("suffix, magic", [(".png", b"\x89PNG"), (".svg", b"<?xml")])
def test_plot_writes_an_image(tmp_path: Path, suffix: str, magic: bytes) -> None:
    path = plot_frequencies(frequency_table(poster_dataset(), "lead"), tmp_path / f"f{suffix}")
    assert path.read_bytes().startswith(magic)


def test_plot_refuses_other_formats(tmp_path: Path) -> None:
    with pytest.raises(CodewellError, match="png or .svg"):
        plot_frequencies(frequency_table(poster_dataset(), "lead"), tmp_path / "f.pdf")


def test_run_report_for_the_cli(tmp_path: Path) -> None:
    from codewell.cli.export_cmds import run_report

    text = run_report(poster_dataset(), plot=tmp_path / "chart.png")
    assert "Understanding 87.6% (n=106)" in text
    assert text.endswith(f"Chart written to {tmp_path / 'chart.png'}\n")
    assert json.loads(run_report(poster_dataset(), format="json"))["denominator"] == 121
    with pytest.raises(CodewellError, match="one coder at a time"):
        run_report(sample_dataset())


# ---------------------------------------------------------------- non-answers, order, the paper


@pytest.mark.parametrize("text", ["", "   ", "n/a", "N/A", "None.", "no comment", "No comments!",
                                  "-", "--", "?", "...", "nothing to add", " nil "])
def test_default_non_answers(text: str) -> None:
    from codewell.report import NonAnswers

    assert NonAnswers()(text)


@pytest.mark.parametrize("text", ["No", "None of the risks are real", "- improves understanding",
                                  "n/a for inpatients, but helps outpatients understand"])
def test_answers_are_not_non_answers(text: str) -> None:
    from codewell.report import NonAnswers

    assert not NonAnswers()(text)


def test_non_answers_leave_the_denominator_whoever_coded_them() -> None:
    from dataclasses import replace

    from codewell.report import NonAnswers

    ds = poster_dataset()
    # Two finished, coded answers say nothing: they leave the denominator and are counted.
    responses = (replace(ds.responses[0], text="n/a"), replace(ds.responses[1], text="No comment"),
                 *ds.responses[2:])
    table = frequency_table(replace(ds, responses=responses), "lead")
    assert (table.denominator, table.non_answers, table.not_done) == (119, 3, 1)
    only_blank = frequency_table(replace(ds, responses=responses), "lead",
                                 NonAnswers.parse("nothing at all"))
    assert (only_blank.denominator, only_blank.non_answers) == (121, 1)
    assert NonAnswers.parse(None).entries == NonAnswers().entries


def test_rows_by_frequency_and_bar_labels() -> None:
    ds = poster_dataset()
    codebook = Codebook("poster", tuple(reversed(ds.codebook.codes)))
    from dataclasses import replace

    table = frequency_table(replace(ds, codebook=codebook), "lead")
    assert [row.code for row in table.rows] == ["adherence", "communication", "understanding"]
    assert [row.code for row in table.by_frequency()] == ["understanding", "communication", "adherence"]
    assert table.by_frequency()[0].bar_label() == "87.6% (n=106)"
    text = render(build_report(replace(ds, codebook=codebook), "lead"), "table")
    assert text.index("Understanding") < text.index("Communication") < text.index("Adherence")


def test_markdown_is_ready_for_a_paper() -> None:
    md = render(build_report(poster_dataset(), "lead"), "md")
    lines = md.splitlines()
    assert lines[0] == "**Table.** Codes in 121 free-text responses (n, %)."
    assert lines[2:5] == ["| Code | n | % | 95% CI |", "|---|---:|---:|---:|",
                          "| Understanding | 106 | 87.6 | 80.6–92.3 |"]
    assert ("*Percentages of the 121 responses coded by lead; a response may carry several codes. "
            "Excluded: 1 non-answer (such as \"n/a\", \"-\" or an empty box); 1 response not yet "
            "coded. 95% CI: Wilson score interval.*") in lines


def test_plot_to_an_unwritable_place_is_a_clear_error(tmp_path: Path) -> None:
    from codewell.errors import OutputError

    with pytest.raises(OutputError, match="does not exist"):
        plot_frequencies(frequency_table(poster_dataset(), "lead"), tmp_path / "no" / "f.png")
    with pytest.raises(OutputError, match="cannot write /proc/f.png"):
        plot_frequencies(frequency_table(poster_dataset(), "lead"), "/proc/f.png")


def test_run_report_writes_a_file(tmp_path: Path) -> None:
    from codewell.cli.export_cmds import run_report

    out = tmp_path / "table.md"
    line = run_report(poster_dataset(), format="md", out=out, plot=tmp_path / "c.svg")
    assert line == f"Wrote the report (md) to {out}\nChart written to {tmp_path / 'c.svg'}\n"
    assert out.read_text(encoding="utf-8").startswith("**Table.**")


def test_chart_bars_run_from_most_frequent_at_the_top(tmp_path: Path) -> None:
    """Labels kept as SVG text: y tick labels are drawn bottom-up, so the least frequent comes first."""
    from dataclasses import replace

    import matplotlib

    ds = poster_dataset()
    shuffled = replace(ds, codebook=Codebook("poster", (ds.codebook.codes[1], ds.codebook.codes[2],
                                                        ds.codebook.codes[0])))
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        svg = plot_frequencies(frequency_table(shuffled, "lead"), tmp_path / "f.svg").read_text()
    positions = [svg.index(f">{label}<") for label in ("Adherence", "Communication", "Understanding")]
    assert positions == sorted(positions)
    assert "87.6% (n=106)" in svg and "76.0% (n=92)" in svg and "1 non-answer excluded" in svg
