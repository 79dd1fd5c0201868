from . import models, wizard


def uninstall_hook(env):
    """The opportunities that their conversion archived come back to CRM as they were."""
    env["crm.lead"]._deal_restore_archived()
