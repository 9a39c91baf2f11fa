"""A person's message to the bot in Teams: a command (`summary`, `complete R3.2 …`), or an update
such as `R3.2 amber 60% training slots delayed` (the id may be left out in a reply to a prompt).

Teams sends an activity again when it thinks the first was lost. A message is known by its
conversation and id, so a re-delivery stores nothing (the update's idempotency key), runs no
command twice and confirms nothing twice (`uow.events.first_time`).
"""

from __future__ import annotations

import logging

from bot import copy
from bot.teams.activities import Incoming, words_of
from bot.teams.cards.replies import error_card, help_card, recorded_card
from bot.teams.commands import REGISTRY, CommandContext, Reply, help_lines
from bot.teams.deps import PLATFORM, TeamsDeps
from ncpi_core.domain.ledger import MessageRef
from ncpi_core.domain.models import Source
from ncpi_core.domain.replies import ParsedReply, parse_reply
from ncpi_core.usecases.updates import UpdateCommand, known_action_ids, record_update, thread_action

log = logging.getLogger(__name__)

HELP_WORDS = {"help", "?", "hi", "hello", "hey"}
IN_CHANNEL = ("Updates go in your own chat with me, not in a channel: open ncpi under Apps (or the chat "
              "where I asked you) and send it there.")


def handle_message(deps: TeamsDeps, m: Incoming) -> list[Reply]:
    """What to answer `m` with (nothing for a re-delivery already answered). Refusals raise."""
    actor = deps.actor(m.aad)  # a stranger is told so, and reads nothing of the plan
    word, args, rest = words_of(m.text)
    in_channel = m.kind != "personal"
    thread = None
    if not in_channel and m.reply_to:
        thread = thread_action(deps.uow_factory, PLATFORM, MessageRef(m.base, m.reply_to))
    if word in REGISTRY:
        if not deps.first_time(f"command:{m.key}"):
            log.info("re-delivered command %s: run once already", m.key)
            return []
        ctx = CommandContext(deps=deps, aad=m.aad or "", person=actor, args=args, rest=rest, now=deps.now(),
                             in_channel=in_channel)
        return [REGISTRY[word].handler(ctx)]
    if (word in HELP_WORDS and thread is None) or in_channel:
        if not deps.first_time(f"answer:{m.key}"):
            return []
        if in_channel and word not in HELP_WORDS:
            return [Reply([help_card(help_lines(), problem=IN_CHANNEL)], "ncpi commands", public=True)]
        return [Reply([help_card(help_lines())], "ncpi commands", public=in_channel)]
    parsed = parse_reply(m.text, known_action_ids(deps.uow_factory, actor.id), thread)
    if not isinstance(parsed, ParsedReply):
        if not deps.first_time(f"answer:{m.key}"):
            return []
        text = copy.reply_problem_text(parsed, copy.TEAMS)
        if parsed.code == "reply.no_action_id" and thread is None:
            # neither a command nor an update: say both what works as an update and every command
            return [Reply([help_card(help_lines(), unknown=word, problem=text)], "ncpi commands")]
        return [Reply([error_card(text)], copy.reply_problem_message(parsed, copy.TEAMS))]
    cmd = UpdateCommand(action_id=parsed.action_id, rag=parsed.rag, progress=parsed.progress,
                        narrative=parsed.narrative, source=Source.THREAD if thread is not None else Source.DM,
                        idempotency_key=m.key, author_identity=f"{PLATFORM}:{m.aad}")
    recorded = record_update(deps.uow_factory, deps.config, actor, cmd, now=deps.now(), today=deps.today())
    if recorded.duplicate:
        log.info("re-delivered message %s: nothing stored again", m.key)
    # confirm once, even if the first delivery stored the update and then failed to confirm
    if not deps.first_time(f"confirm:{m.key}"):
        return []
    card = recorded_card(recorded.action, recorded.update)
    return [Reply([card], str(card.get("fallbackText", "")))]
