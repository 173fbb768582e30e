"""The server's answers leave at once (ui/nodelay.py): Streamlit's listening socket is made without
TCP_NODELAY, so every connection it accepted kept Nagle's algorithm and each rerun's answer could wait
40 ms for the browser's delayed acknowledgement. The app turns it off on its process's TCP sockets."""

import socket

from conftest import open_page

from ui import nodelay


def listening_socket():
    """A listening socket made as Streamlit's server makes its own: socket.socket(family), no protocol named."""
    server = socket.socket(socket.AF_INET)
    server.bind(("127.0.0.1", 0))
    server.listen()
    return server


def accepted_nodelay(server):
    with socket.create_connection(server.getsockname()):
        connection, _ = server.accept()
        with connection:
            return connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)


def test_a_connection_accepted_as_streamlit_accepts_keeps_nagle_by_default():
    with listening_socket() as server:
        assert accepted_nodelay(server) == 0


def test_set_nodelay_reaches_connections_accepted_after_it_and_those_already_open():
    with listening_socket() as server, socket.create_connection(server.getsockname()) as client:
        already, _ = server.accept()
        with already:
            assert nodelay.set_nodelay() >= 3          # the listener, and both ends of the open connection
            assert already.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
            assert client.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
            assert accepted_nodelay(server) == 1


def test_running_the_app_turns_nagle_off_in_its_process():
    nodelay.once.cache_clear()
    with listening_socket() as server:
        open_page(None)                                 # streamlit_app.py, as a server runs it
        assert accepted_nodelay(server) == 1
