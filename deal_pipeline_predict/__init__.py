from . import models


def post_init_hook(env):
    """The first models, so that open deals have a predicted probability from the start."""
    env["deal.win.model"]._cron_retrain()


def uninstall_hook(env):
    """Weighted amounts go back to the stage's probability before the predictions go."""
    env["res.company"].search([("deal_weight_by_prediction", "=", True)]).deal_weight_by_prediction = False
    env.flush_all()
