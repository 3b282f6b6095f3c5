"""French and English texts of the wallet page (merged into ``hub.i18n.MESSAGES``)."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "wallet.link": "Send to a wallet",
        "wallet.title": "Send this badge to a wallet",
        "wallet.lead": (
            "Your digital wallet receives the badge over OpenID for Verifiable Credential "
            "Issuance. The wallet binds the badge to its own key, so only it can present it."
        ),
        "wallet.tx_code": "Protect the offer with a 6-digit code",
        "wallet.create": "Create an offer",
        "wallet.scan": "Scan this QR code with your wallet, or open the link on this device.",
        "wallet.open": "Open in my wallet",
        "wallet.by_value": "Wallet that cannot fetch offers: open the offer by value",
        "wallet.code": "Code to type in the wallet",
        "wallet.expires": "This offer works once and expires at {time} UTC.",
        "wallet.again": "Create another offer",
        "audit.action.credential:offered": "Credential offered to a wallet",
        "audit.action.credential:delivered": "Credential delivered to a wallet",
    },
    "fr": {
        "wallet.link": "Envoyer vers un portefeuille",
        "wallet.title": "Envoyer ce badge vers un portefeuille",
        "wallet.lead": (
            "Votre portefeuille numérique reçoit le badge par OpenID for Verifiable Credential "
            "Issuance. Le portefeuille lie le badge à sa propre clé : lui seul peut le présenter."
        ),
        "wallet.tx_code": "Protéger l'offre par un code à 6 chiffres",
        "wallet.create": "Créer une offre",
        "wallet.scan": (
            "Scannez ce QR code avec votre portefeuille, ou ouvrez le lien sur cet appareil."
        ),
        "wallet.open": "Ouvrir dans mon portefeuille",
        "wallet.by_value": (
            "Portefeuille qui ne télécharge pas les offres : ouvrir l'offre par valeur"
        ),
        "wallet.code": "Code à saisir dans le portefeuille",
        "wallet.expires": "Cette offre sert une seule fois et expire à {time} UTC.",
        "wallet.again": "Créer une autre offre",
        "audit.action.credential:offered": "Attestation proposée à un portefeuille",
        "audit.action.credential:delivered": "Attestation remise à un portefeuille",
    },
}
