# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import threading

import odoo
from odoo import _, api, fields, models, tools
from odoo.addons.bus.models.bus import json_dump
from odoo.addons.mail.models.mail_template import (
    format_amount, format_date, format_tz, mako_template_env)
from odoo.tools import formataddr, html_escape

FINANCE_GROUP = 'aftersales_addon.group_aftersales_finance'
# like Odoo's notification of a message: more emails than this wait for the
# mail queue instead of being sent right after the commit
SEND_NOW_MAX = 50


def in_lang(record, lang, message):
    """``message(record)`` with ``record`` read in ``lang``: the ``_()``
    inside ``message`` (a ``lambda self: _(...)``) then speaks the language
    of the person the text is for, not that of the user or the scheduled
    action that writes it."""
    return message(record.with_context(lang=lang or 'en_US'))


class AftersalesActivityMixin(models.AbstractModel):
    """The to-dos the after-sales documents give to the people who act on
    them (Odoo 11's ``mail.activity.mixin`` has no ``activity_schedule``).
    Each to-do has a key, and the step that completes the work closes the
    to-dos of its key."""

    _name = 'aftersales.activity.mixin'
    _description = 'After-sales to-dos'

    @api.multi
    def _aftersales_schedule_activity(self, users, summary, note=None,
                                      deadline=None, key=None):
        """A to-do on each record for each of ``users``, in the recipient's
        language: ``summary`` and ``note`` are text, or functions of the
        record read in that language (so that their ``_()`` speaks it).

        What Odoo's ``mail.activity.create`` does, set-based (one INSERT of
        the to-dos, one of the new followers, one of the bus notices,
        whatever the number of records and users): the assigned users
        follow the record (default subtypes), and those whose to-do is due
        today get the "activity updated" notice. The person who schedules
        is not subscribed.
        sudo: the user or the scheduled action whose work makes the to-do
        due may not act for the people who receive it."""
        return self._aftersales_schedule_activities(
            [(record, user) for user in users for record in self],
            summary, note=note, deadline=deadline, key=key)

    @api.model
    def _aftersales_schedule_activities(self, pairs, summary, note=None,
                                        deadline=None, key=None):
        """A to-do on ``record`` for ``user``, for each (record, user) of
        ``pairs`` (records of this model): see
        ``_aftersales_schedule_activity``."""
        Activity = self.env['mail.activity'].sudo()
        records = self.browse(sorted(set(
            record.id for record, _user in pairs)))
        if not records:
            return Activity
        users = self.env['res.users'].browse(sorted(set(
            user.id for _record, user in pairs)))
        activity_type = self.env.ref('mail.mail_activity_data_todo')
        names = dict(records.sudo().name_get())
        today = fields.Date.context_today(self)
        if deadline:
            deadline = deadline if isinstance(deadline, str) else \
                fields.Date.to_string(deadline)
        else:
            deadline = today
        note_field = Activity._fields['note']
        res_ids, res_names, summaries, notes, user_ids = [], [], [], [], []
        # the records read in each recipient's language (prefetched
        # together)
        local_records = dict(
            (lang, dict((local.id, local) for local in
                        records.with_context(lang=lang)))
            for lang in set(user.lang or 'en_US' for user in users))
        for record, user in pairs:
            local = local_records[user.lang or 'en_US'][record.id]
            res_ids.append(local.id)
            res_names.append(names.get(local.id))
            summaries.append(summary(local) if callable(summary)
                             else summary)
            text = (note(local) if callable(note) else note) or ''
            notes.append(note_field.convert_to_column(text, Activity))
            user_ids.append(user.id)
        cr = self.env.cr
        cr.execute("""
            INSERT INTO mail_activity
                   (res_id, res_model_id, res_model, res_name,
                    activity_type_id, summary, note, date_deadline, user_id,
                    aftersales_key, create_uid, create_date, write_uid,
                    write_date)
            SELECT a.res_id, %(model_id)s, %(model)s, a.res_name, %(type)s,
                   a.summary, a.note, %(deadline)s, a.user_id, %(key)s,
                   %(uid)s, now() at time zone 'UTC',
                   %(uid)s, now() at time zone 'UTC'
              FROM unnest(%(res_ids)s::int[], %(names)s::varchar[],
                          %(summaries)s::varchar[], %(notes)s::text[],
                          %(users)s::int[])
                   AS a(res_id, res_name, summary, note, user_id)
         RETURNING id
        """, {'model_id': self.env['ir.model']._get(self._name).id,
              'model': self._name, 'type': activity_type.id,
              'deadline': deadline, 'key': key, 'uid': self.env.uid,
              'res_ids': res_ids, 'names': res_names,
              'summaries': summaries, 'notes': notes, 'users': user_ids})
        activities = Activity.browse([row[0] for row in cr.fetchall()])
        partners = dict((user.id, user.partner_id.id) for user in users)
        records._aftersales_add_followers(
            res_ids, [partners[user_id] for user_id in user_ids])
        if deadline <= today:
            self._aftersales_bus_sendmany([
                [(cr.dbname, 'res.partner', partner_id),
                 {'type': 'activity_updated', 'activity_created': True}]
                for partner_id in sorted(set(partners.values()))])
        Activity.invalidate_cache()
        records.invalidate_cache(ids=records.ids)
        return activities

    @api.multi
    def _aftersales_add_followers(self, res_ids, partner_ids):
        """``partner_ids[i]`` follows record ``res_ids[i]`` of this model
        with the model's default subtypes, unless it follows it already: one
        statement."""
        subtypes = self.env['mail.message.subtype'].default_subtypes(
            self._name)[0]
        self.env.cr.execute("""
            WITH new AS (
                INSERT INTO mail_followers (res_model, res_id, partner_id)
                SELECT DISTINCT %(model)s, f.res_id, f.partner_id
                  FROM unnest(%(res_ids)s::int[], %(partners)s::int[])
                       AS f(res_id, partner_id)
                    ON CONFLICT DO NOTHING
             RETURNING id
            )
            INSERT INTO mail_followers_mail_message_subtype_rel
                   (mail_followers_id, mail_message_subtype_id)
            SELECT new.id, s.id
              FROM new CROSS JOIN unnest(%(subtypes)s::int[]) AS s(id)
        """, {'model': self._name, 'res_ids': list(res_ids),
              'partners': list(partner_ids), 'subtypes': subtypes.ids})
        self.env['mail.followers'].invalidate_cache()

    @api.model
    def _aftersales_bus_sendmany(self, notifications):
        """``bus.bus.sendmany`` in one INSERT: the long-polling clients are
        woken up after the commit."""
        if not notifications:
            return
        cr = self.env.cr
        cr.execute("""
            INSERT INTO bus_bus (channel, message, create_uid, create_date,
                                 write_uid, write_date)
            SELECT b.channel, b.message, %(uid)s, now() at time zone 'UTC',
                   %(uid)s, now() at time zone 'UTC'
              FROM unnest(%(channels)s::varchar[], %(messages)s::varchar[])
                   AS b(channel, message)
        """, {'uid': self.env.uid,
              'channels': [json_dump(channel)
                           for channel, _msg in notifications],
              'messages': [json_dump(message)
                           for _channel, message in notifications]})
        channels = []
        for channel, _msg in notifications:
            if list(channel) not in channels:
                channels.append(list(channel))

        def notify():
            with odoo.sql_db.db_connect('postgres').cursor() as pg_cr:
                pg_cr.execute('notify imbus, %s', (json_dump(channels),))
        cr.after('commit', notify)

    @api.model
    def _aftersales_post_notices(self, records, bodies, partners,
                                 subtype='mail.mt_comment',
                                 activity_types=None):
        """Post ``bodies[i]`` (text, already in its reader's language) on
        ``records[i]`` (any ``mail.thread`` model) for the partners
        ``partners[i]``: what ``message_post(body, partner_ids, subtype)``
        does one record at a time, done set-based (a fixed number of
        statements whatever the number of records). The recipients are the
        partners given and the followers of the record for the subtype,
        the author excepted; each gets the notice like Odoo's notification
        does: users who read in Odoo (notification type "inbox") in their
        Inbox, with the bus notice, the others by email (one email per
        message, queued, then sent after the commit like Odoo's when there
        are few). ``activity_types[i]``: the type of the to-do the message
        marks done, if any. Returns the messages."""
        Message = self.env['mail.message'].sudo()
        if not records:
            return Message
        cr = self.env.cr
        model = records._name
        subtype = self.env.ref(subtype)
        # the author is the user posting (the scheduled action's user); a
        # user without an address writes from the system's
        author = self.env.user.partner_id
        email_from = formataddr((author.name, author.email)) \
            if author.email else Message._get_default_from()
        reply_to = self.env[model].message_get_reply_to(
            records.ids, default=email_from)
        names = dict(records.sudo().name_get())
        # the followers of the records: those notified for the subtype
        # (employees only for an internal subtype, as Odoo's notification
        # does), and who follows at all (the email's Follow / Unfollow)
        cr.execute("""
            SELECT f.res_id, f.partner_id,
                   COALESCE(bool_or(r.mail_message_subtype_id
                                    = %(subtype)s), false)
                   AND (NOT %(internal)s OR EXISTS (
                        SELECT 1
                          FROM res_users u
                          JOIN res_groups_users_rel g ON g.uid = u.id
                         WHERE u.partner_id = f.partner_id AND u.active
                           AND g.gid = %(employees)s))
              FROM mail_followers f
              LEFT JOIN mail_followers_mail_message_subtype_rel r
                ON r.mail_followers_id = f.id
             WHERE f.res_model = %(model)s AND f.res_id = ANY(%(ids)s)
               AND f.partner_id IS NOT NULL
          GROUP BY f.res_id, f.partner_id
        """, {'model': model, 'ids': records.ids, 'subtype': subtype.id,
              'internal': bool(subtype.internal),
              'employees': self.env.ref('base.group_user').id})
        followers, following = {}, set()
        for res_id, partner_id, notified in cr.fetchall():
            following.add((res_id, partner_id))
            if notified:
                followers.setdefault(res_id, set()).add(partner_id)
        body_field = Message._fields['body']
        rows = []
        activity_types = activity_types or [None] * len(records)
        for record, body, given, activity_type in zip(
                records, bodies, partners, activity_types):
            recipients = (set(given.ids) | followers.get(record.id, set())) \
                - set(author.ids)
            rows.append({
                'model': model,
                'res_id': record.id,
                'body': body_field.convert_to_column(body, Message),
                'record_name': names.get(record.id),
                'reply_to': reply_to.get(record.id) or email_from,
                'message_id': tools.generate_tracking_message_id(
                    '%s-%s' % (record.id, model)),
                'given': sorted(set(given.ids)),
                'activity_type': activity_type or None,
                'recipients': sorted(recipients),
            })
        # who reads in Odoo, who by email (Odoo: the users' notification
        # type; the author's address is never written to)
        everyone = sorted(set(p for row in rows for p in row['recipients']))
        cr.execute("""
            SELECT p.id, p.email,
                   COALESCE(bool_or(u.notification_type = 'inbox'), false),
                   p.lang,
                   -- Odoo's "user" recipients: users, none of them shared
                   COUNT(u.id) > 0 AND NOT COALESCE(bool_or(u.share), false)
              FROM res_partner p
              LEFT JOIN res_users u ON u.partner_id = p.id AND u.active
             WHERE p.id = ANY(%s)
          GROUP BY p.id, p.email
        """, (everyone,))
        by_email, inbox, readers = set(), set(), {}
        for partner_id, email, reads_inbox, lang, user in cr.fetchall():
            readers[partner_id] = (lang, user)
            if reads_inbox:
                inbox.add(partner_id)
            elif email and email != (author.email or email_from):
                by_email.add(partner_id)
        for row in rows:
            row['emails'] = [p for p in row['recipients'] if p in by_email]
            # the email's subject, as Odoo's notification template makes it
            row['subject'] = row['emails'] and row['record_name'] and \
                'Re: %s' % row['record_name'] or None
        now = fields.Datetime.now()
        cr.execute("""
            INSERT INTO mail_message
                   (subject, date, body, model, res_id, record_name,
                    message_type, subtype_id, mail_activity_type_id,
                    email_from, author_id, message_id, reply_to,
                    create_uid, create_date, write_uid, write_date)
            SELECT m.subject, %(now)s, m.body, %(model)s, m.res_id,
                   m.record_name, 'notification', %(subtype)s,
                   m.activity_type, %(email_from)s, %(author)s,
                   m.message_id, m.reply_to,
                   %(uid)s, %(now)s, %(uid)s, %(now)s
              FROM unnest(%(subjects)s::varchar[], %(bodies)s::text[],
                          %(res_ids)s::int[], %(names)s::varchar[],
                          %(message_ids)s::varchar[], %(reply_tos)s::varchar[],
                          %(activity_types)s::int[])
                   AS m(subject, body, res_id, record_name, message_id,
                        reply_to, activity_type)
         RETURNING message_id, id
        """, {'now': now, 'model': model, 'subtype': subtype.id,
              'email_from': email_from, 'author': author.id,
              'uid': self.env.uid,
              'subjects': [row['subject'] for row in rows],
              'bodies': [row['body'] for row in rows],
              'res_ids': [row['res_id'] for row in rows],
              'names': [row['record_name'] for row in rows],
              'message_ids': [row['message_id'] for row in rows],
              'reply_tos': [row['reply_to'] for row in rows],
              'activity_types': [row['activity_type'] for row in rows]})
        ids = dict(cr.fetchall())
        for row in rows:
            row['id'] = ids[row['message_id']]
        pairs = [(row['id'], p) for row in rows for p in row['given']]
        cr.execute("""
            INSERT INTO mail_message_res_partner_rel
                   (mail_message_id, res_partner_id)
            SELECT * FROM unnest(%s::int[], %s::int[])
        """, ([m for m, _p in pairs], [p for _m, p in pairs]))
        # the notifications: those sent by email are read (Odoo's rule)
        notes = [(row['id'], p, p in by_email)
                 for row in rows for p in row['recipients']]
        cr.execute("""
            INSERT INTO mail_message_res_partner_needaction_rel
                   (mail_message_id, res_partner_id, is_read, is_email,
                    email_status)
            SELECT n.message, n.partner, n.by_email, n.by_email, 'ready'
              FROM unnest(%s::int[], %s::int[], %s::bool[])
                   AS n(message, partner, by_email)
        """, ([n[0] for n in notes], [n[1] for n in notes],
              [n[2] for n in notes]))
        # one email per message and kind of reader (Odoo's notification:
        # users get the View and Follow / Unfollow buttons, followers or
        # not; others none), laid out in the reader's language
        mails = []
        for row in rows:
            kinds = {}
            for partner_id in row['emails']:
                lang, user = readers[partner_id]
                key = (user, user and (row['res_id'], partner_id) in following,
                       lang or 'en_US')
                kinds.setdefault(key, []).append(partner_id)
            for (user, follows, lang), partner_ids in sorted(kinds.items()):
                mails.append({'row': row, 'user': user, 'follows': follows,
                              'lang': lang, 'partners': partner_ids})
        if mails:
            self._aftersales_insert_notice_mails(mails, now)
        mail_ids = [mail['id'] for mail in mails]
        messages = Message.browse([row['id'] for row in rows])
        records.invalidate_cache(ids=records.ids)
        Message.invalidate_cache()
        # who reads in Odoo sees the message arrive in their Inbox
        chat = [row for row in rows
                if any(p in inbox for p in row['recipients'])]
        if chat:
            formatted = dict((values['id'], values) for values in
                             Message.browse([row['id'] for row in chat])
                             .message_format())
            self._aftersales_bus_sendmany([
                [(cr.dbname, 'ir.needaction', p), dict(formatted[row['id']])]
                for row in chat for p in row['recipients'] if p in inbox])
        self._aftersales_send_after_commit(mail_ids)
        return messages

    @api.model
    def _aftersales_insert_notice_mails(self, mails, now):
        """The emails of ``mails`` (see ``_aftersales_post_notices``), laid
        out, in two statements."""
        self._aftersales_notice_layout(mails)
        cr = self.env.cr
        cr.execute(
            "SELECT nextval('mail_mail_id_seq') FROM generate_series(1, %s)",
            (len(mails),))
        for mail, (mail_id,) in zip(mails, cr.fetchall()):
            mail['id'] = mail_id
        cr.execute("""
            WITH mail AS (
                INSERT INTO mail_mail
                       (id, mail_message_id, body_html, notification, state,
                        auto_delete, create_uid, create_date, write_uid,
                        write_date)
                SELECT e.id, e.message, e.body, true, 'outgoing', true,
                       %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM unnest(%(ids)s::int[], %(messages)s::int[],
                              %(bodies)s::text[])
                       AS e(id, message, body)
            )
            INSERT INTO mail_mail_res_partner_rel
                   (mail_mail_id, res_partner_id)
            SELECT * FROM unnest(%(rel_mails)s::int[],
                                 %(rel_partners)s::int[])
        """, {'uid': self.env.uid, 'now': now,
              'ids': [mail['id'] for mail in mails],
              'messages': [mail['row']['id'] for mail in mails],
              'bodies': [mail['body'] for mail in mails],
              'rel_mails': [mail['id'] for mail in mails
                            for _p in mail['partners']],
              'rel_partners': [p for mail in mails
                               for p in mail['partners']]})

    @api.model
    def _aftersales_notice_layout(self, mails):
        """The body of each email of ``mails`` (dicts: ``row`` the message
        row, ``user`` whether the readers are users, ``follows`` whether
        they follow the record, ``lang``), laid out like Odoo 11's
        notification of a message (``mail_template_data_notification_\
email_default``: the View and Follow / Unfollow buttons for users, the
        author's signature, the company's footer). The template is read and
        compiled once per language; each email is then rendered from the
        records already read."""
        if not mails:
            return
        model = mails[0]['row']['model']
        Message = self.env['mail.message'].sudo()
        messages = Message.browse([mail['row']['id'] for mail in mails])
        # iterated, not browsed one by one: read together (prefetch)
        records = dict((record.id, record) for record in self.env[
            model].sudo().browse([mail['row']['res_id'] for mail in mails]))
        template = self.env.ref(
            'mail.mail_template_data_notification_email_default')
        user = self.env.user
        author = user.partner_id
        signature = user.signature or (
            '<p>-- <br/>%s</p>' % html_escape(author.name or ''))
        website = user.company_id.website
        if website and not website.lower().startswith(('http:', 'https:')):
            website = 'http://%s' % website
        thread = self.env['mail.thread']
        by_lang = {}
        for lang in set(mail['lang'] for mail in mails):
            local = template.with_context(lang=lang)
            by_lang[lang] = {
                'template': mako_template_env.from_string(
                    tools.ustr(local.body_html)),
                'model_name': self.env['ir.model'].with_context(
                    lang=lang)._get(model).display_name,
                'labels': in_lang(self, lang, lambda self: (
                    _('View %s'), _('Follow'), _('Unfollow'))),
                'messages': dict((message.id, message) for message in
                                 messages.with_context(lang=lang)),
            }
        comment = self.env.ref('mail.mt_comment')
        for mail in mails:
            row = mail['row']
            local = by_lang[mail['lang']]
            view, follow, unfollow = local['labels']
            record = records[row['res_id']]
            message = local['messages'][row['id']]
            company = record.company_id if 'company_id' in record._fields \
                and record.company_id else user.company_id
            user_links = mail['user']
            ctx = dict(self.env.context, **{
                'signature': signature,
                'website_url': website or False,
                'company': company,
                'company_name': company.name,
                'model_name': local['model_name'],
                'record': record,
                'record_name': row['record_name'],
                'tracking': [],
                'is_discussion': message.subtype_id == comment,
                'subtype': message.subtype_id,
                'actions': [],
                'has_button_access': user_links,
                'button_access': {
                    'url': thread._notification_link_helper(
                        'view', message_id=row['id']),
                    'title': view % local['model_name']},
                'has_button_follow': user_links and not mail['follows'],
                'button_follow': {
                    'url': thread._notification_link_helper(
                        'follow', model=model, res_id=row['res_id']),
                    'title': follow},
                'has_button_unfollow': user_links and mail['follows'],
                'button_unfollow': {
                    'url': thread._notification_link_helper(
                        'unfollow', model=model, res_id=row['res_id']),
                    'title': unfollow},
            })
            body = local['template'].render({
                'format_date': lambda date, format=False: format_date(
                    self.env, date, format),
                'format_tz': lambda dt, tz=False, format=False: format_tz(
                    self.env, dt, tz, format),
                'format_amount': lambda amount, currency: format_amount(
                    self.env, amount, currency),
                'user': user,
                'ctx': ctx,
                'object': message,
            })
            # sanitized, as Odoo's generate_email gives it
            mail['body'] = tools.html_sanitize(
                template.render_post_process(body))

    @api.model
    def _aftersales_send_after_commit(self, mail_ids):
        """Send the emails once the transaction is committed, like Odoo's
        notification does; many wait for the mail queue."""
        testing = getattr(threading.currentThread(), 'testing', False)
        if not mail_ids or testing or len(mail_ids) > SEND_NOW_MAX or \
                self.pool._init:
            return
        dbname = self.env.cr.dbname
        context = dict(self.env.context)

        def send():
            with api.Environment.manage(), \
                    odoo.registry(dbname).cursor() as send_cr:
                env = api.Environment(send_cr, odoo.SUPERUSER_ID, context)
                env['mail.mail'].browse(mail_ids).exists().send()
        self.env.cr.after('commit', send)

    @api.multi
    def _aftersales_close_activities(self, keys, users=None):
        """Mark done the to-dos of ``keys`` on these records (of ``users``
        only, when given): the step that completes the work closes them.
        sudo: the step's user closes the to-dos of the people it freed."""
        if not self.ids:
            return
        domain = [('res_model', '=', self._name),
                  ('res_id', 'in', self.ids),
                  ('aftersales_key', 'in', list(keys))]
        if users is not None:
            domain.append(('user_id', 'in', users.ids))
        activities = self.env['mail.activity'].sudo().search(domain)
        if not activities:
            return
        # Odoo's "marked as done" message of each to-do, signed by the user
        # whose step completed the work, posted for all at once
        view = self.env.ref('mail.message_activity_done')
        bodies = []
        for activity in activities:
            body = view.render({'activity': activity}, engine='ir.qweb')
            bodies.append(body.decode() if isinstance(body, bytes) else body)
        self._aftersales_post_notices(
            self.sudo().browse(activities.mapped('res_id')), bodies,
            [self.env['res.partner']] * len(activities),
            subtype='mail.mt_activities',
            activity_types=[activity.activity_type_id.id
                            for activity in activities])
        activities.unlink()

    @api.model
    def _aftersales_finance_users(self, company):
        """The Finance department's users working for ``company``."""
        return self.env.ref(FINANCE_GROUP).users.filtered(
            lambda u: company in u.company_ids)
