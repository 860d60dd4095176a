"""What runs by itself: the cron schedules of config.toml, run by the bot's JobQueue.

``runner`` says which use case (of :mod:`app`) each job runs and when; each run is claimed
in the database first (:mod:`app.runs`), so it happens once even with several bot
processes, and a run missed while the bot was down happens once when it comes back.
"""
