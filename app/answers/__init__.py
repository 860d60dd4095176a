"""Domain answers: build a :class:`core.reply.Reply` from stored data; no Telegram here."""
