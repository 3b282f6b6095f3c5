"""French and English texts of the trust registry pages (merged into ``hub.i18n.MESSAGES``)."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "registry.title": "Trust registry of {alliance}",
        "registry.intro": (
            "The universities below are members of {alliance}. The alliance signs this "
            "list; verifiers trust a badge when its issuer is an active member."
        ),
        "registry.version": "Version {version}",
        "registry.json": "Signed registry (JSON)",
        "registry.member": "Member",
        "registry.country": "Country",
        "registry.status": "Status",
        "registry.since": "Member since",
        "registry.status.active": "active",
        "registry.status.suspended": "suspended",
        "registry.no_members": "The alliance has no members yet.",
        "registry.history": "Earlier versions",
        "fedconsole.title": "Alliance members",
        "fedconsole.public_page": "Public trust registry",
        "fedconsole.change": "Change",
        "fedconsole.reason": "Reason (kept in the audit log, at most {max} characters)",
        "fedconsole.suspend": "Suspend",
        "fedconsole.reinstate": "Reinstate",
        "fedconsole.add": "Add a member",
        "fedconsole.tenant": "University",
        "fedconsole.since": "Member since (empty: today)",
        "fedconsole.add_button": "Add to the alliance",
        "fedconsole.no_candidates": "Every university of this hub is already a member.",
        "fedconsole.done.added": "Member added. A new registry version is signed.",
        "fedconsole.done.suspended": (
            "Member suspended. A new registry version is signed: its badges are no longer trusted."
        ),
        "fedconsole.done.reinstated": (
            "Member reinstated. A new registry version is signed: its badges are trusted again."
        ),
        "fedconsole.done.unchanged": "Nothing changed: the member already had this status.",
        "credential.trust": "Trust",
        "credential.created_by": "created by",
    },
    "fr": {
        "registry.title": "Registre de confiance de {alliance}",
        "registry.intro": (
            "Les universités ci-dessous sont membres de {alliance}. L'alliance signe cette "
            "liste ; un vérificateur fait confiance à un badge quand son émetteur est un "
            "membre actif."
        ),
        "registry.version": "Version {version}",
        "registry.json": "Registre signé (JSON)",
        "registry.member": "Membre",
        "registry.country": "Pays",
        "registry.status": "Statut",
        "registry.since": "Membre depuis",
        "registry.status.active": "actif",
        "registry.status.suspended": "suspendu",
        "registry.no_members": "L'alliance n'a pas encore de membre.",
        "registry.history": "Versions précédentes",
        "fedconsole.title": "Membres de l'alliance",
        "fedconsole.public_page": "Registre de confiance public",
        "fedconsole.change": "Modifier",
        "fedconsole.reason": "Motif (conservé dans le journal d'audit, {max} caractères au plus)",
        "fedconsole.suspend": "Suspendre",
        "fedconsole.reinstate": "Rétablir",
        "fedconsole.add": "Ajouter un membre",
        "fedconsole.tenant": "Université",
        "fedconsole.since": "Membre depuis (vide : aujourd'hui)",
        "fedconsole.add_button": "Ajouter à l'alliance",
        "fedconsole.no_candidates": "Toutes les universités de ce hub sont déjà membres.",
        "fedconsole.done.added": "Membre ajouté. Une nouvelle version du registre est signée.",
        "fedconsole.done.suspended": (
            "Membre suspendu. Une nouvelle version du registre est signée : ses badges ne "
            "sont plus reconnus."
        ),
        "fedconsole.done.reinstated": (
            "Membre rétabli. Une nouvelle version du registre est signée : ses badges sont "
            "de nouveau reconnus."
        ),
        "fedconsole.done.unchanged": "Rien n'a changé : le membre avait déjà ce statut.",
        "credential.trust": "Confiance",
        "credential.created_by": "créé par",
    },
}
