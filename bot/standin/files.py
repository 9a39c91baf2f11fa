"""files.getUploadURLExternal, the upload URL and files.completeUploadExternal (files_upload_v2)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.standin.recording import Message
from bot.standin.workspace import BOT_ID, BOT_USER_ID, ApiError, StoredFile, Workspace

if TYPE_CHECKING:
    from bot.standin.methods import Context

UPLOAD_PATH = "/upload/v1/"


def get_upload_url(ws: Workspace, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """Answer files.getUploadURLExternal: a file id and a URL on this server to POST bytes to."""
    filename = str(p.get("filename") or "")
    length = p.get("length")
    if not filename or length in (None, ""):
        raise ApiError("invalid_arguments")
    stored = StoredFile(ws.next_id("F"), filename, int(length), alt_txt=p.get("alt_txt"),
                        snippet_type=p.get("snippet_type"))
    ws.files[stored.id] = stored
    root = ctx.base_url.rsplit("/api/", 1)[0]
    return {"upload_url": f"{root}{UPLOAD_PATH}{stored.id}", "file_id": stored.id}


def receive_upload(ws: Workspace, file_id: str, data: bytes) -> bool:
    """Store the bytes POSTed to an upload URL; False when the file id was never issued."""
    with ws.lock:
        stored = ws.files.get(file_id)
        if stored is None:
            return False
        stored.data = data
        return True


def complete_upload(ws: Workspace, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """Answer files.completeUploadExternal, sharing the files into a channel when one is given."""
    items = p.get("files")
    if not isinstance(items, list) or not items:
        raise ApiError("invalid_arguments")
    channel = p.get("channel_id") or (str(p.get("channels") or "").split(",")[0] or None)
    thread_ts = None
    if channel:
        channel = ws.resolve_channel(str(channel))
        thread_ts = ws.check_thread(channel, p.get("thread_ts"))
    done: list[StoredFile] = []
    for item in items:
        stored = ws.files.get(str(item.get("id")))
        if stored is None or stored.data is None:
            raise ApiError("file_not_found")
        stored.title = item.get("title") or stored.filename
        stored.channel = channel
        stored.completed = True
        done.append(stored)
    if channel:
        ws.add_message(Message(
            channel=channel, ts=ws.next_ts(), text=str(p.get("initial_comment") or ""),
            thread_ts=thread_ts, user=BOT_USER_ID, bot_id=BOT_ID,
            kind="file_share", files=[f.as_slack() for f in done],
        ))
    return {"files": [f.as_slack() for f in done]}
