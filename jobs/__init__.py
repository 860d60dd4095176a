"""Scheduled work (alert rules, summaries, portal sync) run by the bot's JobQueue.

Nothing is scheduled yet: the alerts and schedules arrive with the alerting work.
"""
