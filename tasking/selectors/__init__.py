"""Reads of the tasking app; each module is imported by name (tasking.selectors.<module>)."""
