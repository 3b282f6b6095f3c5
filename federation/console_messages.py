"""French and English texts of the federation console pages (merged into ``hub.i18n.MESSAGES``)."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "fednav.label": "Federation console",
        "membership.suspended_notice": (
            "{alliance} has suspended this university's membership. It cannot award alliance "
            "badges, and verifiers no longer trust the badges it issues, until the alliance "
            "reinstates it."
        ),
        "fednav.console": "Federation console",
        "fednav.members": "Members",
        "fednav.badges": "Badges and award rights",
        "fednav.registry": "Registry versions",
        "fednav.peers": "Peers",
        "fednav.statistics": "Statistics",
        "fedbadges.title": "Alliance badges and award rights",
        "fedbadges.intro": (
            "{alliance} creates these badges. A member university awards one under its own name "
            "only while it is an active member holding the right for that badge."
        ),
        "fedbadges.new": "New alliance badge",
        "fedbadges.matrix": "Award rights: one row per member, one column per alliance badge",
        "fedbadges.holders": "{count} of {members} members may award it",
        "fedbadges.held": "May award",
        "fedbadges.not_held": "No right",
        "fedbadges.grant": "Grant",
        "fedbadges.revoke": "Revoke",
        "fedbadges.grant_named": "Grant {member} the right to award {badge}",
        "fedbadges.revoke_named": "Revoke the right of {member} to award {badge}",
        "fedbadges.grant_all": "Grant to all members",
        "fedbadges.grant_all_named": "Grant every member the right to award {badge}",
        "fedbadges.none": "The alliance has no badges yet.",
        "fedbadges.done.granted": "Right granted.",
        "fedbadges.done.revoked": (
            "Right revoked. Credentials the member issued earlier stay valid."
        ),
        "fedbadges.done.granted_all": "Every member may now award this badge.",
        "fedbadges.done.unchanged": "Nothing changed: the right was already so.",
        "fedregistry.title": "Trust registry versions",
        "fedregistry.intro": (
            "The alliance signs a new version at every membership change. Each version below "
            "links to its signed JSON, which never changes."
        ),
        "fedregistry.version": "Version",
        "fedregistry.signed_at": "Signed at",
        "fedregistry.signed_by": "Signed for",
        "fedregistry.members": "Members",
        "fedregistry.member_count": "{total} ({active} active)",
        "fedregistry.changes": "Changes from the previous version",
        "fedregistry.document": "Signed JSON",
        "fedregistry.added": "Added",
        "fedregistry.suspended": "Suspended",
        "fedregistry.reinstated": "Reinstated",
        "fedregistry.removed": "Removed",
        "fedregistry.unchanged": "No membership change",
        "fedregistry.none": "The alliance has not signed a registry version yet.",
        "fedstats.title": "Alliance statistics",
        "fedstats.intro": (
            "Credentials issued by the alliance and its members: {issued} in total, {revoked} "
            "of them revoked since."
        ),
        "fedstats.active": "Not revoked",
        "fedstats.issued": "Issued",
        "fedstats.revoked": "Revoked",
        "fedstats.per_member": "Credentials issued per member",
        "fedstats.per_member_desc": (
            "Horizontal bars, one per issuer ({members} in all), split into credentials not "
            "revoked and revoked; {issued} credentials issued in total."
        ),
        "fedstats.per_month": "Credentials issued per month",
        "fedstats.per_month_desc": (
            "Columns from {first} to {last}, one per month, stacked by issuing member; "
            "{issued} credentials in these months."
        ),
        "fedstats.per_badge": "The {count} most awarded badges",
        "fedstats.per_badge_desc": (
            "Horizontal bars, one per badge, split into credentials not revoked and revoked; "
            "{badges} badges were awarded at least once."
        ),
        "fedstats.table_of": "Data of the chart: {chart}",
        "fedstats.every_badge": "every awarded badge",
        "fedstats.last_months": "Last {count} months",
        "fedstats.month": "Month",
        "fedstats.badge": "Badge",
        "fedstats.creator": "Creator",
        "fedstats.no_awards": "No credential issued yet.",
        "allybadges.title": "Alliance badges",
        "allybadges.intro": (
            "The alliance badges this university may award. The alliance is their creator; "
            "the credential names this university as its issuer."
        ),
        "allybadges.none": (
            "This university has no right to award an alliance badge. An alliance "
            "administrator grants rights in the federation console."
        ),
        "allybadges.roles": "Created by {creator}, awarded by {issuer}.",
        "audit.action.award-right:granted": "Award right granted",
        "audit.action.award-right:revoked": "Award right revoked",
    },
    "fr": {
        "fednav.label": "Console de la fédération",
        "membership.suspended_notice": (
            "{alliance} a suspendu l'adhésion de cette université. Elle ne peut plus décerner "
            "les badges de l'alliance, et les vérificateurs ne font plus confiance aux badges "
            "qu'elle délivre, jusqu'à ce que l'alliance la rétablisse."
        ),
        "fednav.console": "Console de la fédération",
        "fednav.members": "Membres",
        "fednav.badges": "Badges et droits d'attribution",
        "fednav.registry": "Versions du registre",
        "fednav.peers": "Pairs",
        "fednav.statistics": "Statistiques",
        "fedbadges.title": "Badges de l'alliance et droits d'attribution",
        "fedbadges.intro": (
            "{alliance} crée ces badges. Une université membre en attribue un en son nom "
            "seulement si elle est membre actif et détient le droit pour ce badge."
        ),
        "fedbadges.new": "Nouveau badge de l'alliance",
        "fedbadges.matrix": (
            "Droits d'attribution : une ligne par membre, une colonne par badge de l'alliance"
        ),
        "fedbadges.holders": "{count} membres sur {members} peuvent l'attribuer",
        "fedbadges.held": "Peut attribuer",
        "fedbadges.not_held": "Aucun droit",
        "fedbadges.grant": "Accorder",
        "fedbadges.revoke": "Retirer",
        "fedbadges.grant_named": "Accorder à {member} le droit d'attribuer {badge}",
        "fedbadges.revoke_named": "Retirer à {member} le droit d'attribuer {badge}",
        "fedbadges.grant_all": "Accorder à tous les membres",
        "fedbadges.grant_all_named": "Accorder à chaque membre le droit d'attribuer {badge}",
        "fedbadges.none": "L'alliance n'a pas encore de badge.",
        "fedbadges.done.granted": "Droit accordé.",
        "fedbadges.done.revoked": (
            "Droit retiré. Les attestations déjà délivrées par le membre restent valides."
        ),
        "fedbadges.done.granted_all": "Chaque membre peut désormais attribuer ce badge.",
        "fedbadges.done.unchanged": "Rien n'a changé : le droit était déjà dans cet état.",
        "fedregistry.title": "Versions du registre de confiance",
        "fedregistry.intro": (
            "L'alliance signe une nouvelle version à chaque changement d'adhésion. Chaque "
            "version ci-dessous renvoie à son JSON signé, qui ne change plus."
        ),
        "fedregistry.version": "Version",
        "fedregistry.signed_at": "Signée le",
        "fedregistry.signed_by": "Signée pour",
        "fedregistry.members": "Membres",
        "fedregistry.member_count": "{total} ({active} actifs)",
        "fedregistry.changes": "Changements depuis la version précédente",
        "fedregistry.document": "JSON signé",
        "fedregistry.added": "Ajoutés",
        "fedregistry.suspended": "Suspendus",
        "fedregistry.reinstated": "Rétablis",
        "fedregistry.removed": "Retirés",
        "fedregistry.unchanged": "Aucun changement d'adhésion",
        "fedregistry.none": "L'alliance n'a encore signé aucune version du registre.",
        "fedstats.title": "Statistiques de l'alliance",
        "fedstats.intro": (
            "Attestations délivrées par l'alliance et ses membres : {issued} au total, dont "
            "{revoked} révoquées depuis."
        ),
        "fedstats.active": "Non révoquées",
        "fedstats.issued": "Délivrées",
        "fedstats.revoked": "Révoquées",
        "fedstats.per_member": "Attestations délivrées par membre",
        "fedstats.per_member_desc": (
            "Barres horizontales, une par émetteur ({members} en tout), partagées entre "
            "attestations non révoquées et révoquées ; {issued} attestations délivrées en tout."
        ),
        "fedstats.per_month": "Attestations délivrées par mois",
        "fedstats.per_month_desc": (
            "Colonnes de {first} à {last}, une par mois, empilées par membre émetteur ; "
            "{issued} attestations sur ces mois."
        ),
        "fedstats.per_badge": "Les {count} badges les plus attribués",
        "fedstats.per_badge_desc": (
            "Barres horizontales, une par badge, partagées entre attestations non révoquées "
            "et révoquées ; {badges} badges ont été attribués au moins une fois."
        ),
        "fedstats.table_of": "Données du graphique : {chart}",
        "fedstats.every_badge": "chaque badge attribué",
        "fedstats.last_months": "{count} derniers mois",
        "fedstats.month": "Mois",
        "fedstats.badge": "Badge",
        "fedstats.creator": "Créateur",
        "fedstats.no_awards": "Aucune attestation délivrée pour l'instant.",
        "allybadges.title": "Badges de l'alliance",
        "allybadges.intro": (
            "Les badges de l'alliance que cette université peut attribuer. L'alliance en est "
            "la créatrice ; l'attestation nomme cette université comme émettrice."
        ),
        "allybadges.none": (
            "Cette université ne détient aucun droit d'attribuer un badge de l'alliance. Un "
            "administrateur de l'alliance accorde ces droits dans la console de la fédération."
        ),
        "allybadges.roles": "Créé par {creator}, attribué par {issuer}.",
        "audit.action.award-right:granted": "Droit d'attribution accordé",
        "audit.action.award-right:revoked": "Droit d'attribution retiré",
    },
}
