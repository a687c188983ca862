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

from codewell.errors import CodewellError, DataFileError, UnknownNameError
from codewell.fuzzy import did_you_mean
from codewell.values import CodedDataset

SUFFIXES = {".csv": "csv", ".xlsx": "xlsx", ".parquet": "parquet", ".pq": "parquet",
            ".qdc": "qdc", ".qdpx": "qdpx"}
EXPORT_FORMATS = ("csv", "xlsx", "parquet", "qdc", "qdpx")


def read_names(names_file: Path | None) -> tuple[str, ...]:
    """Names to redact, one per line; blank lines and lines starting with ``#`` are skipped."""
    if names_file is None:
        return ()
    try:
        text = Path(names_file).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise DataFileError(f"{names_file}: no such names file") from None
    except UnicodeDecodeError as exc:
        raise DataFileError(f"{names_file}: not UTF-8 text (byte {exc.start})") from None
    return tuple(line.strip() for line in text.splitlines()
                 if line.strip() and not line.lstrip().startswith("#"))


def export_format(out: Path, fmt: str | None) -> str:
    """The format asked for, or the one the output file's suffix names."""
    if fmt is not None:
        if fmt not in EXPORT_FORMATS:
            raise UnknownNameError(f"unknown export format '{fmt}' (use {', '.join(EXPORT_FORMATS)})",
                                   did_you_mean(fmt, EXPORT_FORMATS))
        return fmt
    suffix = Path(out).suffix.lower()
    if suffix not in SUFFIXES:
        raise CodewellError(f"{out}: cannot tell the format from the suffix '{suffix}'",
                            hint=f"use --format {'|'.join(EXPORT_FORMATS)}")
    return SUFFIXES[suffix]


def run_export(ds: CodedDataset, out: Path, format: str | None = None, layout: str = "wide",
               coder: str | None = None, raw: bool = False, redact: bool = False,
               names_file: Path | None = None) -> str:
    """Export and return the one-line summary. A names file implies ``redact``.

    ``qdc`` writes the codebook; ``qdpx`` the project with every coder unless ``coder`` picks
    one (``layout`` and ``raw`` do not apply: XML is not a spreadsheet).
    """
    from codewell.io.export import choose_coders, export_dataset, redact_dataset
    from codewell.io.refi_qda import write_codebook_qdc, write_project_qdpx

    out = Path(out)
    fmt = export_format(out, format)
    names = read_names(names_file)
    redact = redact or bool(names)
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
        codings = sum(len(codes) for c in coders for codes in ds.codings[c].values())
        tail = f"; {masked} identifier{'s' * (masked != 1)} redacted" if masked else ""
        return (f"Wrote {len(ds.responses)} sources and {codings} codings by "
                f"{', '.join(coders) or 'no coder'} to {out} as REFI-QDA{tail}")
    report = export_dataset(ds, out, format=fmt, layout=layout, coder=coder,  # type: ignore[arg-type]
                            raw=raw, redact=redact, redact_names=names)
    return report.summary()


def run_report(ds: CodedDataset, coder: str | None = None, by: str | None = None,
               format: str = "table", plot: Path | None = None) -> str:
    """The report for one coder (default: the only one, else consensus) in ``format``.

    With ``plot`` the chart is written too; the table and Markdown forms then say where.
    """
    from codewell.io.export import choose_coders
    from codewell.report import build_report, plot_frequencies, render

    if coder == "all" or (coder is None and len(ds.coders) > 1 and "consensus" not in ds.coders):
        raise CodewellError(f"a report is for one coder at a time ({', '.join(ds.coders)})",
                            hint="choose one with --coder NAME")
    (chosen,) = choose_coders(ds, coder)
    report = build_report(ds, chosen, by)
    text = render(report, format)
    if plot is not None:
        written = plot_frequencies(report.frequencies, plot)
        if format in ("table", "md"):
            text += f"\nChart written to {written}\n"
    return text


def run_pii(ds: CodedDataset, names_file: Path | None = None, as_json: bool = False) -> str:
    """Where personal identifiers occur: per response, the kinds and positions (not the values).

    The identifiers themselves are not printed, so the listing can be pasted into an issue or
    an ethics report without spreading them.
    """
    from codewell.io.safety import find_pii

    names = read_names(names_file)
    found = []
    for response in ds.responses:
        matches = find_pii(response.text, names) if response.text else []
        if matches:
            found.append((response, matches))
    kinds = Counter(m.kind for _, matches in found for m in matches)
    if as_json:
        return json.dumps({
            "responses": len(ds.responses), "with_identifiers": len(found), "kinds": dict(kinds),
            "found": [{"id": r.id, "row": r.row,
                       "matches": [{"kind": m.kind, "start": m.start, "end": m.end} for m in ms]}
                      for r, ms in found],
        }, indent=2, ensure_ascii=False) + "\n"
    if not found:
        return f"No personal identifiers found in {len(ds.responses)} responses.\n"
    width = max(len(r.id) for r, _ in found)
    lines = [f"{r.id.ljust(width)}  row {r.row}: "
             + ", ".join(f"{k} x{n}" if n > 1 else k
                         for k, n in Counter(m.kind for m in ms).items())
             for r, ms in found]
    summary = ", ".join(f"{n} {kind}" for kind, n in kinds.most_common())
    lines.append(f"Identifiers in {len(found)} of {len(ds.responses)} responses ({summary}). "
                 "Export with --redact to mask them.")
    return "\n".join(lines) + "\n"
