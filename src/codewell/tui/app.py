"""The coding app: opens the project, builds the session, and holds the screen's commands that
are not keys of the coding screen (order, filter, codebook changes, review by code). How it keeps
suggestions coming without waiting for the model is :mod:`codewell.tui.model_link`.
"""

from __future__ import annotations

import gc
from collections.abc import Mapping

from textual.app import App

from codewell.errors import CodewellError, DataFileError
from codewell.tui.commands import CodewellCommands
from codewell.tui.model_link import ModelLink
from codewell.tui.screens.coding import CodingScreen
from codewell.tui.session import CodingSession
from codewell.tui.session_list import ORDERS


class CodewellApp(ModelLink):
    """One coder coding one project; ``blind`` hides other coders and turns suggestions off."""

    CSS_PATH = "codewell.tcss"
    TITLE = "codewell"
    COMMANDS = App.COMMANDS | {CodewellCommands}

    def __init__(self, project_location: str, coder: str, *, blind: bool = False,
                 suggestions: bool | None = None, sample: int | None = None, seed: int = 0,
                 order: str = "file", keymap: Mapping[str, str] | None = None,
                 set_name: str | None = None) -> None:
        super().__init__()
        from codewell.project import Project

        if order not in ORDERS:
            raise CodewellError(f"unknown order '{order}'", f"choose one of {', '.join(ORDERS)}")
        suggestions_on = (not blind) if suggestions is None else suggestions
        if order == "uncertain" and set_name is None and not suggestions_on:
            # The suggestion model ranks the responses and runs only with suggestions on: left to
            # wait for it, the list stayed in file order with nothing on screen to say why.
            off = "--blind" if suggestions is None else "--no-suggestions"
            raise CodewellError(f"--order uncertain needs suggestions, which {off} turns off: the "
                                "suggestion model is what finds the uncertain responses",
                                "add --suggestions, or leave out --order")
        self.project_location = str(project_location)
        self.coder = coder
        self.seed = seed
        self.requested_order = order
        # Opened for this coder: the project itself keeps other coders' work on open sets away.
        self.project = Project.open(project_location, viewer=coder)
        try:
            self.project.refuse_case_twin(coder)
            if set_name is not None:
                self.project.join_set(set_name, coder)
            self.session = CodingSession(self.project, coder, blind=blind, suggestions_on=suggestions_on,
                                         sample=sample, seed=seed, set_name=set_name)
        except CodewellError:
            self.project.close()
            raise
        if not self.session.total:
            self.project.close()
            raise DataFileError(f"{project_location}: has no responses to code yet",
                                hint=f"codewell import {project_location} DATA.csv")
        if order == "random" and set_name is None:
            self.session.set_order("random")
        self.session.go_to(self.session.first_unfinished())
        self._resumed_at = self.session.current
        self.keymap: dict[str, str] = dict(keymap or {})  # binding id -> keys, for help and palette
        if keymap:
            self.set_keymap(dict(keymap))

    def on_mount(self) -> None:
        self.model_state = "suggestions off" if not self.session.suggestions_on else "model: loading"
        self.install_screen(CodingScreen(self.session), "coding")
        self.push_screen("coding")
        # What startup built (Textual's DOM and styles, the session's pages, the codebook) lives as
        # long as the app: frozen out of the collector's reach, a full collection no longer walks
        # it, and no longer stalls a key for a quarter of a second (the fast-coder benchmark's
        # worst Enters were full collections).
        self.call_after_refresh(gc.freeze)
        if self.session.done >= self.session.total:
            # Opened on the first response, marked done, with nothing to say why: say it.
            self.notify(f"All {self.session.total} responses are done. n and p go through them to change "
                        "any; ctrl+p filters the list.", timeout=8)
        if self.session.suggestions_on:
            self.retrain()
        if self.requested_order == "uncertain" and self.session.set_name is None:
            # The model takes seconds to arrive; the list then changes under the coder's eyes.
            self.notify("File order until the model is ready (a few seconds), then most uncertain first.",
                        timeout=5)

    async def action_quit(self) -> None:
        """Textual's ctrl+q (and the palette's quit) asks first, as the coding screen's q does."""
        self.coding.action_quit("ctrl+q")

    def on_unmount(self) -> None:
        if self.training_asked:
            self._stop_training()
        self.project.close()

    # -- order and filter -----------------------------------------------------------------------
    def change_order(self, name: str) -> None:
        if self.session.set_name is not None:
            self.notify(f"Set '{self.session.set_name}' keeps its own order, the same for every coder.",
                        timeout=3)
            return
        if name == "uncertain" and not self.session.suggestions_on:
            self.notify("Most uncertain first needs suggestions on (the suggestion model ranks the "
                        "responses): choose 'Turn suggestions on' first. The order is unchanged.",
                        timeout=5)
            return
        self.requested_order = name
        if name == "uncertain":
            if self.model is None:
                self.notify("The model is not ready yet; the order changes when it is.", timeout=3)
                self.retrain()
                return
            self.compute_order(name, self.model.generation)
            return
        self.session.set_order(name)
        self.coding.rows_changed()
        self.prefetch_suggestions()

    def change_filter(self, name: str) -> None:
        if name.startswith("suggested:"):
            if not self.session.suggestions_on or self.model is None:
                self.notify("That filter needs suggestions on and a trained model.", timeout=3)
                return
            self.suggest_everything()
        self.session.set_filter(name)
        self.coding.rows_changed()
        if not self.session.rows:
            self.notify("No response matches this filter (yet).", timeout=3)

    # -- codebook and review --------------------------------------------------------------------
    def add_code(self) -> None:
        from codewell.tui.screens.add_code import AddCodeScreen

        def save(code) -> None:
            if code is None:
                return
            try:
                version = self.session.add_code(code)
            except CodewellError as error:
                self.notify(str(error), title="Code not added", severity="error")
                return
            self.coding.codebook_changed()
            self.notify(f"Added '{code.label}' (codebook version {version})", timeout=3)
            self.retrain(now=True)

        self.push_screen(AddCodeScreen(self.session.codebook.ids), save)

    def catch_up(self, *, now: bool = False) -> None:
        """Show what another session changed: the codebook, the sets (other coders' work read
        again) or this coder's own work, and retrain on it (see :meth:`CodingSession.catch_up`)."""
        changes = self.session.catch_up(now=now)
        if not changes:
            return
        self.coding.codebook_changed()
        if "own" in changes:  # the list's marks (done, skipped, flagged) of rows not visited since
            self.coding.rows_changed()
        if "codebook" in changes:
            self.notify(f"{changes['codebook']}. The codes shown are now version {self.session.codebook_version}'s.",
                        title="The codebook changed in another session", severity="warning", timeout=10)
        for kind, title in (("sets", "The sets changed in another session"),
                            ("own", "Your work changed in another session")):
            if kind in changes:
                said = changes[kind]
                self.notify(f"{said[0].upper()}{said[1:]}.", title=title, severity="warning", timeout=10)
        if "codebook" in changes or "own" in changes:
            self.retrain()

    def change_codebook(self, kind: str, code) -> None:
        """Rename, edit, merge or retire ``code`` from the palette (a dialog asks the details)."""
        from codewell.tui.screens.codebook_change import CodebookChangeScreen

        def save(values) -> None:
            if values is None:
                return
            try:
                version = self.session.change_codebook(kind, code.id, values)
            except CodewellError as error:
                self.notify(str(error), title="Codebook not changed", severity="error")
                return
            self.coding.codebook_changed()
            self.notify(f"Codebook version {version}: {self.project.codebook_history()[-1][3]}", timeout=4)
            self.retrain()

        self.push_screen(CodebookChangeScreen(kind, code), save)

    def review(self, code: str) -> None:
        from codewell.tui.screens.review import ReviewScreen

        if self.model is None or not self.session.suggestions_on:
            self.notify("Review by code needs suggestions on and a trained model.", timeout=3)
            return
        self.push_screen(ReviewScreen(self.session, code, self.model, self.fresh),
                         lambda _: self.coding.redraw())


def make_app(project_location: str, coder: str, *, blind: bool = False,
             suggestions: bool | None = None, sample: int | None = None, seed: int = 0,
             order: str = "file", keymap: Mapping[str, str] | None = None,
             set_name: str | None = None) -> CodewellApp:
    """The one way the CLI and the tests build the app (raises CodewellError on a bad project)."""
    return CodewellApp(project_location, coder, blind=blind, suggestions=suggestions,
                       sample=sample, seed=seed, order=order, keymap=keymap, set_name=set_name)
