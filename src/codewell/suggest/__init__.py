"""Code suggestions: the codebook prior, a classifier learnt from decisions, evidence, ordering.

A fitted model is an immutable value (:class:`FittedModel`) built by :func:`fit_model`; the
suggestion service (:mod:`codewell.suggest.service`) builds it in a training process of its own.
Importing this package loads no heavy library; spaCy and scikit-learn load on first use.
"""

from codewell.suggest.model import FittedModel, fit_model
from codewell.suggest.ridge import Cancelled
from codewell.suggest.ordering import order_responses

__all__ = ["Cancelled", "FittedModel", "fit_model", "order_responses"]
