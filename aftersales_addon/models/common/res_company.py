# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime, timedelta

import pytz

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ...tools.working_time import NoWorkingTime, WorkingTime


def _utcnow():
    """Now, in UTC (a naive datetime, as Odoo stores datetimes); tests
    patch it to be at any hour."""
    return datetime.utcnow()


class ResCompany(models.Model):
    """Every amount, period and threshold of SPEC.md is a company setting
    with the specification's default: each pillar declares its own in its
    ``res_company.py`` (``aftersales_<pillar>_<setting>``). Here: the
    company's local dates, which every pillar uses."""

    _inherit = 'res.company'

    # ------------------------------------------------------------------
    # The company's local dates (R30, R32, R52): one helper for every
    # business date, whatever the user, the cron user or the server's zone
    # ------------------------------------------------------------------
    @api.multi
    def _aftersales_tz(self):
        """The company's time zone: its address's (Settings > Companies),
        UTC when none is set."""
        self.ensure_one()
        try:
            return pytz.timezone(self.partner_id.tz or 'UTC')
        except pytz.UnknownTimeZoneError:
            return pytz.utc

    @api.multi
    def _aftersales_local_date(self, value):
        """The company's local date (a ``date``) of ``value``, a UTC
        datetime or its string as Odoo stores it; None when empty."""
        self.ensure_one()
        if not value:
            return None
        if isinstance(value, str):
            value = fields.Datetime.from_string(value)
        if value.tzinfo is None:
            value = pytz.utc.localize(value)
        return value.astimezone(self._aftersales_tz()).date()

    @api.multi
    def _aftersales_today(self):
        """Today in the company's time zone (a ``date``)."""
        return self._aftersales_local_date(_utcnow())

    @api.multi
    def _aftersales_today_str(self):
        return fields.Date.to_string(self._aftersales_today())

    @api.multi
    def _aftersales_holidays(self, first, last):
        """The company's public holidays between ``first`` and ``last``
        (``date``s): the local dates covered by the leaves of its working
        calendar that belong to no employee (Settings > Technical > Working
        Times > Leaves). One query."""
        self.ensure_one()
        calendar = self.resource_calendar_id
        if not calendar:
            return set()
        leaves = self.env['resource.calendar.leaves'].sudo().search([
            ('calendar_id', '=', calendar.id), ('resource_id', '=', False),
            ('date_to', '>=', fields.Datetime.to_string(
                datetime.combine(first, datetime.min.time()) -
                timedelta(days=1))),
            ('date_from', '<=', fields.Datetime.to_string(
                datetime.combine(last, datetime.max.time())))])
        days = set()
        for leave in leaves:
            day = self._aftersales_local_date(leave.date_from)
            end = self._aftersales_local_date(leave.date_to)
            while day <= end:
                days.add(day)
                day += timedelta(days=1)
        return days

    @api.multi
    def _aftersales_add_working_days(self, start, days):
        """``start`` (a ``date``) plus ``days`` working days of the
        company's working calendar: its working week and its public
        holidays (R52's refund period); Monday to Friday when the company
        has no calendar with working hours."""
        self.ensure_one()
        weekdays = {int(day) for day in self.resource_calendar_id.sudo()
                    .attendance_ids.mapped('dayofweek')} or set(range(5))
        # a generous horizon: a fortnight of holidays per working day asked
        last = start + timedelta(days=days * 14 + 30)
        holidays = self._aftersales_holidays(start, last)
        current = start
        while days > 0 and current < last:
            current += timedelta(days=1)
            if current.weekday() in weekdays and current not in holidays:
                days -= 1
        return current

    # ------------------------------------------------------------------
    # Working hours (R12): the company's working calendar, hour by hour
    # ------------------------------------------------------------------
    @api.multi
    def _aftersales_working_time(self, since):
        """The company's working hours from ``since`` (naive UTC datetime
        or its string) on: the attendances of its working calendar in the
        company's time zone, less the calendar's leaves that belong to no
        employee (public holidays). Two queries; the result answers
        ``add_hours`` / ``hours_between`` in memory. No calendar, or one
        without attendances: clock hours."""
        self.ensure_one()
        if isinstance(since, str):
            since = fields.Datetime.from_string(since)
        calendar = self.resource_calendar_id.sudo()
        attendances = [
            (att.dayofweek, att.hour_from, att.hour_to,
             att.date_from and fields.Date.from_string(att.date_from),
             att.date_to and fields.Date.from_string(att.date_to))
            for att in calendar.attendance_ids]
        leaves = []
        if calendar:
            data = self.env['resource.calendar.leaves'].sudo().search_read(
                [('calendar_id', '=', calendar.id),
                 ('resource_id', '=', False),
                 ('date_to', '>=', fields.Datetime.to_string(
                     since - timedelta(days=1)))],
                ['date_from', 'date_to'])
            leaves = [(fields.Datetime.from_string(row['date_from']),
                       fields.Datetime.from_string(row['date_to']))
                      for row in data]
        return WorkingTime(self._aftersales_tz(), attendances, leaves)

    @api.multi
    def _aftersales_add_working_hours(self, start, hours, working=None):
        """``start`` (naive UTC) plus ``hours`` working hours of the
        company's calendar; ``working``: a ``WorkingTime`` already built
        for this company."""
        self.ensure_one()
        working = working or self._aftersales_working_time(start)
        try:
            return working.add_hours(start, hours)
        except NoWorkingTime:
            raise UserError(_(
                'The working calendar of %s has no working hours in the '
                'next two years: set its working hours (Settings > '
                'Companies) before deadlines can be counted.') % self.name)
