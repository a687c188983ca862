"""A small study for the TUI tests: the image-sharing codebook and responses written for them.

Kept apart from the shared sample so these tests do not move when the sample data changes.
"""

from __future__ import annotations

import csv
from pathlib import Path

from codewell.values import Code, Codebook, Status
from codewell.project import Project

CODEBOOK = Codebook(
    title="Sharing images (TUI tests)",
    codes=(
        Code("understanding", "Understanding", "benefit", "Images help patients understand.",
             keywords=("understand", "understanding", "make sense", "picture is worth")),
        Code("communication", "Communication", "benefit", "Images support talking with clinicians.",
             keywords=("questions", "conversation", "trust", "partnership", "shared decision")),
        Code("adherence", "Adherence", "benefit", "Images encourage following the care plan.",
             keywords=("motivated", "follow-up", "exercises", "keep doing", "finish")),
        Code("interpretation_difficulty", "Interpretation difficulty", "risk",
             "Images are hard for lay people to read.",
             keywords=("misread", "interpret", "explain", "report", "taken for disease")),
        Code("anxiety", "Anxiety", "risk", "Seeing images may cause worry or distress.",
             keywords=("anxiety", "worry", "frighten", "distressing", "panic")),
    ),
)

RESPONSES = [
    ("Radiographer", "Hospital", "Seeing the picture helps a patient understand what is wrong with their knee."),
    ("Radiologist", "Hospital", "Looking at a scan at home, alone, could cause real anxiety and worry."),
    ("Sonographer", "Community", "Most people would misread normal anatomy as disease; it must come with the report."),
    ("Radiographer", "Private", "It starts a conversation: patients ask better questions of their consultant."),
    ("Physiotherapist", "Community", "When they see the fracture healing they keep doing their exercises."),
    ("Radiologist", "Hospital", "No comment."),
    ("Radiographer", "Hospital", "Images make the diagnosis real and help them understand why surgery is needed."),
    ("Manager", "Hospital", "Incidental findings seen without support could frighten people badly."),
    ("Educator", "University", "Lay people cannot interpret grey shadows; someone has to explain them."),
    ("Sonographer", "Hospital", "Sharing builds trust and makes decisions feel shared."),
    ("Radiographer", "Community", "Patients who saw their scans were more motivated to attend follow-up."),
    ("Radiologist", "Private", ""),
    ("Radiographer", "Hospital", "A picture is worth a thousand words when explaining a tumour."),
    ("Sonographer", "Community", "Bad news delivered by an image on a portal is distressing."),
    ("Radiologist", "Hospital", "Artefacts are easily taken for disease by patients."),
    ("Manager", "Private", "Partnership with the clinician improves when both look at the same image."),
    ("Radiographer", "Hospital", "Seeing the tumour shrink encourages them to finish chemotherapy."),
    ("Educator", "University", "Not sure it adds much."),
    ("Radiographer", "Hospital", "It helps with understanding anatomy and the injury itself."),
    ("Radiologist", "Community", "Worry and panic if they spot something before the doctor calls."),
]


def write_responses(path: Path, rows: list[tuple[str, str, str]] = RESPONSES) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "profession", "setting", "response"])
        for i, (profession, setting, text) in enumerate(rows, 1):
            writer.writerow([f"R{i:03d}", profession, setting, text])
    return path


_TEMPLATES: dict[tuple[tuple[str, str, str], ...], bytes] = {}


def make_project(folder: Path, rows: list[tuple[str, str, str]] = RESPONSES, *, fresh: bool = False) -> Path:
    """A project file holding the codebook and ``rows``; returns its path (closed).

    Made once per test process for each ``rows`` and copied after (a closed project is one
    file), which spares the many screen tests a project build each; ``fresh`` builds a new one,
    for a test that needs another project's identity (its creation time)."""
    location = folder / "study.cw"
    key = tuple(rows)
    if not fresh and key in _TEMPLATES:
        location.write_bytes(_TEMPLATES[key])
        write_responses(folder / "responses.csv", rows)
        return location
    with Project.create(location, CODEBOOK) as project:
        project.import_responses(write_responses(folder / "responses.csv", rows))
    if not fresh and not any(location.with_name(location.name + end).exists() for end in ("-wal", "-shm")):
        _TEMPLATES[key] = location.read_bytes()
    return location


def code_as(location: Path, coder: str, codings: dict[str, tuple[str, ...]], memos: dict[str, str] = {}) -> None:
    """Record another coder's work directly through the facade (for blind-mode tests)."""
    with Project.open(location) as project:
        for response_id, codes in codings.items():
            for code in codes:
                project.record(coder, response_id, code, "apply")
            project.set_status(coder, response_id, Status.DONE)
        for response_id, text in memos.items():
            project.set_memo(coder, response_id, text)


async def settle(app, pilot) -> None:
    """Let background workers finish and their messages land (twice: training starts suggesting).

    A worker cancelled because a newer one replaced it (an exclusive group: the order by a model
    that a newer model superseded) has finished as the app means it to; a failed one still fails.
    """
    from textual.worker import WorkerCancelled

    for _ in range(3):
        for worker in list(app.workers):
            try:
                await worker.wait()
            except WorkerCancelled:
                pass
        await pilot.pause()


def screen_text(app) -> str:
    """The active screen as plain text, one line per terminal row (what a user reads)."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def stored(location: Path, coder: str = "ana"):
    """What a fresh connection sees: proof that a decision was committed, not just shown."""
    with Project.open(location) as project:
        return project.decisions(coder), project.statuses(coder), project.memos(coder), project.codings(coder)
