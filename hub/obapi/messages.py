"""French and English texts of the Open Badges API pages: authorization, applications, privacy."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "audit.action.credential:received": "Badge received through the Open Badges API",
        "audit.action.credential:sent": "Badge sent to another backpack",
        "audit.action.application:authorized": "Application allowed to use a backpack",
        "audit.action.application:access-withdrawn": "Application access withdrawn",
        "audit.action.application:removed": "Application registration removed",
        "obapi.authorize.title": "Allow access to your badges",
        "obapi.authorize.asks": "asks to use your EUNICE Badge Hub account ({person}) to:",
        "obapi.authorize.redirect": "After your answer you go back to {host}.",
        "obapi.authorize.client_policy": "Its privacy policy",
        "obapi.authorize.client_terms": "Its terms of service",
        "obapi.authorize.revoke_hint": (
            'You can withdraw this access at any time from "Applications" in your backpack.'
        ),
        "obapi.authorize.allow": "Allow",
        "obapi.authorize.deny": "Deny",
        "obapi.scope.credential_read": "read the badges in your backpack",
        "obapi.scope.credential_upsert": "add badges to your backpack and replace them",
        "obapi.scope.profile_read": "read your profile (name and e-mail address)",
        "obapi.scope.profile_update": "change your profile",
        "obapi.scope.offline_access": "keep this access when you are not signed in",
        "obapi.error.title": "This authorization request cannot be used",
        "obapi.error.invalid_request": (
            "The application sent an authorization request that this hub cannot accept. Go back "
            "to the application and try again; if this happens again, tell its developers the "
            "reason below."
        ),
        "obapi.error.signed_out": "Your session ended. Go back to the application and start again.",
        "obapi.apps.title": "Applications",
        "obapi.apps.lead": (
            "Applications you allowed to use your badges through the Open Badges API. "
            "Withdrawing access ends their tokens at once."
        ),
        "obapi.apps.none": "No application has access to your badges.",
        "obapi.apps.since": "Allowed on {date}",
        "obapi.apps.scopes": "Access",
        "obapi.apps.revoke": "Withdraw access",
        "obapi.apps.revoked": "Access withdrawn from {name}.",
        "privacy.nav": "Privacy",
        "privacy.title": "Privacy and terms of use",
        "privacy.data_title": "What the hub keeps",
        "privacy.data": (
            "Your name and e-mail address as your university's sign-in gives them, the badges "
            "issued to you with the date and the evidence the issuer recorded, the badges you "
            "import into your backpack, and the profile fields you set through the Open Badges "
            "API. Each university that issued you a badge is responsible for it; the hub keeps "
            "badges as long as their issuer does."
        ),
        "privacy.public_title": "What others see",
        "privacy.public": (
            "Each badge has a public page and verifiable files so that anyone you give the link "
            "to can check it. You can hide a badge from public view in your backpack. Your "
            "e-mail address is never shown on public pages."
        ),
        "privacy.apps_title": "Applications you connect",
        "privacy.apps": (
            "An application reaches your badges or profile only after you allow it, only for "
            "what you allowed, and until you withdraw its access in your backpack. The hub keeps "
            "no copy of the tokens it gives, only their fingerprints."
        ),
        "privacy.terms_title": "Terms of use",
        "privacy.terms": (
            "Badges are issued by the universities of the alliance under their own rules. Do not "
            "import or send badges that were not issued to you. Applications must use the Open "
            "Badges API only on behalf of the person who allowed them."
        ),
        "privacy.contact_title": "Contact",
        "privacy.contact": (
            "To correct or remove a badge, write to the digital service of the university that "
            "issued it; its contact details are on its page of this hub."
        ),
    },
    "fr": {
        "audit.action.credential:received": "Badge reçu par l'API Open Badges",
        "audit.action.credential:sent": "Badge envoyé vers un autre sac à badges",
        "audit.action.application:authorized": "Application autorisée à utiliser un sac à badges",
        "audit.action.application:access-withdrawn": "Accès d'une application retiré",
        "audit.action.application:removed": "Enregistrement d'une application supprimé",
        "obapi.authorize.title": "Autoriser l'accès à vos badges",
        "obapi.authorize.asks": (
            "demande à utiliser votre compte EUNICE Badge Hub ({person}) pour :"
        ),
        "obapi.authorize.redirect": "Après votre réponse, vous revenez sur {host}.",
        "obapi.authorize.client_policy": "Sa politique de confidentialité",
        "obapi.authorize.client_terms": "Ses conditions d'utilisation",
        "obapi.authorize.revoke_hint": (
            "Vous pouvez retirer cet accès à tout moment depuis « Applications » dans votre "
            "sac à badges."
        ),
        "obapi.authorize.allow": "Autoriser",
        "obapi.authorize.deny": "Refuser",
        "obapi.scope.credential_read": "lire les badges de votre sac à badges",
        "obapi.scope.credential_upsert": "ajouter des badges à votre sac à badges et les remplacer",
        "obapi.scope.profile_read": "lire votre profil (nom et adresse électronique)",
        "obapi.scope.profile_update": "modifier votre profil",
        "obapi.scope.offline_access": "garder cet accès quand vous n'êtes pas connecté",
        "obapi.error.title": "Cette demande d'autorisation ne peut pas être utilisée",
        "obapi.error.invalid_request": (
            "L'application a envoyé une demande d'autorisation que le hub ne peut pas accepter. "
            "Revenez à l'application et réessayez ; si cela se reproduit, transmettez à ses "
            "développeurs la raison ci-dessous."
        ),
        "obapi.error.signed_out": (
            "Votre session a pris fin. Revenez à l'application et recommencez."
        ),
        "obapi.apps.title": "Applications",
        "obapi.apps.lead": (
            "Les applications que vous avez autorisées à utiliser vos badges par l'API Open "
            "Badges. Retirer l'accès met fin immédiatement à leurs jetons."
        ),
        "obapi.apps.none": "Aucune application n'a accès à vos badges.",
        "obapi.apps.since": "Autorisée le {date}",
        "obapi.apps.scopes": "Accès",
        "obapi.apps.revoke": "Retirer l'accès",
        "obapi.apps.revoked": "Accès retiré à {name}.",
        "privacy.nav": "Confidentialité",
        "privacy.title": "Confidentialité et conditions d'utilisation",
        "privacy.data_title": "Ce que le hub conserve",
        "privacy.data": (
            "Vos nom et adresse électronique tels que la connexion de votre université les "
            "transmet, les badges qui vous ont été délivrés avec leur date et les preuves "
            "enregistrées par l'émetteur, les badges que vous importez dans votre sac à badges "
            "et les champs de profil que vous définissez par l'API Open Badges. Chaque "
            "université est responsable des badges qu'elle délivre ; le hub les conserve aussi "
            "longtemps que leur émetteur."
        ),
        "privacy.public_title": "Ce que voient les autres",
        "privacy.public": (
            "Chaque badge a une page publique et des fichiers vérifiables, pour que toute personne "
            "à qui vous donnez le lien puisse le vérifier. Vous pouvez masquer un badge dans "
            "votre sac à badges. Votre adresse électronique n'apparaît jamais sur les pages "
            "publiques."
        ),
        "privacy.apps_title": "Les applications que vous connectez",
        "privacy.apps": (
            "Une application n'accède à vos badges ou à votre profil qu'après votre accord, "
            "seulement pour ce que vous avez autorisé, et jusqu'à ce que vous retiriez son accès "
            "dans votre sac à badges. Le hub ne garde aucune copie des jetons qu'il délivre, "
            "seulement leurs empreintes."
        ),
        "privacy.terms_title": "Conditions d'utilisation",
        "privacy.terms": (
            "Les badges sont délivrés par les universités de l'alliance selon leurs propres "
            "règles. N'importez pas et n'envoyez pas de badges qui ne vous ont pas été délivrés. "
            "Les applications ne doivent utiliser l'API Open Badges qu'au nom de la personne qui "
            "les a autorisées."
        ),
        "privacy.contact_title": "Contact",
        "privacy.contact": (
            "Pour corriger ou retirer un badge, écrivez au service numérique de l'université qui "
            "l'a délivré ; ses coordonnées figurent sur sa page de ce hub."
        ),
    },
}
