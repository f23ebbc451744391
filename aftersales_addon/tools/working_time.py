# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Working hours of a company's calendar (R12).

``WorkingTime`` counts hours on a working calendar: the attendances of
``resource.calendar`` (weekday, from, to, in the company's local time) less
its leaves that belong to no employee (the public holidays, as UTC
intervals). It is built once from two queries
(``res.company._aftersales_working_time``) and then answers in memory, so
that a deadline is computed for many requests without a query each.

Datetimes in and out are naive UTC, as Odoo stores them. A calendar
without any attendance counts clock hours (round the clock).
"""
from datetime import datetime, time, timedelta

import pytz

# how far ahead a deadline is looked for: a calendar with no working hour
# in two years is a configuration error, not a deadline
HORIZON_DAYS = 731


class NoWorkingTime(ValueError):
    """The calendar has no working hour within the horizon."""


class WorkingTime(object):

    def __init__(self, tz, attendances, leaves):
        """``attendances``: (weekday 0-6, hour_from, hour_to, first day or
        None, last day or None) in local time; ``leaves``: (start, end) in
        naive UTC."""
        self.tz = tz
        self.attendances = [
            (int(day), float(hour_from), float(hour_to), first, last)
            for day, hour_from, hour_to, first, last in attendances
            if float(hour_to) > float(hour_from)]
        self.leaves = sorted((self._local(start), self._local(end))
                             for start, end in leaves if end > start)
        self._days = {}

    @property
    def round_the_clock(self):
        return not self.attendances

    def _local(self, value):
        return pytz.utc.localize(value).astimezone(self.tz).replace(
            tzinfo=None)

    def _utc(self, value):
        return self.tz.localize(value).astimezone(pytz.utc).replace(
            tzinfo=None)

    def _intervals(self, day):
        """The working intervals of the local ``day`` (a ``date``): its
        attendances less the holidays, as sorted local datetimes."""
        if day in self._days:
            return self._days[day]
        base = datetime.combine(day, time.min)
        spans = sorted(
            (base + timedelta(hours=hour_from),
             base + timedelta(hours=hour_to))
            for weekday, hour_from, hour_to, first, last
            in self.attendances
            if weekday == day.weekday() and
            (not first or first <= day) and (not last or last >= day))
        merged = []
        for start, end in spans:
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((start, end))
        day_end = base + timedelta(days=1)
        for leave_start, leave_end in self.leaves:
            if leave_start >= day_end or leave_end <= base:
                continue
            rest = []
            for start, end in merged:
                if leave_end <= start or leave_start >= end:
                    rest.append((start, end))
                    continue
                if start < leave_start:
                    rest.append((start, leave_start))
                if leave_end < end:
                    rest.append((leave_end, end))
            merged = rest
        self._days[day] = merged
        return merged

    def add_hours(self, start, hours):
        """The moment ``hours`` working hours after ``start`` (naive UTC).
        Work that ends exactly at the end of a working period ends then
        (17:00), not at the next period's start."""
        if self.round_the_clock:
            return start + timedelta(hours=hours)
        current = self._local(start)
        remaining = timedelta(hours=hours)
        day = current.date()
        for _offset in range(HORIZON_DAYS):
            for begin, end in self._intervals(day):
                if end <= current:
                    continue
                begin = max(begin, current)
                if end - begin >= remaining:
                    return self._utc(begin + remaining)
                remaining -= end - begin
            day += timedelta(days=1)
        raise NoWorkingTime()

    def hours_between(self, start, end):
        """Working hours between ``start`` and ``end`` (naive UTC), 0 when
        ``end`` is not after ``start``."""
        if end <= start:
            return 0.0
        if self.round_the_clock:
            return (end - start).total_seconds() / 3600.0
        first, last = self._local(start), self._local(end)
        total = timedelta()
        day = first.date()
        while day <= last.date():
            for begin, stop in self._intervals(day):
                begin, stop = max(begin, first), min(stop, last)
                if stop > begin:
                    total += stop - begin
            day += timedelta(days=1)
        return total.total_seconds() / 3600.0
