"""The CSV form of `codewell agree`: reading, output (JSON and table) and clear errors."""

from __future__ import annotations

import json

import pytest

from codewell.agreement import multilabel_agreement
from codewell.cli.agree_csv import agree_csv
from codewell.cli.agree_render import render_multilabel_table
from codewell.errors import AgreementError, DataFileError, UnknownNameError

# Krippendorff (2011): coders A-D on units 1-12; "" is a missing value.
K2011 = {
    "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, "", "", ""],
    "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, "", 3],
    "C": ["", 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, ""],
    "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, ""],
}


@pytest.fixture
def k2011_csv(tmp_path):
    lines = ["response_id,coder,score"]
    for coder, values in K2011.items():
        lines += [f"u{u + 1},{coder},{v}" for u, v in enumerate(values)]
    path = tmp_path / "codings.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_json(capsys, path, level="nominal", **options):
    assert agree_csv(path, "response_id", "coder", "score", level, as_json=True, **options) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize(("level", "published"), [
    ("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)])
def test_published_alpha_through_the_csv_form(capsys, k2011_csv, level, published):
    data = run_json(capsys, k2011_csv, level)
    assert data["level"] == level and data["n_units"] == 11 and data["n_coders"] == 4
    coefficients = data["coefficients"]
    assert round(coefficients["krippendorff_alpha"], 3) == published
    assert coefficients["cohen_kappa"] is None and coefficients["scott_pi"] is None
    for name in ("percent_agreement", "fleiss_kappa", "gwet_ac1", "brennan_prediger"):
        assert 0.0 <= coefficients[name] <= 1.0


def test_ci_adds_an_interval_per_coefficient(capsys, k2011_csv):
    data = run_json(capsys, k2011_csv, "interval", ci=True, n_boot=200)
    coefficients = data["coefficients"]
    for name in ("percent_agreement", "fleiss_kappa", "krippendorff_alpha", "gwet_ac1"):
        low, high = coefficients[f"{name}_ci"]
        assert low <= high
    assert "cohen_kappa_ci" not in coefficients


def test_two_coders_get_cohen_and_weighted_kappa_at_ordered_levels(capsys, tmp_path):
    path = tmp_path / "two.csv"
    rows = [("1", "ana", "1"), ("1", "ben", "1"), ("2", "ana", "2"), ("2", "ben", "3"),
            ("3", "ana", "3"), ("3", "ben", "3"), ("4", "ana", "1"), ("4", "ben", "2")]
    path.write_text("unit,who,grade\n" + "\n".join(",".join(r) for r in rows) + "\n")
    assert agree_csv(path, "unit", "who", "grade", "ordinal", as_json=True) == 0
    coefficients = json.loads(capsys.readouterr().out)["coefficients"]
    for name in ("cohen_kappa", "cohen_kappa_linear", "cohen_kappa_quadratic", "scott_pi"):
        assert coefficients[name] is not None


def test_table_output_is_aligned_and_names_every_coefficient(capsys, k2011_csv):
    agree_csv(k2011_csv, "response_id", "coder", "score", "interval")
    out = capsys.readouterr().out
    assert "4 coders, 12 units (11 coded by two or more), level: interval" in out
    alpha_line = next(line for line in out.splitlines() if line.startswith("Krippendorff's alpha"))
    assert "0.849" in alpha_line and "reliable" in alpha_line and alpha_line.rstrip().endswith("11")
    assert "Cohen's kappa" in out and "two coders only" in out
    assert "Fleiss's P-bar" in out


def test_text_codes_and_literal_na_are_categories(capsys, tmp_path):
    path = tmp_path / "text.csv"
    path.write_text("unit,coder,code\n1,a,NA\n1,b,NA\n2,a,yes\n2,b,yes\n3,a,no\n3,b,\n"
                    "4,a,yes\n4,b,no\n")
    assert agree_csv(path, "unit", "coder", "code", "nominal", as_json=True) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["n_units"] == 3 and data["n_units_total"] == 4
    assert data["coefficients"]["percent_agreement"] == pytest.approx(2 / 3)


def test_degenerate_data_is_null_with_a_reason(capsys, tmp_path):
    path = tmp_path / "same.csv"
    path.write_text("unit,coder,code\n1,a,x\n1,b,x\n2,a,x\n2,b,x\n")
    assert agree_csv(path, "unit", "coder", "code", as_json=True) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["coefficients"]["cohen_kappa"] is None
    assert "chance agreement is 1" in data["undefined"]["cohen_kappa"]
    assert data["coefficients"]["percent_agreement"] == 1.0


def test_missing_file(tmp_path):
    with pytest.raises(DataFileError, match="no such file"):
        agree_csv(tmp_path / "nope.csv", "unit", "coder", "value", "nominal")


def test_missing_column_suggests_the_closest(k2011_csv):
    with pytest.raises(UnknownNameError, match="no column 'coders'") as caught:
        agree_csv(k2011_csv, "response_id", "coders", "score", "nominal")
    assert caught.value.hint == "did you mean 'coder'?"


def test_non_numeric_value_at_interval_level_names_the_line(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("unit,coder,score\n1,a,3\n1,b,4\n2,a,high\n2,b,2\n")
    with pytest.raises(DataFileError, match=r"line 4: score 'high' is not a number") as caught:
        agree_csv(path, "unit", "coder", "score", "interval")
    assert "--level nominal" in caught.value.hint


def test_lines_are_file_lines_past_quoted_line_breaks_and_blank_lines(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text('unit,coder,score\n"unit\none",a,3\n"unit\none",b,4\n\n2,a,2\n2,b,high\n')
    with pytest.raises(DataFileError, match=r"bad.csv, line 8: score 'high' is not a number"):
        agree_csv(path, "unit", "coder", "score", "interval")


def test_a_row_with_nothing_in_it_is_skipped(capsys, tmp_path):
    """Spreadsheets save trailing rows of bare separators; they hold no rating."""
    path = tmp_path / "trailing.csv"
    path.write_text("response_id,coder,score\n1,a,3\n1,b,3\n,,\n2,a,1\n2,b,2\n,,\n")
    data = run_json(capsys, path, "nominal")
    assert data["n_units"] == 2 and data["n_coders"] == 2


def test_a_rating_without_its_unit_names_the_line(tmp_path):
    path = tmp_path / "orphan.csv"
    path.write_text("unit,coder,score\n1,a,3\n1,b,3\n\n,b,2\n")
    with pytest.raises(DataFileError, match=r"orphan.csv, line 5: the unit \(unit\) is empty"):
        agree_csv(path, "unit", "coder", "score", "nominal")


def test_thin_data_is_warned_about_as_in_the_project_form(capsys, k2011_csv):
    data = run_json(capsys, k2011_csv, "interval", ci=True, n_boot=200)
    assert data["warnings"][0] == ("agreement rests on 11 units coded by two or more coders; at least "
                                   "30 are needed before it means much")
    assert data["warnings"][1].startswith("alpha has a confidence interval of ±")
    assert agree_csv(k2011_csv, "response_id", "coder", "score", "interval") == 0
    assert "Warnings\n  ! agreement rests on 11 units" in capsys.readouterr().out


def test_enough_units_give_no_warning(capsys, tmp_path):
    path = tmp_path / "many.csv"
    path.write_text("response_id,coder,score\n" + "".join(f"{u},{c},{u % 2}\n" for u in range(40) for c in "ab"))
    assert run_json(capsys, path, "nominal")["warnings"] == []


def test_two_values_for_one_unit_and_coder(tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text("unit,coder,score\n1,a,3\n1,a,4\n1,b,3\n2,a,1\n2,b,1\n")
    with pytest.raises(AgreementError, match="dup.csv: coder 'a' gave unit '1' more than one"):
        agree_csv(path, "unit", "coder", "score", "nominal")


def test_one_coder_is_a_clear_error(tmp_path):
    path = tmp_path / "one.csv"
    path.write_text("unit,coder,score\n1,a,3\n2,a,4\n")
    with pytest.raises(AgreementError, match="at least two coders"):
        agree_csv(path, "unit", "coder", "score", "nominal")


def test_empty_file(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("")
    with pytest.raises(DataFileError, match="empty"):
        agree_csv(path, "unit", "coder", "score", "nominal")


def test_multilabel_table_rendering():
    ana = {"r1": frozenset({"x"}), "r2": frozenset(), "r3": frozenset({"x", "y"})}
    ben = {"r1": frozenset({"x"}), "r2": frozenset({"y"}), "r3": frozenset({"x"})}
    text = render_multilabel_table(multilabel_agreement({"ana": ana, "ben": ben}, ["x", "y", "z"]))
    lines = text.splitlines()
    assert lines[0].startswith("Agreement of ana, ben on 3 responses")
    header = next(line for line in lines if line.startswith("code"))
    assert "ana only" in header and "ben only" in header
    z_line = next(line for line in lines if line.startswith("z "))
    assert "undefined" in z_line
    assert any(line.startswith("z: ") and "undefined" in line for line in lines)
    assert any(line.startswith("Pooled kappa") for line in lines)
