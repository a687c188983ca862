"""The app's side of the model: training, suggestions kept ready ahead, and what a failure says.

The suggestion engine (spaCy, scikit-learn) never loads in the screen's process: training,
suggesting and ordering all happen in the suggestion process (:mod:`codewell.suggest.remote`), so
nothing competes with the screen for the interpreter. The app holds what it knows of the current
model (its generation, mode and size) and sends texts; workers here only wait for the answers and
post them. Every worker is handed the model generation it is to use when it starts (on the UI
thread), and its results name that generation, so a result from a model the app has since
replaced is recognised and dropped.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from textual import work
from textual.reactive import var
from textual.timer import Timer
from textual.worker import Worker, WorkerState, get_current_worker

from codewell.errors import CodewellError
from codewell.tui.messages import ModelTrained, OrderReady, SuggestionsReady
from codewell.tui.session_list import ORDER_WORDS
from codewell.tui.typeahead import PaletteTypeahead

if TYPE_CHECKING:
    from codewell.suggest.remote import ModelInfo
    from codewell.tui.screens.coding import CodingScreen
    from codewell.tui.session import CodingSession

# Suggestions are kept ready up to PREFETCH responses ahead, asked for in one batch when fewer
# than LOW_WATER ahead have any or are on their way: one request per twenty-odd responses, not
# one per key. A new model re-suggests only the response on screen and the REFRESH after it;
# further on, the older model's suggestions stay until the coder gets there. A request goes in
# chunks, nearest first and small (answered soonest), doubling up to CHUNK, so the next responses
# never wait for the far ones, nor a newer model's answers for a long list (a filter by code).
PREFETCH = 30
LOW_WATER = 5
REFRESH = 3
CHUNK = 64
# A build starts at least this long after the last one started (decisions meanwhile are gathered
# into it): a model every few seconds is plenty, and each handover costs the screen a little
# (new suggestions for the responses ahead, the response on screen redrawn).
BUILD_GAP = 3.0
FINISHED = (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED)


class ModelLink(PaletteTypeahead):
    """Mixed into the app (which sets ``session``, ``coding``, the project's location, coder and
    seed): keeps the screen supplied with suggestions without ever waiting for them."""

    # A var, not a reactive: a reactive on the app repaints the whole screen when it changes (two
    # full frames per retrain); only the header shows it, and the watcher redraws just that.
    model_state: var[str] = var("model: starting")
    session: CodingSession
    project_location: str
    coder: str
    seed: int
    requested_order: str

    def __init__(self) -> None:
        super().__init__()
        self.model: ModelInfo | None = None
        # Ids suggested by the current model; older suggestions stay on screen until replaced.
        self.fresh: set[str] = set()
        # Ids asked of some model and not yet answered or answered: not asked again meanwhile.
        self._asked: set[str] = set()
        self._refilter_pending = False
        self.engine_missing = False
        self.training_asked = False
        self._training: Worker[None] | Timer | None = None  # the build running or waiting
        self._retrain_due = False
        self._build_started = 0.0
        self.train_seconds = 0.0

    @property
    def coding(self) -> CodingScreen:
        return self.get_screen("coding")  # type: ignore[return-value]

    @property
    def closing(self) -> bool:
        """Whether the app is being taken apart: a model or suggestions arriving now have no
        screen left to show on. (Under Pilot the shutdown runs beside the message loop, and a
        late SuggestionsReady reached a coding screen whose widgets were already gone.)"""
        return not self.is_running

    def watch_model_state(self, state: str) -> None:
        if self.is_screen_installed("coding") and self.coding.is_mounted:
            self.coding.redraw_header()

    def _stop_training(self) -> None:
        """A fit still running is of no use now: stop it, so leaving never waits for it."""
        try:
            from codewell.suggest.remote import shared_suggester
        except ImportError:
            return
        try:
            shared_suggester().cancel()
        except CodewellError:  # already closed (the interpreter is exiting)
            pass

    # -- suggestions on and off -------------------------------------------------------------------
    def set_suggestions(self, on: bool) -> None:
        """Turn suggestions on or off; decisions record which it was."""
        if on and self.session.set_name is not None and not self.session.set_allows_suggestions:
            self.notify(self.session.why_no_suggestions(self.session.response.id), timeout=5)
            return
        self.session.suggestions_on = on
        if not on:
            self.model_state = "suggestions off"
        elif self.model is None:
            self.retrain()
        else:
            self.model_state = self._trained_state()
            self.prefetch_suggestions()
        self.coding.refresh_bindings()
        self.coding.redraw()

    def _trained_state(self) -> str:
        model = self.model
        assert model is not None
        own = model.n_examples - model.n_reference
        learnt = f"{own} coded + {model.n_reference:,} reference" if model.n_reference else f"{own} coded"
        return f"model: {model.mode} ({learnt}, {self.train_seconds:.1f} s)"

    # -- training -------------------------------------------------------------------------------
    @property
    def building(self) -> bool:
        """Whether a model is being built, or a gathered build is waiting to start."""
        return self._training is not None

    def retrain(self, *, now: bool = False) -> None:
        """Build a new model from the stored decisions.

        While one is being built, or less than ``BUILD_GAP`` after the last one started,
        further calls (a fast coder's Enters) are gathered into one more build that starts when
        both are over: a burst of decisions costs one build at a time, the project is read once
        per model, not once per key (by the training process), and the screen takes over a new
        model every few seconds at most, not after every Enter once builds are quick. ``now``
        (the codebook changed) supersedes the build in progress instead.
        """
        if not self.session.suggestions_on or self.engine_missing:
            return
        self.training_asked = True
        if self._training is not None and not now:
            self._retrain_due = True
            return
        wait = BUILD_GAP - (time.monotonic() - self._build_started)
        if wait > 0 and not now and self.model is not None:
            self._training = self.set_timer(wait, self._gathered_build)
            return
        if isinstance(self._training, Timer):
            self._training.stop()
        self._retrain_due = False
        self._build_started = time.monotonic()
        self.model_state = "model: training…" if self.model else "model: loading…"
        self._training = self.train(first=self.model is None)

    @work(thread=True, exclusive=True, group="train", exit_on_error=False)
    def train(self, first: bool = False) -> None:
        """Wait (off the interpreter) for the suggestion process, which reads the decisions itself.

        The ``first`` time, the codebook-only model comes first: suggestions from the codebook
        as soon as that process has its text pipeline loaded, then the trained model.
        """
        from codewell.project import Project
        from codewell.suggest import remote, service  # fails as a whole without the engine

        worker = get_current_worker()
        started = time.monotonic()
        suggester = remote.shared_suggester()
        cold = suggester.cold(self.session.codebook) if first else None
        future = suggester.build(service.StoredRequest(Project.open, self.project_location,
                                                       self.coder, self.seed))
        if cold is not None:
            info = cold.result()
            if not worker.is_cancelled:
                self.post_message(ModelTrained(info, time.monotonic() - started))
        info = future.result()
        if info is not None and not worker.is_cancelled:
            self.post_message(ModelTrained(info, time.monotonic() - started))

    def _gathered_build(self) -> None:
        self._training = None
        self.retrain()

    def on_model_trained(self, message: ModelTrained) -> None:
        if self.closing:
            return
        self.model = message.model
        self.train_seconds = message.seconds
        self.fresh = set()
        if self.session.suggestions_on:
            self.model_state = self._trained_state()
        self.prefetch_suggestions(refresh=True)
        if self.requested_order == "uncertain" and self.session.order_name != "uncertain":
            self.compute_order("uncertain", self.model.generation)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """One place where a failed background job becomes something the user sees."""
        if event.worker is self._training and event.state in FINISHED:
            self._training = None
            if self._retrain_due and event.state is not WorkerState.ERROR:
                wait = BUILD_GAP - (time.monotonic() - self._build_started)
                self._training = self.set_timer(max(wait, 0.01), self._gathered_build)
        if event.state is not WorkerState.ERROR:
            return
        error = event.worker.error
        if isinstance(error, ImportError) and event.worker.group in ("train", "order"):
            self.engine_missing = True
            self.model_state = "suggestions unavailable"
            return
        if event.worker.group == "suggest":  # the suggestion process died, and its models
            self._lost_model()
        self.model_state = "model: failed" if event.worker.group == "train" else self.model_state
        self.notify(str(error), title=f"Background {event.worker.group} failed", severity="error")

    # -- suggesting -----------------------------------------------------------------------------
    def prefetch_suggestions(self, *, refresh: bool = False) -> None:
        """Keep suggestions ready ahead of the coder (see ``PREFETCH``); ``refresh``: a new model.

        Usually this starts nothing: a fast coder's Enter then costs no suggestion work at all.
        """
        session = self.session
        if self.model is None or not session.suggestions_on:
            return
        row = session.row_of.get(session.current, 0)
        window = [session.current, *session.rows[row + 1: row + 1 + PREFETCH]]
        ids = [session.responses[p].id for p in window]
        wanted = [p for p, rid in zip(window[:REFRESH + 1], ids) if refresh and rid not in self.fresh]
        if any(rid not in session.suggestions and rid not in self._asked for rid in ids[:LOW_WATER]):
            wanted += [p for p, rid in zip(window, ids)
                       if rid not in session.suggestions and rid not in self._asked and p not in wanted]
        if wanted:
            self._ask(wanted)

    def _ask(self, positions: list[int]) -> None:
        assert self.model is not None
        responses = self.session.responses
        self._asked.update(responses[p].id for p in positions)
        self.suggest(positions, self.model.generation)

    def suggest_everything(self) -> None:
        """Suggest for the whole working set (filters and review by code need it)."""
        session = self.session
        if self.model is None:
            return
        missing = session.unsuggested(self.fresh)  # paged: the rows ahead, not every response
        if missing:
            self._ask(missing)

    @work(thread=True, group="suggest", exit_on_error=False)
    def suggest(self, positions: list[int], generation: int) -> None:
        """Ask model ``generation`` (named by the UI thread) about ``positions``, in chunks, and
        post each chunk's answers as they arrive. The work is the suggestion process's; this
        thread only sends texts and waits.

        A response on screen with nothing to show yet goes first, alone. An answer of ``None``
        means the suggestion process no longer keeps that model: those ids are posted as missed,
        to be asked of the current one.
        """
        from codewell.suggest.remote import shared_suggester

        suggester = shared_suggester()
        responses = self.session.responses
        alone = positions[0] == self.session.current and \
            responses[positions[0]].id not in self.session.suggestions
        chunks, start, size = [], 0, 1 if alone else 4
        while start < len(positions):
            chunks.append(positions[start:start + size])
            start, size = start + size, min(max(2 * size, 4), CHUNK)
        asked = [([responses[p].id for p in chunk],
                  suggester.suggest(generation, [responses[p].text for p in chunk])) for chunk in chunks]
        for ids, future in asked:
            results = future.result()
            if results is None:
                self.post_message(SuggestionsReady({}, generation, missed=tuple(ids)))
            else:
                self.post_message(SuggestionsReady(dict(zip(ids, results)), generation))

    def _lost_model(self) -> None:
        """The suggestion process no longer has the current model (it died): build afresh."""
        if self.model is not None:
            self.model = None
            self._asked = set()
            self.retrain(now=True)

    def on_suggestions_ready(self, message: SuggestionsReady) -> None:
        if self.model is None or self.closing:
            return
        if message.missed and message.generation == self.model.generation:
            self._lost_model()
            return
        self._asked.difference_update(message.missed)
        found = message.suggestions
        if message.generation == self.model.generation:
            self.session.suggestions.update(found)
            self.fresh.update(found)
        elif message.generation < self.model.generation:  # an older model's view fills gaps only
            found = {rid: s for rid, s in found.items() if rid not in self.fresh}
            self.session.suggestions.update(found)
        else:
            return
        if message.missed:
            self.prefetch_suggestions()
        if self.session.response.id in found:
            self.coding.redraw()
        if self.session.filter.startswith("suggested:") and not self._refilter_pending:
            # Suggestions arrive in many small chunks: rebuild the filtered list at most twice a second.
            self._refilter_pending = True
            self.set_timer(0.5, self._refilter)

    def _refilter(self) -> None:
        self._refilter_pending = False
        self.session.set_filter(self.session.filter)
        self.coding.rows_changed()

    # -- order by the model ---------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="order", exit_on_error=False)
    def compute_order(self, name: str, generation: int) -> None:
        """The order by model ``generation``, computed in the suggestion process (``None`` back:
        a newer model replaced it, and asks again when it arrives)."""
        from codewell.suggest.remote import shared_suggester

        candidates, texts = self.session.order_candidates()  # bounded when paged (issue 15)
        ranked = shared_suggester().order(generation, texts, name, self.seed).result()
        if ranked is not None and not get_current_worker().is_cancelled:
            self.post_message(OrderReady(name, self.session.ranked_head(candidates, ranked)))

    def on_order_ready(self, message: OrderReady) -> None:
        if self.closing:
            return
        self.session.set_order(message.name, message.positions)
        if self.session.current == self._resumed_at and not self.session.done_this_session:
            # Nothing done yet this session: resume where the new order says, not the file's.
            self.session.go_to(self.session.first_unfinished())
            self._resumed_at = self.session.current
        self.coding.rows_changed()
        self.prefetch_suggestions()  # the response now first shows its suggestions at once
        self.notify(f"Order: {ORDER_WORDS.get(message.name, message.name)}", timeout=2)
