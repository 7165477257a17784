"""Progress of a run on stderr: a bar on a terminal, plain lines otherwise, nothing when quiet.

On a terminal (stderr is a tty) a tqdm bar shows trials done / total, the claim whose trial
finished last and tqdm's estimate of the time left (its rate counts computed trials only: trials
reused from the store are the bar's starting point). Otherwise each finished trial is one line
(``  C3 trial 2/10 seed 1: pass (0.4s) [12/240, ~3m10s left]``), which reads well in a log.
"""

from __future__ import annotations

import sys
import time

from tqdm import tqdm


def _duration(s: float) -> str:
    s = int(round(s))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s // 3600}h{s % 3600 // 60:02d}m"


class Progress:
    """``total`` trials, of which ``reused`` come from the store and are done already."""

    def __init__(self, total: int, reused: int = 0, quiet: bool = False, stream=None,
                 bar: bool | None = None):
        self.stream = sys.stderr if stream is None else stream
        self.quiet = quiet
        self.total, self.done, self.start = total, reused, reused
        self.t0 = time.perf_counter()
        if bar is None:
            bar = not quiet and hasattr(self.stream, "isatty") and self.stream.isatty()
        self.bar = (tqdm(total=total, initial=reused, file=self.stream, unit="trial",
                         dynamic_ncols=True, desc="trials") if bar else None)

    def message(self, msg: str) -> None:
        """A line of its own (above the bar on a terminal)."""
        if self.quiet:
            return
        if self.bar is not None:
            self.bar.write(msg, file=self.stream)
        else:
            print(msg, file=self.stream, flush=True)

    def eta(self) -> float | None:
        """Seconds left at the rate of the trials computed so far (None before the first)."""
        computed = self.done - self.start
        if computed <= 0:
            return None
        return (time.perf_counter() - self.t0) / computed * (self.total - self.done)

    def trial(self, claim: str, index: int, trials: int, seed: int, status: str,
              seconds: float) -> None:
        """Trial ``index`` (of ``trials``) of ``claim`` finished."""
        self.done += 1
        if self.quiet:
            return
        if self.bar is not None:
            self.bar.set_description(claim, refresh=False)
            self.bar.update(1)
            return
        left = self.eta()
        tail = f", ~{_duration(left)} left" if left is not None and self.done < self.total else ""
        self.message(f"  {claim} trial {index + 1}/{trials} seed {seed}: {status} "
                     f"({seconds:.1f}s) [{self.done}/{self.total}{tail}]")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
