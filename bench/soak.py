"""Soak: does the server give memory back once learners have gone? (issue 16, item 4)

The real server (tests/e2e/harness.py) with a short ``server.disconnectedSessionTTL`` (--ttl, 10 s; the
default 120 s keeps a closed tab's session that long), driven in cycles for --minutes (at least 5):
each cycle --sessions learners open /training with a seed of their own, train --epochs and close,
and one more opens /neuron, moves the slider and closes. After each cycle it waits until their sessions
have expired (the ttl plus a margin; Streamlit's own count of sessions, /_stcore/metrics, confirms it)
and reads the server's RSS. The first --warm-up cycles are the warm-up: their last RSS is the level the
rest is compared with (target: the end within 20% of it). It prints the curve (one row per cycle, with
Streamlit's own accounting of its caches and session state) and its figures: warm level, end, peak,
growth per cycle after the warm-up.

    python bench/soak.py                              # 5 minutes
    python bench/soak.py --malloc-arena-max 2         # the allocator's arenas capped (a variant)

Bounded: it stops after --minutes or --max-cycles, whichever comes first; every wait has a timeout.
Linux only (/proc). A benchmark, not a test: its figures depend on the machine and its load.
"""

import argparse
import asyncio
import json
import os
import re
import signal
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "e2e")]

import harness  # noqa: E402
import stclient  # noqa: E402
from procstat import tree_mb  # noqa: E402

LOG = ROOT / "bench" / "out" / "soak-server.log"
PROBE = ROOT / "bench" / "soak_probe"                       # --diagnose: its sitecustomize goes into the server
PROBE_OUT = ROOT / "bench" / "out" / "soak-probe.jsonl"
REPORT = ROOT / "bench" / "out" / "soak.txt"
METRIC = re.compile(r'^(\w+)(?:\{([^}]*)\})? ([0-9.e+-]+)$')


def metrics(url):
    """Streamlit's /_stcore/metrics: active sessions, and its caches' and session state's sizes (bytes)."""
    with urllib.request.urlopen(url + "/_stcore/metrics", timeout=10) as response:
        text = response.read().decode()
    found = {"sessions": 0, "cache": {}}
    for line in text.splitlines():
        match = METRIC.match(line)
        if not match:
            continue
        name, labels, value = match[1], match[2] or "", float(match[3])
        if name == "active_sessions":
            found["sessions"] = int(value)
        elif name == "cache_memory_bytes":
            kind = re.search(r'cache_type="([^"]*)"', labels)
            key = kind[1] if kind else "?"
            found["cache"][key] = found["cache"].get(key, 0) + value
    return found


def finished(session):
    progress = stclient.epochs(session.progress_text())
    return progress is not None and progress[0] == progress[1] and session.idle


async def cycle(url, index, args):
    """One cycle's learners: open, train, close; the Neuron page's slider moved. Returns error texts."""
    learners = [stclient.Session(url, "training", f"epochs={args.epochs}&seed={index * args.sessions + i}",
                                 name=f"c{index}s{i}", run_timeout=args.timeout) for i in range(args.sessions)]
    neuron = stclient.Session(url, "neuron", name=f"c{index}n", run_timeout=args.timeout)
    sessions = [*learners, neuron]
    try:
        await asyncio.gather(*(s.open() for s in sessions))
        await asyncio.gather(*(s.click("Train") for s in learners))
        for value in (2.1, 2.2, 2.3):
            await neuron.set_value("Bias b", value)
        await asyncio.gather(*(s.wait_until(finished, args.timeout, settle=0.2, what="epoch N of N") for s in learners))
    except (TimeoutError, stclient.SessionError, OSError) as error:
        neuron.add_error(f"{type(error).__name__}: {error}")
    finally:
        await asyncio.gather(*(s.close() for s in sessions), return_exceptions=True)
    return [f"{s.name}: {e}" for s in sessions for e in s.errors]


async def wait_expired(url, ttl):
    """Wait until the closed sessions have expired, and one more visitor has come (Streamlit drops
    expired sessions when a session connects) and gone; returns the connected sessions left (0)."""
    await asyncio.sleep(ttl)
    async with stclient.Session(url, "neuron", name="visitor"):
        pass
    deadline = time.monotonic() + 30
    while True:
        left = (await asyncio.to_thread(metrics, url))["sessions"]
        if left == 0 or time.monotonic() > deadline:
            return left
        await asyncio.sleep(1.0)


async def probe(pid, sig):
    """Ask the server's probe (bench/soak_probe) for a reading; SIGUSR2 trims first. None without an answer."""
    before = PROBE_OUT.read_text().count("\n") if PROBE_OUT.exists() else 0
    os.kill(pid, sig)
    for _ in range(300):
        await asyncio.sleep(0.1)
        lines = PROBE_OUT.read_text().splitlines() if PROBE_OUT.exists() else []
        if len(lines) > before:
            return json.loads(lines[-1])
    return None


def probe_text(reading):
    a = reading["allocator"]
    return (f"malloc: in use {a['in_use_mb']:.0f} MB, free kept {a['free_kept_mb']:.0f} MB; sessions "
            f"{reading['sessions']} (not yet dropped), runners {reading['script_runners']}, threads "
            f"{reading['threads']}, objects {reading['objects']}, "
            f"chart cache {reading['caches'].get('charts._structure', '-')}")


async def sample_peak(pid, peak):
    """Keep peak[0] the highest RSS seen, every 0.2 s until cancelled."""
    while True:
        await asyncio.sleep(0.2)
        peak[0] = max(peak[0], tree_mb(pid))


async def soak(server, args, say):
    url, pid = server.url, server.process.pid
    start_mb = tree_mb(pid)
    rows, errors = [], []
    began = time.monotonic()
    say(f"{'cycle':>5} {'time s':>7} {'learners':>8} {'RSS MB':>7} {'peak MB':>7} {'left':>4}  Streamlit's accounting "
        "(cache_memory_bytes, kB)")
    say("(RSS: after the cycle's sessions expired and a visitor came and went; peak: while they trained; left: "
        "sessions still connected, Streamlit's count)")
    for index in range(args.max_cycles):
        if time.monotonic() - began > args.minutes * 60:
            break
        peak = [tree_mb(pid)]
        sampler = asyncio.create_task(sample_peak(pid, peak))
        errors += await cycle(url, index, args)
        sampler.cancel()
        peak = max(peak[0], tree_mb(pid))
        left = await wait_expired(url, args.ttl + 2)
        rss = tree_mb(pid)
        cache = (await asyncio.to_thread(metrics, url))["cache"]
        rows.append((index, time.monotonic() - began, rss, peak, left))
        accounting = ", ".join(f"{k} {v / 1024:.0f}" for k, v in sorted(cache.items())) or "-"
        say(f"{index:>5} {time.monotonic() - began:7.0f} {(index + 1) * (args.sessions + 1):>8} {rss:7.0f} "
            f"{peak:7.0f} {left:>4}  {accounting}")
        if args.diagnose:
            reading = await probe(pid, signal.SIGUSR1)
            if reading:
                say(f"{'':>36}{probe_text(reading)}")
            trimmed = await probe(pid, signal.SIGUSR2) if args.trim else None
            if trimmed:
                say(f"{'':>36}after malloc_trim(0): RSS {tree_mb(pid):.0f} MB; {probe_text(trimmed)}")
        print(f"  cycle {index}: RSS {rss:.0f} MB", file=sys.stderr)
    return start_mb, rows, errors


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=5.0, help="how long to soak (5; at least 5 for the issue)")
    parser.add_argument("--max-cycles", type=int, default=200, help="a bound on the cycles (200)")
    parser.add_argument("--sessions", type=int, default=5, help="training learners per cycle (5)")
    parser.add_argument("--epochs", type=int, default=1001, help="epochs each trains (1001)")
    parser.add_argument("--ttl", type=int, default=10, help="server.disconnectedSessionTTL, seconds (10)")
    parser.add_argument("--warm-up", type=int, default=2, help="cycles counted as the warm-up (2)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds a learner may take (120)")
    parser.add_argument("--malloc-arena-max", type=int, help="set MALLOC_ARENA_MAX for the server")
    parser.add_argument("--diagnose", action="store_true",
                        help="after each cycle, ask the server what holds its memory (bench/soak_probe)")
    parser.add_argument("--trim", action="store_true",
                        help="with --diagnose: then trim the allocator (malloc_trim) and read again (the curve is "
                             "then a trimmed one)")
    args = parser.parse_args()
    if args.diagnose or args.trim:
        args.diagnose = True
        os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROBE), os.environ.get("PYTHONPATH")]))
        os.environ["NNX_SOAK_PROBE_OUT"] = str(PROBE_OUT)
        PROBE_OUT.parent.mkdir(parents=True, exist_ok=True)
        PROBE_OUT.unlink(missing_ok=True)

    os.environ["STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL"] = str(args.ttl)
    os.environ["STREAMLIT_SERVER_ENABLE_EXPENSIVE_MEMORY_STATS"] = "true"
    if args.malloc_arena_max:
        os.environ["MALLOC_ARENA_MAX"] = str(args.malloc_arena_max)
    out = []
    say = out.append
    say(f"Soak: {args.minutes:g} min of cycles of {args.sessions} learners training {args.epochs} epochs on /training "
        f"(a seed each) and one on /neuron, all closing; server.disconnectedSessionTTL {args.ttl:g} s; "
        f"MALLOC_ARENA_MAX {os.environ.get('MALLOC_ARENA_MAX', 'unset')}; "
        f"{'diagnosed after each cycle; ' if args.diagnose else ''}{'trimmed after each cycle; ' if args.trim else ''}"
        f"{len(os.sched_getaffinity(0))} cores")
    with harness.AppServer(LOG) as server:
        start_mb, rows, errors = asyncio.run(soak(server, args, lambda line: (say(line), print(line))[0]))
    say(f"\nerrors: {len(errors)}")
    for error in errors[:10]:
        say(f"  {error[:200]}")
    if len(rows) > args.warm_up:
        warm = rows[args.warm_up - 1][2]
        after = rows[args.warm_up:]
        end = rows[-1][2]
        xs = [r[0] for r in after]
        ys = [r[2] for r in after]
        slope = 0.0
        if len(after) > 1:
            mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
            slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys)) / sum((x - mean_x) ** 2 for x in xs)
        say(f"\nRSS: started {start_mb:.0f} MB; after the warm-up ({args.warm_up} cycles, sessions expired) "
            f"{warm:.0f} MB; at the end ({len(rows)} cycles, {rows[-1][1] / 60:.1f} min) {end:.0f} MB, "
            f"{(end / warm - 1) * 100:+.0f}% ({'within' if end <= warm * 1.2 else 'OVER'} 20%); highest after expiry "
            f"{max(r[2] for r in rows):.0f} MB, highest while training {max(r[3] for r in rows):.0f} MB; "
            "growth after the warm-up "
            f"{slope:+.1f} MB per cycle ({slope / (args.sessions + 1):+.2f} MB per learner)")
        say(f"sessions left after each expiry wait: {sorted({r[4] for r in rows})} (0: Streamlit dropped them all)")
    say(f"Server log: {LOG.relative_to(ROOT)}")
    text = "\n".join(out)
    print(text[text.index("\nerrors:"):])
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(text + "\n", encoding="utf-8")
    print(f"(written to {REPORT.relative_to(ROOT)})")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
