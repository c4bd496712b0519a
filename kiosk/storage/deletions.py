"""Removing the objects of deleted sessions from the store (deletion and retention).

The session's deletion leaves an `ObjectDeletion` row per uploaded file, in its own
transaction; this removes the object (and aborts a multipart upload left open), audits it,
and only then drops the row: a store out of reach keeps them waiting, never forgotten.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from kiosk.config import StorageSettings
from kiosk.storage.s3 import explain
from kiosk.store.audit import Action, append_event
from kiosk.store.database import Database
from kiosk.store.models import ObjectDeletion


def remove_deleted(db: Database, storage: StorageSettings, client: Any) -> int:
    """Remove every object waiting to go; how many went. Raises the store's error (after
    noting it on the row) when it cannot be reached or refuses."""
    from botocore.exceptions import ClientError

    with db.session() as s:
        waiting = s.execute(select(ObjectDeletion.id, ObjectDeletion.session_id,
                                   ObjectDeletion.key, ObjectDeletion.upload_id)
                            .order_by(ObjectDeletion.id)).all()
    removed = 0
    for row_id, session_id, key, upload_id in waiting:
        try:
            if upload_id is not None:
                try:
                    client.abort_multipart_upload(Bucket=storage.bucket, Key=key,
                                                  UploadId=upload_id)
                except ClientError as exc:
                    if exc.response.get("Error", {}).get("Code") not in ("NoSuchUpload",
                                                                         "404"):
                        raise
            client.delete_object(Bucket=storage.bucket, Key=key)  # gone already: fine too
        except Exception as exc:
            with db.session() as s, s.begin():
                row = s.get(ObjectDeletion, row_id)
                if row is not None:
                    row.attempts += 1
                    row.last_error = explain(exc, storage)
            raise
        with db.session() as s, s.begin():
            append_event(s, Action.OBJECT_DELETED, session_id=session_id,
                         detail={"bucket": storage.bucket, "key": key})
            row = s.get(ObjectDeletion, row_id)
            if row is not None:
                s.delete(row)
        removed += 1
    return removed


def keys_to_remove(db: Database) -> set[str]:
    """Objects that belong to no session any more but are on their way out."""
    with db.session() as s:
        return set(s.scalars(select(ObjectDeletion.key)))
