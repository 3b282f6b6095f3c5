"""Bulk awarding from a CSV file: validate every row first, then issue in a background job.

``csvfile`` reads the upload, ``rows`` checks each row, ``service`` stores the upload and its rows
in one transaction, ``issuing`` signs and stores the awards batch by batch, and ``tasks`` runs
that work on the procrastinate queue.
"""
