"""Care leavers and staff: their records, how they come in, and who is talking."""
