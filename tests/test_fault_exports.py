"""Issue 9, the deliverables: exports and reports that never split a row, never run a formula,
are private (0600) and whole, and fail with one clear line when they cannot be written.

Every test goes through the command line on a real project file; the full-disk case runs the
CLI in a child process under a real file-size limit (RLIMIT_FSIZE, ``ulimit -f``).
"""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from codewell.cli.app import app
from codewell.codebook import load_codebook
from codewell.io.export import export_dataset
from codewell.io.readers import read_survey
from codewell.io.safety import needs_neutralising
from codewell.project import Project
from codewell.values import CodedDataset, Response, Status

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "image-sharing"
CODEBOOK = ROOT / "codebooks" / "image-sharing.yaml"
runner = CliRunner()

HOSTILE_CSV = (b'id,=HYPERLINK("http://x"),response\r\n'
               b'h1,=1+1,"first line\rsecond line"\r\n'
               b'h2,@SUM(A1),"looks fine\r=1+1"\r\n'
               b'h3,plain,"say ""hi"", then\nmore"\r\n'
               b'h4,plain,- improves understanding\r\n')
HOSTILE_TEXTS = {"h1": "first line\rsecond line", "h2": "looks fine\r=1+1",
                 "h3": 'say "hi", then\nmore', "h4": "- improves understanding"}
HOSTILE_CODES = {"h1": {"anxiety"}, "h2": set(), "h3": {"understanding", "communication"}}


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture
def hostile(tmp_path: Path, codebook) -> Path:
    """A project whose responses hold bare CRs, LFs and quotes, whose attribute column is named
    like a formula and holds formulas, coded by a coder named like a formula."""
    data = tmp_path / "hostile.csv"
    data.write_bytes(HOSTILE_CSV)
    with Project.create(tmp_path / "hostile.cw", codebook) as project:
        project.import_responses(data, text_column="response", id_column="id")
        project.apply_codings({"@evil": {rid: frozenset(codes)
                                         for rid, codes in HOSTILE_CODES.items()}}, "test")
    return tmp_path / "hostile.cw"


@pytest.fixture
def study(coded_sample_to_read: Path) -> Path:
    """The bundled sample study coded by ana and ben (only read by these tests)."""
    return coded_sample_to_read


# ------------------------------------------------------------------ 1. rows never split


@pytest.mark.parametrize("raw", [False, True])
def test_cr_lf_and_quotes_are_quoted_and_read_back_unchanged(hostile: Path, tmp_path: Path,
                                                             raw: bool) -> None:
    import pandas as pd

    out = tmp_path / "out.csv"
    result = run("export", hostile, "-o", out, *(["--raw"] if raw else []))
    assert result.exit_code == 0, result.output
    body = out.read_bytes()
    assert b'"first line\rsecond line"' in body and b'"looks fine\r=1+1"' in body
    # A bare CR or LF is always inside quotes, so every reader sees the header and four rows.
    assert len(list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))) == 5
    survey = read_survey(out, text_column="response", id_column="id")
    assert [(r.id, r.text) for r in survey.responses] == list(HOSTILE_TEXTS.items())
    frame = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(frame["id"]) == list(HOSTILE_TEXTS)
    assert list(frame["response"]) == list(HOSTILE_TEXTS.values())
    for row in frame.to_dict("records"):
        applied = {code for code in ("understanding", "communication", "anxiety") if row[code] == "1"}
        assert applied == HOSTILE_CODES.get(row["id"], set())
    attribute = frame["HYPERLINK_http_x"].tolist()
    assert attribute == (["=1+1", "@SUM(A1)", "plain", "plain"] if raw
                         else ["'=1+1", "'@SUM(A1)", "plain", "plain"])


TEXT = st.text(alphabet=st.one_of(
    st.sampled_from(["\r", "\n", '"', ",", ";", "\t", "=", "+", "-", "@", "'", " "]),
    st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"))), min_size=1, max_size=40
).filter(lambda text: text.strip() != "")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(TEXT, min_size=1, max_size=8),
       codes=st.lists(st.sets(st.sampled_from(["understanding", "anxiety", "adherence"])),
                      min_size=8, max_size=8))
def test_csv_export_round_trips_any_text(tmp_path_factory: pytest.TempPathFactory, codebook,
                                         texts: list[str], codes: list[set[str]]) -> None:
    """Export CSV -> read back with codewell's own survey reader and pandas: every cell equal."""
    import pandas as pd

    ids = [f"r{i}" for i in range(len(texts))]
    responses = tuple(Response(rid, text, n, {"note": text}) for n, (rid, text)
                      in enumerate(zip(ids, texts), start=2))
    coded = {rid: frozenset(c) for rid, c in zip(ids, codes)}
    ds = CodedDataset(codebook, responses, ("lead",), {"lead": coded},
                      {"lead": {rid: Status.DONE for rid in ids}}, {"lead": {}})
    out = tmp_path_factory.mktemp("roundtrip") / "out.csv"
    export_dataset(ds, out, raw=True)
    survey = read_survey(out, text_column="response", id_column="id")
    assert [(r.id, r.text, r.attributes["note"]) for r in survey.responses] == \
        [(r.id, r.text, r.text) for r in responses]
    frame = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert frame.shape[0] == len(ids)
    assert list(frame["response"]) == texts and list(frame["note"]) == texts
    for code in codebook.ids:
        assert list(frame[code]) == [str(int(code in coded[rid])) for rid in ids]
    # Neutralised (the default): only cells that would run as formulas change, by one apostrophe.
    export_dataset(ds, out)
    frame = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(frame["response"]) == ["'" + t if needs_neutralising(t) else t for t in texts]


# ------------------------------------------------------------------ 2. headers and report cells


def test_header_cells_coder_names_and_labels_are_neutralised(hostile: Path, tmp_path: Path) -> None:
    out = tmp_path / "wide.csv"
    assert run("export", hostile, "-o", out).exit_code == 0
    header = next(csv.reader(out.open(encoding="utf-8", newline="")))
    assert "HYPERLINK_http_x" in header
    assert not any(needs_neutralising(cell) for cell in header)
    labels = {row["variable"]: row["label"] for row in
              csv.DictReader((tmp_path / "wide.variables.csv").open(encoding="utf-8", newline=""))}
    assert labels["HYPERLINK_http_x"] == "'=HYPERLINK(\"http://x\")"
    long = tmp_path / "long.csv"
    assert run("export", hostile, "-o", long, "--layout", "long").exit_code == 0
    rows = list(csv.DictReader(long.open(encoding="utf-8", newline="")))
    assert {row["coder"] for row in rows} == {"'@evil"}


def test_report_csv_cells_are_neutralised(hostile: Path) -> None:
    result = run("report", hostile, "--format", "csv", "--by", '=HYPERLINK("http://x")')
    assert result.exit_code == 0, result.output
    cells = [cell for row in csv.reader(io.StringIO(result.stdout)) for cell in row]
    assert not any(needs_neutralising(cell) for cell in cells)
    assert "'=1+1" in cells and "'@SUM(A1)" in cells and "'@evil" in cells


# ------------------------------------------------------------------ 3. private, whole files

OUTPUTS = [("export", "data.csv"), ("export", "data.xlsx"), ("export", "data.parquet"),
           ("export", "data.sav"), ("export", "data.dta"), ("export", "book.qdc"),
           ("export", "all.qdpx"), ("taguette", "codebook.csv"), ("plot", "chart.png"),
           ("report", "table.md")]


def write(kind: str, project: Path, out: Path):
    if kind == "export":
        return run("export", project, "-o", out, "--coder", "ana")
    if kind == "taguette":
        return run("export", project, "-o", out, "--format", "taguette-csv")
    if kind == "plot":
        return run("report", project, "--coder", "ana", "--plot", out)
    return run("report", project, "--coder", "ana", "--format", "md", "-o", out)


@pytest.mark.parametrize("kind, name", OUTPUTS)
def test_outputs_are_private_and_replace_a_looser_file(study: Path, tmp_path: Path, kind: str,
                                                       name: str) -> None:
    out = tmp_path / "out" / name
    out.parent.mkdir()
    result = write(kind, study, out)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    first = out.read_bytes()
    out.write_bytes(b"an older file")
    os.chmod(out, 0o644)
    assert write(kind, study, out).exit_code == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert out.stat().st_size > 20
    if name.endswith((".csv", ".md")):
        assert out.read_bytes() == first
    os.chmod(out, 0o400)  # stricter than 0600: kept
    assert write(kind, study, out).exit_code == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o400
    assert not [n for n in files_in(out.parent) if n.endswith(".partial")]


# ------------------------------------------------------------------ 4. paths that cannot be written


def one_error_line(result) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    return lines[0]


def test_export_into_proc_is_one_clear_line(study: Path) -> None:
    line = one_error_line(run("export", study, "-o", "/proc/x.csv", "--coder", "ana"))
    assert line == ("Error: cannot write /proc/x.csv: No such file or directory "
                    "(choose a folder you can write to)")


def test_plot_into_proc_is_one_clear_line(study: Path) -> None:
    line = one_error_line(run("report", study, "--coder", "ana", "--plot", "/proc/x.png"))
    assert line.startswith("Error: cannot write /proc/x.png:")


def test_output_that_is_a_folder(study: Path, tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    line = one_error_line(run("export", study, "-o", folder, "--format", "csv", "--coder", "ana"))
    assert line == (f"Error: {folder} is a folder, not a file (give a file name inside it, "
                    f"e.g. {folder / 'export.csv'})")
    assert files_in(folder) == []


@pytest.mark.parametrize("command", [("report", "--coder", "@evil", "-o", "{target}"),
                                     ("export", "--coder", "@evil", "--format", "csv", "-o", "{target}")])
@pytest.mark.parametrize("target", ["{project}", "{project}-wal", "{other}"])
def test_an_output_never_replaces_a_project(hostile: Path, tmp_path: Path, command: tuple[str, ...],
                                            target: str) -> None:
    """``report P -o P`` once replaced the project with its report: the project itself, its
    journal, and another project are all refused, and each stays as it was."""
    other = tmp_path / "other.cw"
    with Project.create(other, load_codebook(CODEBOOK)):
        pass
    path = Path(target.format(project=hostile, other=other))
    before = {p: p.read_bytes() for p in (hostile, other) if p.exists()}
    line = one_error_line(run(command[0], hostile, *(part.format(target=path) for part in command[1:])))
    assert line == (f"Error: {path} is a codewell project (or another database, or its journal); an output "
                    "never replaces one (give the output a name of its own, e.g. report.csv)")
    assert {p: p.read_bytes() for p in before} == before
    with Project.open(hostile) as project:
        assert project.codings("@evil")["h1"] == frozenset({"anxiety"})


def test_output_that_is_a_device_is_left_alone(study: Path) -> None:
    line = one_error_line(run("export", study, "-o", "/dev/null", "--format", "csv", "--coder", "ana"))
    assert line == ("Error: /dev/null is not a regular file (a device, pipe or socket) "
                    "(give the name of a file to write)")
    assert Path("/dev/null").is_char_device()


def test_output_in_a_missing_folder(study: Path, tmp_path: Path) -> None:
    out = tmp_path / "nowhere" / "x.xlsx"
    line = one_error_line(run("export", study, "-o", out, "--coder", "ana"))
    assert line == (f"Error: cannot write {out}: the folder {out.parent} does not exist "
                    "(create it first or choose another folder)")
    assert not out.parent.exists()


def test_report_output_into_a_missing_folder(study: Path, tmp_path: Path) -> None:
    out = tmp_path / "nowhere" / "t.md"
    line = one_error_line(run("report", study, "--coder", "ana", "-o", out))
    assert f"the folder {out.parent} does not exist" in line


def test_names_given_a_folder(study: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.csv"
    line = one_error_line(run("export", study, "-o", out, "--coder", "ana", "--names", tmp_path))
    assert line == (f"Error: {tmp_path} is a folder, not a names file "
                    "(give a text file with one name per line)")
    assert not out.exists()


def test_read_only_folder_is_refused_without_a_partial_file(study: Path, tmp_path: Path) -> None:
    from faults import codewell_on_read_only_mount

    folder = tmp_path / "locked"
    folder.mkdir()
    result = codewell_on_read_only_mount(folder, "export", str(study), "-o", str(folder / "x.csv"),
                                         "--coder", "ana")
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "Traceback" not in result.stderr
    assert "cannot write" in lines[0] and "choose a folder you can write to" in lines[0]
    assert files_in(folder) == []


FULL_DISK_CHILD = textwrap.dedent("""
    import json, resource, signal, sys
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)   # the write gets EFBIG instead of a signal
    limit = int(sys.argv[1])
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    from typer.testing import CliRunner
    from codewell.cli.app import app
    results = {}
    for out in sys.argv[3:]:
        result = CliRunner().invoke(app, ["export", sys.argv[2], "-o", out, "--coder", "ana"])
        results[out] = [result.exit_code, result.stderr, "Traceback" in result.output]
    print(json.dumps(results))
""")


def _limit_file_size(limit: int):  # type: ignore[no-untyped-def]
    def apply() -> None:
        import resource
        import signal

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


LIMIT = 64 * 1024  # room to open the project (its -shm is 32 KiB), not to write the exports


def test_full_disk_real_cli_process(study: Path, tmp_path: Path) -> None:
    """``codewell export`` itself, in a child process whose files may not grow past 64 KiB."""
    out = tmp_path / "out" / "data.csv"
    out.parent.mkdir()
    out.write_bytes(b"an earlier good export")
    out.chmod(0o600)
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    result = subprocess.run([sys.executable, "-m", "codewell", "export", str(study), "-o", str(out),
                             "--coder", "ana"], capture_output=True, text=True, env=env,
                            preexec_fn=_limit_file_size(LIMIT), timeout=120)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        f"Error: cannot write {out}: the disk is full (or a file-size limit was hit); nothing was "
        "written (free some space or write elsewhere)")
    assert out.read_bytes() == b"an earlier good export"  # the earlier file survives
    assert files_in(out.parent) == ["data.csv"]  # no partial file, no sidecar


def test_full_disk_every_format(study: Path, tmp_path: Path) -> None:
    """XLSX, Parquet, SPSS, Stata and REFI-QDA under the same limit, in one child process."""
    folder = tmp_path / "out"
    folder.mkdir()
    outs = [str(folder / name) for name in ("d.xlsx", "d.parquet", "d.sav", "d.dta", "d.qdpx")]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    child = subprocess.run([sys.executable, "-c", FULL_DISK_CHILD, str(LIMIT), str(study), *outs],
                           capture_output=True, text=True, env=env, timeout=300)
    assert child.returncode == 0, child.stderr
    results = json.loads(child.stdout.strip().splitlines()[-1])
    for out, (code, stderr, traceback) in results.items():
        assert (code, traceback) == (2, False), (out, stderr)
        assert stderr.startswith(f"Error: cannot write {out}: ") and stderr.count("\n") == 1
    assert files_in(folder) == []


def test_a_polite_kill_mid_export_leaves_the_old_file_and_no_partial_one(tmp_path: Path) -> None:
    """``kill PID`` (SIGTERM: a scheduler's timeout, a closed session) ended the process on the
    spot and left the hidden half-written ``.partial`` file beside the output; it now unwinds as
    Ctrl-C does. The workbook is big enough to be caught while it is written."""
    import time

    project = tmp_path / "big.cw"
    with Project.create(project, load_codebook(CODEBOOK)) as created:
        created.add_responses([Response(f"R{i:06d}", f"answer {i} on seeing the scan " * 8, i + 2, {})
                               for i in range(30_000)], "big.csv")
        created.record("ana", "R000001", "understanding", "apply")
    out = tmp_path / "coded.xlsx"
    out.write_bytes(b"the earlier export")
    child = subprocess.Popen([sys.executable, "-m", "codewell", "export", str(project), "-o", str(out)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".coded.xlsx.*.partial")):
        assert child.poll() is None, "the export ended before its partial file was seen"
        assert time.monotonic() < deadline
        time.sleep(0.005)
    child.terminate()
    assert child.wait(30) == 128 + 15
    assert out.read_bytes() == b"the earlier export"
    assert not list(tmp_path.glob("*.partial")) and not list(tmp_path.glob(".*.partial"))
