"""Whether the machine is quiet enough for a benchmark's figures to mean anything.

Every bench prints the machine's load before it starts and watches the processor while it runs:
time used by processes other than the bench (and the processes it started) makes its figures
look slower than they are. A bench refuses to start on a busy machine, and ends with a verdict
that says whether its figures may be recorded, unless it is run with ``--allow-busy``.

What "busy" means is measured, not guessed: the processor time of the whole machine (from
``/proc/stat``) less the bench's own (``getrusage`` of the bench and its children). A bench that
drives a server or a database (bench/web.py, bench/batch.py) counts that work as others': its
verdict is the pre-start check only (``during=False``).
"""

from __future__ import annotations

import argparse
import atexit
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

# Other processes may use this share of one processor while a bench runs: a shell, an editor,
# a database's housekeeping. More than that and the figures are not the bench's alone.
QUIET_SHARE = 0.10
SAMPLE_SECONDS = 2.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--allow-busy",
        action="store_true",
        help="run and report even while other processes use the processor",
    )


def _machine_busy_seconds() -> float:
    """Processor time used by the whole machine since boot, in seconds (all processors)."""
    with open("/proc/stat") as stat:
        fields = [int(v) for v in stat.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _own_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@dataclass
class Watch:
    """The processor time others used from ``start`` until ``share()`` is asked."""

    allow_busy: bool
    during: bool
    started: float = 0.0
    machine: float = 0.0
    own: float = 0.0

    def start(self) -> Watch:
        self.started, self.machine, self.own = time.monotonic(), *self._now()
        return self

    @staticmethod
    def _now() -> tuple[float, float]:
        return _machine_busy_seconds(), _own_seconds()

    def share(self) -> float:
        """Others' processor time as a share of one processor, over the time watched."""
        machine, own = self._now()
        elapsed = max(time.monotonic() - self.started, 1e-9)
        return max((machine - self.machine) - (own - self.own), 0.0) / elapsed

    def verdict(self) -> int:
        """Prints whether the figures may be recorded (0 if they may)."""
        if not self.during:
            print("machine: checked quiet before the run (this bench's servers count as others)")
            return 0
        share = self.share()
        if share <= QUIET_SHARE:
            print(f"machine: quiet during the run (others used {share:.0%} of a processor)")
            return 0
        if self.allow_busy:
            print(
                f"machine: BUSY during the run (others used {share:.0%} of a processor); "
                "reported because --allow-busy was given"
            )
            return 0
        print(
            f"machine: BUSY during the run (others used {share:.0%} of a processor): "
            "do not record these figures; run again on a quiet machine"
        )
        return 3


T = TypeVar("T")
ROOT = Path(__file__).resolve().parent.parent  # this checkout


def checkouts(against: str) -> dict[str, Path]:
    """This checkout and another, as a bench's ``--against`` compares them."""
    return {"this": ROOT, "against": Path(against)}


def alternate(
    rounds: int, runs: Mapping[str, Callable[[], T]], show: Callable[[int, str, T], None]
) -> dict[str, list[T]]:
    """Each run once a round, in the order given, ``rounds`` times, each shown as it ends: on a
    machine whose speed drifts from minute to minute, each round's runs see the same machine."""
    found: dict[str, list[T]] = {name: [] for name in runs}
    for round_ in range(1, rounds + 1):
        for name, run in runs.items():
            found[name].append(run())
            show(round_, name, found[name][-1])
    return found


def change(this: list[float], against: list[float]) -> str:
    """One checkout's times against another's: the medians' change and the lowest's."""
    medians = statistics.median(this) / statistics.median(against) - 1
    lowest = min(this) / min(against) - 1
    return f"{medians:+.1%} (medians), {lowest:+.1%} (lowest)"


def checkout_env(root: Path | None, *, interpreted: bool = False) -> dict[str, str]:
    """The environment of a child process that imports TrueUp from the checkout at ``root``
    (another checkout of the project, put first on ``PYTHONPATH``), or from this one (None); with
    ``interpreted``, its engine's Python modules, not its compiled build (``make engine``)."""
    env = dict(os.environ)
    if interpreted:
        env["TRUEUP_ENGINE"] = "python"
    if root is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(root), env.get("PYTHONPATH", "")])
    return env


def load_line() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} processors"


def check(args: argparse.Namespace, *, during: bool = True) -> Watch:
    """Prints the load, samples the processor for a moment and refuses to start on a busy
    machine (unless ``--allow-busy``); the run's verdict is printed when the bench ends."""
    print(f"machine: {load_line()}")
    sample = Watch(allow_busy=True, during=True).start()
    time.sleep(SAMPLE_SECONDS)
    share = sample.share()
    print(f"machine: others used {share:.0%} of a processor in the {SAMPLE_SECONDS:.0f} s before")
    if share > QUIET_SHARE and not args.allow_busy:
        print(
            "machine: BUSY: not starting (figures taken now would be others' as well as "
            "the bench's); run again when it is quiet, or pass --allow-busy"
        )
        sys.exit(3)
    watch = Watch(allow_busy=args.allow_busy, during=during).start()
    # The verdict is the run's last line, however the bench ends.
    atexit.register(watch.verdict)
    return watch
