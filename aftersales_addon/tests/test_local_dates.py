# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Business dates are the company's local dates (R30, R32, R52), whatever
the user, the cron user or the server's time zone: the demo company works
in Asia/Shanghai (UTC+8), so 07:30 there is 23:30 UTC the day before."""
from datetime import date, datetime
from unittest.mock import patch

from odoo import fields

from .test_warranty import WarrantyCase

NOW = 'odoo.addons.aftersales_addon.models.common.res_company._utcnow'
# 07:30 in Beijing on 8 March 2026 is 23:30 UTC on 7 March
EARLY_MORNING_UTC = datetime(2026, 3, 7, 23, 30)


class TestLocalDates(WarrantyCase):

    @classmethod
    def setUpClass(cls):
        super(TestLocalDates, cls).setUpClass()
        cls.company.partner_id.tz = 'Asia/Shanghai'
        # a user in another time zone: the company's zone decides
        cls.users['cs'].tz = 'Europe/Paris'
        cls.users['finance'].tz = 'America/New_York'

    def test_helper_converts_with_the_company_zone(self):
        self.assertEqual(self.company._aftersales_local_date(
            '2026-01-31 23:00:00'), date(2026, 2, 1))
        self.assertEqual(self.company._aftersales_local_date(
            '2026-01-31 15:59:59'), date(2026, 1, 31))
        with patch(NOW, return_value=EARLY_MORNING_UTC):
            self.assertEqual(self.company._aftersales_today(),
                             date(2026, 3, 8))
        self.company.partner_id.tz = False
        self.assertEqual(self.company._aftersales_local_date(
            '2026-01-31 23:00:00'), date(2026, 1, 31))

    def test_delivery_before_eight_keeps_its_day_of_warranty(self):
        """R30: delivered at 07:00 on 1 February (23:00 UTC on 31 January):
        the warranty starts on 1 February, and the last free day of the
        36 months is 31 January three years later, not 30 January."""
        lot = self.env['stock.production.lot'].create(
            {'name': 'TZ-0001', 'product_id': self.unit_product.id})
        self.deliver(lot, datetime(2026, 1, 31, 23, 0))
        status = lot._warranty_status(date(2029, 1, 31))[lot.id]
        self.assertEqual(status['start'], date(2026, 2, 1))
        self.assertEqual(status['state'], 'in')
        self.assertEqual(status['tier'], self.tier0)
        status = lot._warranty_status(date(2029, 2, 1))[lot.id]
        self.assertEqual(status['tier'], self.tier1)

    def test_early_morning_request_fails_on_its_local_day(self):
        """R30/R32: a request received at 07:30 local time reports the
        failure that day; the repair order made from it agrees with one
        made directly at the same moment."""
        ticket = self.create_ticket(received_date=fields.Datetime.to_string(
            EARLY_MORNING_UTC))
        repair = self.create_repair(ticket)
        self.assertEqual(repair.failure_date, '2026-03-08')
        with patch(NOW, return_value=EARLY_MORNING_UTC):
            direct = self.env['mrp.repair'].sudo(self.users['cs']).create({
                'product_id': self.unit_product.id,
                'product_uom': self.unit_product.uom_id.id,
                'partner_id': self.customer.id,
                'location_id': self.stock_location.id,
                'location_dest_id': self.stock_location.id})
        self.assertEqual(direct.failure_date, '2026-03-08')

    def test_quality_failure_window_counts_local_days(self):
        """R32: delivered at 10:00 local on 1 March, the request comes at
        07:30 local on 9 March (23:30 UTC on the 8th): the 8th day, a
        quality failure, not dead on arrival (7 days)."""
        lot = self.env['stock.production.lot'].create(
            {'name': 'TZ-0002', 'product_id': self.unit_product.id})
        self.deliver(lot, datetime(2026, 3, 1, 2, 0))
        ticket = self.create_ticket(
            lot_id=lot.id, received_date='2026-03-08 23:30:00')
        repair = self.create_repair(ticket)
        self.assertEqual(repair.failure_date, '2026-03-09')
        repair.sudo(self.users['tech1']).action_validate()
        self.assertEqual(repair.warranty_start_date, '2026-03-01')
        self.assertEqual(repair.warranty_early_failure, 'quality')

    def test_vouch_date_and_ageing_are_company_days(self):
        """R52: a receivable vouched at 07:30 local is dated that local day
        for Finance in New York too, and the ageing job's "today" is the
        company's."""
        repair = self.create_repair()
        repair.sudo(self.users['cs']).failure_date = '2030-01-01'
        self.env['mrp.repair.line'].sudo(self.users['tech1']).create(
            self.part_line_vals(repair))
        repair.sudo(self.users['tech1']).action_validate()
        with patch(NOW, return_value=EARLY_MORNING_UTC):
            receivable = self.release(repair)
        self.assertEqual(receivable.date, '2026-03-08')
        self.assertEqual(receivable.move_ids.mapped('date'), ['2026-03-08'])
        Receivable = self.env['aftersales.technician.receivable']
        days = self.company.aftersales_receivable_deduction_days
        vouched = date(2026, 3, 8)
        # deducted once more than ``days`` local days have passed
        due_day = date.fromordinal(vouched.toordinal() + days + 1)
        utc_day_before = date.fromordinal(due_day.toordinal() - 1)
        afternoon = datetime.combine(utc_day_before, datetime.min.time()) \
            .replace(hour=15)  # 23:00 local, still the day before
        with patch(NOW, return_value=afternoon):
            deducted = Receivable._age_receivables().filtered(
                lambda m: m.receivable_id == receivable)
        self.assertFalse(deducted)
        late = afternoon.replace(hour=23, minute=30)  # 07:30 local
        with patch(NOW, return_value=late):
            deducted = Receivable._age_receivables().filtered(
                lambda m: m.receivable_id == receivable)
        self.assertTrue(deducted)
        self.assertEqual(deducted.date, fields.Date.to_string(due_day))
