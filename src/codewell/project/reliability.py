"""The reliability half of the project facade: agreement between coders and adjudication.

:class:`~codewell.project.Project` mixes this in, so callers still see one facade; the split only
keeps each module to one concern. Statistics come from :mod:`codewell.agreement` (pure), the plan
from :mod:`codewell.adjudication` (pure); this class reads and writes through the facade.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from codewell.adjudication import CONSENSUS, AdjudicationPlan, plan_adjudication
from codewell.errors import AgreementError, UnknownNameError
from codewell.fuzzy import did_you_mean
from codewell.project.coding import new_uid
from codewell.values import Decision, Status

if TYPE_CHECKING:
    from codewell.agreement import MultilabelAgreement
    from codewell.project import Project
    from codewell.store import Unit


class Reliability:
    """Agreement and consensus for a :class:`~codewell.project.Project` (``self`` is one)."""

    # -- agreement -----------------------------------------------------------------------
    def agreement(self: Project, coders: Sequence[str], *, ci: bool = False, seed: int = 0,
                  n_boot: int = 1000, masi: str = "passonneau",
                  ids: Sequence[str] | None = None) -> MultilabelAgreement:
        """Per-code and overall agreement over the responses every coder marked done (of
        ``ids`` only, in that order, when given: a reliability set)."""
        from codewell.agreement import multilabel_agreement

        if len(set(coders)) < 2:
            raise AgreementError("agreement needs at least two different coders, e.g. --coders ana,ben")
        for coder in coders:
            self.require_coder(coder)
        done = {c: self.finished(c) for c in coders}
        for coder, finished in done.items():
            if not finished:
                raise AgreementError(f"coder '{coder}' has no finished (done) responses to compare")
        common = set.intersection(*done.values())
        order = self.in_import_order(common) if ids is None else [
            rid for rid in ids if rid in common]
        codings = {c: self.codings(c) for c in coders}
        table = {c: {rid: codings[c].get(rid, frozenset()) for rid in order} for c in coders}
        return multilabel_agreement(table, self.codebook.ids, ci=ci, seed=seed, n_boot=n_boot,
                                    masi=masi)  # type: ignore[arg-type]

    def model_agreement(self: Project, coder: str, *, ci: bool = False, seed: int = 0) -> MultilabelAgreement:
        """The model as a pseudo-coder: suggestions shown to ``coder`` against their decisions."""
        from codewell.agreement import model_agreement

        self.require_coder(coder)
        shown = self._db.read(lambda unit: unit.last_shown(coder))
        done = self.finished(coder)
        codings = self.codings(coder)
        ids = self.in_import_order(done & shown.keys())
        if not ids:
            raise AgreementError(f"no finished response of '{coder}' was coded with suggestions shown")
        return model_agreement({rid: shown[rid] for rid in ids},
                               {rid: codings.get(rid, frozenset()) for rid in ids},
                               self.codebook.ids, coder=coder, ci=ci, seed=seed)

    # -- adjudication ----------------------------------------------------------------------
    def adjudication(self: Project, coders: Sequence[str]) -> AdjudicationPlan:
        """The responses ``coders`` disagree on (all must exist and have finished responses)."""
        with_consensus = [*coders, *([CONSENSUS] if CONSENSUS in self.coders() else [])]
        return plan_adjudication(self.dataset(with_consensus, with_log=False),
                                 coders)

    def carry_agreements(self: Project, coders: Sequence[str],
                         plan: AdjudicationPlan | None = None) -> int:
        """Write what the coders already agree on into ``consensus`` without asking.

        Unanimous responses become done for consensus; disputed ones get their agreed codes now
        and the rest when settled. Decisions are marked "agreed". Returns the decisions written.
        The plan is unchanged by this (which disagreements are settled does not move), so a caller
        that already holds it may pass it and keep using it.
        """
        plan = plan if plan is not None else self.adjudication(coders)

        def work(unit: Unit) -> int:
            version, _ = self._codebook_in(unit)
            already = unit.current_codings(CONSENSUS)
            settled = {rid for rid, s in unit.statuses(CONSENSUS).items() if s is Status.DONE}
            pks = self._pks_in(unit, list(plan.compared))
            rows = [(pks[rid], code, "apply", None, False, new_uid())
                    for rid in plan.compared if rid not in settled
                    for code in sorted(plan.agreed[rid] - already.get(rid, frozenset()))]
            unit.append_events(CONSENSUS, rows, version, False, note="agreed")
            done = [pks[rid] for rid in plan.unanimous if rid not in settled]
            if done:
                unit.set_statuses(CONSENSUS, done, Status.DONE)
            return len(rows)

        return self._write(work)

    def settle(self: Project, response_id: str, codes: frozenset[str], *,
               wait: float | None = None) -> list[Decision]:
        """Make ``consensus``'s codes for a response exactly ``codes`` and mark it done."""
        def work(unit: Unit) -> list[Decision]:
            version, codebook = self._codebook_in(unit)
            unknown = sorted(codes - set(codebook.ids))
            if unknown:
                raise UnknownNameError(f"no code '{unknown[0]}' in the codebook",
                                       did_you_mean(unknown[0], codebook.ids))
            had = unit.current_codings(CONSENSUS, response_id).get(response_id, frozenset())
            pk = self._pks_in(unit, [response_id])[response_id]
            rows = [(pk, c, "apply", None, False, new_uid()) for c in sorted(codes - had)]
            rows += [(pk, c, "remove", None, False, new_uid()) for c in sorted(had - codes)]
            ids = unit.append_events(CONSENSUS, rows, version, False, note="adjudicated")
            unit.set_statuses(CONSENSUS, [pk], Status.DONE)
            return unit.decisions(CONSENSUS, ids) if ids else []

        return self._write(work, wait=wait)
