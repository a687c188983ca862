"""Suggestions in the project facade: what a coder's model learns from, and its suggestions for
the responses they have not finished.

The model learns from the finished responses only. ``codewell suggest`` holds its few
responses in memory; ``suggest -o`` streams them: the rest come from the store a page at a
time inside one read snapshot and are scored a chunk at a time on every core
(:mod:`codewell.suggest.batch`), so memory follows the chunk, not the project: a million
responses are never all in memory at once, as texts, analyses or rows of output.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, TypeVar

from codewell.io.readers import CHUNK_ROWS
from codewell.values import CodeSuggestion, Response, Status

if TYPE_CHECKING:
    from codewell.project import Project
    from codewell.store import Unit
    from codewell.suggest.batch import ScoredChunk
    from codewell.suggest.model import FittedModel

T = TypeVar("T")


class Suggesting:
    def suggest(self: Project, coder: str | None = None, *, limit: int | None = None,
                include_coded: bool = False) -> list[tuple[Response, tuple[CodeSuggestion, ...]]]:
        """Suggestions for the responses ``coder`` has not finished, from a model trained on
        the responses they have (the codebook alone when there are none). The model is built by
        the suggestion service, in its training process, as the coding screen's is."""
        model, todo = self.suggestion_plan(coder, limit=limit, include_coded=include_coded)
        return list(zip(todo, model.suggest_many([r.text for r in todo])))

    def suggestion_plan(self: Project, coder: str | None = None, *, limit: int | None = None,
                        include_coded: bool = False) -> tuple[FittedModel, list[Response]]:
        """The model :meth:`suggest` uses and the responses it covers, held in memory (``suggest
        -o`` streams them instead: :meth:`batch_suggestions`)."""
        from codewell.suggest.service import shared_service, training_request

        if coder is not None:
            self.require_coder(coder)
        request = training_request(self, coder)
        finished = self.finished(coder) if coder is not None and not include_coded else set()
        todo = self._db.read(lambda unit: _first_to_suggest(unit, finished, limit))
        return shared_service().build(request).model, todo

    def training_examples(self: Project, coder: str) -> tuple[list[str], list[frozenset[str]]]:
        """Texts and codes of the responses ``coder`` finished (done), non-answers left out; then
        each passage the coder coded as a segment, labelled with the codes of every segment that
        covers it (a passage says which sentence carried the code: see
        :func:`codewell.project.segments.passage_examples`)."""
        from codewell.project.segments import passage_examples

        done = {rid for rid, s in self.statuses(coder).items() if s is Status.DONE}
        codings = self.codings(coder)
        known = frozenset(self.codebook.ids)
        texts, labels = [], []
        # only the finished rows are read: training costs what was coded, not the project's size
        for _, response in self._db.read(lambda unit: unit.responses_by_ids(sorted(done))):
            if not response.is_empty:
                texts.append(response.text)
                labels.append(codings.get(response.id, frozenset()) & known)
        passages = passage_examples(self, self.segments(coder), done, known)
        return texts + [text for text, _ in passages], labels + [codes for _, codes in passages]

    def batch_suggestions(self: Project, coder: str | None,
                          write: Callable[[tuple[str, ...], int, Iterator[ScoredChunk]], T], *,
                          limit: int | None = None, workers: int | None = None) -> T:
        """``write(code ids, how many responses, their scored chunks in import order)``: the
        responses ``coder`` has not finished (non-answers left out, at most ``limit``), scored
        by a model trained on those they have (the codebook alone for nobody), as
        :meth:`suggest` scores them. ``write`` runs inside one read snapshot and may run again
        from the start if a server connection is lost, so it must write its file whole each
        time. ``workers``: scoring processes (default: one per core; 0: score in this one)."""
        from codewell.suggest.batch import CHUNK, BatchScorer, default_workers
        from codewell.suggest.processes import warm
        from codewell.suggest.service import shared_service, training_request

        if coder is not None:
            self.require_coder(coder)
        warm()  # the process server loads while the project is read
        finished = sorted(self.finished(coder)) if coder is not None else []
        count = self._db.read(lambda unit: _count(unit, finished, limit))
        building = shared_service().build_later(training_request(self, coder))
        chunks = -(-count // CHUNK)
        # The scoring processes read the first chunks while the model trains (see batch).
        with BatchScorer(min(default_workers() if workers is None else workers, chunks)) as scorer:

            def read(unit: Unit) -> T:
                count = _count(unit, finished, limit)  # again, in the snapshot the rows come from
                pages = _unfinished(unit, set(finished), count, CHUNK)
                return write(self.codebook.ids, count,
                             scorer.score(lambda: building.result().model, pages,
                                          codebook=self.codebook, ready=building.done))

            return self._db.read(read)


def _count(unit: Unit, finished: list[str], limit: int | None) -> int:
    """How many non-empty responses are not in ``finished`` (at most ``limit``)."""
    total, empty = unit.response_counts()
    finished_empty = sum(1 for _, r in unit.responses_by_ids(finished) if r.is_empty)
    count = total - empty - (len(finished) - finished_empty)
    return count if limit is None else max(0, min(count, limit))


def _unfinished(unit: Unit, finished: set[str], count: int, block: int) -> Iterator[Sequence[Response]]:
    """The first ``count`` non-empty responses not in ``finished``, a page at a time in import
    order (a page's unfinished ones: at most ``block``)."""
    after, left = 0, count
    while left > 0:
        page = unit.response_page(after, block)
        if not page:
            return
        after = page[-1][0]
        todo = [r for _, r in page if not r.is_empty and r.id not in finished][:left]
        left -= len(todo)
        if todo:
            yield todo


def _first_to_suggest(unit: Unit, finished: set[str], limit: int | None) -> list[Response]:
    """The first ``limit`` (else every) non-empty responses not in ``finished``, in import order,
    read a page at a time so that ``--limit 10`` reads ten, not the project."""
    todo: list[Response] = []
    after = 0
    while limit is None or len(todo) < limit:
        page = unit.response_page(after, CHUNK_ROWS)
        if not page:
            break
        after = page[-1][0]
        todo += [r for _, r in page if r.id not in finished and not r.is_empty]
    return todo if limit is None else todo[:limit]
