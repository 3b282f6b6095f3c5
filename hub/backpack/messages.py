"""French and English texts of the backpack pages."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "nav.backpack": "My badges",
        "backpack.title": "My badges",
        "backpack.lead": (
            "Every badge issued to your e-mail address or added to your account, whichever "
            "university issued it."
        ),
        "backpack.count": "{shown} of {total} badges shown",
        "backpack.empty": "No badge has been issued to your e-mail address yet.",
        "backpack.none_match": "No badge matches these filters.",
        "backpack.filter": "Filter",
        "backpack.clear": "Clear filters",
        "backpack.university": "University",
        "backpack.any_university": "All universities",
        "backpack.alliance_only": "Alliance badges only",
        "backpack.from": "Issued from",
        "backpack.to": "Issued until",
        "backpack.issued_by": "Issued by {issuer} on {date}",
        "backpack.alliance_badge": "Alliance badge",
        "backpack.hidden_badge": "Hidden from public view",
        "backpack.hide": "Hide from public view",
        "backpack.show": "Show publicly",
        "backpack.open": "Public page",
        "backpack.downloads": "Download",
        "backpack.png": "Baked PNG",
        "backpack.svg": "Baked SVG",
        "backpack.pdf": "PDF certificate",
        "backpack.import_title": "Import a badge",
        "backpack.import_lead": (
            "Add a badge issued elsewhere: a baked PNG or SVG, a JSON or JWT file, or its URL, "
            "in Open Badges 3.0 or 2.0. It is verified before it is added."
        ),
        "backpack.import_file": "File (PNG, SVG, JSON or JWT)",
        "backpack.import_url": "or URL",
        "backpack.import_button": "Verify and import",
        "backpack.import_rejected": "Not imported: the badge did not pass verification.",
        "backpack.import_not_yours": (
            "The badge was issued to another e-mail address than the one of your account."
        ),
        "backpack.imported_done": "The badge was verified and added to your backpack.",
        "backpack.imported": "Imported badges",
        "backpack.imported_from": "Imported from {source} ({format}) on {date}",
        "backpack.unnamed": "Badge without a name",
        "backpack.remove": "Remove from my backpack",
        "backpack.back": "Back to my badges",
        "credential.og_description": "Open Badge awarded to {name} by {issuer}, verifiable online.",
        "credential.linkedin": "Add to LinkedIn profile",
        "credential.ob2": "Open Badges 2.0 assertion (older backpacks)",
        "send.link": "Send to another backpack",
        "send.title": "Send this badge to another backpack",
        "send.lead": (
            "Another backpack that offers the Open Badges 3.0 API can receive this badge. Type "
            "its address: you then sign in there and allow this hub to add the badge."
        ),
        "send.host": "Address of the backpack",
        "send.button": "Send",
        "send.format": "Format",
        "send.format_json": "JSON with its embedded proof",
        "send.format_jwt": "VC-JWT",
        "send.known": "Or send to a backpack you connected before",
        "send.send_to": "Send to {name} ({host})",
        "send.connections": "Connected backpacks",
        "send.last_sent": "last badge sent on {date}",
        "send.forget": "Disconnect",
        "send.forgotten": "The backpack was disconnected.",
        "send.created": "Sent to {host}: the badge was added.",
        "send.replaced": "Sent to {host}: the badge replaced the copy the backpack already held.",
        "send.failed": "The badge was not sent",
        "send.host_said": "Answer of {host}: {detail}",
        "send.details": "Details: {detail}",
        "send.again": "Send it again",
        "send.error.host-url-invalid": (
            "“{host}” is not the address of a backpack. Type its address, for example "
            "https://backpack.example.org."
        ),
        "send.error.host-not-allowed": (
            "This hub does not connect to {host}: it sends badges to public https addresses only."
        ),
        "send.error.host-unreachable": "{host} could not be reached. Try again later.",
        "send.error.host-discovery-invalid": (
            "{host} does not describe an Open Badges 3.0 API that this hub can use."
        ),
        "send.error.host-cannot-receive": "{host} does not accept badges sent from elsewhere.",
        "send.error.registration-rejected": "{host} refused to register this hub as a client.",
        "send.error.authorization-denied": "{host} did not allow this hub to add the badge.",
        "send.error.token-rejected": "{host} refused to issue an access token to this hub.",
        "send.error.upsert-rejected": "{host} did not accept the badge.",
        "send.error.send-expired": (
            "The send expired or was started in another browser. Send the badge again."
        ),
        "send.error.send-state-mismatch": (
            "The answer of the other backpack does not belong to the send started in this "
            "browser. Send the badge again."
        ),
        "send.error.badge-not-sendable": (
            "This badge is an Open Badges 2.0 assertion. Other backpacks receive Open Badges 3.0 "
            "badges only."
        ),
    },
    "fr": {
        "nav.backpack": "Mes badges",
        "backpack.title": "Mes badges",
        "backpack.lead": (
            "Tous les badges délivrés à votre adresse électronique ou ajoutés à votre compte, "
            "quelle que soit l'université qui les a délivrés."
        ),
        "backpack.count": "{shown} badges affichés sur {total}",
        "backpack.empty": "Aucun badge n'a encore été délivré à votre adresse électronique.",
        "backpack.none_match": "Aucun badge ne correspond à ces filtres.",
        "backpack.filter": "Filtrer",
        "backpack.clear": "Effacer les filtres",
        "backpack.university": "Université",
        "backpack.any_university": "Toutes les universités",
        "backpack.alliance_only": "Badges de l'alliance seulement",
        "backpack.from": "Délivré à partir du",
        "backpack.to": "Délivré jusqu'au",
        "backpack.issued_by": "Délivré par {issuer} le {date}",
        "backpack.alliance_badge": "Badge de l'alliance",
        "backpack.hidden_badge": "Masqué au public",
        "backpack.hide": "Masquer au public",
        "backpack.show": "Rendre public",
        "backpack.open": "Page publique",
        "backpack.downloads": "Télécharger",
        "backpack.png": "PNG avec le badge intégré",
        "backpack.svg": "SVG avec le badge intégré",
        "backpack.pdf": "Certificat PDF",
        "backpack.import_title": "Importer un badge",
        "backpack.import_lead": (
            "Ajoutez un badge délivré ailleurs : un PNG ou SVG avec le badge intégré, un "
            "fichier JSON ou JWT, ou son URL, en Open Badges 3.0 ou 2.0. Il est vérifié avant "
            "d'être ajouté."
        ),
        "backpack.import_file": "Fichier (PNG, SVG, JSON ou JWT)",
        "backpack.import_url": "ou URL",
        "backpack.import_button": "Vérifier et importer",
        "backpack.import_rejected": "Non importé : le badge n'a pas passé la vérification.",
        "backpack.import_not_yours": (
            "Le badge a été délivré à une autre adresse électronique que celle de votre compte."
        ),
        "backpack.imported_done": "Le badge a été vérifié et ajouté à vos badges.",
        "backpack.imported": "Badges importés",
        "backpack.imported_from": "Importé depuis {source} ({format}) le {date}",
        "backpack.unnamed": "Badge sans nom",
        "backpack.remove": "Retirer de mes badges",
        "backpack.back": "Retour à mes badges",
        "credential.og_description": (
            "Open Badge décerné à {name} par {issuer}, vérifiable en ligne."
        ),
        "credential.linkedin": "Ajouter au profil LinkedIn",
        "credential.ob2": "Assertion Open Badges 2.0 (anciens sacs à badges)",
        "send.link": "Envoyer vers un autre sac à badges",
        "send.title": "Envoyer ce badge vers un autre sac à badges",
        "send.lead": (
            "Un autre sac à badges qui propose l'API Open Badges 3.0 peut recevoir ce badge. "
            "Saisissez son adresse : vous vous y connectez ensuite et autorisez ce hub à y "
            "ajouter le badge."
        ),
        "send.host": "Adresse du sac à badges",
        "send.button": "Envoyer",
        "send.format": "Format",
        "send.format_json": "JSON avec sa preuve intégrée",
        "send.format_jwt": "VC-JWT",
        "send.known": "Ou envoyer vers un sac à badges déjà connecté",
        "send.send_to": "Envoyer vers {name} ({host})",
        "send.connections": "Sacs à badges connectés",
        "send.last_sent": "dernier badge envoyé le {date}",
        "send.forget": "Déconnecter",
        "send.forgotten": "Le sac à badges a été déconnecté.",
        "send.created": "Envoyé vers {host} : le badge a été ajouté.",
        "send.replaced": (
            "Envoyé vers {host} : le badge a remplacé l'exemplaire que le sac à badges "
            "contenait déjà."
        ),
        "send.failed": "Le badge n'a pas été envoyé",
        "send.host_said": "Réponse de {host} : {detail}",
        "send.details": "Détails : {detail}",
        "send.again": "Renvoyer le badge",
        "send.error.host-url-invalid": (
            "« {host} » n'est pas l'adresse d'un sac à badges. Saisissez son adresse, par exemple "
            "https://backpack.example.org."
        ),
        "send.error.host-not-allowed": (
            "Ce hub ne se connecte pas à {host} : il envoie les badges uniquement vers des "
            "adresses https publiques."
        ),
        "send.error.host-unreachable": "{host} est injoignable. Réessayez plus tard.",
        "send.error.host-discovery-invalid": (
            "{host} ne décrit pas d'API Open Badges 3.0 utilisable par ce hub."
        ),
        "send.error.host-cannot-receive": "{host} n'accepte pas les badges envoyés d'ailleurs.",
        "send.error.registration-rejected": "{host} a refusé d'enregistrer ce hub comme client.",
        "send.error.authorization-denied": "{host} n'a pas autorisé ce hub à ajouter le badge.",
        "send.error.token-rejected": "{host} a refusé de délivrer un jeton d'accès à ce hub.",
        "send.error.upsert-rejected": "{host} n'a pas accepté le badge.",
        "send.error.send-expired": (
            "L'envoi a expiré ou a été commencé dans un autre navigateur. Envoyez le badge de "
            "nouveau."
        ),
        "send.error.send-state-mismatch": (
            "La réponse de l'autre sac à badges ne correspond pas à l'envoi commencé dans ce "
            "navigateur. Envoyez le badge de nouveau."
        ),
        "send.error.badge-not-sendable": (
            "Ce badge est une assertion Open Badges 2.0. Les autres sacs à badges ne reçoivent "
            "que des badges Open Badges 3.0."
        ),
    },
}
