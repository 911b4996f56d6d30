"""Discretionary-trading searches (일임매매, b2baccount.md): HTTP Basic + ``comId``."""
