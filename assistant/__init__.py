"""Regelrett: cited answers for Norwegian municipalities."""
