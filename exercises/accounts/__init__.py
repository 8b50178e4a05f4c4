"""A user's account settings (the time zone pages are shown in); imports models and web only."""
