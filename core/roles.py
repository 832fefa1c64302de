"""The portal's roles and the permissions each holds, named once.

A role is a Django group. What a role may do is decided by its permissions alone: the code checks
``user.has_perm(...)`` (through the ``permissions.py`` of the app that owns each one), never a
group's name. A change here is applied to existing databases by a data migration that states the
new bundles itself (as ``core/migrations/0002_roles_checked_by_permission.py`` does), and
``core/tests/test_roles.py`` fails until the database's groups hold exactly these bundles.
"""
ANALYST = "analyst"
OFFICER = "officer"
PARTNER = "partner"
GOVERNANCE = "governance lead"
ADMINISTRATOR = "administrator"

ALL_ROLES = [ANALYST, OFFICER, PARTNER, GOVERNANCE, ADMINISTRATOR]

# "app_label.codename" of each permission, and what it opens (checked where named).
RANKINGS = "scoring.view_harmscore"            # rankings, maps, area pages, themes (scoring.permissions)
DEMAND = "scoring.view_demand"                 # demand figures and their export (scoring.permissions)
SCORING_RUNS = "scoring.change_scoringrun"     # see failed scoring runs and retry them (scoring.permissions)
ALL_RECORDS = "records.view_record"            # raw records of every area (records.permissions)
NOMINALS = "nominals.view_nominal"             # research nominals (nominals.permissions)
GROUPS = "nominals.view_group"                 # research groups (nominals.permissions)
UPLOAD = "ingestion.add_upload"                # send files (ingestion.permissions)
ALL_UPLOADS = "ingestion.view_upload"          # every upload, not only one's organisation's (ingestion.selectors)
AUDIT = "core.view_auditevent"                 # the audit trail (core.permissions)
ACTIVITIES = "tasking.view_activity"           # the activity register and activity on area pages (tasking.permissions)
RECORD_ACTIVITY = "tasking.add_activity"       # enter and edit activities (tasking.permissions)
PACKS = "tasking.view_taskingpack"             # tasking packs and their actions (tasking.permissions)
PREPARE_PACK = "tasking.add_taskingpack"       # prepare a pack and record its actions (tasking.permissions)
EXPORT_PACK = "tasking.export_taskingpack"     # a pack as PDF and XLSX (tasking.permissions)
CHANGE_ACTIONS = "tasking.change_action"       # update any action; an owner may update their own (tasking.permissions)
IMPACT = "tasking.view_impact"                 # impact of activity and of referrals (tasking.permissions)

ROLE_PERMISSIONS = {
    # Restricted nominals are in no role: they are granted one by one (nominals.services).
    # Analysts are also the force's tasking leads: they record activity, prepare packs, agree actions.
    ANALYST: [RANKINGS, DEMAND, SCORING_RUNS, ALL_RECORDS, NOMINALS, GROUPS, UPLOAD, ALL_UPLOADS,
              ACTIVITIES, RECORD_ACTIVITY, PACKS, PREPARE_PACK, EXPORT_PACK, CHANGE_ACTIONS, IMPACT],
    # Officers read raw records only in the sectors granted to them (records.permissions); they
    # read the packs and actions they are tasked by.
    OFFICER: [RANKINGS, ACTIVITIES, PACKS],
    # Partners see their own organisation's uploads through object permissions (ingestion.permissions).
    PARTNER: [UPLOAD],
    # Governance leads oversee what was decided and whether it worked.
    GOVERNANCE: [AUDIT, ACTIVITIES, PACKS, EXPORT_PACK, IMPACT],
    # Checked by the Django admin (is_staff is set for administrators).
    ADMINISTRATOR: [
        SCORING_RUNS,
        "sectors.add_area", "sectors.change_area", "sectors.view_area",
        "scoring.add_measure", "scoring.change_measure", "scoring.view_measure",
        "scoring.view_cssedition", "scoring.change_cssedition",
        "records.view_offencetype", "scoring.view_offenceweight", "scoring.change_offenceweight",
        "core.view_organisation", "core.add_organisation", "core.change_organisation",
        "auth.view_user", "auth.add_user", "auth.change_user", "auth.view_group",
        "api.view_apitoken", "api.add_apitoken", "api.change_apitoken",  # make and revoke API tokens (api.admin)
    ],
}


def roles_of(user) -> set[str]:
    """The names of the user's roles, for display only (access is decided by permissions)."""
    if user is None or not user.is_authenticated:
        return set()
    cached = getattr(user, "_role_names", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True)) & set(ALL_ROLES)
        user._role_names = cached
    return cached
