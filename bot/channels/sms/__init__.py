"""The SMS channel over Twilio: webhook, formatting, keywords."""
