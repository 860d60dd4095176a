"""tthc-bot: steering administrative-procedure (TTHC) reform from a chat.

The ``bot`` package is the composition root (config, clock, services, CLI)
and the domain logic that turns stored data into answers.  It never imports
Telegram types outside ``bot.telegram_app`` so that the console chat reuses
everything else.
"""
