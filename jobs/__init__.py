"""Scheduled work run by the bot's JobQueue (APScheduler): the weekly summary, the daily
deadline and overdue checks, the stale-data check, escalations, and the delivery loop.

Each scheduled run is claimed in the database before it runs, so a run happens once
even with several bot processes, and a run missed while the bot was down happens once
when it comes back (within the grace period).
"""
