"""Turning a :class:`core.reply.Reply` into Telegram calls: photo with caption, split text,
inline buttons, edits in place."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputMediaPhoto, Message
from telegram.error import BadRequest

from core.reply import Reply

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64


def split_text(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Pieces of at most ``limit`` characters, cut at line ends (a too-long line is cut hard)."""
    chunks: list[str] = []
    current = ""
    for line in text.splitlines():
        while len(line) > limit:
            if current:
                chunks.append(current)
                current = ""
            chunks.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current or not chunks:
        chunks.append(current)
    return chunks


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """The reply's buttons (a button whose command exceeds Telegram's 64 bytes is left out)."""
    rows = []
    for row in reply.buttons:
        buttons = [
            InlineKeyboardButton(b.label[:64], callback_data=b.command)
            for b in row
            if len(b.command.encode()) <= CALLBACK_DATA_LIMIT
        ]
        if buttons:
            rows.append(buttons)
    return InlineKeyboardMarkup(rows) if rows else None


async def send_reply(bot: Any, chat_id: int, reply: Reply) -> None:
    """Send a reply: a chart with its caption, long text split on line boundaries."""
    markup = keyboard(reply)
    if reply.image is not None:
        if len(reply.text) <= CAPTION_LIMIT:
            await bot.send_photo(
                chat_id,
                photo=reply.image,
                caption=reply.text,
                reply_markup=markup,
                filename=reply.image_name,
            )
            return
        first_line = reply.text.splitlines()[0][:CAPTION_LIMIT]
        await bot.send_photo(
            chat_id, photo=reply.image, caption=first_line, filename=reply.image_name
        )
    chunks = split_text(reply.text)
    for index, chunk in enumerate(chunks):
        last = index == len(chunks) - 1
        await bot.send_message(chat_id, chunk, reply_markup=markup if last else None)
    if reply.document is not None:
        await bot.send_document(chat_id, document=reply.document, filename=reply.document_name)


async def edit_reply(message: Message, reply: Reply) -> bool:
    """Replace a card in place (a button press); False when it has to be sent anew."""
    markup = keyboard(reply)
    try:
        if message.photo and reply.image is not None and len(reply.text) <= CAPTION_LIMIT:
            media = InputMediaPhoto(reply.image, caption=reply.text, filename=reply.image_name)
            await message.edit_media(media, reply_markup=markup)
            return True
        if message.text is not None and len(reply.text) <= MESSAGE_LIMIT:
            await message.edit_text(reply.text, reply_markup=markup)
            return True
    except BadRequest as exc:
        if "message is not modified" in str(exc).lower():
            return True
        raise
    return False
