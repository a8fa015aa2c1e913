"""Where a text occurs in an image as `docker save` writes it: the config, the manifests, every layer.

Used by: the security checkers (checks/ch10.py, Exercise 10.3), to prove that a build secret is absent from every
layer and config of the saved image; the chapter itself shows the same search in a visible cell.
"""

import gzip
import io
import json
import tarfile
from pathlib import Path


def _blob_kind(data: bytes) -> str:
    """'layer' for a tar archive, 'image config' for JSON with a history, else 'manifest or index'."""
    if len(data) > 262 and data[257:262] == b"ustar":
        return "layer"
    try:
        parsed = json.loads(data)
    except ValueError:
        return "other file"
    return "image config" if isinstance(parsed, dict) and "rootfs" in parsed else "manifest or index"


def _files_holding(layer: bytes, needle: bytes) -> list[str]:
    with tarfile.open(fileobj=io.BytesIO(layer)) as archive:
        return [member.name for member in archive if member.isfile()
                and needle in archive.extractfile(member).read()]


def search_saved_image(tar_path: str | Path, text: str) -> tuple[int, list[str]]:
    """(how many blobs and files were searched, where `text` was found) in a `docker save` archive.

    Compressed layers (gzip) are decompressed first; inside a layer, the files holding the text are named.
    """
    needle = text.encode()
    searched, found = 0, []
    with tarfile.open(tar_path) as archive:
        for member in archive:
            if not member.isfile():
                continue
            data = archive.extractfile(member).read()
            if data[:2] == b"\x1f\x8b":
                data = gzip.decompress(data)
            searched += 1
            kind = _blob_kind(data)
            if kind == "layer":
                found += [f"a layer, in the file /{name}" for name in _files_holding(data, needle)]
            elif needle in data:
                found.append(f"the {kind}")
    return searched, found
