"""Domain answers: build a :class:`bot.reply.Reply` from stored data; no Telegram here."""
