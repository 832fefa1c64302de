"""Who may see and act on the scoring pipeline's state."""
from portal import roles


def can_manage_scoring_runs(user) -> bool:
    """Analysts and administrators see failed scoring runs and may retry them; nobody else learns of them."""
    if user is None or not user.is_authenticated:
        return False
    return roles.has_role(user, roles.ANALYST, roles.ADMINISTRATOR) or user.is_superuser
