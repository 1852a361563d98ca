"""The service around Rasa: channels, cases, safety, notifications, people, settings."""
