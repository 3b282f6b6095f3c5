"""PDF certificates of issued badges, with each tenant's design.

``render_certificate`` turns an award into a one-page PDF with WeasyPrint. The page shows the
badge in the earner's language, a QR code to the credential's verification page, and embeds
the signed credential as ``credential.json``. ``design`` contains the per-tenant design and its
checks, ``services`` the cached rendering and design changes, ``controllers`` the routes.
"""

from hub.certificates.render import render_certificate

__all__ = ["render_certificate"]
