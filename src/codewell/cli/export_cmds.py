"""The work behind ``codewell export``, ``report`` and ``pii``, as plain functions returning text.

The Typer commands in ``app.py`` open the project, call one of these with its dataset and print
the result; keeping them free of Typer lets tests call them directly. Errors are
:class:`~codewell.errors.CodewellError`\\ s, which the CLI's one handler prints.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from codewell.errors import CodewellError, DataFileError, UnknownNameError
from codewell.fuzzy import did_you_mean
from codewell.values import CodedDataset

if TYPE_CHECKING:
    from codewell.io.safety import PiiMatch

SUFFIXES = {".csv": "csv", ".xlsx": "xlsx", ".parquet": "parquet", ".pq": "parquet",
            ".sav": "sav", ".dta": "dta", ".qdc": "qdc", ".qdpx": "qdpx"}
EXPORT_FORMATS = ("csv", "xlsx", "parquet", "sav", "dta", "qdc", "qdpx", "taguette-csv")
_SUFFIX_OF = {"taguette-csv": "csv"}


def read_names(names_file: Path | None) -> tuple[str, ...]:
    """Names to redact, one per line; blank lines and lines starting with ``#`` are skipped."""
    if names_file is None:
        return ()
    try:
        text = Path(names_file).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise DataFileError(f"{names_file}: no such names file") from None
    except IsADirectoryError:
        raise DataFileError(f"{names_file} is a folder, not a names file",
                            hint="give a text file with one name per line") from None
    except PermissionError:
        raise DataFileError(f"{names_file}: permission denied reading the names file") from None
    except UnicodeDecodeError as exc:
        raise DataFileError(f"{names_file}: not UTF-8 text (byte {exc.start})") from None
    return tuple(line.strip() for line in text.splitlines()
                 if line.strip() and not line.lstrip().startswith("#"))


def export_format(out: Path, fmt: str | None) -> str:
    """The format asked for, or the one the output file's suffix names.

    The output path is checked first (a folder, a project, a missing folder), so ``-o results``
    naming a folder says so rather than that '' is no format. A suffix that names another
    format than ``--format`` is refused: ``-o coded.xlsx --format csv`` would write CSV text
    that Excel then calls a damaged workbook.
    """
    from codewell.io.atomic_file import check_writable

    check_writable(Path(out))
    suffix = Path(out).suffix.lower()
    if fmt is not None:
        if fmt not in EXPORT_FORMATS:
            raise UnknownNameError(f"unknown export format '{fmt}' (use {', '.join(EXPORT_FORMATS)})",
                                   did_you_mean(fmt, EXPORT_FORMATS))
        named = SUFFIXES.get(suffix)
        if named is not None and named != fmt and (fmt, named) != ("taguette-csv", "csv"):
            raise CodewellError(f"{out}: the suffix '{suffix}' is for {named}, but --format is {fmt}",
                                hint=f"name the file {Path(out).stem}.{_SUFFIX_OF.get(fmt, fmt)}, "
                                     "or leave out --format")
        return fmt
    if suffix not in SUFFIXES:
        raise CodewellError(f"{out}: cannot tell the format from the suffix '{suffix}'",
                            hint=f"use --format {'|'.join(EXPORT_FORMATS)}")
    return SUFFIXES[suffix]


_FORMAT_NAMES = {"qdc": "a REFI-QDA codebook (.qdc)", "qdpx": "a REFI-QDA project (.qdpx)",
                 "taguette-csv": "a Taguette codebook CSV"}


def refuse_unused(fmt: str, layout: str, raw: bool, redact: bool, names: Path | None,
                  include_uncoded: bool, non_answers: str | None) -> None:
    """An option the chosen output does not use is refused, not ignored: the user would read
    the file as if it applied (a --raw REFI-QDA project, an --include-uncoded wide file, a
    codebook taken as --redact'ed). ``--coder`` is let through: an export loop passes it to
    every format, and a codebook's summary says that it holds the codebook alone."""
    codebook_only = fmt in ("qdc", "taguette-csv")
    unused = {"--layout": layout != "wide" and fmt in _FORMAT_NAMES,
              "--raw": raw and fmt not in ("csv", "taguette-csv"),
              "--redact": redact and codebook_only, "--names": names is not None and codebook_only,
              "--include-uncoded": include_uncoded and (layout != "long" or fmt in _FORMAT_NAMES),
              "--non-answers": non_answers is not None and (fmt in _FORMAT_NAMES or layout == "segments")}
    given = [name for name, wasted in unused.items() if wasted]
    if given:
        what = _FORMAT_NAMES.get(fmt, f"a {layout} {fmt} file")
        raise DataFileError(f"{', '.join(given)}: {'does' if len(given) == 1 else 'do'} not apply to {what}",
                            hint=f"leave {'it' if len(given) == 1 else 'them'} out; codewell export --help "
                                 "says what each option is for")


def run_export(ds: CodedDataset, out: Path, format: str | None = None, layout: str = "wide",
               coder: str | None = None, raw: bool = False, redact: bool = False,
               names_file: Path | None = None, include_uncoded: bool = False,
               non_answers: str | None = None) -> str:
    """Export and return the one-line summary. A names file implies ``redact``.

    ``qdc`` writes the codebook; ``qdpx`` the project with every coder unless ``coder`` picks
    one (``layout`` and ``raw`` do not apply: XML is not a spreadsheet); ``taguette-csv`` the
    codebook as the CSV Taguette's codebook import reads.
    """
    from codewell.io.export import choose_coders, export_dataset, redact_dataset
    from codewell.io.refi_qda import write_codebook_qdc, write_project_qdpx
    from codewell.report.non_answers import NonAnswers

    out = Path(out)
    fmt = export_format(out, format)
    names = read_names(names_file)
    redact = redact or bool(names)
    if fmt == "taguette-csv":
        from codewell.io.taguette import write_codebook_csv

        write_codebook_csv(ds.codebook, out, raw=raw)
        return f"Wrote the codebook ({len(ds.codebook.codes)} codes) to {out} as a Taguette codebook CSV"
    if fmt == "qdc":
        write_codebook_qdc(ds.codebook, out)
        return f"Wrote the codebook ({len(ds.codebook.codes)} codes) to {out} as REFI-QDA"
    if fmt == "qdpx":
        coders = choose_coders(ds, coder) if coder is not None else ds.coders
        ds = replace(ds, coders=coders, codings={c: ds.codings.get(c, {}) for c in coders},
                     statuses={c: ds.statuses.get(c, {}) for c in coders},
                     memos={c: ds.memos.get(c, {}) for c in coders})
        masked = 0
        if redact:
            ds, masked = redact_dataset(ds, names)
        write_project_qdpx(ds, out)
        known = set(ds.codebook.ids)  # the file leaves out retired codes' codings
        codings = sum(len(codes & known) for c in coders for codes in ds.codings[c].values())
        tail = f"; {masked} identifier{'s' * (masked != 1)} redacted" if masked else ""
        return (f"Wrote {len(ds.responses)} sources and {codings} codings by "
                f"{', '.join(coders) or 'no coder'} to {out} as REFI-QDA{tail}")
    report = export_dataset(ds, out, format=fmt, layout=layout, coder=coder,  # type: ignore[arg-type]
                            raw=raw, redact=redact, redact_names=names,
                            include_uncoded=include_uncoded,
                            non_answer=NonAnswers.parse(non_answers))
    return report.summary()


def run_report(ds: CodedDataset, coder: str | None = None, by: str | None = None,
               format: str = "table", plot: Path | None = None, out: Path | None = None,
               non_answers: str | None = None) -> str:
    """The report for one coder (default: the only one, else consensus) in ``format``.

    With ``plot`` the chart is written too; the table and Markdown forms then say where. With
    ``out`` the report goes to that file (privately, atomically) and the text returned says so.
    ``non_answers`` replaces the default list of non-answers (comma-separated).
    """
    from codewell.io.atomic_file import check_writable, write_text
    from codewell.io.export import choose_coders
    from codewell.report import NonAnswers, build_report, plot_frequencies, render

    for target in (plot, out):
        if target is not None:
            check_writable(Path(target))
    if coder == "all" or (coder is None and len(ds.coders) > 1 and "consensus" not in ds.coders):
        raise CodewellError(f"a report is for one coder at a time ({', '.join(ds.coders)})",
                            hint="choose one with --coder NAME")
    (chosen,) = choose_coders(ds, coder)
    report = build_report(ds, chosen, by, NonAnswers.parse(non_answers))
    text = render(report, format)
    if out is not None:
        write_text(out, text)
        text = f"Wrote the report ({format}) to {out}\n"
    if plot is not None:
        written = plot_frequencies(report.frequencies, plot)
        if out is not None:
            text += f"Chart written to {written}\n"
        elif format in ("table", "md"):
            text += f"\nChart written to {written}\n"
    return text


def run_quotes(ds: CodedDataset, coder: str | None, code: str, format: str = "table",
               out: Path | None = None) -> str:
    """``report --quotes CODE``: one coder's passages for ``code`` (see :mod:`codewell.report.quotes`)."""
    from codewell.io.atomic_file import check_writable, write_text
    from codewell.io.export import choose_coders
    from codewell.report.quotes import render_quotes

    if out is not None:
        check_writable(Path(out))
    if coder == "all" or (coder is None and len(ds.coders) > 1 and "consensus" not in ds.coders):
        raise CodewellError(f"quotes are for one coder at a time ({', '.join(ds.coders)})",
                            hint="choose one with --coder NAME")
    (chosen,) = choose_coders(ds, coder)
    text = render_quotes(ds, chosen, code, format)
    if out is not None:
        write_text(out, text)
        return f"Wrote the quotes for {code} ({format}) to {out}\n"
    return text


def run_pii(ds: CodedDataset, names_file: Path | None = None, as_json: bool = False) -> str:
    """Where personal identifiers occur: per response, the field (the response text or an
    attribute such as ``email``), the kinds and positions (not the values).

    The identifiers themselves are not printed, so the listing can be pasted into an issue or
    an ethics report without spreading them. Attributes are scanned too: a survey export's
    ``RecipientEmail`` or a free-text "anything else?" column holds identifiers as often as
    the response does.
    """
    from codewell.io.safety import find_pii

    names = read_names(names_file)
    found = []
    for response in ds.responses:
        fields = [("response", response.text),
                  *((f"attribute:{key}", value) for key, value in response.attributes.items())]
        hits = [(field, m) for field, text in fields if text
                for m in find_pii(text, names)]
        if hits:
            found.append((response, hits))
    kinds = Counter(m.kind for _, hits in found for _, m in hits)
    if as_json:
        return json.dumps({
            "responses": len(ds.responses), "with_identifiers": len(found), "kinds": dict(kinds),
            "found": [{"id": r.id, "row": r.row,
                       "matches": [{"field": field, "kind": m.kind, "start": m.start,
                                    "end": m.end} for field, m in hits]}
                      for r, hits in found],
        }, indent=2, ensure_ascii=False) + "\n"
    if not found:
        return f"No personal identifiers found in {len(ds.responses)} responses.\n"
    width = max(len(r.id) for r, _ in found)
    lines = [f"{r.id.ljust(width)}  row {r.row}: " + ", ".join(_pii_summary(hits))
             for r, hits in found]
    summary = ", ".join(f"{n} {kind}" for kind, n in kinds.most_common())
    lines.append(f"Identifiers in {len(found)} of {len(ds.responses)} responses ({summary}). "
                 "Export with --redact to mask them.")
    return "\n".join(lines) + "\n"


def _pii_summary(hits: list[tuple[str, PiiMatch]]) -> list[str]:
    """``PHONE, NHS_NUMBER`` for the response text; ``EMAIL in email`` for an attribute."""
    counts = Counter((field, m.kind) for field, m in hits)
    parts = []
    for (field, kind), n in counts.items():
        label = f"{kind} x{n}" if n > 1 else kind
        parts.append(label if field == "response" else f"{label} in {field.split(':', 1)[1]}")
    return parts
