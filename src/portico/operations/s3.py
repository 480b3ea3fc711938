"""The storage settings for files in an S3-compatible bucket (PORTICO_STORAGE=s3): built
here, outside settings.py, so that the tests point the same settings at moto's server.
Nothing here may import Django's app machinery: settings.py imports it."""

from __future__ import annotations

from typing import Any


def s3_storage(
    bucket: str, endpoint_url: str | None, region: str | None, url_seconds: int
) -> dict[str, Any]:
    """The `default` storage for files in a bucket (also what the tests point at moto)."""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint_url,
            "region_name": region,
            # Credentials are boto3's own chain (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY
            # in the environment, or an instance role), never a setting written down here.
            # Private objects: no ACL is sent, so the bucket's own (private) policy holds.
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": url_seconds,
            "signature_version": "s3v4",
            # Stored names are generated, but a collision must never replace another
            # person's file: the storage then picks a fresh name, as on disk.
            "file_overwrite": False,
            # MinIO and most S3-compatible services on a host of their own want the
            # bucket in the path rather than in the host name.
            "addressing_style": "path" if endpoint_url else None,
            # What the object says of itself if it is ever fetched without the download
            # URL's overrides: opaque bytes to save, never a page, never cached.
            "object_parameters": {
                "ContentType": "application/octet-stream",
                "ContentDisposition": "attachment",
                "CacheControl": "private, no-store",
            },
        },
    }
