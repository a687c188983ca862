"""The agreement view: the per-code table a paper reports, coloured by the conventional bands.

The statistics (numpy) are computed in a thread worker with its own project connection, so the
screen opens at once and the adjudication screen never waits on them. Every coloured value also
carries its reading in words, so the table reads the same with NO_COLOR.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static
from textual.worker import Worker, WorkerState, get_current_worker

if TYPE_CHECKING:  # the agreement package loads numpy; imported in the worker only
    from codewell.agreement import MultilabelAgreement

BAND_COLOURS = {"reliable": "green", "tentative": "yellow", "unreliable": "red",
                "almost perfect": "green", "substantial": "green", "moderate": "yellow",
                "fair": "red", "slight": "red", "poor": "red"}
OVERALL_NAMES = {"krippendorff_alpha": "Krippendorff's alpha, all response x code pairs",
                 "masi_alpha": "Krippendorff's alpha, MASI distance on code sets",
                 "mean_kappa": "Mean kappa over codes",
                 "pooled_kappa": "Pooled kappa (De Vries et al. 2008)",
                 "percent_agreement": "Agreement, all response x code pairs"}


def band(name: str, value: float | None) -> str:
    """The reading's key word ("reliable", "substantial"...), "" when none applies."""
    from codewell.agreement.reading import reading

    if value is None or math.isnan(value):
        return ""
    words = reading(name, value)
    return words.split(" (")[0]


def cell(name: str, value: float | None) -> Text:
    """A value with three decimals in its band's colour; "n/a" or "undefined" when there is none."""
    if value is None:
        return Text("n/a", style="dim", justify="right")
    if math.isnan(value):
        return Text("undefined", style="dim", justify="right")
    return Text(f"{value:.3f}", style=BAND_COLOURS.get(band(name, value), ""), justify="right")


class AgreementReady(Message):
    """The computed agreement, from the worker to the screen."""

    def __init__(self, result: MultilabelAgreement) -> None:
        super().__init__()
        self.result = result


class AgreementScreen(Screen):
    """Per-code table (code, n, agreement, kappa, alpha, AC1, prevalence, reading) and overall."""

    BINDINGS = [Binding("escape,v", "close", "Back", id="agreement.close",
                        tooltip="Back to the disagreements"),
                Binding("q", "app.quit", "Quit", id="app.quit")]

    def __init__(self, location: str, coders: Sequence[str]) -> None:
        super().__init__(id="agreement")
        self.location = location
        self.coders = tuple(coders)
        self.result: MultilabelAgreement | None = None

    def compose(self) -> ComposeResult:
        yield Static(f"Agreement of {', '.join(self.coders)}: computing…", id="agreement-title", markup=False)
        yield DataTable(id="agreement-table", zebra_stripes=True, cursor_type="row")
        yield Static(id="agreement-overall")
        yield Footer()

    def on_mount(self) -> None:
        self.compute()

    @work(thread=True, exclusive=True, group="agreement", exit_on_error=False)
    def compute(self) -> None:
        from codewell.project import Project

        with Project.open(self.location) as project:
            result = project.agreement(self.coders)
        if not get_current_worker().is_cancelled:
            self.post_message(AgreementReady(result))

    def on_agreement_ready(self, message: AgreementReady) -> None:
        self.result = result = message.result
        two = len(result.coders) == 2
        kappa = "cohen_kappa" if two else "fleiss_kappa"
        kappa_label = "Cohen's kappa" if two else "Fleiss' kappa"
        self.query_one("#agreement-title", Static).update(Text.assemble(
            (f"Agreement of {', '.join(result.coders)}", "bold"),
            f" on {result.n_units} responses all of them finished, each code as applied / not"))
        table = self.query_one(DataTable)
        table.clear(columns=True)
        table.add_columns("code", "n", "agree", "kappa", "alpha", "AC1", "prev.", "reading alpha / kappa")
        for code in result.codes:
            item = result.per_code[code]
            values = item.coefficients
            words = " / ".join(band(name, values[name]) or "undefined"
                               for name in ("krippendorff_alpha", kappa))
            table.add_row(code, Text(str(item.n), justify="right"),
                          cell("percent_agreement", values["percent_agreement"]),
                          cell(kappa, values[kappa]), cell("krippendorff_alpha", values["krippendorff_alpha"]),
                          cell("gwet_ac1", values["gwet_ac1"]),
                          Text(f"{item.prevalence:.3f}", justify="right"), words, key=code)
        overall = Text(f"agree: observed agreement · kappa: {kappa_label} · prev.: share of decisions "
                       "applying the code · reading: Krippendorff's bands for alpha, Landis & Koch's "
                       "for kappa\n\n", style="dim")
        overall.append("Overall\n", style="bold")
        for name, value in result.overall.items():
            overall.append(f"{OVERALL_NAMES.get(name, name)}: ")
            overall.append_text(cell(name, value))
            word = band(name, value)
            overall.append(f"  {word}\n" if word else "\n")
        self.query_one("#agreement-overall", Static).update(overall)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.query_one("#agreement-title", Static).update(
                Text(f"Agreement cannot be computed: {event.worker.error}", style="bold"))

    def action_close(self) -> None:
        self.dismiss(None)
