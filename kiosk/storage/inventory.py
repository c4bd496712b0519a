"""What the object store holds against what the database says: `kiosk storage status` and
`kiosk storage check`, the booth page's row and `kiosk doctor`'s."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import select

from kiosk.config import Settings
from kiosk.storage import uploads
from kiosk.storage.deletions import keys_to_remove
from kiosk.storage.s3 import explain, make_client
from kiosk.store.database import Database
from kiosk.store.models import Upload, UploadState


@dataclass(frozen=True)
class StorageStatus:
    kind: str
    bucket: str
    endpoint: str
    reachable: bool | None  # None: not asked (kind = "local")
    writable: bool | None
    problem: str | None
    backlog: uploads.Backlog | None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        if self.backlog is not None:
            backlog = data["backlog"]
            for key in ("oldest", "last_verified"):
                backlog[key] = backlog[key].isoformat() if backlog[key] else None
        return data


@dataclass
class StorageCheck:
    """Every uploaded file against its object, and objects no row knows."""

    checked: int = 0
    missing: list[dict[str, str]] = field(default_factory=list)  # row says verified, no object
    different: list[dict[str, str]] = field(default_factory=list)  # size or checksum differ
    without_rows: list[str] = field(default_factory=list)  # keys under our prefix
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return not (self.missing or self.different or self.without_rows or self.problem)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "ok": self.ok}


def storage_status(db: Database, settings: Settings, *, client: Any = None) -> StorageStatus:
    """Whether the bucket answers and takes a write (a small object put and deleted under
    the prefix), and the backlog. Nothing about credentials is in it."""
    storage = settings.storage
    backlog = uploads.backlog(db)
    if storage.kind == "local":
        return StorageStatus("local", "", "", None, None, None, backlog)
    endpoint = storage.endpoint_url or "AWS"
    reachable = writable = False
    problem = None
    try:
        client = client or make_client(storage)
        client.head_bucket(Bucket=storage.bucket)
        reachable = True
        probe = f"{storage.prefix}/.booth-check/{uuid.uuid4().hex}"
        client.put_object(Bucket=storage.bucket, Key=probe, Body=b"booth check")
        client.delete_object(Bucket=storage.bucket, Key=probe)
        writable = True
    except Exception as exc:
        problem = explain(exc, storage)
    return StorageStatus(storage.kind, storage.bucket, endpoint, reachable, writable, problem,
                         backlog)


def check_objects(db: Database, settings: Settings, *, client: Any = None) -> StorageCheck:
    storage = settings.storage
    check = StorageCheck()
    if storage.kind == "local":
        return check
    with db.session() as s:
        rows = s.execute(select(Upload.session_id, Upload.key, Upload.size, Upload.sha256,
                                Upload.state)).all()
    known = {row.key for row in rows}
    try:
        client = client or make_client(storage)
        stored: dict[str, int] = {}
        paginator = client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=storage.bucket, Prefix=f"{storage.prefix}/"):
            for item in page.get("Contents", []):
                stored[item["Key"]] = item["Size"]
        for row in rows:
            if row.state is not UploadState.VERIFIED:
                continue
            check.checked += 1
            if row.key not in stored:
                check.missing.append({"session_id": row.session_id, "key": row.key})
                continue
            head = client.head_object(Bucket=storage.bucket, Key=row.key)
            if (head.get("ContentLength") != row.size
                    or head.get("Metadata", {}).get("sha256") != row.sha256):
                check.different.append({"session_id": row.session_id, "key": row.key})
        leaving = keys_to_remove(db)  # a deleted session's, on their way out
        check.without_rows = sorted(key for key in stored
                                    if key not in known and key not in leaving)
    except Exception as exc:
        check.problem = explain(exc, storage)
    return check
