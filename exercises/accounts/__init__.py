"""Accounts: password reset in the site's own pages and a user's settings (the time zone pages
are shown in). Imports models and web only."""
