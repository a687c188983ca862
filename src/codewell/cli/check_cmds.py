"""codewell check: is a project file sound, and if not, what is wrong where and what to do."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from codewell.cli.output import emit_json

if TYPE_CHECKING:
    from codewell.project.check import CheckReport, FindingGroup

#: Exit code of a damaged project, as for every command that meets one.
DAMAGED = 3


def check(
    project: Annotated[str, typer.Argument(help="Project file (or postgresql:// URL) to check.")],
    repair: Annotated[bool, typer.Option(
        "--repair", help="Rebuild what can be rebuilt from the project's own rows (the search index and "
                         "the other indexes), then check again. Nothing any coder decided is ever "
                         "changed or deleted.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")] = False,
) -> None:
    """Check a project for damage, for example after someone edited the file by hand.

    Looks at the file itself, the codebook, every coding decision, coded passage and status, and
    the search index and other indexes. Changes nothing unless --repair is given. Each problem is
    listed with where it is and what to do. Exit code 0 when no problems are found, 3 when the
    project is damaged.
    """
    from codewell.project import Project

    with Project.open_to_check(project) as opened:
        report = opened.repair() if repair else opened.check()
    if as_json:
        emit_json(_as_json(report))
    else:
        typer.echo(_as_text(report, repair))
    if not report.sound:
        raise typer.Exit(DAMAGED)


def _as_text(report: CheckReport, repair: bool) -> str:
    lines = [f"Repair: {done}." for done in report.repaired]
    if report.not_repaired:
        lines.append(f"Not repaired: {report.not_repaired}.")
    elif repair and not report.repaired and not report.sound:
        # "the indexes are sound" was false when an index that keeps a rule (decisions_uid) was missing
        lines.append("Not repaired: --repair rebuilds only the search index and the indexes that keep the "
                     "project fast, and nothing listed below is one of them.")
    if report.sound:
        lines.append(f"No problems found in {report.location} "
                     f"({report.responses} responses, {report.decisions} decisions).")
        return "\n".join(lines)
    for group in report.groups:
        lines += _group_lines(group)
    lines.append(_verdict(report))
    return "\n".join(lines)


def _group_lines(group: FindingGroup) -> list[str]:
    first = group.findings[0] if group.findings else None
    lines = ["", f"{group.title[:1].upper()}{group.title[1:]}: {group.total}"]
    for finding in group.findings:
        lines.append(f"  - {finding.where}: {finding.found}" if finding.where else f"  - {finding.found}")
    if group.more > 0:
        lines.append(f"  and {group.more} more")
    if first is not None:
        lines.append(f"  Expected: {first.expected}.")
        lines.append(f"  To do: {first.action}.")
    return lines


def _verdict(report: CheckReport) -> str:
    """The last line says what to run. A backup is put back with ``restore`` (``backup`` only
    writes one); when --repair can rebuild everything listed, it comes first, since it loses
    nothing while a backup loses the work done after it."""
    where = report.location
    if all(group.repairable for group in report.groups):
        return (f"\n{where} is damaged: codewell check {where} --repair rebuilds what is listed above "
                "from the project's own rows, changing nothing any coder decided")
    rebuild = f" (codewell check {where} --repair rebuilds the indexes)" if report.repairable else ""
    how = ("the server's own, e.g. pg_restore" if where.startswith(("postgresql:", "postgres:"))
           else f"codewell restore BACKUP {where}")
    return (f"\n{where} is damaged: restore your latest backup ({how}), or undo the hand edits that "
            f"made the rows above{rebuild}.")


def _as_json(report: CheckReport) -> dict[str, Any]:
    return {
        "project": report.location, "sound": report.sound, "responses": report.responses,
        "decisions": report.decisions, "repaired": list(report.repaired), "not_repaired": report.not_repaired,
        "problems": {group.kind: {
            "title": group.title, "total": group.total, "repairable": group.repairable,
            "expected": group.findings[0].expected if group.findings else None,
            "action": group.findings[0].action if group.findings else None,
            "first": [{"response": f.response_id, "coder": f.coder, "decision": f.decision_id, "code": f.code,
                       "row": f.row, "found": f.found} for f in group.findings]}
            for group in report.groups},
    }
