"""Input channels run inside the Rasa server: REST, SMS (Twilio) and the web chat."""
