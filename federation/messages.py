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
        "fedconsole.nav": "Federation",
        "peers.title": "Peer hubs",
        "peers.intro": (
            "Badges of the members listed in a peer hub's trust registry are trusted here. This "
            "hub fetches each registry in the background, checks its signature, and keeps the "
            "last good copy and the members' keys while a peer is unreachable."
        ),
        "peers.peer": "Peer",
        "peers.status": "Sync status",
        "peers.registry": "Registry",
        "peers.last_success": "Last successful sync",
        "peers.last_error": "Last error",
        "peers.status.pending": "not synced yet",
        "peers.status.ok": "up to date",
        "peers.status.degraded": "synced, some keys missing",
        "peers.status.failed": "last sync failed",
        "peers.failures": "{count} failed attempt(s) in a row",
        "peers.members": "{count} member(s)",
        "peers.no_copy": "no verified copy yet",
        "peers.never": "never",
        "peers.sync": "Sync now",
        "peers.remove": "Remove",
        "peers.none": "No peer hub is registered.",
        "peers.add": "Add a peer hub",
        "peers.url": "Registry URL of the other hub",
        "peers.label": "Name (empty: the host name)",
        "peers.add_button": "Add and sync",
        "peers.own_registry": "The registry of this hub, to give to other hubs: {url}",
        "peers.done.added": "Peer added. Its registry verified and is now trusted.",
        "peers.done.removed": "Peer removed. Its members' badges are no longer trusted here.",
        "peers.done.synced": "Sync done. The registry verified.",
        "peers.done.sync-failed": (
            "The sync failed; the last good copy, if any, stays in use. See the last error below."
        ),
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
        "fedconsole.nav": "Fédération",
        "peers.title": "Hubs pairs",
        "peers.intro": (
            "Les badges des membres listés dans le registre de confiance d'un hub pair sont "
            "reconnus ici. Ce hub récupère chaque registre en arrière-plan, vérifie sa signature "
            "et garde la dernière copie valide et les clés des membres quand un pair est "
            "injoignable."
        ),
        "peers.peer": "Pair",
        "peers.status": "État de synchronisation",
        "peers.registry": "Registre",
        "peers.last_success": "Dernière synchronisation réussie",
        "peers.last_error": "Dernière erreur",
        "peers.status.pending": "pas encore synchronisé",
        "peers.status.ok": "à jour",
        "peers.status.degraded": "synchronisé, des clés manquent",
        "peers.status.failed": "échec de la dernière synchronisation",
        "peers.failures": "{count} tentative(s) échouée(s) de suite",
        "peers.members": "{count} membre(s)",
        "peers.no_copy": "pas encore de copie vérifiée",
        "peers.never": "jamais",
        "peers.sync": "Synchroniser",
        "peers.remove": "Retirer",
        "peers.none": "Aucun hub pair n'est enregistré.",
        "peers.add": "Ajouter un hub pair",
        "peers.url": "URL du registre de l'autre hub",
        "peers.label": "Nom (vide : le nom d'hôte)",
        "peers.add_button": "Ajouter et synchroniser",
        "peers.own_registry": "Le registre de ce hub, à donner aux autres hubs : {url}",
        "peers.done.added": "Pair ajouté. Son registre est vérifié et reconnu.",
        "peers.done.removed": "Pair retiré. Les badges de ses membres ne sont plus reconnus ici.",
        "peers.done.synced": "Synchronisation faite. Le registre est vérifié.",
        "peers.done.sync-failed": (
            "La synchronisation a échoué ; la dernière copie valide, s'il y en a une, reste "
            "utilisée. Voir la dernière erreur ci-dessous."
        ),
        "credential.trust": "Confiance",
        "credential.created_by": "créé par",
    },
}
