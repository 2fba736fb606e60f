"""Reading an upload in an event handler: who is asking first, then at most the limit.

Reflex hands an upload handler the files posted to ``/_upload`` by anyone who holds a tab's
client token, logged in or not. So every upload handler goes through ``read_upload``:

1. the argument must be a list of real uploaded files (a client calling the handler over the
   socket with a dict or a string is refused with one log line, no traceback);
2. the caller must be logged in, with the permission the handler's service will ask for,
   BEFORE a byte is read;
3. the file is read in chunks and reading stops at the limit + 1 byte: nothing larger is ever
   held in memory.

Decoding (images) happens afterwards, in ``core.files``, which checks the pixel size from the
header first.
"""

from __future__ import annotations

import logging
from typing import Any

from engagement.core.access import Perm, can, refusal
from engagement.core.errors import Invalid, NotAllowed
from engagement.core.i18n import N_, Msg

logger = logging.getLogger("engagement.uploads")

CHUNK = 64 * 1024

NOT_A_FILE = N_("The file could not be read. Choose it again and send it once more.")


def uploaded_files(files_: Any, *, handler: str) -> list[Any]:
    """The uploaded files of a handler argument, or ``Invalid`` (logged as one line) for anything else.

    Anything posted through ``/_upload`` arrives as a list of objects with an async ``read``;
    what a socket client can send (JSON: dicts, strings, numbers) never does.
    """
    if files_ is None:
        return []
    if not isinstance(files_, list) or not all(callable(getattr(f, "read", None)) for f in files_):
        logger.warning("upload handler %s refused: called with %s instead of files", handler, type(files_).__name__)
        raise Invalid(NOT_A_FILE)
    return files_


async def read_limited(upload: Any, limit: int, *, too_large: Msg | None = None) -> bytes:
    """Read an uploaded file in chunks, stopping one byte past ``limit``.

    ``too_large`` is the refusal to give (default: "The file is larger than {n} MB...").

    Raises:
        Invalid: the file is larger than ``limit``, or its reader returns something else than bytes.
    """
    parts: list[bytes] = []
    size = 0
    while size <= limit:
        chunk = await upload.read(min(CHUNK, limit + 1 - size))
        if not chunk:
            break
        if not isinstance(chunk, bytes | bytearray):
            raise Invalid(NOT_A_FILE)
        parts.append(bytes(chunk))
        size += len(chunk)
    if size > limit:
        raise Invalid(too_large or N_("The file is larger than {n} MB; split it into parts.", n=limit // 1048576))
    return b"".join(parts)


async def _checked(state: Any, files_: Any, perm: Perm | None) -> list[Any]:
    """The uploads of a handler argument, once the caller is known to be allowed."""
    uploads = uploaded_files(files_, handler=type(state).__name__)
    actor = await state._actor()
    if actor is None:
        raise NotAllowed("Your session has ended. Please log in again.")
    if actor.must_change_password:
        raise NotAllowed("Change your temporary password first.")
    if perm is not None and not can(actor, perm):
        raise NotAllowed(refusal(actor, perm))
    return uploads


async def read_upload(state: Any, files_: Any, *, perm: Perm | None, limit: int,
                      default_name: str, too_large: Msg | None = None) -> tuple[bytes, str]:
    """The first uploaded file's bytes (at most ``limit``) and its name, after the caller is checked.

    ``state`` is an ``AuthState``: the actor comes from its server-side session. ``perm`` is
    the permission of the service the bytes are for (``None``: any logged-in person). No file
    gives ``(b"", "")``.

    Raises:
        NotAllowed: nobody is logged in, a temporary password must be changed, or ``perm`` is missing.
        Invalid: not files, or larger than ``limit``.
    """
    uploads = await _checked(state, files_, perm)
    if not uploads:
        return b"", ""
    upload = uploads[0]
    data = await read_limited(upload, limit, too_large=too_large)
    return data, str(getattr(upload, "filename", "") or default_name)[:200]


async def read_uploads(state: Any, files_: Any, *, perm: Perm | None, limit: int, max_files: int,
                       default_name: str) -> list[tuple[bytes, str]]:
    """Like ``read_upload`` for several files: at most ``max_files``, each at most ``limit`` bytes.

    Raises:
        NotAllowed: as ``read_upload``.
        Invalid: not files, more than ``max_files``, or one larger than ``limit``.
    """
    uploads = await _checked(state, files_, perm)
    if len(uploads) > max_files:
        raise Invalid("Attach at most {n} files at a time.", n=max_files)
    out = []
    for upload in uploads:
        name = str(getattr(upload, "filename", "") or default_name)[:200]
        data = await read_limited(upload, limit, too_large=N_("“{name}” is larger than {mb} MB; send a smaller copy.",
                                                              name=name, mb=limit // 1048576))
        out.append((data, name))
    return out
