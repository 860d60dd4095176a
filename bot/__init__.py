"""tthc-bot: steering administrative-procedure (TTHC) reform from a chat.

The ``bot`` package is the composition root and the transports: ``app`` builds the services,
``cli`` is the ``tthc-bot`` command, ``console`` the terminal chat, and ``bot.telegram`` the
only package that imports Telegram, so the console chat reuses everything below it.
"""
