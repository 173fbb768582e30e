"""Load benchmark: many learners at once on one server (issue 7, "many users at once").

It starts the real app (tests/e2e/harness.py) and drives it with protocol-level clients
(tests/e2e/stclient.py: Streamlit's websocket protocol, as the browser speaks it, without a browser):

0. the cold start: on a server of its own that has served nobody yet, the --sessions sessions and the
   Neuron client open their pages at once; errors are counted, then that server stops (--skip-cold);
1. on a new server, a warm-up session opens the Training page (the page times this machine once, for
   its run-cost estimate) and trains 3 epochs, and the Neuron client opens its page; the server's
   memory is read before and after;
2. the reference: one client on the Neuron page moves the "Bias b" slider --reference times, each move
   ~--interval seconds after the last, with nothing else running;
3. --sessions sessions (default 20, at least 10) open /training?epochs=E&seed=S at once, seeds in pairs
   (seed = i // 2), then all press Train at once and each follows its run until the progress line reads
   "epoch N of N" and the session is idle; meanwhile the Neuron client keeps moving its slider.

It prints (and writes to bench/out/load.txt): errors (exception and st.error elements, compile errors,
lost connections, timeouts), the wall time, each session's time to finish and final numbers, the
same-seed check, the deepest queue place each session saw ("Waiting for a free trainer, N ahead"), the
Neuron page's answer times (median, p95) idle and under load, and the server's memory (RSS, from
/proc) idle, with the sessions open, at its peak during training, and per session.
Exit status 1 on any error or state crossing between sessions.

With --replicas 1,2 it runs the same load (no cold start) through deploy/cluster.py, once per replica
count behind the balancer (--balancer haproxy or nginx): memory is read from the replicas, stickiness
from the balancer's log, and the runs are printed side by side with a projection (load_balanced.py).

    python bench/load.py [--sessions 20] [--epochs 10001] [--timeout 600] [--skip-cold]
    python bench/load.py --replicas 1,2 [--balancer nginx]
"""

import argparse
import asyncio
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "e2e")]       # runs without installing

import harness  # noqa: E402
import load_balanced  # noqa: E402
import stclient  # noqa: E402
from procstat import tree_cpu_seconds, tree_mb  # noqa: E402

from deploy.cluster import BALANCERS, Cluster  # noqa: E402

LOG = ROOT / "bench" / "out" / "load-server.log"         # git-ignored
COLD_LOG = ROOT / "bench" / "out" / "load-cold-server.log"
REPORT = ROOT / "bench" / "out" / "load.txt"
MIN_SESSIONS = 10
PROBE_LABEL = "Bias b"
PROBE_METRIC = "Weighted sum plus bias, z"
PROBE_VALUES = [2.1, 2.2, 2.3, 2.2, 2.1, 2.0]            # each differs from the one before it
WAITING = re.compile(r"Waiting for a free trainer")
AHEAD = re.compile(r"(\d+) ahead")
TARGET_P95_MS = 500.0
TARGET_MB = 1024.0


class Target:
    """What the sessions talk to: one server, or a balancer in front of replicas (deploy/cluster.py).
    Memory and CPU are read from the app servers' processes (the replicas', not the balancer's)."""

    def __init__(self, url, pid=None, cluster=None):
        self.url, self.pid, self.cluster = url, pid, cluster

    def pids(self):
        return self.cluster.pids() if self.cluster else [self.pid]

    def mb(self, field="VmRSS"):
        return sum(tree_mb(pid, field) for pid in self.pids())

    def cpu_seconds(self):
        return sum(tree_cpu_seconds(pid) for pid in self.pids())

    def servers(self):
        return self.cluster.count if self.cluster else 1

    def describe(self):
        if self.cluster is None:
            return f"server {self.url} (pid {self.pid})"
        return (f"{self.cluster.count} replica(s) behind {self.cluster.balancer} at {self.url} (pids "
                f"{', '.join(map(str, self.pids()))}; NNX_TRAINERS=1 each)")


class Sampler:
    """Reads the servers' RSS every 0.1 s while running; keeps the peak."""

    def __init__(self, target):
        self.target, self.peak, self.task = target, 0.0, None

    async def _run(self):
        while True:
            self.peak = max(self.peak, self.target.mb())
            await asyncio.sleep(0.1)

    def start(self):
        self.peak = self.target.mb()
        self.task = asyncio.create_task(self._run())

    async def stop(self):
        self.task.cancel()
        try:
            await self.task
        except asyncio.CancelledError:
            pass
        self.peak = max(self.peak, self.target.mb())


# -- the clients ------------------------------------------------------------------------------------

class Learner:
    """One session on the Training page and what it saw."""

    def __init__(self, url, index, epochs, timeout):
        self.index, self.seed, self.epochs = index, index // 2, epochs
        self.session = stclient.Session(url, "training", f"epochs={epochs}&seed={self.seed}",
                                        name=f"s{index:02d}", run_timeout=timeout)
        self.session.watchers.append(self.watch)
        self.timeout = timeout
        self.most_ahead = None            # deepest queue place seen (None: never waited)
        self.waited = False
        self.warnings = set()
        self.last_progress = None
        self.finished_s = None
        self.click_ms = None

    def watch(self, session, path, node):
        if node.type == "progress":
            self.last_progress = node.proto.text
        elif node.type == "alert":
            body = node.proto.body
            if WAITING.search(body):
                self.waited = True
                ahead = AHEAD.search(body)
                if ahead:
                    self.most_ahead = max(self.most_ahead or 0, int(ahead[1]))
            elif stclient.ALERT_KINDS.get(node.proto.format) == "warning":
                self.warnings.add(body)

    def done(self, session):
        progress = stclient.epochs(session.progress_text())
        return progress is not None and progress[0] == progress[1] and session.idle

    async def train(self):
        started = time.perf_counter()
        try:
            click = await self.session.click("Train")
            self.click_ms = click.ms
            await self.session.wait_until(self.done, self.timeout, settle=0.3, what="epoch N of N, idle")
            self.finished_s = time.perf_counter() - started
        except (TimeoutError, stclient.SessionError) as error:
            self.session.add_error(f"{type(error).__name__}: {error}")

    def final(self):
        return self.session.progress_text() or ""

    def seed_shown(self):
        try:
            return self.session.widget("Seed").value
        except stclient.SessionError:
            return None


class Probe:
    """A learner on the Neuron page moving one slider every ~interval seconds."""

    def __init__(self, url, interval, timeout):
        self.session = stclient.Session(url, "neuron", name="neuron", run_timeout=timeout)
        self.interval = interval
        self.answers = {}                 # slider value -> the metric's text, from the idle phase
        self.wrong = []
        self.step = 0

    async def move(self, times=None, stop=None, phase="idle"):
        """Move the slider `times` times, or until stop is set; return the answer times (ms)."""
        taken = []
        while (times is None or len(taken) < times) and not (stop and stop.is_set()):
            value = PROBE_VALUES[self.step % len(PROBE_VALUES)]
            self.step += 1
            sent = time.perf_counter()
            try:
                rerun = await self.session.set_value(PROBE_LABEL, value)
            except (TimeoutError, stclient.SessionError) as error:
                self.session.add_error(f"{type(error).__name__}: {error}")
                break
            taken.append(rerun.ms)
            shown = self.session.metric(PROBE_METRIC)
            if phase == "idle":
                self.answers.setdefault(value, shown)
            elif self.answers.get(value, shown) != shown:
                self.wrong.append(f"b={value}: showed {shown}, idle it showed {self.answers[value]}")
            await asyncio.sleep(max(0.0, self.interval - (time.perf_counter() - sent)))
        return taken


# -- the run ----------------------------------------------------------------------------------------

def summary(times):
    if not times:
        return "no answers"
    return (f"{len(times)} moves: median {statistics.median(times):.0f} ms, p95 "
            f"{harness.percentile(times, 0.95):.0f} ms, max {max(times):.0f} ms")


async def cold_burst(url, args):
    """The sessions and the Neuron client opened at once on a server that has served nobody yet:
    (seconds, [(session, error)]). Each page's first run imports the app's modules."""
    sessions = [stclient.Session(url, "training", f"epochs={args.epochs}&seed={i // 2}", name=f"s{i:02d}",
                                 run_timeout=args.timeout) for i in range(args.sessions)]
    sessions.append(stclient.Session(url, "neuron", name="neuron", run_timeout=args.timeout))
    started = time.perf_counter()
    results = await asyncio.gather(*(s.open() for s in sessions), return_exceptions=True)
    seconds = time.perf_counter() - started
    for session, result in zip(sessions, results):
        if isinstance(result, BaseException):
            session.add_error(f"could not open: {type(result).__name__}: {result}")
        elif not session.errors and not session.widgets():
            session.add_error("the page has no controls")
    await asyncio.gather(*(s.close() for s in sessions), return_exceptions=True)
    return seconds, [(s.name, e) for s in sessions for e in s.errors]


async def warm_up(url, count, timeout):
    """``count`` sessions at once (one per replica: held open together, the balancer spreads them)
    train 3 epochs: each server imports the pages and times the machine once."""
    warm = [stclient.Session(url, "training", "epochs=3", name=f"warm-up{i}", run_timeout=timeout)
            for i in range(count)]
    await asyncio.gather(*(s.open() for s in warm))
    await asyncio.gather(*(s.click("Train") for s in warm))
    await asyncio.gather(*(s.wait_until(lambda s: s.progress_text() and s.progress_text().startswith("epoch 3 of 3")
                                        and s.idle, settle=0.2, what="warm-up run") for s in warm))
    await asyncio.gather(*(s.close() for s in warm))
    return warm


async def run(target, args, out, cold):
    say = out.append
    url = target.url
    rss_cold = target.mb()
    warm = await warm_up(url, target.servers(), args.timeout)
    probe = Probe(url, args.interval, args.timeout)
    await probe.session.open()
    await asyncio.sleep(1.0)
    rss_idle = target.mb()
    idle_times = await probe.move(args.reference)
    print(f"reference: {summary(idle_times)}", file=sys.stderr)

    learners = [Learner(url, i, args.epochs, args.timeout) for i in range(args.sessions)]
    opened = time.perf_counter()
    results = await asyncio.gather(*(learner.session.open() for learner in learners), return_exceptions=True)
    for learner, result in zip(learners, results):
        if isinstance(result, BaseException):
            learner.session.add_error(f"could not open: {type(result).__name__}: {result}")
    open_s = time.perf_counter() - opened
    await asyncio.sleep(1.0)
    rss_open = target.mb()
    print(f"{args.sessions} sessions open in {open_s:.1f} s, RSS {rss_open:.0f} MB", file=sys.stderr)

    sampler = Sampler(target)
    sampler.start()
    stop = asyncio.Event()
    cpu_server, cpu_client = target.cpu_seconds(), time.process_time()
    started = time.perf_counter()
    probing = asyncio.create_task(probe.move(stop=stop, phase="load"))
    trainers = [asyncio.create_task(learner.train()) for learner in learners if not learner.session.errors]

    async def progress_note():
        while True:
            await asyncio.sleep(10)
            finished = sum(learner.finished_s is not None for learner in learners)
            print(f"  {time.perf_counter() - started:5.0f} s: {finished}/{len(learners)} finished, "
                  f"RSS {target.mb():.0f} MB", file=sys.stderr)

    noting = asyncio.create_task(progress_note())
    if trainers:
        await asyncio.gather(*trainers)
    wall = time.perf_counter() - started
    stop.set()
    load_times = await probing
    noting.cancel()
    await sampler.stop()
    cpu_server, cpu_client = target.cpu_seconds() - cpu_server, time.process_time() - cpu_client
    rss_after = target.mb()
    hwm = target.mb("VmHWM")
    await asyncio.gather(*(learner.session.close() for learner in learners), return_exceptions=True)
    await probe.session.close()
    await asyncio.sleep(2.0)
    rss_closed = target.mb()
    sticky = []

    # -- the report ---------------------------------------------------------------------------------
    n = len(learners)
    say(f"Load test: {n} sessions on /training?epochs={args.epochs}&seed=i//2 at once, one client moving "
        f"'{PROBE_LABEL}' on /neuron every ~{args.interval} s")
    say(f"{target.describe()}, {cores()} cores, OPENBLAS_NUM_THREADS "
        f"{os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}; protocol-level clients (tests/e2e/stclient.py)\n")
    if cold is not None:
        seconds, cold_errors = cold
        say(f"cold start (a server of its own that has served nobody): {n + 1} sessions opened at once in "
            f"{seconds:.1f} s, {len(cold_errors)} error(s)")
        say("the rest runs on a warmed-up server: one session trained 3 epochs and opened the Neuron page first\n")

    errors = [("cold start", name, text) for name, text in (cold[1] if cold else [])]
    errors += [("", s.name, e) for s in [*warm, probe.session] + [x.session for x in learners] for e in s.errors]
    errors += [("", "neuron", f"wrong answer under load: {w}") for w in probe.wrong]
    unfinished = [x.session.name for x in learners if x.finished_s is None]
    say(f"errors: {len(errors)}")
    grouped = {}                                    # the same error in many sessions is shown once
    for phase, name, text in errors:
        grouped.setdefault((phase, text), []).append(name)
    for (phase, text), names in grouped.items():
        shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        say(f"  {phase + ', ' if phase else ''}{shown}: {text[:300]}")
    say(f"sessions finished: {n - len(unfinished)} of {n}" + (f" (not: {', '.join(unfinished)})" if unfinished else ""))
    say(f"opening {n} sessions at once: {open_s:.1f} s; training, from the clicks until the last finished: "
        f"{wall:.1f} s")
    say(f"CPU in that time: server {cpu_server:.1f} s, these clients {cpu_client:.1f} s (of {wall * cores():.0f} "
        "core-seconds)\n")

    say(f"{'session':<7} {'seed':>4} {'click ms':>8} {'finish s':>8} {'queue':>5} {'auto':>5} {'runs':>9} {'MB in':>5}"
        "  final progress line")
    for x in learners:
        s = x.session
        queue = "-" if not x.waited else (str(x.most_ahead) if x.most_ahead is not None else "yes")
        runs = f"{s.runs_seen['full']}+{s.runs_seen['fragment']}"
        say(f"{s.name:<7} {x.seed:>4} {fmt(x.click_ms, '.0f'):>8} {fmt(x.finished_s, '.1f'):>8} {queue:>5} "
            f"{s.auto_reruns_sent:>5} {runs:>9} {s.bytes_received / 1e6:5.1f}  "
            f"{x.final() or x.last_progress or '(none)'}")
    say("click: the Train click's answer (until its run ended); queue: the most sessions ahead in 'Waiting for a "
        "free trainer'\n('-': never waited); auto: fragment reruns the client sent on the fragment's run_every; runs: "
        "full + fragment\nruns the server made; MB in: what the server sent this session.")
    finish = [x.finished_s for x in learners if x.finished_s is not None]
    if finish:
        say(f"time to finish: min {min(finish):.1f} s, median {statistics.median(finish):.1f} s, "
            f"max {max(finish):.1f} s")
    warnings = sorted({w for x in learners for w in x.warnings})
    for warning in warnings:
        say(f"warning shown: {warning[:200]}")

    crossing = check_pairs(learners, say)
    spread = {}
    if target.cluster is not None:
        sticky, spread = load_balanced.check_sticky(target.cluster, [x.session.name for x in learners], say)

    say(f"\nNeuron page, '{PROBE_LABEL}' moved, from sending to the run's end (target p95 {TARGET_P95_MS:.0f} ms):")
    say(f"  no trainings running: {summary(idle_times)}")
    say(f"  during the trainings: {summary(load_times)}")
    if load_times:
        p95 = harness.percentile(load_times, 0.95)
        say(f"  p95 under load {'within' if p95 <= TARGET_P95_MS else 'OVER'} the target")

    say("\nServer memory (RSS of the server process and its children):")
    say(f"  started, no session yet:                {rss_cold:7.0f} MB")
    say(f"  idle after the warm-up (pages loaded):  {rss_idle:7.0f} MB")
    say(f"  {n} sessions open (+ the probe):         {rss_open:7.0f} MB   "
        f"{(rss_open - rss_idle) / n:6.1f} MB per session")
    say(f"  peak during training (0.1 s samples):   {sampler.peak:7.0f} MB   "
        f"{(sampler.peak - rss_idle) / n:6.1f} MB per session   (VmHWM {hwm:.0f} MB)")
    say(f"  after training, sessions still open:    {rss_after:7.0f} MB   "
        f"{(rss_after - rss_idle) / n:6.1f} MB per session")
    say(f"  2 s after the sessions closed:          {rss_closed:7.0f} MB")
    say(f"  target: {n} sessions within {TARGET_MB:.0f} MB: {'met' if sampler.peak <= TARGET_MB else 'NOT met'} "
        f"(peak {sampler.peak:.0f} MB)")
    if target.cluster is None:
        say(f"\nServer logs: {LOG.relative_to(ROOT)}" + ("" if cold is None else f", {COLD_LOG.relative_to(ROOT)}"))
    else:
        say(f"\nLogs (replicas, balancer): {target.cluster.run_dir}")
    figures = {"errors": len(errors), "crossing": len(crossing), "sessions": n,
               "sticky": n - len(sticky),
               "spread": " / ".join(str(c) for _, c in sorted(spread.items())) or "-",
               "finish": (min(finish), statistics.median(finish), max(finish)) if finish else (0, 0, 0),
               "p95_idle": harness.percentile(idle_times, 0.95) if idle_times else 0,
               "p95_load": harness.percentile(load_times, 0.95) if load_times else 0,
               "cpu": cpu_server, "rss_idle": rss_idle, "peak": sampler.peak}
    return (1 if errors or unfinished or crossing or sticky else 0), figures


def check_pairs(learners, say):
    """Same seed, same numbers; different seeds, different numbers; each page shows its own seed and run."""
    problems = []
    by_seed = {}
    for x in learners:
        if x.finished_s is not None:
            by_seed.setdefault(x.seed, []).append(x)
        shown = x.seed_shown()
        if shown != x.seed:
            problems.append(f"{x.session.name} shows seed {shown}, it opened seed {x.seed}")
        progress = stclient.epochs(x.final())
        if x.finished_s is not None and (progress is None or progress[1] != x.epochs):
            problems.append(f"{x.session.name} shows '{x.final()}', it asked for {x.epochs} epochs")
    finals = {}
    for seed, group in sorted(by_seed.items()):
        texts = {x.final() for x in group}
        if len(texts) > 1:
            problems.append(f"seed {seed}: sessions {', '.join(x.session.name for x in group)} ended differently: "
                            + " | ".join(sorted(texts)))
        finals[seed] = next(iter(texts))
    seen = {}
    for seed, text in finals.items():
        if text in seen:
            problems.append(f"seeds {seen[text]} and {seed} ended with the same numbers: {text}")
        seen.setdefault(text, seed)
    pairs = sum(len(group) > 1 for group in by_seed.values())
    say(f"\nstate crossing: {len(problems)} problem(s); {pairs} same-seed pairs compared, "
        f"{len(finals)} different seeds compared with each other")
    for problem in problems:
        say(f"  {problem}")
    return problems


def fmt(value, spec):
    return "-" if value is None else format(value, spec)


def cores():
    return len(os.sched_getaffinity(0))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=20,
                        help=f"training sessions at once (20; at least {MIN_SESSIONS})")
    parser.add_argument("--epochs", type=int, default=10_001, help="epochs each session trains (10001, the book's run)")
    parser.add_argument("--interval", type=float, default=0.3, help="seconds between the Neuron client's moves (0.3)")
    parser.add_argument("--reference", type=int, default=30, help="Neuron moves measured with nothing running (30)")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds a session may take to finish (600)")
    parser.add_argument("--skip-cold", action="store_true",
                        help="skip the cold start (the sessions opened at once on a fresh server)")
    parser.add_argument("--replicas", default="",
                        help="replica counts to run behind the balancer, one run each, compared side by side: "
                             "e.g. 1,2 (deploy/cluster.py; default: the plain single server, no balancer)")
    parser.add_argument("--balancer", choices=sorted(BALANCERS), default="haproxy",
                        help="the balancer for --replicas (haproxy)")
    parser.add_argument("--blas-threads", type=int, default=None,
                        help="set OPENBLAS_NUM_THREADS (and OMP_, MKL_) for the server; by default its environment "
                             "is left as the app is deployed")
    args = parser.parse_args()
    if args.blas_threads is not None:
        for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[variable] = str(args.blas_threads)
    if args.sessions < MIN_SESSIONS:
        parser.error(f"--sessions must be at least {MIN_SESSIONS}: the issue asks for 20, and never fewer than 10")

    if args.replicas:
        return balanced(args)
    out, cold = [], None
    if not args.skip_cold:
        with harness.AppServer(COLD_LOG) as server:
            cold = asyncio.run(cold_burst(server.url, args))
        print(f"cold start: {len(cold[1])} error(s)", file=sys.stderr)
    with harness.AppServer(LOG) as server:
        status, _ = asyncio.run(run(Target(server.url, pid=server.process.pid), args, out, cold))
    return report(out, status, REPORT)


def balanced(args):
    """One run per replica count behind the balancer (no cold start), then the runs side by side."""
    counts = [int(c) for c in args.replicas.split(",")]
    out, results, status = [], [], 0
    for count in counts:
        run_dir = ROOT / "bench" / "out" / f"load-{args.balancer}-{count}"
        if run_dir.exists():
            for old in run_dir.glob("*.log"):
                old.unlink()
        print(f"--- {count} replica(s) behind {args.balancer}", file=sys.stderr)
        with Cluster(count, port=0, balancer=args.balancer, run_dir=run_dir) as cluster:
            one_status, figures = asyncio.run(run(Target(cluster.url, cluster=cluster), args, out, None))
        out.append("")
        results.append((count, figures))
        status = max(status, one_status)
    load_balanced.side_by_side(results, out.append)
    load_balanced.projection(results, cores(), out.append)
    return report(out, status, ROOT / "bench" / "out" / f"load-{args.balancer}.txt")


def report(out, status, path):
    text = "\n".join(out)
    print(text)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n", encoding="utf-8")
    print(f"(written to {path.relative_to(ROOT)})")
    return status


if __name__ == "__main__":
    sys.exit(main())
