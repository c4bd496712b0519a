"""Interview Booth Kiosk: records on-site video interviews and lets recruiters review them."""

__version__ = "0.1.0"
