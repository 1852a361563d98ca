"""The nginx configuration of the cluster: one public address, two upstreams.

A pure function of the layout, so it can be read and tested without starting nginx.

- Public (``listen``): every request for the Rasa servers (channels, web chat socket,
  pack pages) goes to either Rasa server. No stickiness is needed: one conversation's
  messages are handled one at a time, in order, whichever server gets them
  (PostgreSQL advisory locks, :mod:`bot.rasa_plugins.lock_store`).
- A request is passed to the other server if the first refuses the connection, fails,
  answers 502/503 (a server still starting answers 503) or times out, *even after it
  was sent* (``non_idempotent``): every message that can reach the bot twice this way
  carries an id (Twilio's MessageSid, a REST client's ``message_id``), and a message
  whose id the conversation already has is not handled again.
- Internal (loopback only): the Rasa servers reach the action servers through it.
  Actions are retried on the other action server only if they were never sent, so a
  slow action is not run twice; a slow action server gets ``ACTION_TIMEOUT`` seconds,
  then the young person is told to try again shortly.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

ACTION_TIMEOUT_SECONDS = 10
RASA_TIMEOUT_SECONDS = 60


def _servers(ports: Sequence[int]) -> str:
    return "\n".join(
        f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;" for port in ports
    )


def nginx_config(
    folder: Path,
    public_port: int,
    rasa_ports: Sequence[int],
    actions_port: int,
    action_ports: Sequence[int],
    public_host: str = "127.0.0.1",
) -> str:
    """The nginx configuration of the cluster.

    Args:
        folder: nginx's own folder (pid file, temporary files).
        public_port: Where young people's channels are served.
        rasa_ports: The Rasa servers' ports (on this machine).
        actions_port: Where the Rasa servers reach the action servers (loopback only).
        action_ports: The action servers' ports.
        public_host: The address the public side listens on.

    Returns:
        The text of ``nginx.conf``.
    """
    tmp = folder / "tmp"
    return f"""# Written by `make cluster` (bot/cluster/nginx.py); changes here are overwritten.
worker_processes 1;
error_log stderr warn;
pid {folder / "nginx.pid"};

events {{
    worker_connections 4096;
}}

http {{
    access_log off;  # request lines can carry tokens (pack links): never logged
    server_tokens off;
    # Bodies (young people's words; whole conversations to the action servers) stay in
    # memory: never in nginx's temporary files on disk.
    proxy_max_temp_file_size 0;
    client_body_temp_path {tmp / "body"};
    proxy_temp_path {tmp / "proxy"};
    fastcgi_temp_path {tmp / "fastcgi"};
    uwsgi_temp_path {tmp / "uwsgi"};
    scgi_temp_path {tmp / "scgi"};

    map $http_upgrade $connection_upgrade {{
        default upgrade;
        "" close;
    }}

    upstream rasa {{
{_servers(rasa_ports)}
        keepalive 32;
    }}

    upstream actions {{
{_servers(action_ports)}
        keepalive 16;
    }}

    server {{
        listen {public_host}:{public_port};
        client_max_body_size 64k;
        client_body_buffer_size 64k;

        location / {{
            proxy_pass http://rasa;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_next_upstream error timeout http_502 http_503 non_idempotent;
            proxy_next_upstream_tries 2;
            proxy_connect_timeout 2s;
            proxy_read_timeout {RASA_TIMEOUT_SECONDS}s;
        }}

        # Readiness is for the load balancer and the operators, not the public.
        location /webhooks/service/ {{
            return 404;
        }}
    }}

    server {{
        listen 127.0.0.1:{actions_port};
        client_max_body_size 4m;
        client_body_buffer_size 4m;

        location / {{
            proxy_pass http://actions;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_next_upstream error timeout http_502 http_503;
            proxy_next_upstream_tries 2;
            proxy_connect_timeout 2s;
            proxy_read_timeout {ACTION_TIMEOUT_SECONDS}s;
        }}
    }}
}}
"""
