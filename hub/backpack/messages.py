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
    },
}
