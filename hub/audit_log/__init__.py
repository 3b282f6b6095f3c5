"""The audit log read side: filtered keyset pages, CSV export, console pages and the API.

Events are written by ``hub.audit.record_event``; this package only reads them.
"""
