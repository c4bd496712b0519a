"""Recordings in S3-compatible object storage: the client, the uploads, the worker (no Qt)."""
