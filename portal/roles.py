"""The portal's roles, named once. Each is a Django group created by a migration."""

ANALYST = "analyst"
OFFICER = "officer"
PARTNER = "partner"
GOVERNANCE = "governance lead"
ADMINISTRATOR = "administrator"

ALL_ROLES = [ANALYST, OFFICER, PARTNER, GOVERNANCE, ADMINISTRATOR]

# Model-level permissions each role holds ("app_label.codename").
ROLE_PERMISSIONS = {
    # Restricted nominals are not in any role: they are granted one by one
    # (nominals.permissions.nominal_access_grant).
    ANALYST: [
        "ingestion.view_record",
        "ingestion.add_upload",
        "ingestion.view_upload",
        "nominals.view_nominal",
        "nominals.view_group",
        "scoring.view_harmscore",
        "scoring.view_measure",
        "sectors.view_area",
    ],
    OFFICER: [
        "scoring.view_harmscore",
        "scoring.view_measure",
        "sectors.view_area",
    ],
    # Partners get object permissions on their own organisation's uploads only.
    PARTNER: ["ingestion.add_upload"],
    GOVERNANCE: ["portal.view_auditevent"],
    ADMINISTRATOR: [
        "sectors.add_area",
        "sectors.change_area",
        "sectors.view_area",
        "scoring.add_measure",
        "scoring.change_measure",
        "scoring.view_measure",
        "scoring.view_cssedition",
        "scoring.change_cssedition",
        "scoring.view_offencetype",
        "scoring.view_offenceweight",
        "portal.view_organisation",
        "portal.add_organisation",
        "portal.change_organisation",
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
        "auth.view_group",
    ],
}


def roles_of(user) -> set[str]:
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_role_names", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True)) & set(ALL_ROLES)
        user._role_names = cached
    return cached


def has_role(user, *roles: str) -> bool:
    return bool(roles_of(user) & set(roles))
