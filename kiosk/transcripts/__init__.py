"""Offline speech to text of every interview: the model, the engine and the worker (no Qt)."""
