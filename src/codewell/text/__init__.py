"""The text pipeline, one job per module: ``pipeline`` (spaCy tokens, lemmas, sentences),
``negation`` (scope), ``keywords`` (the codebook phrase index) and ``vocabulary`` (a study's
shorthand and synonyms). Importing it loads no heavy library.
"""

from codewell.text.keywords import PhraseIndex, PhraseMatch
from codewell.text.negation import negation_scope
from codewell.text.pipeline import Analysis, analyse, analyse_many, pipeline
from codewell.text.vocabulary import NO_VOCABULARY, Vocabulary, vocabulary

__all__ = ["NO_VOCABULARY", "Analysis", "PhraseIndex", "PhraseMatch", "Vocabulary", "analyse",
           "analyse_many", "negation_scope", "pipeline", "vocabulary"]
