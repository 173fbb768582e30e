"""The app as deployed for a class (deploy/): two replicas behind HAProxy or nginx, on loopback.

Sessions speak Streamlit's protocol (stclient.py) and one test drives Chromium. What a learner relies
on: each session stays on one replica (read from the balancer's log), a long share link and an upload
pass the balancer, and when a replica dies the learners on the other notice nothing while those on the
dead one get their page back, from its address, on a live one (their run in progress is lost).
Without haproxy or nginx these tests are skipped, saying how to get them; in CI (NNX_REQUIRE_BROWSER=1)
they fail instead, like the browser tests.
"""

import asyncio
import os
import time
import urllib.error
import urllib.request

import harness
import pytest
import stclient

from deploy import balancer_log
from deploy.cluster import UPLOAD_MB, Cluster, find_balancer, tail

pytestmark = pytest.mark.e2e

EPOCHS = 1001
MAX_SESSIONS = 12           # sessions opened at most until each replica has one (nginx places them at random)


def require(balancer):
    try:
        find_balancer(balancer)
    except FileNotFoundError as missing:
        if os.environ.get("NNX_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{missing} (NNX_REQUIRE_BROWSER=1: the e2e tests must run)", pytrace=False)
        pytest.skip(str(missing))


@pytest.fixture(params=["haproxy", "nginx"])
def cluster(request, tmp_path):
    require(request.param)
    with Cluster(2, port=0, balancer=request.param, run_dir=tmp_path) as running:
        yield running
        for replica in running.replicas:       # pytest shows this only when the test failed
            print(f"--- the end of {replica.log_path.name} ---\n{tail(replica.log_path, 40)}")


def replica_of(cluster, name):
    """The index of the replica that answered session ``name``'s first request (its page's address)."""
    for r in balancer_log.read(cluster.balancer_log):
        if r.client == name:
            return next(i for i, replica in enumerate(cluster.replicas)
                        if r.server in (replica.name, f"127.0.0.1:{replica.port}"))
    raise AssertionError(f"{name} is not in the balancer's log")


def finished(session):
    progress = stclient.epochs(session.progress_text())
    return progress is not None and progress[0] == progress[1] and session.idle


def test_a_killed_replica_moves_only_its_own_learners(cluster):
    async def scenario():
        sessions, placed = [], {}
        while len(set(placed.values())) < 2 or len(sessions) < 4:       # at least one learner on each replica
            assert len(sessions) < MAX_SESSIONS, f"{MAX_SESSIONS} sessions, all on one replica"
            s = stclient.Session(cluster.url, "training", f"epochs={EPOCHS}&seed={len(sessions)}&hidden=8,8",
                                 name=f"s{len(sessions)}", run_timeout=60)
            await s.open()
            sessions.append(s)
            placed[s.name] = replica_of(cluster, s.name)
        victim = placed["s0"]
        lost = [s for s in sessions if placed[s.name] == victim]
        kept = [s for s in sessions if placed[s.name] != victim]
        await asyncio.gather(*(s.click("Train") for s in sessions))
        cluster.kill_replica(victim)
        await asyncio.gather(*(s.wait_until(finished, 240, settle=0.3, what="epoch N of N") for s in kept))
        for s in lost:
            await s.wait_until(lambda s: s.errors, 10, what="the lost connection noticed")
        broken = {s.name: list(s.errors) for s in lost}

        for s in lost:                                         # the learner reloads the tab from its link
            s.errors.clear()
            await s.reopen()
        back = {s.name: (s.widget("Seed").value, s.widget("Epochs").value, s.progress_text()) for s in lost}
        await lost[0].click("Train")                           # and the page works: it trains again
        await lost[0].wait_until(finished, 240, settle=0.3, what="epoch N of N after the move")
        await asyncio.gather(*(s.close() for s in sessions))
        return sessions, kept, lost, broken, back, victim

    sessions, kept, lost, broken, back, victim = harness.run_async(scenario())
    assert [(s.name, e) for s in kept if s.errors for e in s.errors] == []
    assert all(s.progress_text().startswith(f"epoch {EPOCHS} of {EPOCHS} · loss") for s in kept)
    assert all(any("connection" in e for e in errors) for errors in broken.values()), broken
    assert [(s.name, e) for s in lost if s.errors for e in s.errors] == []
    for s in lost:                       # its settings, from the address; the run in progress is gone
        seed = int(s.name[1:])
        assert back[s.name][:2] == (seed, EPOCHS)
        assert back[s.name][2].startswith(f"epoch 0 of {EPOCHS}"), back[s.name]
    assert lost[0].progress_text().startswith(f"epoch {EPOCHS} of {EPOCHS} · loss")

    # Stickiness, from the balancer's log: every request of a session on the live replica went there,
    # with the cookie the first answer set; those of the killed one went to the live replica afterwards.
    dead = cluster.replicas[victim]
    live = cluster.replicas[1 - victim]
    answered_by = {key: r.name for r in (dead, live) for key in (r.name, f"127.0.0.1:{r.port}")}
    log = logged_websockets(cluster, sessions)
    for s in sessions:
        requests = log[s.name]
        assert requests[0].cookie == "" and any(r.websocket for r in requests), requests
        servers = [answered_by[r.server] for r in requests]
        cookies = {r.cookie for r in requests[1:] if r.server == requests[0].server}
        assert len(cookies) == 1, requests                               # one cookie while on one replica
        if s in kept:
            assert set(servers) == {live.name}, requests
        else:           # first the dead replica (the page, the websocket), then only the live one
            first_live = servers.index(live.name)
            assert set(servers[:first_live]) == {dead.name} and set(servers[first_live:]) == {live.name}, requests
            if cluster.balancer == "haproxy":             # HAProxy gave it a cookie naming the live replica
                assert requests[first_live].state[3] == "I" and requests[-1].cookie == live.name, requests
            else:                                         # nginx keeps its cookie: the hash skips the dead one
                assert {r.cookie for r in requests[1:]} == {requests[0].state}, requests


def logged_websockets(cluster, sessions, seconds=10):
    """The balancer's log by client once it holds a line for every websocket the sessions opened: the balancer
    writes a websocket's line when the connection ends, and one that the death of its replica ended was once
    read a moment too soon (its session's requests to that replica looked like none)."""
    deadline = time.monotonic() + seconds
    while True:
        log = balancer_log.by_client(balancer_log.read(cluster.balancer_log))
        missing = {s.name: s.connections - sum(r.websocket for r in log.get(s.name, [])) for s in sessions}
        if not any(n > 0 for n in missing.values()):
            return log
        assert time.monotonic() < deadline, f"websockets with no line in the balancer log after {seconds} s: {missing}"
        time.sleep(0.1)


def test_long_share_links_and_uploads_pass_the_balancer(cluster):
    """An 8 KB link (the browser repeats it in the Referer) and an upload of the app's largest size
    (maxUploadSize, 20 MB): within the app's limits, so the balancer must not refuse them (nginx's
    defaults answer 414 and 413)."""
    link = f"{cluster.url}/training?seed=3&hidden=" + ",".join(["8"] * 4096)
    link = link[:8192]                                                               # an 8 KB link
    request = urllib.request.Request(link, headers={"Referer": link})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200
    upload = urllib.request.Request(f"{cluster.url}/_stcore/upload_file/no-session/no-file", method="PUT",
                                    data=b"0" * (UPLOAD_MB * 1024 * 1024 - 1024))
    try:
        status = urllib.request.urlopen(upload, timeout=60).status
    except urllib.error.HTTPError as error:
        status = error.code
    assert status not in (413, 414, 502, 503), status      # the app's answer (no such session), not the balancer's


def test_a_browser_on_a_killed_replica_gets_its_page_back(browser, tmp_path):
    """In Chromium, through HAProxy: the tab reconnects by itself to the live replica and shows the page
    of its address (the run in progress is lost), rather than a frozen tab."""
    require("haproxy")
    with Cluster(2, port=0, balancer="haproxy", run_dir=tmp_path) as cluster:
        context = browser.new_context(viewport=harness.VIEWPORT)
        context.set_default_timeout(60_000)
        try:
            page = context.new_page()
            query = "epochs=20001&seed=5&hidden=8,8"
            harness.open_page(page, cluster.url, "training", query, timeout=60_000)
            page.get_by_role("button", name="Train", exact=True).click()
            page.get_by_text("epoch 0 of 20001").wait_for(state="detached")      # it trains
            first = next(r for r in balancer_log.read(cluster.balancer_log) if "/training?" in r.request)
            victim = next(i for i, r in enumerate(cluster.replicas) if r.name == first.server)
            cluster.kill_replica(victim)
            page.locator(f"{harness.APP}[data-test-connection-state='CONNECTED']").wait_for(state="detached")
            harness.wait_for_app_run(page, timeout=60_000)
            page.get_by_text("epoch 0 of 20001").wait_for()                       # a new session, run lost
            assert page.url == f"{cluster.url}/training?{query}"
            assert page.get_by_label("Seed").input_value() == "5"
            assert "123 parameters" in page.locator(harness.MAIN).inner_text()     # 2-8-8-3, from the address
            harness.screenshot(page, "balancer-after-kill")
            page.get_by_role("button", name="Train", exact=True).click()
            page.get_by_text("epoch 0 of 20001").wait_for(state="detached")      # and it trains there
        finally:
            context.close()
        live = cluster.replicas[1 - victim].name
        for _ in range(50):                      # the websocket's line is written when the tab has closed
            stream = [r for r in balancer_log.read(cluster.balancer_log) if r.websocket]
            if len(stream) >= 2:
                break
            time.sleep(0.1)
    assert [(r.server, r.cookie) for r in stream] == [(first.server, first.server), (live, live)]
