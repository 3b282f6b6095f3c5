"""E-mail to earners: per-tenant templates, a database outbox, and SMTP delivery."""
