"""Helpers the tests share: a real PostgreSQL server, fake trackers, data files."""
