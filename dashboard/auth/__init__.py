"""Web sign-in for people: the login page, sessions, sign-out (sessions:
``gridwall.access.sessions``)."""
