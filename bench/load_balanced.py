"""The load benchmark behind a balancer (bench/load.py --replicas 1,2): what only the balanced runs
need. Which replica answered each session is read from the balancer's log (deploy/balancer_log.py);
the runs are compared side by side, and projected onto a bigger host."""

import math
import statistics
from collections import Counter

from deploy import balancer_log

PROJECTED = [(8, 20), (16, 20), (16, 200), (64, 200)]     # (cores = replicas, learners)


def check_sticky(cluster, names, say):
    """Every request of each session (its page's address, its websocket) answered by one replica, the
    stickiness cookie the first answer set sent with all the others. Returns ({session: [problems]},
    sessions per replica)."""
    log = balancer_log.by_client(balancer_log.read(cluster.balancer_log))
    problems, per_replica, requests = {}, Counter(), 0
    for name in names:
        found = problems.setdefault(name, [])
        mine = log.get(name, [])
        requests += len(mine)
        servers = {r.server for r in mine}
        cookies = {r.cookie for r in mine[1:]}
        if not any(r.websocket for r in mine):
            found.append(f"no websocket in the balancer's log ({len(mine)} requests)")
        if len(servers) != 1:
            found.append(f"answered by {sorted(servers)}")
        expected = next(iter(servers)) if cluster.balancer == "haproxy" else (mine[0].state if mine else "")
        if mine and (mine[0].cookie or cookies != {expected}):        # haproxy: the cookie names the replica
            found.append(f"sent cookies {[r.cookie for r in mine]}, expected none then {expected!r}")
        if len(servers) == 1:
            per_replica[next(iter(servers))] += 1
        if not found:
            del problems[name]
    spread = ", ".join(f"{server} {count}" for server, count in sorted(per_replica.items()))
    say(f"\nstickiness, from the balancer's log ({cluster.balancer_log}):")
    say(f"  {len(names) - len(problems)} of {len(names)} sessions had all their requests ({requests} in all) "
        f"answered by one replica, with one cookie; sessions per replica: {spread}")
    for name, found in problems.items():
        say(f"  {name}: {'; '.join(found)}")
    return problems, per_replica


def side_by_side(results, say):
    """results: [(replicas, figures)] from bench/load.py's run()."""
    say("\n" + "=" * 100)
    say("Side by side, the same sessions on the same machine:")
    rows = [("errors", lambda f: f"{f['errors']}"),
            ("state crossing (problems)", lambda f: f"{f['crossing']}"),
            ("sessions on one replica each (balancer log)", lambda f: f"{f['sticky']} of {f['sessions']}"),
            ("sessions per replica", lambda f: f["spread"]),
            ("time to finish: min", lambda f: f"{f['finish'][0]:.1f} s"),
            ("  median", lambda f: f"{f['finish'][1]:.1f} s"),
            ("  max (wall time of the trainings)", lambda f: f"{f['finish'][2]:.1f} s"),
            ("slider probe p95 under load (idle p95)", lambda f: f"{f['p95_load']:.0f} ms ({f['p95_idle']:.0f} ms)"),
            ("server CPU in that time", lambda f: f"{f['cpu']:.1f} s"),
            ("memory: idle, peak (all replicas)", lambda f: f"{f['rss_idle']:.0f}, {f['peak']:.0f} MB"),
            ("  per session at the peak", lambda f: f"{(f['peak'] - f['rss_idle']) / f['sessions']:.1f} MB")]
    header = f"{'':<44}" + "".join(f"{f'{count} replica' + ('s' if count > 1 else ''):>22}" for count, _ in results)
    say(header)
    for label, show in rows:
        say(f"{label:<44}" + "".join(f"{show(f):>22}" for _, f in results))


def projection(results, cores, say):
    """A bigger host from these figures: C cores run C replicas, each training one model at a time
    (NNX_TRAINERS=1), learners spread evenly by the balancer."""
    one = dict(results).get(1) or results[0][1]
    run_s = one["finish"][2] / one["sessions"]            # one replica trains the runs one after the other
    per_session = max(0.0, (one["peak"] - one["rss_idle"]) / one["sessions"])
    idle = one["rss_idle"]
    say(f"\nProjection for a bigger host (from the 1-replica run: a run takes {run_s:.1f} s of a replica's time on "
        f"this {cores}-core machine, a replica {idle:.0f} MB idle, {per_session:.1f} MB per session; the clients "
        "elsewhere, a core as fast as these):")
    say(f"{'cores = replicas':>17} {'learners':>9} {'median finish':>14} {'last finish':>12} {'memory':>9}")
    for count, learners in PROJECTED:
        each = math.ceil(learners / count)              # runs queued on the busiest replica
        median = statistics.median([(i // count + 1) * run_s for i in range(learners)])
        say(f"{count:>17} {learners:>9} {median:>12.1f} s {each * run_s:>10.1f} s "
            f"{(count * idle + learners * per_session) / 1024:>7.1f} GB")
    if len(results) > 1:
        two = dict(results).get(2)
        if two:
            say(f"measured here: 2 replicas finished the last run in {two['finish'][2]:.1f} s against "
                f"{one['finish'][2]:.1f} s for 1 ({one['finish'][2] / two['finish'][2]:.2f}x), on {cores} cores "
                "shared with the clients (and, on a shared machine, with others)")
