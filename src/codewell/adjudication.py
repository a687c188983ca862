"""Which responses two or more coders disagree on, and what they already agree on.

Pure functions over a :class:`~codewell.values.CodedDataset`; the project facade writes the
outcome as the coder ``consensus``. Only responses every coder marked done are compared, since a
half-coded response is not a disagreement yet.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from codewell.errors import AgreementError
from codewell.values import CodedDataset, Response, Status

CONSENSUS = "consensus"


@dataclass(frozen=True)
class Disagreement:
    """One response to settle: each coder's codes and memo, and the codes all of them applied."""

    response: Response
    codes: dict[str, frozenset[str]]
    memos: dict[str, str]
    agreed: frozenset[str]
    disputed: frozenset[str]
    settled: frozenset[str] | None  # the consensus codes, once someone has settled it


@dataclass(frozen=True)
class AdjudicationPlan:
    coders: tuple[str, ...]
    compared: tuple[str, ...]          # response ids every coder finished, file order
    agreed: dict[str, frozenset[str]]  # compared response -> the codes every coder applied
    unanimous: tuple[str, ...]         # compared responses on which the coders' sets are identical
    disagreements: tuple[Disagreement, ...]

    @property
    def remaining(self) -> tuple[Disagreement, ...]:
        return tuple(d for d in self.disagreements if d.settled is None)


def finished(ds: CodedDataset, coder: str) -> set[str]:
    return {rid for rid, status in ds.statuses.get(coder, {}).items() if status is Status.DONE}


def plan_adjudication(ds: CodedDataset, coders: Sequence[str]) -> AdjudicationPlan:
    """Compare ``coders`` on the responses all of them finished."""
    if len(set(coders)) < 2:
        raise AgreementError("adjudication needs at least two different coders, e.g. --coders ana,ben")
    for coder in coders:
        if not finished(ds, coder):
            raise AgreementError(f"coder '{coder}' has no finished (done) responses to compare")
    common = set.intersection(*(finished(ds, c) for c in coders))
    if not common:
        raise AgreementError(f"no response was finished by all of {', '.join(coders)}")
    settled_ids = finished(ds, CONSENSUS)
    consensus = ds.codings.get(CONSENSUS, {})
    compared, unanimous, disagreements = [], [], []
    agreed_codes: dict[str, frozenset[str]] = {}
    for response in ds.responses:
        if response.id not in common:
            continue
        compared.append(response.id)
        sets = {c: ds.codings.get(c, {}).get(response.id, frozenset()) for c in coders}
        agreed = frozenset.intersection(*sets.values())
        union = frozenset.union(*sets.values())
        agreed_codes[response.id] = agreed
        if agreed == union:
            unanimous.append(response.id)
            continue
        disagreements.append(Disagreement(
            response=response, codes=sets,
            memos={c: ds.memos.get(c, {}).get(response.id, "") for c in coders},
            agreed=agreed, disputed=union - agreed,
            settled=consensus.get(response.id, frozenset()) if response.id in settled_ids else None))
    return AdjudicationPlan(coders=tuple(coders), compared=tuple(compared), agreed=agreed_codes,
                            unanimous=tuple(unanimous),
                            disagreements=tuple(disagreements))
