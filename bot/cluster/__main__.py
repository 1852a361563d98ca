"""``python -m bot.cluster`` (``make cluster``): run the cluster in the foreground.

Ctrl-C (or any service dying) stops it all; PostgreSQL's data stays in
``var/cluster/postgres`` for the next start.
"""

from __future__ import annotations

import signal
import sys
import threading

from bot.cluster.errors import ClusterError
from bot.cluster.layout import Cluster
from bot.launcher import model_path
from bot.settings import get_settings


def main() -> int:
    """Start the cluster, say where it is, and keep it running until Ctrl-C."""
    settings = get_settings()
    cluster = Cluster(settings, settings.var_dir / "cluster", model_path(settings))
    stopping = threading.Event()

    def _on_signal(_signum: int, _frame: object) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    print("Starting PostgreSQL, Redis, two action servers, nginx, two Rasa servers...", flush=True)
    try:
        cluster.start()
    except ClusterError as error:
        print(f"Could not start the cluster: {error}", file=sys.stderr)
        return 1
    ports = cluster.ports
    print(
        f"\nReady. Public address (nginx): {cluster.public_url} (web chat: /chat/, REST: "
        f"/webhooks/rest/webhook, SMS: /webhooks/twilio/webhook); Rasa servers on "
        f"{', '.join(map(str, ports.rasa))}, action servers on "
        f"{', '.join(map(str, ports.actions))} (through nginx on {ports.actions_balancer}); "
        f"PostgreSQL on {ports.postgres}; Redis on {ports.redis}; staff console on "
        f"{ports.console}. "
        "Ctrl-C stops them all.\n",
        flush=True,
    )
    assert cluster.group is not None
    while not stopping.is_set():
        name = cluster.group.exited()
        if name:
            print(f"{name} stopped; stopping the others.", file=sys.stderr)
            break
        stopping.wait(0.5)
    print("\nStopping...", flush=True)
    cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
