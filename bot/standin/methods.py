"""The Web API methods the stand-in answers, as functions of (workspace, params, context)."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.standin.files import complete_upload, get_upload_url
from bot.standin.methods_extra import EXTRA_METHODS
from bot.standin.recording import InvalidPayload, Message, ViewRecord
from bot.standin.validation import (
    BLOCK_COST,
    MAX_MESSAGE_TEXT,
    blocks_size,
    check_blocks,
    check_view,
)
from bot.standin.workspace import (
    APP_ID,
    BOT_ID,
    BOT_NAME,
    BOT_USER_ID,
    TEAM_DOMAIN,
    TEAM_ID,
    TEAM_NAME,
    ApiError,
    Workspace,
)


@dataclass
class Context:
    """What a method needs besides its parameters."""

    method: str
    token: str
    base_url: str
    socket_url: Callable[[], str]
    trigger_ttl: float | None


Handler = Callable[[Workspace, dict[str, Any], Context], dict[str, Any]]


def _truthy(value: Any) -> bool:
    return value in (True, 1, "1", "true", "True")


def _reject(ws: Workspace, ctx: Context, reason: str, payload: Any) -> None:
    ws.invalid_payloads.append(InvalidPayload(ctx.method, reason, payload))
    raise ApiError("invalid_blocks", errors=[reason])


def _check_message_content(ws: Workspace, p: dict[str, Any], ctx: Context, need: bool = True) -> None:
    blocks = p.get("blocks")
    text = p.get("text")
    if need and not text and not blocks and not p.get("attachments"):
        raise ApiError("no_text")
    if text and len(str(text)) > MAX_MESSAGE_TEXT:
        raise ApiError("msg_too_long")
    if blocks is not None and blocks != []:
        if isinstance(blocks, str):
            _reject(ws, ctx, "blocks is not valid JSON", blocks)
        problem = check_blocks(blocks)
        if problem:
            _reject(ws, ctx, problem, blocks)
        if blocks_size(blocks) > ws.max_blocks_chars:
            ws.invalid_payloads.append(InvalidPayload(
                ctx.method, f"blocks are {blocks_size(blocks):,} characters together (text, and "
                f"{BLOCK_COST} a block); the stand-in takes {ws.max_blocks_chars:,}", blocks))
            raise ApiError("msg_blocks_too_long")
    metadata = p.get("metadata")
    if metadata is not None and (
        not isinstance(metadata, dict) or "event_type" not in metadata or "event_payload" not in metadata
    ):
        raise ApiError("invalid_metadata_format")


# ---- auth, users, conversations --------------------------------------------------------------
def auth_test(ws: Workspace, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    return {"url": f"https://{TEAM_DOMAIN}.slack.com/", "team": TEAM_NAME, "user": BOT_NAME,
            "team_id": TEAM_ID, "user_id": BOT_USER_ID, "bot_id": BOT_ID,
            "is_enterprise_install": False}


def users_info(ws: Workspace, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    return {"user": ws.user_object(str(p.get("user") or ""))}


def conversations_open(ws: Workspace, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    if p.get("channel"):
        return {"channel": {"id": ws.resolve_channel(str(p["channel"]), for_posting=False)}}
    raw = p.get("users") or ""
    users = [u.strip() for u in (raw if isinstance(raw, list) else str(raw).split(",")) if u.strip()]
    if not users:
        raise ApiError("users_list_not_supplied")
    for u in users:
        if ws.users and u not in ws.users:
            raise ApiError("user_not_found")
    if len(users) == 1:
        already = users[0] in ws.dms
        channel = ws.dm_channel(users[0])
        out: dict[str, Any] = {"channel": {"id": channel}}
        if already:
            out.update(no_op=True, already_open=True)
        return out
    return {"channel": {"id": ws.mpim_channel(users)}}


def conversations_info(ws: Workspace, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    channel = ws.resolve_channel(str(p.get("channel") or ""), for_posting=False)
    return {"channel": ws.channel_object(channel)}


def conversations_members(ws: Workspace, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    channel = ws.resolve_channel(str(p.get("channel") or ""), for_posting=False)
    return {"members": ws.members_of(channel), "response_metadata": {"next_cursor": ""}}


def _page(items: list[dict[str, Any]], p: dict[str, Any], default: int) -> dict[str, Any]:
    limit = int(p.get("limit") or default)
    start = int(p.get("cursor") or 0)
    page = items[start:start + limit]
    more = start + limit < len(items)
    return {"messages": page, "has_more": more,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""}}


def conversations_history(ws: Workspace, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    channel = ws.resolve_channel(str(p.get("channel") or ""), for_posting=False)
    oldest = float(p.get("oldest") or 0)
    latest = float(p.get("latest") or "inf")
    inclusive = _truthy(p.get("inclusive"))
    meta = _truthy(p.get("include_all_metadata"))
    found = [
        m for m in ws.channel_messages(channel)
        if not m.is_thread_reply
        and (oldest < float(m.ts) < latest or (inclusive and float(m.ts) in (oldest, latest)))
    ]
    found.sort(key=lambda m: float(m.ts), reverse=True)
    return {"pin_count": 0, **_page([m.as_slack(meta) for m in found], p, 100)}


def conversations_replies(ws: Workspace, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    channel = ws.resolve_channel(str(p.get("channel") or ""), for_posting=False)
    ts = str(p.get("ts") or "")
    parent = ws.find_message(channel, ts)
    if parent is None:
        raise ApiError("thread_not_found")
    meta = _truthy(p.get("include_all_metadata"))
    thread = [m for m in ws.channel_messages(channel) if m.ts == ts or m.thread_ts == ts]
    thread.sort(key=lambda m: float(m.ts))
    return _page([m.as_slack(meta) for m in thread], p, 1000)


# ---- chat --------------------------------------------------------------------------------------
def chat_post_message(ws: Workspace, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    channel = ws.resolve_channel(p.get("channel"))
    thread_ts = ws.check_thread(channel, p.get("thread_ts"))
    _check_message_content(ws, p, ctx)
    msg = ws.add_message(Message(
        channel=channel, ts=ws.next_ts(), text=str(p.get("text") or ""),
        blocks=list(p.get("blocks") or []), thread_ts=thread_ts,
        metadata=p.get("metadata"), user=BOT_USER_ID, bot_id=BOT_ID,
        unfurl_links=p.get("unfurl_links"),
    ))
    return {"channel": channel, "ts": msg.ts, "message": msg.as_slack()}


def chat_post_ephemeral(ws: Workspace, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    channel = ws.resolve_channel(p.get("channel"))
    user = str(p.get("user") or "")
    if not user:
        raise ApiError("user_not_in_channel")
    thread_ts = ws.check_thread(channel, p.get("thread_ts"))
    _check_message_content(ws, p, ctx)
    msg = ws.add_message(Message(
        channel=channel, ts=ws.next_ts(), text=str(p.get("text") or ""),
        blocks=list(p.get("blocks") or []), thread_ts=thread_ts,
        user=BOT_USER_ID, bot_id=BOT_ID, kind="ephemeral", to_user=user,
    ))
    return {"message_ts": msg.ts}


def chat_update(ws: Workspace, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    channel = ws.resolve_channel(p.get("channel"))
    msg = ws.find_message(channel, str(p.get("ts") or ""))
    if msg is None:
        raise ApiError("message_not_found")
    _check_message_content(ws, p, ctx, need=False)
    if "text" in p:
        msg.text = str(p.get("text") or "")
    if "blocks" in p:
        msg.blocks = list(p.get("blocks") or [])
    if "metadata" in p:
        msg.metadata = p.get("metadata")
    msg.edited = True
    return {"channel": channel, "ts": msg.ts, "text": msg.text, "message": msg.as_slack()}


def chat_delete(ws: Workspace, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    channel = ws.resolve_channel(p.get("channel"))
    msg = ws.find_message(channel, str(p.get("ts") or ""))
    if msg is None:
        raise ApiError("message_not_found")
    msg.deleted = True
    return {"channel": channel, "ts": msg.ts}


# ---- views -------------------------------------------------------------------------------------
def _check_trigger(p: dict[str, Any], ctx: Context) -> str:
    trigger = str(p.get("trigger_id") or "")
    if not trigger:
        raise ApiError("invalid_arguments", response_metadata={"messages": ["trigger_id required"]})
    issued = trigger.split(".", 1)[0]
    expired = (ctx.trigger_ttl is not None and issued.isdigit() and len(issued) >= 13
               and time.time() - int(issued) / 1000 > ctx.trigger_ttl)
    if expired:
        raise ApiError("expired_trigger_id")
    return trigger


def _valid_view(ws: Workspace, p: dict[str, Any], ctx: Context, kind: str | None) -> dict[str, Any]:
    view = p.get("view")
    if view is None:
        raise ApiError("invalid_arguments", response_metadata={"messages": ["view required"]})
    if isinstance(view, str):
        _reject(ws, ctx, "view is not valid JSON", view)
    problem = check_view(view)
    if problem is None and kind and view.get("type") != kind:
        problem = f"view type must be {kind} for {ctx.method}"
    if problem:
        _reject(ws, ctx, problem, view)
    return dict(view)


def _store_view(ws: Workspace, rec: ViewRecord) -> dict[str, Any]:
    rec.hash = hashlib.sha1(f"{rec.id}{time.time_ns()}".encode()).hexdigest()[:20]
    ws.views.append(rec)
    return {"view": rec.as_slack(TEAM_ID, APP_ID, BOT_ID)}


def _latest_view(ws: Workspace, view_id: str | None, external_id: str | None) -> ViewRecord:
    for rec in reversed(ws.views):
        if (view_id and rec.id == view_id) or (
            external_id and rec.view.get("external_id") == external_id
        ):
            return rec
    raise ApiError("not_found")


def views_open(ws: Workspace, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    trigger = _check_trigger(p, ctx)
    view = _valid_view(ws, p, ctx, "modal")
    return _store_view(ws, ViewRecord(ws.next_id("V"), view, ctx.method, trigger_id=trigger))


def views_push(ws: Workspace, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    trigger = _check_trigger(p, ctx)
    view = _valid_view(ws, p, ctx, "modal")
    root = next((v for v in reversed(ws.views) if v.type == "modal"), None)
    return _store_view(ws, ViewRecord(
        ws.next_id("V"), view, ctx.method, trigger_id=trigger,
        root_view_id=(root.root_view_id or root.id) if root else None,
        previous_view_id=root.id if root else None))


def views_update(ws: Workspace, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    old = _latest_view(ws, p.get("view_id"), p.get("external_id"))
    if p.get("hash") and p["hash"] != old.hash:
        raise ApiError("hash_conflict")
    view = _valid_view(ws, p, ctx, None)
    return _store_view(ws, ViewRecord(old.id, view, ctx.method, user=old.user,
                                      root_view_id=old.root_view_id,
                                      previous_view_id=old.previous_view_id))


def views_publish(ws: Workspace, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    user = str(p.get("user_id") or "")
    if not user or (ws.users and user not in ws.users):
        raise ApiError("user_not_found" if user else "invalid_arguments")
    view = _valid_view(ws, p, ctx, "home")
    existing = next((v for v in reversed(ws.views) if v.user == user and v.type == "home"), None)
    view_id = existing.id if existing else ws.next_id("V")
    return _store_view(ws, ViewRecord(view_id, view, ctx.method, user=user))


def apps_connections_open(ws: Workspace, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    if not ctx.token.startswith("xapp-"):
        raise ApiError("not_allowed_token_type")
    return {"url": ctx.socket_url()}


METHODS: dict[str, Handler] = {
    "auth.test": auth_test,
    "users.info": users_info,
    "conversations.open": conversations_open,
    "conversations.info": conversations_info,
    "conversations.members": conversations_members,
    "conversations.history": conversations_history,
    "conversations.replies": conversations_replies,
    "chat.postMessage": chat_post_message,
    "chat.postEphemeral": chat_post_ephemeral,
    "chat.update": chat_update,
    "chat.delete": chat_delete,
    "views.open": views_open,
    "views.push": views_push,
    "views.update": views_update,
    "views.publish": views_publish,
    "files.getUploadURLExternal": get_upload_url,
    "files.completeUploadExternal": complete_upload,
    "apps.connections.open": apps_connections_open,
    **EXTRA_METHODS,
}
