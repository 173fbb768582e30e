"""Reading the balancer's log (deploy/haproxy.cfg.in and nginx.conf.in write the same fields): which
replica answered each request, and the stickiness cookie the browser sent. The tests and the load
benchmark check stickiness from it: every request of one session answered by one replica.

A websocket's line is written when it closes, so read the log after the sessions have closed.
"""

import re
from dataclasses import dataclass

FIELD = re.compile(r'(\w+)=("[^"]*"|\{[^}]*\}|\S*)')


@dataclass
class Request:
    client: str          # the session's name, from the User-Agent "stclient <name>" ('' for others)
    server: str          # the replica that answered: HAProxy's name (r1) or nginx's address (127.0.0.1:port)
    tried: str           # nginx: every replica it tried, in order (one unless one failed)
    address: str         # the replica's address
    cookie: str          # the stickiness cookie the browser sent ('' for none)
    state: str           # HAProxy's termination and cookie flags; nginx: the hash key
    status: str
    request: str         # "GET /neuron HTTP/1.1"

    @property
    def websocket(self):
        return "/_stcore/stream" in self.request


def parse_line(line):
    fields = {k: v.strip('"{}') for k, v in FIELD.findall(line)}
    if "server" not in fields:
        return None
    agent = fields.get("ua", "")
    cookie = fields.get("cookie", "-")
    server = fields["server"].split(", ")[-1]       # nginx lists every replica it tried: the last answered
    return Request(client=agent.split(" ", 1)[1] if agent.startswith("stclient ") else "",
                   server=server, tried=fields["server"], address=fields.get("addr", server),
                   cookie="" if cookie == "-" else cookie.split("=", 1)[-1],
                   state=fields.get("state", fields.get("key", "")), status=fields.get("status", ""),
                   request=fields.get("req", ""))


def read(path):
    """Every request line of the log, in order."""
    with open(path, encoding="utf-8", errors="replace") as file:
        return [r for r in map(parse_line, file) if r is not None]


def by_client(requests):
    """client name -> its requests, for the requests the load client made (health checks left out)."""
    found = {}
    for r in requests:
        if r.client:
            found.setdefault(r.client, []).append(r)
    return found
