"""Outbound messages: one SMS sender (Twilio, or the outbox in demo mode)."""
