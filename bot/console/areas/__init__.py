"""The console's areas, one Sanic blueprint each (``blueprint()`` builds it)."""
