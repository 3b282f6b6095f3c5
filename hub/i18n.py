"""French and English texts of the console, and how a request's language is chosen.

The language comes from ``?lang=`` (remembered in a cookie), then the cookie, then the
browser's Accept-Language header, then English.
"""

from __future__ import annotations

from typing import Any

from jinja2 import pass_context

from hub.bulk.messages import BULK_MESSAGES

LANGUAGES = ("fr", "en")
LANGUAGE_COOKIE = "badgehub_lang"

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "nav.universities": "Universities",
        "nav.console": "Console",
        "nav.sign_in": "Sign in",
        "nav.sign_out": "Sign out",
        "console.title": "Console",
        "console.hello": "Signed in as {name}",
        "console.alliance_admin": "You are an alliance administrator: you can manage every university.",
        "console.your_tenants": "Your universities",
        "console.no_roles": "You hold no role in a university yet. A university administrator can grant you one; your badges stay available on each badge's page.",
        "console.roles": "Roles",
        "console.open": "Open",
        "tenant.dashboard": "Dashboard",
        "tenant.achievements": "Badges",
        "tenant.awards": "Credentials issued",
        "tenant.members": "People and roles",
        "tenant.recent_awards": "Recently issued",
        "tenant.no_awards": "No credential has been issued yet.",
        "members.name": "Name",
        "members.address": "E-mail",
        "members.grant": "Grant a role",
        "members.email": "E-mail address of someone who has signed in once",
        "members.role": "Role",
        "members.grant_button": "Grant",
        "members.revoke": "Revoke",
        "members.none": "Nobody has a role here yet.",
        "members.granted": "Role granted.",
        "members.already": "That person already had this role.",
        "members.revoked": "Role revoked.",
        "role.member": "member",
        "role.tenant-admin": "tenant administrator",
        "role.badge-editor": "badge editor",
        "role.badge-approver": "badge approver",
        "role.issuer": "issuer",
        "login.title": "Sign in",
        "login.dev_title": "Development sign-in",
        "login.dev_warning": "This demo runs without Keycloak. Pick a demo person to sign in as; this page exists only in demo mode on this computer.",
        "login.as": "Sign in as {name}",
        "login.unavailable": "Sign-in is not configured on this hub: set HUB_KEYCLOAK_URL (or HUB_DEV_LOGIN for the demo).",
        "onboard.title": "Add a university",
        "onboard.slug": "Short name in URLs (e.g. uphf)",
        "onboard.name": "Official name",
        "onboard.name_en": "English name",
        "onboard.country": "Country code (ISO 3166, e.g. FR)",
        "onboard.city": "City",
        "onboard.home_page": "Home page",
        "onboard.email_domain": "E-mail domain (links its Keycloak organization)",
        "onboard.create": "Create the university and its keys",
        "onboard.done": "University {slug} is ready.",
        "onboard.pending": "University {slug} is created with its keys, but its Keycloak organization is pending:",
        "console.add_tenant": "Add a university",
        "home.title": "Badges of the EUNICE alliance",
        "home.lead": "Each university of the alliance issues Open Badges 3.0 credentials with its own signing keys. Pick a university to see its badges and its public issuer identity.",
        "home.empty": "No university is registered yet.",
        "tenant.home_page": "Home page",
        "tenant.issuer_did": "Issuer DID",
        "tenant.keys": "Keys",
        "tenant.badges": "Badges",
        "tenant.no_badges": "No badge is published yet.",
        "achievement.how_to_earn": "How to earn it",
        "credential.awarded_to": "Awarded to",
        "credential.issued_by": "Issued by",
        "credential.on": "on",
        "credential.valid_until": "valid until",
        "credential.verified": "Verified",
        "credential.failed": "Verification failed",
        "credential.checked": "Checked just now by this hub: format {format}, proof {proofs}.",
        "credential.check": "Check",
        "credential.result": "Result",
        "credential.details": "Details",
        "credential.download": "Download",
        "credential.json": "credential (JSON-LD)",
        "error.back": "Back to the universities",
        "award.title": "Issued credential",
        "award.recipient": "Recipient",
        "award.issued": "Issued on",
        "award.public_page": "Public verification page",
        "award.status": "Status",
        "award.changed": "Last change on {date} by {actor}",
        "award.reason": "Reason",
        "award.reason_help": "Reason (required, at most {max} characters). It stays internal: it is recorded in the audit log and never published.",
        "award.revoke": "Revoke",
        "award.suspend": "Suspend",
        "award.reinstate": "Reinstate",
        "award.revoke_warning": "Revocation is final: a revoked credential can never become valid again. To stop a credential for a while, suspend it instead.",
        "award.revoked_final": "This credential is revoked. Revocation is final, so it can no longer be suspended or reinstated.",
        "award.no_entries": "This credential was issued without status entries, so its status cannot be changed.",
        "award.done.revoked": "The credential is revoked. Verifiers see it within five minutes.",
        "award.done.suspended": "The credential is suspended. Verifiers see it within five minutes.",
        "award.done.reinstated": "The suspension has ended. Verifiers see it within five minutes.",
        "award.done.unchanged": "Nothing changed: the credential was already in that state.",
        "status.active": "Valid",
        "status.suspended": "Suspended",
        "status.revoked": "Revoked",
        "credential.revoked": "Revoked: the issuer has revoked this credential. It is no longer valid.",
        "credential.suspended": "Suspended: the issuer has suspended this credential. It is not valid while the suspension lasts.",
    },
    "fr": {
        "nav.universities": "Universités",
        "nav.console": "Console",
        "nav.sign_in": "Se connecter",
        "nav.sign_out": "Se déconnecter",
        "console.title": "Console",
        "console.hello": "Connecté·e en tant que {name}",
        "console.alliance_admin": "Vous administrez l'alliance : vous pouvez gérer toutes les universités.",
        "console.your_tenants": "Vos universités",
        "console.no_roles": "Vous n'avez pas encore de rôle dans une université. Un·e administrateur·rice de l'université peut vous en attribuer un ; vos badges restent accessibles depuis leur page.",
        "console.roles": "Rôles",
        "console.open": "Ouvrir",
        "tenant.dashboard": "Tableau de bord",
        "tenant.achievements": "Badges",
        "tenant.awards": "Attestations délivrées",
        "tenant.members": "Personnes et rôles",
        "tenant.recent_awards": "Délivrés récemment",
        "tenant.no_awards": "Aucune attestation n'a encore été délivrée.",
        "members.name": "Nom",
        "members.address": "Adresse e-mail",
        "members.grant": "Attribuer un rôle",
        "members.email": "Adresse e-mail d'une personne qui s'est déjà connectée",
        "members.role": "Rôle",
        "members.grant_button": "Attribuer",
        "members.revoke": "Retirer",
        "members.none": "Personne n'a encore de rôle ici.",
        "members.granted": "Rôle attribué.",
        "members.already": "Cette personne avait déjà ce rôle.",
        "members.revoked": "Rôle retiré.",
        "role.member": "membre",
        "role.tenant-admin": "administrateur·rice de l'université",
        "role.badge-editor": "éditeur·rice de badges",
        "role.badge-approver": "validateur·rice de badges",
        "role.issuer": "émetteur·rice",
        "login.title": "Connexion",
        "login.dev_title": "Connexion de développement",
        "login.dev_warning": "Cette démonstration fonctionne sans Keycloak. Choisissez une personne de démonstration ; cette page n'existe qu'en mode démonstration sur cet ordinateur.",
        "login.as": "Se connecter en tant que {name}",
        "login.unavailable": "La connexion n'est pas configurée sur ce hub : définissez HUB_KEYCLOAK_URL (ou HUB_DEV_LOGIN pour la démonstration).",
        "onboard.title": "Ajouter une université",
        "onboard.slug": "Nom court dans les adresses (ex. uphf)",
        "onboard.name": "Nom officiel",
        "onboard.name_en": "Nom en anglais",
        "onboard.country": "Code pays (ISO 3166, ex. FR)",
        "onboard.city": "Ville",
        "onboard.home_page": "Site web",
        "onboard.email_domain": "Domaine e-mail (relie son organisation Keycloak)",
        "onboard.create": "Créer l'université et ses clés",
        "onboard.done": "L'université {slug} est prête.",
        "onboard.pending": "L'université {slug} est créée avec ses clés, mais son organisation Keycloak est en attente :",
        "console.add_tenant": "Ajouter une université",
        "home.title": "Les badges de l'alliance EUNICE",
        "home.lead": "Chaque université de l'alliance délivre des badges Open Badges 3.0 signés avec ses propres clés. Choisissez une université pour voir ses badges et son identité d'émetteur.",
        "home.empty": "Aucune université n'est encore enregistrée.",
        "tenant.home_page": "Site web",
        "tenant.issuer_did": "DID de l'émetteur",
        "tenant.keys": "Clés",
        "tenant.badges": "Badges",
        "tenant.no_badges": "Aucun badge n'est encore publié.",
        "achievement.how_to_earn": "Comment l'obtenir",
        "credential.awarded_to": "Délivré à",
        "credential.issued_by": "Émis par",
        "credential.on": "le",
        "credential.valid_until": "valable jusqu'au",
        "credential.verified": "Vérifié",
        "credential.failed": "Échec de la vérification",
        "credential.checked": "Vérifié à l'instant par ce hub : format {format}, preuve {proofs}.",
        "credential.check": "Contrôle",
        "credential.result": "Résultat",
        "credential.details": "Détails",
        "credential.download": "Télécharger",
        "credential.json": "attestation (JSON-LD)",
        "error.back": "Retour aux universités",
        "award.title": "Attestation délivrée",
        "award.recipient": "Titulaire",
        "award.issued": "Délivrée le",
        "award.public_page": "Page publique de vérification",
        "award.status": "Statut",
        "award.changed": "Dernière modification le {date} par {actor}",
        "award.reason": "Motif",
        "award.reason_help": "Motif (obligatoire, {max} caractères au plus). Il reste interne : il est consigné dans le journal d'audit et jamais publié.",
        "award.revoke": "Révoquer",
        "award.suspend": "Suspendre",
        "award.reinstate": "Rétablir",
        "award.revoke_warning": "La révocation est définitive : une attestation révoquée ne redevient jamais valide. Pour arrêter une attestation un temps, suspendez-la plutôt.",
        "award.revoked_final": "Cette attestation est révoquée. La révocation est définitive : elle ne peut plus être suspendue ni rétablie.",
        "award.no_entries": "Cette attestation a été délivrée sans entrée de statut : son statut ne peut pas être modifié.",
        "award.done.revoked": "L'attestation est révoquée. Les vérificateurs le voient d'ici cinq minutes.",
        "award.done.suspended": "L'attestation est suspendue. Les vérificateurs le voient d'ici cinq minutes.",
        "award.done.reinstated": "La suspension est levée. Les vérificateurs le voient d'ici cinq minutes.",
        "award.done.unchanged": "Rien n'a changé : l'attestation était déjà dans cet état.",
        "status.active": "Valide",
        "status.suspended": "Suspendue",
        "status.revoked": "Révoquée",
        "credential.revoked": "Révoquée : l'émetteur a révoqué cette attestation. Elle n'est plus valide.",
        "credential.suspended": "Suspendue : l'émetteur a suspendu cette attestation. Elle n'est pas valide tant que dure la suspension.",
    },
}


for _language, _texts in BULK_MESSAGES.items():
    MESSAGES[_language].update(_texts)


def request_language(query: str | None, cookie: str | None, accept_language: str | None) -> str:
    for candidate in (query, cookie):
        if candidate in LANGUAGES:
            return candidate
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()[:2]
        if tag in LANGUAGES:
            return tag
    return "en"


def translate(language: str, key: str, **values: Any) -> str:
    text = MESSAGES.get(language, MESSAGES["en"]).get(key) or MESSAGES["en"].get(key, key)
    return text.format(**values) if values else text


@pass_context
def template_translate(context: Any, key: str, **values: Any) -> str:
    """Jinja global ``t``: translate into the language the request chose."""
    return translate(context.get("lang", "en"), key, **values)
