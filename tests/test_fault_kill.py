"""Random SIGKILLs of a process that is recording decisions: what it reported saved is stored.

The child records decisions as fast as a coder's keys would arrive and prints each uid once the
facade has returned (the moment the screen would show it as saved); the test kills it at a random
moment, then checks every printed uid is in the store exactly once and the file is intact.
"""

from __future__ import annotations

import random
import signal
import time
from collections import Counter

import pytest

from faults import scale, start_python

pytestmark = pytest.mark.engines  # a client killed mid-transaction: the server rolls it back, as SQLite does

RECORDER = """
import random, sys
from codewell.project import Project
from codewell.project.coding import new_uid
from codewell.values import Status

path, seed = sys.argv[1], int(sys.argv[2])
rng = random.Random(seed)
with Project.open(path) as project:
    ids = [r.id for r in project.responses()]
    codes = list(project.codebook.ids)
    print("ready", flush=True)
    while True:
        uid = new_uid()
        rid = rng.choice(ids)
        project.record("ana", rid, rng.choice(codes), rng.choice(["apply", "remove"]), uid=uid)
        print(uid, flush=True)
        if rng.random() < 0.2:
            project.set_status("ana", rid, Status.DONE)
"""


def test_random_sigkills_lose_no_saved_decision(sample_project) -> None:
    from codewell.project import Project

    path = sample_project.location
    sample_project.close()
    rng = random.Random(9)
    reported: list[str] = []
    kills = scale(5, 50)
    for round_ in range(kills):
        child = start_python(RECORDER, path, str(round_))
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.01, 0.4))
        child.send_signal(signal.SIGKILL)
        out, _ = child.communicate(timeout=30)
        assert child.returncode == -signal.SIGKILL
        reported += [line for line in out.splitlines() if len(line) == 32]
    assert len(reported) > kills  # the children really were recording when killed
    with Project.open(path) as project:
        assert project.damage is None
        stored = Counter(d.uid for d in project.decisions("ana"))
    assert all(stored[uid] == 1 for uid in reported), "a decision reported as saved was lost or doubled"
