"""Safety layer: rule-based detection of messages that show immediate risk."""
