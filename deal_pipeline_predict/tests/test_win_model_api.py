from datetime import datetime, timedelta

from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger


@tagged("post_install", "-at_install")
class TestWinModelApi(HttpCase):
    """Retraining over /json/2: refused to a salesman, done for a deal administrator; nobody
    writes a predicted probability."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesman = new_test_user(cls.env, login="predict_salesman", groups="sales_team.group_sale_salesman")
        cls.manager = new_test_user(cls.env, login="predict_manager", groups="deal_pipeline.group_deal_manager")
        cls.keys = {
            user: cls.env["res.users.apikeys"]
            .with_user(user)
            ._generate(scope="rpc", name="integration", expiration_date=datetime.now() + timedelta(days=1))
            for user in (cls.salesman, cls.manager)
        }
        customer = cls.env["res.partner"].create({"name": "Predict API Customer", "is_company": True})
        cls.deal = cls.env["deal.deal"].create(
            {"name": "Predict API deal", "partner_id": customer.id, "user_id": cls.salesman.id}
        )

    def _call(self, user, model, method, **params):
        with mute_logger("odoo.http"):
            response = self.url_open(
                f"/json/2/{model}/{method}",
                json=params,
                headers={"Authorization": f"Bearer {self.keys[user]}"},
                method="POST",
            )
        return response, response.json()

    def test_a_salesman_may_not_retrain(self):
        # the models that the install trained are gone: a refused call must not bring one back
        self.env["deal.win.model"].search([]).unlink()
        response, result = self._call(self.salesman, "deal.deal", "action_retrain_win_model")
        self.assertEqual(response.status_code, 403, result)
        self.assertEqual(result["name"], "odoo.exceptions.AccessError")
        self.assertFalse(self.env["deal.win.model"].search([]))

    def test_a_deal_administrator_retrains(self):
        self.env["deal.win.model"].search([]).unlink()
        response, result = self._call(self.manager, "deal.deal", "action_retrain_win_model")
        self.assertEqual(response.status_code, 200, result)
        model = self.env["deal.win.model"].search([("company_id", "=", self.env.company.id)])
        self.assertTrue(model.date_trained)

    def test_nobody_writes_the_predicted_probability(self):
        response, result = self._call(
            self.salesman, "deal.deal", "write", ids=self.deal.ids, vals={"predicted_probability": 99.0}
        )
        self.assertEqual(response.status_code, 422, result)
        self.assertIn("predicted_probability", result["message"])
        self.assertNotEqual(self.deal.predicted_probability, 99.0)
