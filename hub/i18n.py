"""French and English texts of the console, and how a request's language is chosen.

The language comes from ``?lang=`` (remembered in a cookie), then the cookie, then the
browser's Accept-Language header, then English.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

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
        "credential.certificate": "Download PDF certificate",
        "certificate.heading": "Certificate of achievement",
        "certificate.awarded_to": "This certificate is awarded to",
        "certificate.for_badge": "for earning the badge",
        "certificate.level": "Level achieved",
        "certificate.issued_on": "Issued on",
        "certificate.valid_until": "Valid until",
        "certificate.issued_by": "Issued by",
        "certificate.verify": "Verify this certificate",
        "certificate.verify_help": (
            "Scan the code or open the address above. The signed Open Badges 3.0 credential is "
            "attached to this PDF as credential.json."
        ),
        "certificate.preview": "Preview · not a credential",
        "certificate.subject": "Certificate of the badge {badge} awarded to {name} by {issuer}",
        "certificate.attachment": (
            "Signed Open Badges 3.0 credential (OpenBadgeCredential, JSON-LD)"
        ),
        "certificate.sample_name": "Alex Sample",
        "certificate.sample_badge": "Sample badge",
        "certificate.sample_description": (
            "This university has no badge yet, so the preview shows this sample."
        ),
        "certificate.sample_attachment": (
            "This is a preview. A real certificate embeds the signed OpenBadgeCredential here."
        ),
        "tenant.certificate": "PDF certificate",
        "certificate_form.title": "PDF certificate",
        "certificate_form.lead": (
            "Each issued badge has a PDF certificate in the earner's language, with a QR code to "
            "its verification page and the signed credential attached. Choose how your "
            "university's certificates look."
        ),
        "certificate_form.colors": "Colours",
        "certificate_form.primary_color": "Main colour (names and frame)",
        "certificate_form.accent_color": "Accent colour (heading and lines)",
        "certificate_form.color_help": "Write colours as #rrggbb, for example #1d3557.",
        "certificate_form.layout": "Layout",
        "certificate_form.layout.classic": "Classic: double frame, centred texts",
        "certificate_form.layout.modern": "Modern: coloured band on the left",
        "certificate_form.signatory": "Signatory",
        "certificate_form.signatory_name": "Name of the signatory (leave empty for no signature)",
        "certificate_form.signatory_title_fr": "Title of the signatory in French",
        "certificate_form.signatory_title_en": "Title of the signatory in English",
        "certificate_form.wording": "Wording",
        "certificate_form.wording_help": (
            "Plain text shown under the badge, at most {max} characters and {lines} lines per "
            "language."
        ),
        "certificate_form.wording_fr": "Wording in French",
        "certificate_form.wording_en": "Wording in English",
        "certificate_form.logo": "Logo",
        "certificate_form.logo_help": (
            "An SVG file of at most 512 KiB or a PNG file of at most 1 MiB. Without a logo the "
            "certificate shows the university's name."
        ),
        "certificate_form.logo_current": "Current logo",
        "certificate_form.logo_none": "No logo yet: certificates show the university's name.",
        "certificate_form.logo_file": "New logo (SVG or PNG)",
        "certificate_form.remove_logo": "Remove the logo",
        "certificate_form.save": "Save the design",
        "certificate_form.saved": "The certificate design is saved.",
        "certificate_form.preview": "Preview",
        "certificate_form.preview_help": (
            "The preview uses a sample earner and your first badge; it stores nothing."
        ),
        "certificate_form.error": "Nothing was saved:",
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
        "designer.title": "Badge designer",
        "designer.badge_page": "Badge page",
        "designer.not_editable": (
            "This badge is in the state {status}, so its image cannot be changed now. Open the "
            "badge page to withdraw the submission or reopen it."
        ),
        "designer.heading": "Badge designer: {name}",
        "designer.glyph_and_logo": "Symbol and logo",
        "designer.shape": "Shape",
        "designer.shape.circle": "Circle",
        "designer.shape.shield": "Shield",
        "designer.shape.hexagon": "Hexagon",
        "designer.shape.rosette": "Rosette",
        "designer.shape.ribbon": "Medal with ribbon",
        "designer.colors": "Colours",
        "designer.primary": "Main colour",
        "designer.secondary": "Rim and ribbon colour",
        "designer.text_color": "Text and symbol colour",
        "designer.text": "Text",
        "designer.line1": "Line 1",
        "designer.line2": "Line 2",
        "designer.font_size": "Font size (px)",
        "designer.text_help": (
            "At most {max} characters per line. On the rosette and the medal with ribbon, line 2 "
            "sits on the banner in black or white, whichever contrasts more, at most {banner} px "
            "high."
        ),
        "designer.glyph": "Symbol",
        "designer.glyph.none": "None",
        "designer.glyph.athlete": "Athlete",
        "designer.glyph.campus": "Campus",
        "designer.glyph.first-aid": "First aid",
        "designer.glyph.globe": "Globe",
        "designer.glyph.heart": "Heart",
        "designer.glyph.helmet": "Helmet",
        "designer.glyph.leaf": "Leaf",
        "designer.glyph.lifebuoy": "Lifebuoy",
        "designer.glyph.network": "Network",
        "designer.glyph.people": "People",
        "designer.glyph.project": "Project",
        "designer.glyph.star": "Star",
        "designer.glyph.star-badge": "Star medal",
        "designer.logo": "Show the university's logo",
        "designer.no_logo": "This university has no logo yet.",
        "designer.save": "Save this design as the badge image",
        "designer.preview": "Preview of the design, as it will be saved",
        "designer.preview_alt": "Preview of the designed badge",
        "designer.preview_failed": "The preview was not updated:",
        "designer.current": "Current image",
        "designer.current_alt": "The badge's current image",
        "designer.upload": "Upload an image",
        "designer.file": "PNG or SVG file",
        "designer.upload_help": (
            "A PNG file of at most {png} and 2048 x 2048 pixels, or an SVG file of at most {svg}. "
            "Scripts, event handlers, foreignObject elements and external references are removed "
            "from SVG files before they are saved."
        ),
        "designer.upload_button": "Upload and save as the badge image",
        "designer.too_large": (
            "This {kind} file is {size} bytes, over the limit of {limit} bytes; choose a smaller "
            "file."
        ),
        "designer.saved.design": "The design is saved as the badge image.",
        "designer.saved.png": "The PNG image is saved as the badge image.",
        "designer.saved.svg": "The SVG image is saved as the badge image.",
        "designer.removed": "Sanitising removed: {items}.",
        "designer.next_step": (
            "The new image is part of a new draft revision: public pages and new credentials show "
            "it once the badge is published again."
        ),
        "audit.title": "Audit log",
        "audit.all_title": "Audit log of all universities",
        "audit.lead": "Recorded actions, newest first. Times are in UTC.",
        "audit.filter.action": "Action",
        "audit.filter.any_action": "All actions",
        "audit.filter.prefix": "All “{prefix}” actions",
        "audit.filter.actor": "Actor (exact value, such as user:…)",
        "audit.filter.target": "Target (exact value)",
        "audit.filter.from": "From (date in UTC)",
        "audit.filter.to": "To (date in UTC, included)",
        "audit.filter.tenant": "University (short name)",
        "audit.filter.apply": "Filter",
        "audit.filter.reset": "Clear the filters",
        "audit.export": "Download as CSV",
        "audit.time": "Time (UTC)",
        "audit.tenant": "University",
        "audit.actor": "Actor",
        "audit.action": "Action",
        "audit.target": "Target",
        "audit.details": "Details",
        "audit.none": "No event matches these filters.",
        "audit.newer": "← Newer events",
        "audit.older": "Older events →",
        "audit.hub_wide": "whole hub",
        "audit.months": "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec",
        "audit.time_format": "{day} {month} {year}, {time} UTC",
        "audit.action.tenant:created": "University created",
        "audit.action.tenant:key:created": "Signing key created",
        "audit.action.tenant:key:rotated": "Signing keys rotated",
        "audit.action.tenant:imported": "University imported from an export",
        "audit.action.tenant:provisioned": "Keycloak organization created",
        "audit.action.achievement:created": "Badge created",
        "audit.action.credential:issued": "Credential issued",
        "audit.action.credential:revoked": "Credential revoked",
        "audit.action.credential:suspended": "Credential suspended",
        "audit.action.credential:reinstated": "Credential reinstated",
        "audit.action.api-token:created": "API token created",
        "audit.action.api-token:revoked": "API token revoked",
        "audit.action.membership:created": "Member added to the alliance",
        "audit.action.role:granted": "Role granted",
        "audit.action.role:revoked": "Role revoked",
        "audit.action.user:signed-in": "Signed in",
        "audit.action.audit:exported": "Audit log exported",
        "tenant.audit": "Audit log",
        "console.audit_all": "Audit log of all universities",
        "tenant.emails": "E-mails",
        "mail.lead": "E-mails to earners, newest first. Addresses are partly hidden.",
        "mail.all": "All",
        "mail.status.queued": "Queued",
        "mail.status.sent": "Sent",
        "mail.status.failed": "Failed",
        "mail.created": "Queued on",
        "mail.recipient": "Recipient",
        "mail.language": "Language",
        "mail.attempts": "Attempts",
        "mail.next_attempt": "Next attempt",
        "mail.sent_at": "Sent on",
        "mail.subject": "Subject",
        "mail.error": "Last error",
        "mail.none": "No e-mail yet.",
        "mail.templates": "E-mail templates",
        "mail.kind.award": "Badge awarded",
        "mail.language.fr": "French",
        "mail.language.en": "English",
        "mail.message_title": "E-mail",
        "mail.text_part": "Text version",
        "mail.html_part": "HTML version",
        "mail.preview_notice": "Not sent yet: this is what the current template produces now. The e-mail is written when it is sent.",
        "mail.no_content": "No content was written for this e-mail.",
        "mail.template_title": "E-mail template: {kind}, {language_name}",
        "mail.template_default": "This is the default template. Saving it makes it this university's own.",
        "mail.template_custom": "This university's own template, changed on {date} by {actor}.",
        "mail.body": "Body",
        "mail.variables": "Variables",
        "mail.variables_help": "Write a variable as {{ earner_name }}. Templates may also use {% if expiry_date %}…{% endif %} and the filters upper, lower, title, capitalize, trim, truncate and default. The HTML version is built from the text.",
        "mail.sample": "Example value",
        "mail.preview": "Preview",
        "mail.save": "Save",
        "mail.reset": "Reset to the default",
        "mail.saved": "Template saved. E-mails sent from now on use it.",
        "mail.reset_done": "The default template applies again.",
        "mail.preview_title": "Preview with example values",
        "mail.error_title": "The template was not saved",
        "mail.var.earner_name": "name of the earner",
        "mail.var.badge_name": "name of the badge",
        "mail.var.issuer_name": "name of the university",
        "mail.var.issue_date": "date of issue",
        "mail.var.expiry_date": "end of validity; empty when the badge does not expire",
        "mail.var.credential_url": "page of the credential, where anyone can verify it",
        "mail.var.claim_url": "link that adds the badge to the earner's account",
        "mail.var.certificate_url": "PDF certificate",
        "claim.title": "Add this badge to your account",
        "claim.lead": "{issuer} awarded this badge to {name}. It is valid and verifiable whether or not you add it to your account.",
        "claim.add": "Add to my account",
        "claim.sign_in": "Sign in to add it to your account",
        "claim.yours": "This badge is in your account.",
        "claim.other": "This badge is already attached to another account. If that was not you, contact the university that issued it.",
        "claim.done.claimed": "Done: the badge is now in your account.",
        "claim.done.already-yours": "This badge was already in your account.",
        "claim.view": "View the credential and its verification",
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
        "credential.certificate": "Télécharger le certificat PDF",
        "certificate.heading": "Certificat de réussite",
        "certificate.awarded_to": "Ce certificat est décerné à",
        "certificate.for_badge": "pour l'obtention du badge",
        "certificate.level": "Niveau atteint",
        "certificate.issued_on": "Délivré le",
        "certificate.valid_until": "Valable jusqu'au",
        "certificate.issued_by": "Délivré par",
        "certificate.verify": "Vérifier ce certificat",
        "certificate.verify_help": (
            "Scannez le code ou ouvrez l'adresse ci-dessus. L'attestation Open Badges 3.0 signée "
            "est jointe à ce PDF sous le nom credential.json."
        ),
        "certificate.preview": "Aperçu · sans valeur",
        "certificate.subject": "Certificat du badge {badge} décerné à {name} par {issuer}",
        "certificate.attachment": (
            "Attestation Open Badges 3.0 signée (OpenBadgeCredential, JSON-LD)"
        ),
        "certificate.sample_name": "Camille Exemple",
        "certificate.sample_badge": "Badge d'exemple",
        "certificate.sample_description": (
            "Cette université n'a pas encore de badge : l'aperçu montre cet exemple."
        ),
        "certificate.sample_attachment": (
            "Ceci est un aperçu. Un vrai certificat contient ici l'attestation OpenBadgeCredential "
            "signée."
        ),
        "tenant.certificate": "Certificat PDF",
        "certificate_form.title": "Certificat PDF",
        "certificate_form.lead": (
            "Chaque badge délivré a un certificat PDF dans la langue de son ou sa titulaire, avec "
            "un QR code vers sa page de vérification et l'attestation signée en pièce jointe. "
            "Choisissez l'apparence des certificats de votre université."
        ),
        "certificate_form.colors": "Couleurs",
        "certificate_form.primary_color": "Couleur principale (noms et cadre)",
        "certificate_form.accent_color": "Couleur d'accent (titre et filets)",
        "certificate_form.color_help": (
            "Écrivez les couleurs sous la forme #rrggbb, par exemple #1d3557."
        ),
        "certificate_form.layout": "Mise en page",
        "certificate_form.layout.classic": "Classique : double cadre, textes centrés",
        "certificate_form.layout.modern": "Moderne : bandeau de couleur à gauche",
        "certificate_form.signatory": "Signataire",
        "certificate_form.signatory_name": "Nom du ou de la signataire (vide : pas de signature)",
        "certificate_form.signatory_title_fr": "Fonction du ou de la signataire en français",
        "certificate_form.signatory_title_en": "Fonction du ou de la signataire en anglais",
        "certificate_form.wording": "Texte",
        "certificate_form.wording_help": (
            "Texte brut affiché sous le badge, {max} caractères et {lines} lignes au plus par "
            "langue."
        ),
        "certificate_form.wording_fr": "Texte en français",
        "certificate_form.wording_en": "Texte en anglais",
        "certificate_form.logo": "Logo",
        "certificate_form.logo_help": (
            "Un fichier SVG de 512 Kio au plus ou un fichier PNG de 1 Mio au plus. Sans logo, le "
            "certificat affiche le nom de l'université."
        ),
        "certificate_form.logo_current": "Logo actuel",
        "certificate_form.logo_none": (
            "Pas encore de logo : les certificats affichent le nom de l'université."
        ),
        "certificate_form.logo_file": "Nouveau logo (SVG ou PNG)",
        "certificate_form.remove_logo": "Supprimer le logo",
        "certificate_form.save": "Enregistrer l'apparence",
        "certificate_form.saved": "L'apparence du certificat est enregistrée.",
        "certificate_form.preview": "Aperçu",
        "certificate_form.preview_help": (
            "L'aperçu utilise un·e titulaire fictif·ve et votre premier badge ; il n'enregistre "
            "rien."
        ),
        "certificate_form.error": "Rien n'a été enregistré :",
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
        "designer.title": "Conception du badge",
        "designer.badge_page": "Page du badge",
        "designer.not_editable": (
            "Ce badge est à l'état {status} : son image ne peut pas être modifiée maintenant. "
            "Ouvrez la page du badge pour retirer la soumission ou le rouvrir."
        ),
        "designer.heading": "Conception du badge : {name}",
        "designer.glyph_and_logo": "Symbole et logo",
        "designer.shape": "Forme",
        "designer.shape.circle": "Cercle",
        "designer.shape.shield": "Écusson",
        "designer.shape.hexagon": "Hexagone",
        "designer.shape.rosette": "Rosette",
        "designer.shape.ribbon": "Médaille à ruban",
        "designer.colors": "Couleurs",
        "designer.primary": "Couleur principale",
        "designer.secondary": "Couleur du bord et du ruban",
        "designer.text_color": "Couleur du texte et du symbole",
        "designer.text": "Texte",
        "designer.line1": "Ligne 1",
        "designer.line2": "Ligne 2",
        "designer.font_size": "Taille du texte (px)",
        "designer.text_help": (
            "{max} caractères au plus par ligne. Sur la rosette et la médaille à ruban, la ligne 2 "
            "est écrite sur le bandeau, en noir ou en blanc selon le meilleur contraste, sur "
            "{banner} px de haut au plus."
        ),
        "designer.glyph": "Symbole",
        "designer.glyph.none": "Aucun",
        "designer.glyph.athlete": "Athlète",
        "designer.glyph.campus": "Campus",
        "designer.glyph.first-aid": "Premiers secours",
        "designer.glyph.globe": "Globe",
        "designer.glyph.heart": "Cœur",
        "designer.glyph.helmet": "Casque",
        "designer.glyph.leaf": "Feuille",
        "designer.glyph.lifebuoy": "Bouée",
        "designer.glyph.network": "Réseau",
        "designer.glyph.people": "Personnes",
        "designer.glyph.project": "Projet",
        "designer.glyph.star": "Étoile",
        "designer.glyph.star-badge": "Médaille étoilée",
        "designer.logo": "Afficher le logo de l'université",
        "designer.no_logo": "Cette université n'a pas encore de logo.",
        "designer.save": "Enregistrer ce modèle comme image du badge",
        "designer.preview": "Aperçu du modèle, tel qu'il sera enregistré",
        "designer.preview_alt": "Aperçu du badge conçu",
        "designer.preview_failed": "L'aperçu n'a pas été mis à jour :",
        "designer.current": "Image actuelle",
        "designer.current_alt": "L'image actuelle du badge",
        "designer.upload": "Importer une image",
        "designer.file": "Fichier PNG ou SVG",
        "designer.upload_help": (
            "Un fichier PNG de {png} et 2048 x 2048 pixels au plus, ou un fichier SVG de {svg} au "
            "plus. Les scripts, gestionnaires d'événements, éléments foreignObject et références "
            "externes sont retirés des fichiers SVG avant l'enregistrement."
        ),
        "designer.upload_button": "Importer et enregistrer comme image du badge",
        "designer.too_large": (
            "Ce fichier {kind} fait {size} octets, au-delà de la limite de {limit} octets ; "
            "choisissez un fichier plus petit."
        ),
        "designer.saved.design": "Le modèle est enregistré comme image du badge.",
        "designer.saved.png": "L'image PNG est enregistrée comme image du badge.",
        "designer.saved.svg": "L'image SVG est enregistrée comme image du badge.",
        "designer.removed": "Le nettoyage a retiré : {items}.",
        "designer.next_step": (
            "La nouvelle image fait partie d'une nouvelle révision en brouillon : les pages "
            "publiques et les nouvelles attestations l'affichent une fois le badge publié à "
            "nouveau."
        ),
        "audit.title": "Journal d'audit",
        "audit.all_title": "Journal d'audit de toutes les universités",
        "audit.lead": "Actions enregistrées, les plus récentes d'abord. Les heures sont en UTC.",
        "audit.filter.action": "Action",
        "audit.filter.any_action": "Toutes les actions",
        "audit.filter.prefix": "Toutes les actions « {prefix} »",
        "audit.filter.actor": "Auteur (valeur exacte, comme user:…)",
        "audit.filter.target": "Cible (valeur exacte)",
        "audit.filter.from": "Du (date en UTC)",
        "audit.filter.to": "Au (date en UTC, incluse)",
        "audit.filter.tenant": "Université (nom court)",
        "audit.filter.apply": "Filtrer",
        "audit.filter.reset": "Effacer les filtres",
        "audit.export": "Télécharger en CSV",
        "audit.time": "Date (UTC)",
        "audit.tenant": "Université",
        "audit.actor": "Auteur",
        "audit.action": "Action",
        "audit.target": "Cible",
        "audit.details": "Détails",
        "audit.none": "Aucun événement ne correspond à ces filtres.",
        "audit.newer": "← Événements plus récents",
        "audit.older": "Événements plus anciens →",
        "audit.hub_wide": "tout le hub",
        "audit.months": "janv. févr. mars avr. mai juin juil. août sept. oct. nov. déc.",
        "audit.time_format": "{day} {month} {year} à {time} UTC",
        "audit.action.tenant:created": "Université créée",
        "audit.action.tenant:key:created": "Clé de signature créée",
        "audit.action.tenant:key:rotated": "Clés de signature renouvelées",
        "audit.action.tenant:imported": "Université importée depuis un export",
        "audit.action.tenant:provisioned": "Organisation Keycloak créée",
        "audit.action.achievement:created": "Badge créé",
        "audit.action.credential:issued": "Attestation délivrée",
        "audit.action.credential:revoked": "Attestation révoquée",
        "audit.action.credential:suspended": "Attestation suspendue",
        "audit.action.credential:reinstated": "Attestation rétablie",
        "audit.action.api-token:created": "Jeton d'API créé",
        "audit.action.api-token:revoked": "Jeton d'API révoqué",
        "audit.action.membership:created": "Membre ajouté à l'alliance",
        "audit.action.role:granted": "Rôle attribué",
        "audit.action.role:revoked": "Rôle retiré",
        "audit.action.user:signed-in": "Connexion",
        "audit.action.audit:exported": "Journal d'audit exporté",
        "tenant.audit": "Journal d'audit",
        "console.audit_all": "Journal d'audit de toutes les universités",
        "tenant.emails": "E-mails",
        "mail.lead": "E-mails envoyés aux titulaires, les plus récents d'abord. Les adresses sont en partie masquées.",
        "mail.all": "Tous",
        "mail.status.queued": "En attente",
        "mail.status.sent": "Envoyé",
        "mail.status.failed": "Échec",
        "mail.created": "Mis en file le",
        "mail.recipient": "Destinataire",
        "mail.language": "Langue",
        "mail.attempts": "Tentatives",
        "mail.next_attempt": "Prochaine tentative",
        "mail.sent_at": "Envoyé le",
        "mail.subject": "Objet",
        "mail.error": "Dernière erreur",
        "mail.none": "Aucun e-mail pour l'instant.",
        "mail.templates": "Modèles d'e-mail",
        "mail.kind.award": "Badge décerné",
        "mail.language.fr": "français",
        "mail.language.en": "anglais",
        "mail.message_title": "E-mail",
        "mail.text_part": "Version texte",
        "mail.html_part": "Version HTML",
        "mail.preview_notice": "Pas encore envoyé : voici ce que produit le modèle actuel. L'e-mail est rédigé au moment de l'envoi.",
        "mail.no_content": "Aucun contenu n'a été rédigé pour cet e-mail.",
        "mail.template_title": "Modèle d'e-mail : {kind}, {language_name}",
        "mail.template_default": "Ceci est le modèle par défaut. L'enregistrer en fait le modèle propre à cette université.",
        "mail.template_custom": "Modèle propre à cette université, modifié le {date} par {actor}.",
        "mail.body": "Texte",
        "mail.variables": "Variables",
        "mail.variables_help": "Écrivez une variable sous la forme {{ earner_name }}. Un modèle peut aussi utiliser {% if expiry_date %}…{% endif %} et les filtres upper, lower, title, capitalize, trim, truncate et default. La version HTML est construite à partir du texte.",
        "mail.sample": "Valeur d'exemple",
        "mail.preview": "Aperçu",
        "mail.save": "Enregistrer",
        "mail.reset": "Revenir au modèle par défaut",
        "mail.saved": "Modèle enregistré. Les e-mails envoyés désormais l'utilisent.",
        "mail.reset_done": "Le modèle par défaut s'applique de nouveau.",
        "mail.preview_title": "Aperçu avec des valeurs d'exemple",
        "mail.error_title": "Le modèle n'a pas été enregistré",
        "mail.var.earner_name": "nom de la personne titulaire",
        "mail.var.badge_name": "nom du badge",
        "mail.var.issuer_name": "nom de l'université",
        "mail.var.issue_date": "date de délivrance",
        "mail.var.expiry_date": "fin de validité ; vide quand le badge n'expire pas",
        "mail.var.credential_url": "page de l'attestation, où chacun peut la vérifier",
        "mail.var.claim_url": "lien qui ajoute le badge au compte de la personne titulaire",
        "mail.var.certificate_url": "certificat PDF",
        "claim.title": "Ajouter ce badge à votre compte",
        "claim.lead": "{issuer} a décerné ce badge à {name}. Il est valide et vérifiable, que vous l'ajoutiez ou non à votre compte.",
        "claim.add": "Ajouter à mon compte",
        "claim.sign_in": "Connectez-vous pour l'ajouter à votre compte",
        "claim.yours": "Ce badge est dans votre compte.",
        "claim.other": "Ce badge est déjà rattaché à un autre compte. Si ce n'est pas vous, contactez l'université qui l'a délivré.",
        "claim.done.claimed": "C'est fait : le badge est maintenant dans votre compte.",
        "claim.done.already-yours": "Ce badge était déjà dans votre compte.",
        "claim.view": "Voir l'attestation et sa vérification",
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


@pass_context
def language_link(context: Any, language: str) -> str:
    """Jinja global ``language_link``: this page's query string with ``lang`` set.

    Other parameters stay, so switching language on a page that carries its state in the query
    string (filters, an OAuth authorization request) keeps that state.
    """
    request = context.get("request")
    pairs = (
        []
        if request is None
        else [(key, value) for key, value in request.query_params.multi_items() if key != "lang"]
    )
    return "?" + urlencode([*pairs, ("lang", language)])


def _merge_messages() -> None:
    # Texts of larger features live in their own modules, merged here once at import.
    from federation.console_messages import MESSAGES as FEDERATION_CONSOLE_MESSAGES
    from federation.messages import MESSAGES as FEDERATION_MESSAGES
    from hub.backpack.messages import MESSAGES as BACKPACK_MESSAGES
    from hub.i18n_achievements import MESSAGES as ACHIEVEMENT_MESSAGES
    from hub.i18n_verify import MESSAGES as VERIFY_MESSAGES
    from hub.obapi.messages import MESSAGES as OBAPI_MESSAGES
    from hub.oid4vci.messages import MESSAGES as WALLET_MESSAGES

    for messages in (
        ACHIEVEMENT_MESSAGES,
        FEDERATION_MESSAGES,
        FEDERATION_CONSOLE_MESSAGES,
        VERIFY_MESSAGES,
        WALLET_MESSAGES,
        BACKPACK_MESSAGES,
        OBAPI_MESSAGES,
    ):
        for language, texts in messages.items():
            MESSAGES[language].update(texts)


_merge_messages()
