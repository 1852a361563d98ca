"""The cluster's one error."""

from __future__ import annotations


class ClusterError(RuntimeError):
    """A part of the cluster could not be started."""
