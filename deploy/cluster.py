"""Several replicas of the app on one machine, behind a load balancer with sticky sessions (issue 16).

    python deploy/cluster.py                        # one replica per core, HAProxy on 127.0.0.1:8501
    python deploy/cluster.py --replicas 4 --port 8080 --balancer nginx

One Streamlit server trains about one model at a time however many cores it has (its threads take
turns at Python's lock), so a class is served by one server per core. Each replica is the ordinary
``streamlit run streamlit_app.py`` on a loopback port of its own with ``NNX_TRAINERS=1``; all share
one ``server.cookieSecret``. The balancer (HAProxy by default, or nginx: see deploy/README.md) keeps
each learner on one replica, since a learner's state lives in that replica's memory.

Everything runs in the foreground as child processes, logging into a run directory (a new temporary
one unless ``--run-dir`` is given): ``replica-N.log``, ``balancer.log`` (one line per request: which
replica answered, and the stickiness cookie), and the generated balancer configuration. Ctrl-C or
SIGTERM stops all of it. A replica that dies is started again on its port (``--no-restart``: not).

The same module is the tests' and the benchmark's way to start a cluster: ``with Cluster(2) as c: c.url``.
"""

import argparse
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import tomllib
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BALANCERS = {"haproxy": "/usr/sbin/haproxy", "nginx": "/usr/sbin/nginx"}
COOKIE = "nnx_replica"
START_TIMEOUT = 90.0        # seconds for every replica and the balancer to answer their health checks


def upload_limit_mb(root=ROOT):
    """The app's upload limit in MB: .streamlit/config.toml's server.maxUploadSize (Streamlit's default,
    200, when it is not set). Read, not copied, so the balancer can never refuse a file the app takes."""
    with open(root / ".streamlit" / "config.toml", "rb") as config:
        return int(tomllib.load(config).get("server", {}).get("maxUploadSize", 200))


UPLOAD_MB = upload_limit_mb()   # the balancer allows a little more than this


def cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:                         # not on Linux
        return os.cpu_count() or 1


def free_port(address="127.0.0.1"):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((address, 0))
        return sock.getsockname()[1]


def healthy(url, timeout=2.0):
    """Streamlit's health endpoint answers "ok"."""
    try:
        with urllib.request.urlopen(url + "/_stcore/health", timeout=timeout) as response:
            return response.read().decode().strip() == "ok"
    except (urllib.error.URLError, OSError):
        return False


def find_balancer(name):
    path = BALANCERS[name]
    if os.access(path, os.X_OK):
        return path
    found = shutil.which(name)
    if found is None:
        raise FileNotFoundError(f"{name} not found: install Debian's {name} package (apt-get install {name})")
    return found


def stop_group(process, grace=10.0):
    """Stop a child started in a process group of its own: SIGTERM to the group, SIGKILL to whatever is
    left after ``grace`` seconds (a grandchild, none expected), then reap the child."""
    if process is None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=grace)
    except (subprocess.TimeoutExpired, ProcessLookupError, PermissionError):
        pass
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    process.wait()


@dataclass
class Replica:
    name: str                   # r1, r2, ...: the balancer's name for it, and its cookie value
    port: int
    log_path: Path
    process: subprocess.Popen | None = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self):
        return self.process.pid if self.process else None

    def alive(self):
        return self.process is not None and self.process.poll() is None


class Cluster:
    """N replicas and a balancer, started by ``start()`` (or ``with``) and stopped by ``stop()``."""

    def __init__(self, replicas=None, port=8501, balancer="haproxy", run_dir=None, address="127.0.0.1",
                 streamlit_options=(), env=None):
        if balancer not in BALANCERS:
            raise ValueError(f"balancer must be one of {sorted(BALANCERS)}, not {balancer!r}")
        self.count = replicas or cores()
        self.port = port or free_port(address)
        self.balancer = balancer
        self.address = address
        self.streamlit_options = list(streamlit_options)
        self.extra_env = dict(env or {})
        self._temporary = run_dir is None
        self.run_dir = Path(run_dir or tempfile.mkdtemp(prefix="nnx-cluster-"))
        self.cookie_secret = secrets.token_hex(32)
        self.replicas = []
        self.balancer_process = None
        self._balancer_log = None

    @property
    def url(self):
        return f"http://{self.address}:{self.port}"

    @property
    def balancer_log(self):
        return self.run_dir / "balancer.log"

    # -- starting ----------------------------------------------------------------------------------

    def start(self, timeout=START_TIMEOUT):
        self.run_dir.mkdir(parents=True, exist_ok=True)
        try:
            self.replicas = [Replica(f"r{i + 1}", free_port(), self.run_dir / f"replica-{i + 1}.log")
                             for i in range(self.count)]
            for replica in self.replicas:                   # all at once: they import in parallel
                self.start_replica(replica)
            deadline = time.monotonic() + timeout
            for replica in self.replicas:
                self.wait_healthy(replica, deadline)
            self.start_balancer()
            while not healthy(self.url):
                if time.monotonic() > deadline or self.balancer_process.poll() is not None:
                    raise RuntimeError(f"the {self.balancer} balancer did not come up; see {self.balancer_log}:\n"
                                       + tail(self.balancer_log))
                time.sleep(0.2)
        except BaseException:
            self.stop()
            raise
        return self

    def start_replica(self, replica):
        """``streamlit run streamlit_app.py`` on the replica's port, in a process group of its own."""
        # MALLOC_ARENA_MAX=2: glibc gives each thread that allocates at once an arena of its own (up to
        # 8 per core), and keeps what was freed in each; a replica's sessions run in threads, so its
        # freed memory piled up in many arenas (bench/soak.py --diagnose). Two are plenty for a
        # process whose threads take turns at Python's lock. The environment can still set another.
        env = {"MALLOC_ARENA_MAX": "2", **os.environ, "NNX_TRAINERS": "1", "PYTHONUNBUFFERED": "1",
               "STREAMLIT_SERVER_COOKIE_SECRET": self.cookie_secret, **self.extra_env}
        with open(replica.log_path, "a", encoding="utf-8") as log:
            replica.process = subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", "streamlit_app.py",
                 "--server.headless", "true", "--server.address", "127.0.0.1", "--server.port", str(replica.port),
                 "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
                 *self.streamlit_options],
                cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
                start_new_session=True)

    def wait_healthy(self, replica, deadline):
        while not healthy(replica.url):
            if not replica.alive() or time.monotonic() > deadline:
                raise RuntimeError(f"replica {replica.name} (port {replica.port}) did not start; "
                                   f"{replica.log_path}:\n{tail(replica.log_path)}")
            time.sleep(0.25)

    def config_text(self):
        """The balancer's configuration for these replicas."""
        if self.balancer == "haproxy":
            servers = "\n".join(f"    server {r.name} 127.0.0.1:{r.port} cookie {r.name}" for r in self.replicas)
        else:
            servers = "\n".join(f"        server 127.0.0.1:{r.port} max_fails=1 fail_timeout=10s;"
                                for r in self.replicas)
        text = (HERE / f"{self.balancer}.{'cfg' if self.balancer == 'haproxy' else 'conf'}.in").read_text()
        fields = {"ADDRESS": self.address, "PORT": str(self.port), "COOKIE": COOKIE, "SERVERS": servers,
                  "RUN": str(self.run_dir), "BODY_MB": str(UPLOAD_MB + 1)}
        return re.sub(r"@([A-Z_]+)@", lambda m: fields[m[1]], text)

    def start_balancer(self):
        binary = find_balancer(self.balancer)
        if self.balancer == "haproxy":
            config = self.run_dir / "haproxy.cfg"
            command = [binary, "-db", "-f", str(config)]
        else:
            config = self.run_dir / "nginx.conf"
            for folder in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
                (self.run_dir / "nginx-tmp" / folder).mkdir(parents=True, exist_ok=True)
            command = [binary, "-p", str(self.run_dir), "-e", "stderr", "-c", str(config)]
        config.write_text(self.config_text(), encoding="utf-8")
        check = subprocess.run(self._check_command(command), capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError(f"{self.balancer} rejected {config}:\n{check.stdout}{check.stderr}")
        self._balancer_log = open(self.balancer_log, "a", encoding="utf-8")
        self.balancer_process = subprocess.Popen(command, stdout=self._balancer_log, stderr=subprocess.STDOUT,
                                                 stdin=subprocess.DEVNULL, start_new_session=True)

    def _check_command(self, command):
        """The balancer's own check of its configuration (haproxy -c, nginx -t)."""
        return [*command, "-c"] if self.balancer == "haproxy" else [*command, "-t", "-q"]

    # -- running -----------------------------------------------------------------------------------

    def kill_replica(self, index):
        """Kill replica ``index`` at once (SIGKILL, as a crash would): for the tests."""
        replica = self.replicas[index]
        os.killpg(replica.process.pid, signal.SIGKILL)
        replica.process.wait()

    def restart_dead(self):
        """Start again every replica that has ended; returns their names."""
        dead = [r for r in self.replicas if not r.alive()]
        for replica in dead:
            with open(replica.log_path, "a", encoding="utf-8") as log:
                log.write(f"\n--- ended with status {replica.process.returncode}; started again ---\n")
            self.start_replica(replica)
        return [r.name for r in dead]

    def pids(self):
        """The live replicas' process ids (for reading their memory)."""
        return [r.pid for r in self.replicas if r.alive()]

    # -- stopping ----------------------------------------------------------------------------------

    def stop(self):
        stop_group(self.balancer_process)
        self.balancer_process = None
        if self._balancer_log is not None:
            self._balancer_log.close()
            self._balancer_log = None
        for replica in self.replicas:
            if replica.process is not None:
                try:
                    os.killpg(replica.process.pid, signal.SIGTERM)     # all at once, then wait for each
                except (ProcessLookupError, PermissionError):
                    pass
        for replica in self.replicas:
            stop_group(replica.process)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def tail(path, lines=30):
    try:
        return "\n".join(Path(path).read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replicas", type=int, default=cores(), help=f"replicas of the app (the cores: {cores()})")
    parser.add_argument("--port", type=int, default=8501, help="the balancer's port (8501; 0: a free one)")
    parser.add_argument("--address", default="127.0.0.1",
                        help="the balancer's address (127.0.0.1; the replicas always listen on loopback)")
    parser.add_argument("--balancer", choices=sorted(BALANCERS), default="haproxy",
                        help="haproxy (default: cookie stickiness, active health checks) or nginx")
    parser.add_argument("--run-dir", type=Path, help="logs and configuration (default: a new temporary directory)")
    parser.add_argument("--no-restart", action="store_true", help="do not start again a replica that ends")
    parser.add_argument("streamlit_options", nargs="*",
                        help="more options for every replica, after --, e.g. -- --server.disconnectedSessionTTL 30")
    args = parser.parse_args(argv)
    if args.replicas < 1:
        parser.error("--replicas must be at least 1")

    stopping = []

    def on_signal(signum, frame):
        stopping.append(signum)
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    cluster = Cluster(args.replicas, args.port, args.balancer, args.run_dir, args.address, args.streamlit_options)
    try:
        cluster.start()
        print(f"{cluster.count} replicas behind {args.balancer}: {cluster.url}", flush=True)
        for replica in cluster.replicas:
            print(f"  {replica.name}: {replica.url} (pid {replica.pid}), log {replica.log_path}", flush=True)
        print(f"  balancer log {cluster.balancer_log}\nCtrl-C stops them all.", flush=True)
        while True:
            time.sleep(1.0)
            if cluster.balancer_process.poll() is not None:
                print(f"the balancer ended (status {cluster.balancer_process.returncode}); stopping", flush=True)
                return 1
            if not args.no_restart:
                for name in cluster.restart_dead():
                    print(f"replica {name} ended; started again", flush=True)
    except KeyboardInterrupt:
        print("stopping", flush=True)
        return 0
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)          # a second SIGTERM does not cut the cleanup short
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        cluster.stop()
        print(f"stopped; logs in {cluster.run_dir}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
