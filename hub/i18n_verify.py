"""French and English texts of the public verification page."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "verify.nav": "Verify a badge",
        "verify.title": "Verify a badge",
        "verify.lead": (
            "Check an Open Badge from any university: Open Badges 3.0 credentials (JSON or VC-JWT),"
            " Open Badges 2.0 assertions, badge images with the credential baked in (PNG or SVG), "
            "or a link to any of these."
        ),
        "verify.paste": "Paste the credential",
        "verify.paste_help": "JSON, or a compact JWS (header.payload.signature).",
        "verify.upload": "Upload a file",
        "verify.upload_help": (
            "A baked PNG or SVG badge image, a .json credential or a .jwt file, 2 MiB at most."
        ),
        "verify.url": "Or give its address",
        "verify.url_help": (
            "The HTTPS address of a credential, a hosted Open Badges 2.0 assertion or a baked "
            "image."
        ),
        "verify.recipient": "Recipient e-mail (optional)",
        "verify.recipient_help": (
            "Checked against the credential's hashed recipient; the address is not stored."
        ),
        "verify.submit": "Verify",
        "verify.unreadable": "This could not be verified",
        "verify.valid": "Valid: every check passed or gave only a warning.",
        "verify.invalid": "Not valid: at least one check failed.",
        "verify.input": "Input",
        "verify.format": "Format",
        "verify.badge": "Badge",
        "verify.issuer": "Issuer",
        "verify.credential_id": "Credential",
        "verify.subject": "Recipient",
        "verify.creator": "Created by",
        "verify.valid_from": "Issued on",
        "verify.valid_until": "Valid until",
        "verify.trust": "Trust",
        "verify.status.passed": "passed",
        "verify.status.failed": "failed",
        "verify.status.warning": "warning",
        "verify.status.skipped": "skipped",
        "verify.json": "Report as JSON",
        "verify.download_json": "Download the JSON report",
        "verify.again": "Verify another badge",
        "verify.from_credential": "Verify this credential on the verification page",
    },
    "fr": {
        "verify.nav": "Vérifier un badge",
        "verify.title": "Vérifier un badge",
        "verify.lead": (
            "Vérifiez un Open Badge de n'importe quelle université : attestations Open Badges 3.0 "
            "(JSON ou VC-JWT), assertions Open Badges 2.0, images de badge contenant l'attestation "
            "(PNG ou SVG), ou un lien vers l'un d'eux."
        ),
        "verify.paste": "Collez l'attestation",
        "verify.paste_help": "JSON, ou un JWS compact (en-tête.charge.signature).",
        "verify.upload": "Déposez un fichier",
        "verify.upload_help": (
            "Une image de badge PNG ou SVG contenant l'attestation, une attestation .json ou un "
            "fichier .jwt, de 2 Mio au plus."
        ),
        "verify.url": "Ou donnez son adresse",
        "verify.url_help": (
            "L'adresse HTTPS d'une attestation, d'une assertion Open Badges 2.0 hébergée ou d'une "
            "image de badge."
        ),
        "verify.recipient": "Adresse e-mail du titulaire (facultatif)",
        "verify.recipient_help": (
            "Comparée à l'empreinte du titulaire inscrite dans l'attestation ; l'adresse n'est pas "
            "conservée."
        ),
        "verify.submit": "Vérifier",
        "verify.unreadable": "Impossible de vérifier ceci",
        "verify.valid": "Valide : chaque contrôle a réussi ou n'a donné qu'un avertissement.",
        "verify.invalid": "Non valide : au moins un contrôle a échoué.",
        "verify.input": "Entrée",
        "verify.format": "Format",
        "verify.badge": "Badge",
        "verify.issuer": "Émetteur",
        "verify.credential_id": "Attestation",
        "verify.subject": "Titulaire",
        "verify.creator": "Conçu par",
        "verify.valid_from": "Délivré le",
        "verify.valid_until": "Valable jusqu'au",
        "verify.trust": "Confiance",
        "verify.status.passed": "réussi",
        "verify.status.failed": "échoué",
        "verify.status.warning": "avertissement",
        "verify.status.skipped": "non effectué",
        "verify.json": "Rapport en JSON",
        "verify.download_json": "Télécharger le rapport JSON",
        "verify.again": "Vérifier un autre badge",
        "verify.from_credential": "Vérifier cette attestation sur la page de vérification",
    },
}
