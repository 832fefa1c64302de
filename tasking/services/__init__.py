"""Writes of the tasking app; each module is imported by name (tasking.services.<module>)."""
