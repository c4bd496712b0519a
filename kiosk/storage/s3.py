"""The S3 client the booth uses, and what the store's refusals mean in words.

Credentials come from boto3's usual sources (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY,
AWS_ENDPOINT_URL, the shared credentials file): never from the settings file, never printed.
boto3 1.36 and later add CRC checksums to every request, which some S3-compatible servers
refuse; checksums are sent only where the request needs them, and every part carries its
SHA-256 explicitly, so the store refuses a part that did not arrive as it was sent.
"""

from __future__ import annotations

from typing import Any

from kiosk.config import StorageSettings
from kiosk.errors import KioskError

CONNECT_TIMEOUT_S = 5
READ_TIMEOUT_S = 60


class StorageError(KioskError):
    """The object store cannot be used now: the message says why, in a line for IT."""


def make_client(storage: StorageSettings) -> Any:
    """A boto3 S3 client for `storage` (imported here: a local booth never loads boto3)."""
    import boto3
    from botocore.config import Config

    config = Config(
        signature_version="s3v4",
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
        connect_timeout=CONNECT_TIMEOUT_S, read_timeout=READ_TIMEOUT_S,
        # The booth retries with its own backoff, which survives a restart; botocore's own
        # retries stay short so that a dropped network is noticed within seconds.
        retries={"total_max_attempts": 2, "mode": "standard"},
        s3={"addressing_style": "path"} if storage.endpoint_url else None,
    )
    return boto3.session.Session().client(
        "s3", endpoint_url=storage.endpoint_url or None, region_name=storage.region or None,
        config=config)


def explain(exc: Exception, storage: StorageSettings) -> str:
    """One line for IT: what the store said, with the bucket; never a credential."""
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

    where = f"the bucket {storage.bucket!r}"
    if storage.endpoint_url:
        where += f" at {storage.endpoint_url}"
    if isinstance(exc, NoCredentialsError):
        return (f"No storage credentials were found for {where}: set AWS_ACCESS_KEY_ID and "
                f"AWS_SECRET_ACCESS_KEY (or the shared credentials file) for the booth.")
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if code in ("InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken",
                    "ExpiredToken") or (code == "403" and status == 403):
            return f"The storage refused the booth's credentials for {where} ({code})."
        if code == "NoSuchBucket" or (code == "404" and "Key" not in error):
            return (f"{where[0].upper()}{where[1:]} does not exist: create it, or correct "
                    f"[storage] bucket.")
        if code == "AccessDenied":
            return (f"The booth's credentials may not do this in {where} (AccessDenied): "
                    f"the bucket policy must allow put, get, list, abort and delete.")
        return f"The storage refused a request for {where}: {code} {error.get('Message', '')}"
    if isinstance(exc, BotoCoreError):
        # botocore's own words repeat the URL; the kind of failure is what IT needs.
        return (f"The storage at {where} cannot be reached ({type(exc).__name__}): the "
                f"network, or the server, is down.")
    return f"The storage at {where} failed: {exc}"


def is_unreachable(exc: Exception) -> bool:
    """A network that dropped or a server that went away: worth trying again soon."""
    from botocore.exceptions import BotoCoreError, ClientError

    if isinstance(exc, ClientError):
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        return status >= 500
    return isinstance(exc, BotoCoreError | OSError)
