"""Input channels run inside the Rasa server (REST now; SMS and web chat to come)."""
