"""Code suggestions: the codebook prior, a classifier learnt from decisions, evidence, ordering.

Importing this package loads no heavy library; spaCy and scikit-learn load on first use.
"""

from codewell.suggest.model import Suggester
from codewell.suggest.ordering import order_responses

__all__ = ["Suggester", "order_responses"]
