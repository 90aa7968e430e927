"""The inquiries app's management commands."""
