"""Inter-coder agreement: pure functions over units x coders tables (no UI, no store).

Coefficients return :class:`Coefficient` (a float with ``n_units`` and, when NaN, ``reason``);
data that cannot give any value (one coder, one unit, nothing pairable) raises
:class:`~codewell.errors.AgreementError`. See :mod:`.kappa` and :mod:`.alpha` for the
definitions chosen where the literature offers several.
"""

from codewell.agreement._data import Ratings, as_ratings, ratings_from_long
from codewell.agreement._estimate import Coefficient
from codewell.agreement.alpha import krippendorff_alpha, masi_distance
from codewell.agreement.intervals import bootstrap_intervals
from codewell.agreement.kappa import (
    brennan_prediger,
    cohen_kappa,
    fleiss_kappa,
    gwet_ac1,
    percent_agreement,
    scott_pi,
)
from codewell.agreement.long import TableAgreement, long_table_agreement, table_agreement
from codewell.agreement.multilabel import (
    CodeAgreement,
    MultilabelAgreement,
    model_agreement,
    multilabel_agreement,
)
from codewell.agreement.reading import describe, reading

__all__ = [
    "CodeAgreement", "Coefficient", "MultilabelAgreement", "Ratings", "TableAgreement",
    "as_ratings", "bootstrap_intervals", "brennan_prediger", "cohen_kappa", "describe",
    "fleiss_kappa", "gwet_ac1", "krippendorff_alpha", "long_table_agreement", "masi_distance",
    "model_agreement", "multilabel_agreement", "percent_agreement", "ratings_from_long",
    "reading", "scott_pi", "table_agreement",
]
