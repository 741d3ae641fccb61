"""Meetings: scheduling, RSVP, reminders and Jitsi links."""
