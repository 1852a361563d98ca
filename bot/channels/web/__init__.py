"""The web chat: a page at ``/chat/``, its socket, session tokens, history and record linking."""
