"""Demo and seed content: the EUNICE alliance, its member universities, badges and demo people.

This module is plain data. Loading it into the database is the job of the seeding code.

Institution names, cities, home pages and e-mail domains are public information about the
universities. The badge names are those of badges UPHF and the alliance publish. The
descriptions and criteria were written for this demo and are not the institutions' official
texts. The demo people are fictional and use ``example.org`` addresses only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

LocalizedText = dict[str, str]
"""Text keyed by ISO 639-1 language code, such as ``{"fr": ..., "en": ...}``."""

AchievementStatus = Literal["published", "draft"]
"""Lifecycle state: a draft achievement is planned and cannot be awarded yet."""


@dataclass(frozen=True)
class BadgeArt:
    """Colours (``#rrggbb``) and glyph for ``hub.badge_image.render_badge_svg``."""

    primary: str
    secondary: str
    glyph: str


@dataclass(frozen=True)
class AllianceSeed:
    """The alliance, which defines badges that every member university can award."""

    slug: str
    name: str
    short_name: str
    home_page: str
    description: LocalizedText
    coordinator_slug: str
    member_slugs: tuple[str, ...]
    art: BadgeArt


@dataclass(frozen=True)
class TenantSeed:
    """A member university, which becomes a tenant with its own issuer Profile."""

    slug: str
    name: str
    """Official name in the institution's own language."""
    name_en: str
    short_name: str
    language: str
    """ISO 639-1 code of the language of ``name``."""
    country: str
    """ISO 3166-1 alpha-2 code."""
    city: str
    home_page: str
    email_domain: str


@dataclass(frozen=True)
class AchievementSeed:
    """A badge class, as an Open Badges 3.0 Achievement with French and English text."""

    slug: str
    creator_slug: str
    """Slug of the tenant or of the alliance that defines the achievement."""
    achievement_type: str
    """A term of the Open Badges 3.0 AchievementType vocabulary, such as "Competency"."""
    name: LocalizedText
    description: LocalizedText
    criteria: LocalizedText
    """Criteria narrative: how to earn the badge."""
    tags: tuple[str, ...]
    status: AchievementStatus
    art: BadgeArt
    valid_for_months: int | None = None
    """Validity of an awarded badge, or None when it does not expire."""
    levels: tuple[dict[str, Any], ...] = ()
    """Levels of mastery from the lowest to the highest; awards then name one."""


@dataclass(frozen=True)
class PersonSeed:
    """A fictional demo user."""

    given_name: str
    family_name: str
    email: str
    tenant_slug: str
    job_title: str
    tenant_roles: tuple[str, ...] = ()
    """Roles in the tenant: any of "admin", "editor", "approver" and "issuer"."""
    is_alliance_admin: bool = False


@dataclass(frozen=True)
class AwardSeed:
    """A demo award of an achievement by a tenant to a demo person."""

    achievement_slug: str
    issuer_slug: str
    recipient_email: str
    level: str | None = None


def _localized(fr: str, en: str) -> LocalizedText:
    return {"fr": fr, "en": en}


# NOTE: these colours approximate the institutions' visual identities. They are not taken from
# their brand guidelines, which a production deployment should use instead.
UPHF_BLUE = "#00386e"
EUNICE_INDIGO = "#24245c"
EUNICE_GOLD = "#f2b705"

# The official name is written with an en dash, spelled out so that it is not mistaken for "-".
ALLIANCE_NAME = "EUNICE \N{EN DASH} European University for Customised Education"

ALLIANCE = AllianceSeed(
    slug="eunice",
    name=ALLIANCE_NAME,
    short_name="EUNICE",
    home_page="https://eunice-university.eu",
    description=_localized(
        fr=(
            f"{ALLIANCE_NAME} réunit des universités de toute l'Europe dans le cadre de "
            "l'initiative des Universités européennes du programme Erasmus+. Coordonnée par "
            "l'Université Polytechnique Hauts-de-France, "
            "l'alliance propose aux étudiants et aux personnels des parcours personnalisés et "
            "flexibles, des enseignements communs et des mobilités entre ses campus, et "
            "travaille avec ses territoires sur l'innovation et les défis de société."
        ),
        en=(
            f"{ALLIANCE_NAME} brings together universities from across Europe under the "
            "European Universities initiative of the Erasmus+ programme. Coordinated by "
            "Université Polytechnique Hauts-de-France, "
            "the alliance offers students and staff customised, flexible learning paths, "
            "joint courses and mobility between its campuses, and works with its regions on "
            "innovation and societal challenges."
        ),
    ),
    coordinator_slug="uphf",
    member_slugs=("uphf", "btu", "unican", "kau", "unict", "umons", "put", "uwasa", "uop"),
    art=BadgeArt(primary=EUNICE_INDIGO, secondary=EUNICE_GOLD, glyph="star-badge"),
)

TENANTS: tuple[TenantSeed, ...] = (
    TenantSeed(
        slug="uphf",
        name="Université Polytechnique Hauts-de-France",
        name_en="Polytechnic University of Hauts-de-France",
        short_name="UPHF",
        language="fr",
        country="FR",
        city="Valenciennes",
        home_page="https://www.uphf.fr",
        email_domain="uphf.fr",
    ),
    TenantSeed(
        slug="btu",
        name="Brandenburgische Technische Universität Cottbus-Senftenberg",
        name_en="Brandenburg University of Technology Cottbus-Senftenberg",
        short_name="BTU",
        language="de",
        country="DE",
        city="Cottbus",
        home_page="https://www.b-tu.de",
        email_domain="b-tu.de",
    ),
    TenantSeed(
        slug="unican",
        name="Universidad de Cantabria",
        name_en="University of Cantabria",
        short_name="UC",
        language="es",
        country="ES",
        city="Santander",
        home_page="https://web.unican.es",
        email_domain="unican.es",
    ),
    TenantSeed(
        slug="kau",
        name="Karlstads universitet",
        name_en="Karlstad University",
        short_name="KAU",
        language="sv",
        country="SE",
        city="Karlstad",
        home_page="https://www.kau.se",
        email_domain="kau.se",
    ),
    TenantSeed(
        slug="unict",
        name="Università degli Studi di Catania",
        name_en="University of Catania",
        short_name="UNICT",
        language="it",
        country="IT",
        city="Catania",
        home_page="https://www.unict.it",
        email_domain="unict.it",
    ),
    TenantSeed(
        slug="umons",
        name="Université de Mons",
        name_en="University of Mons",
        short_name="UMONS",
        language="fr",
        country="BE",
        city="Mons",
        home_page="https://web.umons.ac.be",
        email_domain="umons.ac.be",
    ),
    TenantSeed(
        slug="put",
        name="Politechnika Poznańska",
        name_en="Poznan University of Technology",
        short_name="PUT",
        language="pl",
        country="PL",
        city="Poznań",
        home_page="https://www.put.poznan.pl",
        email_domain="put.poznan.pl",
    ),
    TenantSeed(
        slug="uwasa",
        name="Vaasan yliopisto",
        name_en="University of Vaasa",
        short_name="UWASA",
        language="fi",
        country="FI",
        city="Vaasa",
        home_page="https://www.uwasa.fi",
        email_domain="uwasa.fi",
    ),
    TenantSeed(
        slug="uop",
        name="Πανεπιστήμιο Πελοποννήσου",
        name_en="University of the Peloponnese",
        short_name="UoP",
        language="el",
        country="GR",
        city="Tripoli",
        home_page="https://www.uop.gr",
        email_domain="uop.gr",
    ),
)

UPHF_ACHIEVEMENTS: tuple[AchievementSeed, ...] = (
    AchievementSeed(
        slug="high-level-athlete",
        creator_slug="uphf",
        achievement_type="CoCurricular",
        name=_localized(fr="Étudiant Sportif de Haut Niveau", en="High-Level Student Athlete"),
        description=_localized(
            fr=(
                "Ce badge reconnaît les étudiantes et les étudiants de l'UPHF qui mènent de "
                "front leurs études et une pratique sportive de haut niveau. Il atteste leur "
                "engagement et leur capacité à concilier entraînements, compétitions et "
                "examens tout au long de l'année universitaire."
            ),
            en=(
                "This badge recognises UPHF students who combine their studies with sport at "
                "a high level. It attests their commitment and their ability to balance "
                "training, competitions and exams throughout the academic year."
            ),
        ),
        criteria=_localized(
            fr=(
                "Être inscrit à l'UPHF et bénéficier du statut d'étudiant sportif de haut "
                "niveau pour l'année universitaire, après examen de son dossier sportif par "
                "l'université. Respecter l'aménagement d'études convenu avec sa formation et "
                "représenter son club ou l'université en compétition pendant l'année. Le "
                "service des sports attribue le badge en fin d'année."
            ),
            en=(
                "Be enrolled at UPHF and hold the university's high-level student athlete "
                "status for the academic year, granted after the university has reviewed your "
                "sporting record. Follow the study arrangement agreed with your programme and "
                "compete for your club or the university during the year. The sports service "
                "awards the badge at the end of the year."
            ),
        ),
        tags=("sport", "dual-career", "commitment"),
        status="published",
        art=BadgeArt(primary=UPHF_BLUE, secondary="#e8a33d", glyph="athlete"),
    ),
    AchievementSeed(
        slug="professional-image-social-networks",
        creator_slug="uphf",
        achievement_type="Competency",
        name=_localized(
            fr="Booster son image professionnelle sur les réseaux sociaux",
            en="Boosting Your Professional Image on Social Networks",
        ),
        description=_localized(
            fr=(
                "Ce badge reconnaît la capacité à construire et à gérer une identité numérique "
                "professionnelle. Son titulaire sait rédiger un profil clair sur un réseau "
                "professionnel, mettre en valeur ses compétences et ses expériences, "
                "développer son réseau et maîtriser ce que l'on trouve à son sujet en ligne."
            ),
            en=(
                "This badge recognises the ability to build and manage a professional online "
                "identity. Its holder can write a clear profile on a professional network, "
                "showcase their skills and experience, grow their network and keep control "
                "of what others find about them online."
            ),
        ),
        criteria=_localized(
            fr=(
                "Participer à l'atelier « Booster son image professionnelle sur les réseaux "
                "sociaux » proposé aux étudiants de l'UPHF. Créer ou mettre à jour son profil "
                "sur un réseau professionnel (titre, résumé, expériences, compétences) et "
                "vérifier ses paramètres de confidentialité. Un conseiller relit le profil et "
                "valide le badge lorsque tous les points de la grille sont atteints."
            ),
            en=(
                "Attend the workshop “Boosting your professional image on social networks” "
                "offered to UPHF students. Create or update your profile on a professional "
                "network (headline, summary, experience, skills) and check your privacy "
                "settings. An adviser reviews the profile and validates the badge once every "
                "point of the checklist is met."
            ),
        ),
        tags=("digital-identity", "employability", "social-networks", "career"),
        status="published",
        art=BadgeArt(primary=UPHF_BLUE, secondary="#2bb3c0", glyph="network"),
    ),
    AchievementSeed(
        slug="environmental-footprint-eco-design",
        creator_slug="uphf",
        achievement_type="Course",
        name=_localized(
            fr="Empreinte environnementale et écoconception",
            en="Environmental Footprint and Eco-Design",
        ),
        description=_localized(
            fr=(
                "Ce badge reconnaît la compréhension des impacts environnementaux d'un "
                "produit, d'un service ou d'un projet numérique sur l'ensemble de son cycle "
                "de vie. Son titulaire sait estimer une empreinte carbone, repérer les "
                "principales sources d'impact et proposer des choix d'écoconception pour les "
                "réduire."
            ),
            en=(
                "This badge recognises an understanding of the environmental impact of a "
                "product, a service or a digital project over its whole life cycle. Its "
                "holder can estimate a carbon footprint, identify the main sources of impact "
                "and propose eco-design choices that reduce them."
            ),
        ),
        criteria=_localized(
            fr=(
                "Suivre le module « Empreinte environnementale et écoconception » et réussir "
                "son évaluation finale. Réaliser, seul ou en équipe, l'analyse d'un produit "
                "ou d'un service de son choix : étapes du cycle de vie, estimation des "
                "impacts et au moins trois pistes d'écoconception argumentées. L'équipe "
                "pédagogique du module évalue cette analyse."
            ),
            en=(
                "Complete the “Environmental footprint and eco-design” module and pass its "
                "final assessment. Alone or in a team, analyse a product or service of your "
                "choice: the stages of its life cycle, an estimate of its impacts and at "
                "least three reasoned eco-design improvements. The module's teaching team "
                "assesses this analysis."
            ),
        ),
        tags=("sustainability", "eco-design", "life-cycle-assessment", "carbon-footprint"),
        status="published",
        art=BadgeArt(primary=UPHF_BLUE, secondary="#5aa02c", glyph="leaf"),
    ),
    AchievementSeed(
        slug="project-management",
        creator_slug="uphf",
        achievement_type="Competency",
        name=_localized(fr="Gérer un projet", en="Managing a Project"),
        description=_localized(
            fr=(
                "Ce badge reconnaît la capacité à conduire un projet de son cadrage à son "
                "bilan. Son titulaire sait définir des objectifs et un périmètre, planifier "
                "les tâches et les ressources, suivre l'avancement et les risques, et animer "
                "une équipe jusqu'à la livraison."
            ),
            en=(
                "This badge recognises the ability to run a project from scoping to final "
                "review. Its holder can set objectives and scope, plan tasks and resources, "
                "track progress and risks, and lead a team through to delivery."
            ),
        ),
        criteria=_localized(
            fr=(
                "Mener en équipe un projet tutoré, associatif ou professionnel d'au moins "
                "huit semaines en y tenant un rôle de coordination. Remettre une note de "
                "cadrage, un planning (par exemple un diagramme de Gantt) et un bilan qui "
                "compare le réalisé au prévu. Le tuteur du projet valide le badge lors de la "
                "soutenance."
            ),
            en=(
                "Run a tutored, student-association or work project of at least eight weeks "
                "as part of a team, in a coordinating role. Hand in a project brief, a "
                "schedule (for example a Gantt chart) and a final review that compares what "
                "was done with what was planned. The project tutor validates the badge at the "
                "final presentation."
            ),
        ),
        tags=("project-management", "teamwork", "planning", "soft-skills"),
        status="published",
        art=BadgeArt(primary=UPHF_BLUE, secondary="#8e6bbf", glyph="project"),
    ),
    AchievementSeed(
        slug="climate-fresk",
        creator_slug="uphf",
        achievement_type="Achievement",
        name=_localized(fr="La Fresque du Climat", en="The Climate Fresk"),
        description=_localized(
            fr=(
                "Ce badge reconnaît la participation à un atelier de La Fresque du Climat. En "
                "trois heures, les participants reconstituent en équipe les causes et les "
                "conséquences du dérèglement climatique à partir de cartes issues des "
                "rapports du GIEC, puis échangent sur les leviers d'action individuels et "
                "collectifs."
            ),
            en=(
                "This badge recognises taking part in a Climate Fresk workshop. In three "
                "hours, teams rebuild the causes and consequences of climate change from "
                "cards based on the IPCC reports, then discuss what individuals and "
                "organisations can do about it."
            ),
        ),
        criteria=_localized(
            fr=(
                "Participer à la totalité d'un atelier de La Fresque du Climat organisé à "
                "l'UPHF et animé par une personne formée à l'animation. Contribuer à la "
                "construction de la fresque et à la discussion finale. L'animateur transmet "
                "la liste de présence, à partir de laquelle le badge est attribué."
            ),
            en=(
                "Attend a full Climate Fresk workshop held at UPHF and run by a trained "
                "facilitator. Contribute to building the fresk and to the closing "
                "discussion. The facilitator sends the attendance list, from which the badge "
                "is awarded."
            ),
        ),
        tags=("climate", "sustainability", "workshop", "ipcc"),
        status="published",
        art=BadgeArt(primary=UPHF_BLUE, secondary="#f07f2d", glyph="globe"),
        levels=(
            {
                "id": "participant",
                "name": _localized(fr="Participant", en="Participant"),
                "description": _localized(
                    fr="A participé à un atelier complet.", en="Took part in a full workshop."
                ),
            },
            {
                "id": "facilitator",
                "name": _localized(fr="Animateur", en="Facilitator"),
                "description": _localized(
                    fr="A été formé à l'animation et a animé au moins un atelier.",
                    en="Trained as a facilitator and ran at least one workshop.",
                ),
            },
        ),
    ),
    AchievementSeed(
        slug="cap-campus",
        creator_slug="uphf",
        achievement_type="CoCurricular",
        name=_localized(fr="Cap Campus", en="Cap Campus"),
        description=_localized(
            fr=(
                "Cap Campus est le programme d'accueil des nouveaux étudiants de l'UPHF. Ce "
                "badge reconnaît que son titulaire a pris ses repères à l'université : il "
                "connaît ses campus, ses services (bibliothèque, sport, santé, vie étudiante, "
                "relations internationales) et les outils numériques dont il aura besoin "
                "pendant ses études."
            ),
            en=(
                "Cap Campus is UPHF's welcome programme for new students. This badge "
                "recognises that its holder has found their way around the university: they "
                "know its campuses, its services (library, sport, health, student life, "
                "international relations) and the digital tools they will need during their "
                "studies."
            ),
        ),
        criteria=_localized(
            fr=(
                "Participer aux journées d'accueil Cap Campus de la rentrée et à la visite de "
                "son campus. Activer son compte numérique, puis se connecter à l'espace "
                "numérique de travail et à la plateforme de cours. Terminer le parcours en "
                "ligne de découverte des services avant la fin du premier mois de cours."
            ),
            en=(
                "Attend the Cap Campus welcome days at the start of the academic year and the "
                "tour of your campus. Activate your university account, then sign in to the "
                "digital workspace and the course platform. Complete the online tour of the "
                "university's services before the end of the first month of classes."
            ),
        ),
        tags=("welcome", "student-life", "orientation", "first-year"),
        status="published",
        art=BadgeArt(primary=UPHF_BLUE, secondary="#3fa9f5", glyph="campus"),
    ),
    AchievementSeed(
        slug="psc1",
        creator_slug="uphf",
        achievement_type="Certificate",
        name=_localized(
            fr="Prévention et secours civiques de niveau 1 (PSC1)",
            en="Civic Prevention and First Aid, Level 1 (PSC1)",
        ),
        description=_localized(
            fr=(
                "Ce badge reconnaît l'obtention du certificat de compétences Prévention et "
                "secours civiques de niveau 1. Son titulaire sait protéger, alerter les "
                "secours et réaliser les gestes de premiers secours face à une personne qui "
                "saigne abondamment, s'étouffe, est inconsciente ou en arrêt cardiaque, avec "
                "un défibrillateur si besoin."
            ),
            en=(
                "This badge recognises the French first-aid certificate Prévention et secours "
                "civiques de niveau 1. Its holder knows how to make a scene safe, alert the "
                "emergency services and give first aid to a person who is bleeding heavily, "
                "choking, unconscious or in cardiac arrest, using a defibrillator if needed."
            ),
        ),
        criteria=_localized(
            fr=(
                "Suivre en totalité une formation PSC1, d'environ sept heures, dispensée à "
                "l'UPHF par un formateur d'un organisme habilité. Participer à tous les "
                "exercices pratiques et à toutes les mises en situation. Le badge est délivré "
                "sur présentation du certificat de compétences remis en fin de formation."
            ),
            en=(
                "Complete a full PSC1 course, about seven hours long, given at UPHF by a "
                "trainer from an approved organisation. Take part in every practical exercise "
                "and scenario. The badge is awarded on presentation of the certificate of "
                "competence handed out at the end of the course."
            ),
        ),
        tags=("first-aid", "safety", "citizenship"),
        status="draft",
        art=BadgeArt(primary=UPHF_BLUE, secondary="#d7263d", glyph="first-aid"),
    ),
    AchievementSeed(
        slug="water-rescue",
        creator_slug="uphf",
        achievement_type="Competency",
        name=_localized(fr="Sauvetage aquatique", en="Water Rescue"),
        description=_localized(
            fr=(
                "Ce badge reconnaît les compétences de base du sauvetage aquatique. Son "
                "titulaire sait surveiller un bassin, repérer une personne en difficulté, la "
                "rejoindre à la nage, la remorquer jusqu'au bord, la sortir de l'eau et lui "
                "porter les premiers secours en attendant les services d'urgence."
            ),
            en=(
                "This badge recognises the basic skills of water rescue. Its holder can watch "
                "over a pool, spot a swimmer in difficulty, swim out to them, tow them to the "
                "edge, lift them out of the water and give first aid until the emergency "
                "services arrive."
            ),
        ),
        criteria=_localized(
            fr=(
                "Suivre le cycle de sauvetage aquatique proposé par le service des sports de "
                "l'UPHF. Réussir les épreuves pratiques de fin de cycle : un parcours de nage "
                "chronométré, la recherche d'un mannequin immergé et un sauvetage complet "
                "avec remorquage et sortie de l'eau. Ce badge ne remplace pas un diplôme de "
                "surveillance de baignade tel que le BNSSA."
            ),
            en=(
                "Take the water-rescue course offered by UPHF's sports service. Pass the "
                "practical tests at the end of the course: a timed swim, a search for a "
                "submerged manikin and a full rescue with towing and lifting out of the "
                "water. This badge does not replace a lifeguard qualification such as the "
                "French BNSSA."
            ),
        ),
        tags=("first-aid", "sport", "swimming", "safety"),
        status="draft",
        art=BadgeArt(primary=UPHF_BLUE, secondary="#1e88e5", glyph="lifebuoy"),
    ),
    AchievementSeed(
        slug="sst",
        creator_slug="uphf",
        achievement_type="Certificate",
        name=_localized(
            fr="Sauveteur Secouriste du Travail (SST)",
            en="Workplace First Aider (SST)",
        ),
        description=_localized(
            fr=(
                "Ce badge reconnaît le certificat de Sauveteur Secouriste du Travail. Son "
                "titulaire sait intervenir face à un accident sur son lieu de travail ou de "
                "stage, porter secours à la victime en attendant les services d'urgence, et "
                "contribuer à la prévention des risques professionnels dans sa structure."
            ),
            en=(
                "This badge recognises the French workplace first-aid certificate, Sauveteur "
                "Secouriste du Travail. Its holder can respond to an accident at work or "
                "during an internship, give first aid to the victim until the emergency "
                "services arrive, and help prevent occupational risks in their organisation."
            ),
        ),
        criteria=_localized(
            fr=(
                "Suivre la formation initiale SST de 14 heures, dispensée par un formateur "
                "certifié selon le référentiel de l'INRS, et réussir les épreuves "
                "certificatives. Le certificat, et donc le badge, est valable 24 mois. Il se "
                "renouvelle par une session de maintien et d'actualisation des compétences "
                "(MAC SST)."
            ),
            en=(
                "Complete the 14-hour initial SST course, given by a certified trainer "
                "following the INRS framework, and pass the certification tests. The "
                "certificate, and so the badge, is valid for 24 months. It is renewed by "
                "attending a refresher session (MAC SST)."
            ),
        ),
        tags=("first-aid", "occupational-safety", "employability"),
        status="draft",
        art=BadgeArt(primary=UPHF_BLUE, secondary="#2e9d4f", glyph="helmet"),
        valid_for_months=24,
    ),
)

ALLIANCE_ACHIEVEMENTS: tuple[AchievementSeed, ...] = (
    AchievementSeed(
        slug="open-badge-workshop",
        creator_slug="eunice",
        achievement_type="Achievement",
        name=_localized(fr="Atelier Open Badges", en="Open-Badge Workshop"),
        description=_localized(
            fr=(
                "Ce badge reconnaît la participation à un atelier EUNICE consacré aux open "
                "badges. Les participants découvrent ce que contient un badge numérique, "
                "comment on le vérifie et le partage, et comment les universités de "
                "l'alliance s'en servent pour reconnaître des apprentissages qu'un diplôme ne "
                "montre pas."
            ),
            en=(
                "This badge recognises taking part in a EUNICE workshop on open badges. "
                "Participants learn what a digital badge contains, how it is verified and "
                "shared, and how the alliance's universities use badges to recognise learning "
                "that a diploma does not show."
            ),
        ),
        criteria=_localized(
            fr=(
                "Participer à la totalité d'un atelier Open Badges organisé par EUNICE, sur "
                "place ou en ligne. Pendant l'atelier, concevoir l'esquisse d'un badge adapté "
                "à son propre contexte : son nom, ce qu'il reconnaît, ses critères et les "
                "preuves attendues. Les animateurs attribuent le badge à l'issue de la séance."
            ),
            en=(
                "Attend a full Open-Badge Workshop organised by EUNICE, on site or online. "
                "During the workshop, sketch a badge for your own context: its name, what it "
                "recognises, its criteria and the evidence you would ask for. The facilitators "
                "award the badge after the session."
            ),
        ),
        tags=("eunice", "open-badges", "digital-credentials", "workshop"),
        status="published",
        art=BadgeArt(primary=EUNICE_INDIGO, secondary=EUNICE_GOLD, glyph="star-badge"),
    ),
    AchievementSeed(
        slug="i-support-eunice",
        creator_slug="eunice",
        achievement_type="Badge",
        name=_localized(fr="Je soutiens Eunice", en="I Support Eunice"),
        description=_localized(
            fr=(
                "Ce badge reconnaît les étudiants et les personnels qui font vivre l'alliance "
                "EUNICE. Son titulaire a pris une part active à la vie de l'alliance, par "
                "exemple en accueillant des étudiants internationaux, en faisant connaître "
                "les opportunités EUNICE sur son campus ou en aidant lors d'un événement de "
                "l'alliance."
            ),
            en=(
                "This badge recognises students and staff who help the EUNICE alliance grow. "
                "Its holder has taken an active part in the alliance's life, for example by "
                "welcoming international students, promoting EUNICE opportunities on their "
                "campus or volunteering at an alliance event."
            ),
        ),
        criteria=_localized(
            fr=(
                "Participer à au moins une activité EUNICE comme bénévole, ambassadeur ou "
                "organisateur, dans son université ou dans une université partenaire. "
                "Décrire sa contribution en quelques lignes et la faire confirmer par le "
                "bureau EUNICE de son université, qui attribue le badge."
            ),
            en=(
                "Take part in at least one EUNICE activity as a volunteer, ambassador or "
                "organiser, at your own university or at a partner university. Describe your "
                "contribution in a few lines and have it confirmed by the EUNICE office of "
                "your university, which awards the badge."
            ),
        ),
        tags=("eunice", "engagement", "volunteering", "european-universities"),
        status="published",
        art=BadgeArt(primary=EUNICE_INDIGO, secondary="#e94e77", glyph="heart"),
    ),
    AchievementSeed(
        slug="general-assembly",
        creator_slug="eunice",
        achievement_type="Achievement",
        name=_localized(fr="Assemblée générale", en="General Assembly"),
        description=_localized(
            fr=(
                "Ce badge reconnaît la participation à l'Assemblée générale d'EUNICE, où les "
                "représentants des universités membres, étudiants et personnels, font le "
                "bilan des actions de l'alliance et fixent ses priorités. Il montre que son "
                "titulaire a contribué à la gouvernance d'une université européenne."
            ),
            en=(
                "This badge recognises participation in the EUNICE General Assembly, where "
                "representatives of the member universities, students and staff alike, "
                "review the alliance's work and set its priorities. It shows that its holder "
                "has contributed to the governance of a European University."
            ),
        ),
        criteria=_localized(
            fr=(
                "Être inscrit comme délégué ou participant à une Assemblée générale d'EUNICE "
                "et assister à ses séances. Prendre part à au moins un groupe de travail ou à "
                "un vote pendant l'assemblée. L'équipe de coordination de l'alliance attribue "
                "le badge à partir des feuilles de présence."
            ),
            en=(
                "Register as a delegate or participant for a EUNICE General Assembly and "
                "attend its sessions. Take part in at least one working group or vote during "
                "the assembly. The alliance's coordination team awards the badge from the "
                "attendance records."
            ),
        ),
        tags=("eunice", "governance", "european-universities", "event"),
        status="published",
        art=BadgeArt(primary=EUNICE_INDIGO, secondary="#2bb3c0", glyph="people"),
    ),
)

ACHIEVEMENTS: tuple[AchievementSeed, ...] = UPHF_ACHIEVEMENTS + ALLIANCE_ACHIEVEMENTS

DEMO_PEOPLE: tuple[PersonSeed, ...] = (
    PersonSeed(
        given_name="Camille",
        family_name="Lefebvre",
        email="camille.lefebvre@example.org",
        tenant_slug="uphf",
        job_title="Digital service, badge programme manager",
        tenant_roles=("admin", "editor", "approver", "issuer"),
    ),
    PersonSeed(
        given_name="Thomas",
        family_name="Girard",
        email="thomas.girard@example.org",
        tenant_slug="uphf",
        job_title="Pedagogical engineering, badge approver",
        tenant_roles=("approver",),
    ),
    PersonSeed(
        given_name="Élise",
        family_name="Vandamme",
        email="elise.vandamme@example.org",
        tenant_slug="uphf",
        job_title="EUNICE office, alliance coordinator",
        is_alliance_admin=True,
    ),
    PersonSeed(
        given_name="Inès",
        family_name="Marchand",
        email="ines.marchand@example.org",
        tenant_slug="uphf",
        job_title="Student, bachelor's degree in sports science",
    ),
    PersonSeed(
        given_name="Lucas",
        family_name="Dubreuil",
        email="lucas.dubreuil@example.org",
        tenant_slug="uphf",
        job_title="Student, engineering degree in mechanical engineering",
    ),
    PersonSeed(
        given_name="Sofia",
        family_name="Moreau",
        email="sofia.moreau@example.org",
        tenant_slug="uphf",
        job_title="Student, master's degree in digital marketing",
    ),
)

DEMO_AWARDS: tuple[AwardSeed, ...] = (
    AwardSeed("high-level-athlete", "uphf", "ines.marchand@example.org"),
    AwardSeed("cap-campus", "uphf", "ines.marchand@example.org"),
    AwardSeed("climate-fresk", "uphf", "ines.marchand@example.org", level="participant"),
    # Inès also studied at Cantabria, so her backpack contains badges of two universities.
    AwardSeed("i-support-eunice", "unican", "ines.marchand@example.org"),
    AwardSeed("project-management", "uphf", "lucas.dubreuil@example.org"),
    AwardSeed("environmental-footprint-eco-design", "uphf", "lucas.dubreuil@example.org"),
    AwardSeed("open-badge-workshop", "uphf", "lucas.dubreuil@example.org"),
    AwardSeed("professional-image-social-networks", "uphf", "sofia.moreau@example.org"),
    AwardSeed("i-support-eunice", "uphf", "sofia.moreau@example.org"),
    AwardSeed("general-assembly", "uphf", "elise.vandamme@example.org"),
)
