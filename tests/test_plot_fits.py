"""The report's chart keeps every word inside the image (probe s26: the axis label of the sample
study's chart was cut off at "(whiskers: 95% Wilson interv").

Each text is measured the way matplotlib draws it: a ``draw_event`` handler receives the very
renderer that writes the PNG (Agg) or the SVG, and compares each text's window extent with the
figure's box at that moment. The sample study's chart is also written by the real command and the
PNG's outermost pixels are checked for ink: a cut word touches the edge of the picture.
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from matplotlib.text import Text

from codewell.report.frequencies import FrequencyRow, FrequencyTable, wilson_interval
from codewell.report.plot import frequency_chart

ROOT = Path(__file__).resolve().parents[1]
SLACK = 0.5  # pixels: antialiasing, not a cut


def table_of(counts: list[tuple[str, int]], denominator: int, non_answers: int = 0) -> FrequencyTable:
    rows = tuple(FrequencyRow(f"c{i}", label, n, denominator, 100 * n / denominator,
                              *wilson_interval(n, denominator))
                 for i, (label, n) in enumerate(counts))
    return FrequencyTable("ana", denominator, non_answers, 0, rows)


def texts_outside(table: FrequencyTable, image_format: str) -> list[str]:
    """The texts of ``table``'s chart that reach outside the figure when written as ``image_format``."""
    figure = frequency_chart(table)
    outside: list[str] = []

    def measure(event) -> None:
        outside.clear()  # only the last draw is the one written
        box = figure.bbox
        for text in figure.findobj(Text):
            if not text.get_visible() or not text.get_text():
                continue
            extent = text.get_window_extent(event.renderer)
            if (extent.x0 < box.x0 - SLACK or extent.y0 < box.y0 - SLACK
                    or extent.x1 > box.x1 + SLACK or extent.y1 > box.y1 + SLACK):
                outside.append(text.get_text())

    figure.canvas.mpl_connect("draw_event", measure)
    figure.savefig(io.BytesIO(), format=image_format)
    return outside


STUDY = [("Understanding", 107), ("Communication", 96), ("Interpretation difficulty", 60),
         ("Adherence", 53), ("Anxiety", 39), ("Clinician present", 32), ("Staff workload", 20),
         ("Privacy and data protection", 16), ("Medico-legal", 14)]
LONG = [("Patients' understanding of their own condition, diagnosis and anatomy", 120),
        ("Worry, distress or panic caused by seeing images without a clinician", 48),
        ("Interpretation_difficulty_for_lay_people_reading_unreported_images", 7)]


@pytest.mark.parametrize("image_format", ["png", "svg"])
@pytest.mark.parametrize("counts, denominator, non_answers", [
    (STUDY, 168, 26),                       # the sample study, as the probe drew it
    (LONG, 100_000, 12_345),                 # long labels, long axis label
    ([("Everyone said it", 1000)], 1000, 0),  # a bar at 100%, its label past the end
])
def test_every_text_of_the_chart_lies_inside_it(counts, denominator, non_answers, image_format) -> None:
    assert texts_outside(table_of(counts, denominator, non_answers), image_format) == []


labels = st.text(st.sampled_from("abcdefghij klmnop_-'é"), min_size=1, max_size=90).filter(str.strip)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(labels, st.integers(0, 500)), min_size=1, max_size=12),
       st.integers(500, 2_000_000), st.integers(0, 999_999), st.sampled_from(["png", "svg"]))
def test_no_labels_or_counts_push_a_text_out(counts, denominator, non_answers, image_format) -> None:
    assert texts_outside(table_of(counts, denominator, non_answers), image_format) == []


def test_the_sample_studys_chart_from_the_command_has_no_cut_words(tmp_path: Path) -> None:
    from PIL import Image

    project = tmp_path / "s.cw"
    for args in (["init", str(project), "--codebook", str(ROOT / "codebooks" / "image-sharing.yaml")],
                 ["import", str(project), str(ROOT / "samples" / "image-sharing" / "responses.csv")],
                 ["import", str(project), str(ROOT / "samples" / "image-sharing" / "codings.csv"), "--codings"],
                 ["report", str(project), "--coder", "ana", "--plot", str(tmp_path / "f.png")]):
        subprocess.run([sys.executable, "-m", "codewell", *args], check=True, capture_output=True)
    image = Image.open(tmp_path / "f.png").convert("L")
    width, height = image.size
    edge = [image.getpixel((x, y)) for x in range(width) for y in (0, 1, height - 2, height - 1)]
    edge += [image.getpixel((x, y)) for y in range(height) for x in (0, 1, width - 2, width - 1)]
    assert min(edge) > 250, "ink on the image's edge: a word is cut off"


def test_a_long_label_wraps_and_its_row_grows() -> None:
    """Wrapped, not cut short: every word of the label is still on the chart."""
    label = LONG[0][0]
    figure = frequency_chart(table_of([(label, 3)], 10))
    shown = [t.get_text() for t in figure.axes[0].get_yticklabels()]
    assert len(shown) == 1 and "\n" in shown[0] and shown[0].split() == label.split()
    assert figure.get_figheight() > frequency_chart(table_of([("Short", 3)], 10)).get_figheight()

