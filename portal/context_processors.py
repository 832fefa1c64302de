from django.conf import settings

from portal import roles


def role_flags(request):
    user = getattr(request, "user", None)
    names = roles.roles_of(user) if user is not None else set()
    return {
        "user_roles": sorted(names),
        "is_analyst": roles.ANALYST in names,
        "is_officer": roles.OFFICER in names,
        "is_partner": roles.PARTNER in names,
        "is_governance": roles.GOVERNANCE in names,
        "is_administrator": roles.ADMINISTRATOR in names or bool(user and user.is_superuser),
        "demo_mode": settings.DEMO_MODE,
    }
