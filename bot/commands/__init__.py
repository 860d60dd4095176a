"""The ``tthc-bot`` commands: one small function per command adds its parser and names the
function that runs it (``set_defaults(run=…)``); :mod:`bot.cli` lists them in menu order.

A command's function receives the parsed arguments and the services, and returns the exit
code: 0 done, 1 a data problem, 2 a usage or configuration error, 3 Telegram refused the
token (the README's table).
"""
