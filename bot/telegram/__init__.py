"""The Telegram transport: the only package that imports ``telegram``.

- ``application``: the one ``Application``, its handlers in order, menus, polling or webhook;
- ``context``: the typed callback context (services, who is asking);
- ``updates``: what each kind of update does (messages, buttons, files, migrations, errors);
- ``replies``: turning a :class:`core.reply.Reply` into Telegram calls;
- ``alerts``: the alert transport and the delivery job;
- ``schedules``: the JobQueue's cron jobs and catching up on start;
- ``redaction``: keeping the token out of every log line.
"""
