# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What each department meets in the web client, reached the way the
client reaches it: the views as the user's groups receive them
(``fields_view_get``), the ``onchange`` calls of the forms, the ``can_*``
flags that show or hide the buttons, the menus the user is given."""
from datetime import datetime

from lxml import etree

from odoo.exceptions import AccessError, UserError
from odoo.tools import mute_logger
from odoo.tools.safe_eval import safe_eval

from .common import AftersalesCase


def _form_values(model, **values):
    """The values the web client sends with an onchange: every field of
    the form, the defaults, then what the user typed."""
    spec = model._onchange_spec()
    result = {name: False for name in spec if '.' not in name}
    result.update(model.default_get(list(result)))
    result.update(values)
    return result, spec


class TestSerialsForDepartments(AftersalesCase):
    """The departments that handle units and parts see and enter serials."""

    def _subview_fields(self, user, model, view_type, path):
        arch = self.env[model].sudo(self.users[user]).fields_view_get(
            view_type=view_type)
        node = etree.fromstring(arch['arch'])
        return [field.get('name') for field in node.xpath(path)]

    def test_serial_columns_are_in_the_repair_form(self):
        for user in ('tech1', 'cs', 'warehouse', 'technical', 'manager'):
            view = self.env['mrp.repair'].sudo(
                self.users[user]).fields_view_get(view_type='form')
            root = etree.fromstring(view['arch'])
            self.assertTrue(root.xpath("//field[@name='lot_id']"),
                            '%s sees no serial of the unit' % user)
            lines = view['fields']['operations']['views']
            tree = etree.fromstring(lines['tree']['arch'])
            self.assertTrue(tree.xpath("//field[@name='lot_id']"),
                            '%s sees no serial column on the parts' % user)

    def test_technician_adds_a_serial_tracked_part_from_the_form(self):
        repair = self.create_repair()
        repair.sudo(self.users['tech1']).action_validate()
        Line = self.env['mrp.repair.line'].sudo(self.users['tech1'])
        values, spec = _form_values(
            Line.with_context(default_repair_id=repair.id),
            repair_id=repair.id, type='add',
            product_id=self.serial_part.id, product_uom_qty=1)
        for changed in ('type', 'product_id'):
            result = Line.onchange(values, changed, spec)['value']
            values.update({
                key: value[0] if isinstance(value, tuple) else value
                for key, value in result.items()})
        values.update(lot_id=self.battery_lot.id,
                      replace_reason='Cell failure')
        vals = {key: values[key] for key in (
            'type', 'product_id', 'name', 'product_uom_qty', 'product_uom',
            'price_unit', 'location_id', 'location_dest_id', 'lot_id',
            'replace_reason') if values.get(key) is not False}
        repair.sudo(self.users['tech1']).write(
            {'operations': [(0, 0, vals)]})
        line = repair.operations.filtered(
            lambda line: line.product_id == self.serial_part)
        self.assertEqual(line.lot_id, self.battery_lot)

    def test_part_added_in_the_phone_dialog(self):
        """The phone layout edits a part line in its form dialog: only the
        fields of that form are sent, and the line still gets its type, its
        locations, its serial and its price."""
        repair = self.create_repair()
        repair.sudo(self.users['tech1']).action_validate()
        view = self.env['mrp.repair'].sudo(
            self.users['tech1']).fields_view_get(view_type='form')
        operations = view['fields']['operations']
        dialog_fields = set(operations['views']['form']['fields'])
        self.assertIn('type', dialog_fields)
        self.assertIn('lot_id', dialog_fields)
        context = {'default_type': 'add', 'default_product_uom_qty': 1.0,
                   'default_repair_id': repair.id}
        Line = self.env['mrp.repair.line'].sudo(
            self.users['tech1']).with_context(**context)
        # the dialog's onchange spec, as the client builds it from the view
        spec = Line._onchange_spec(view_info=operations['views']['form'])
        spec.setdefault('repair_id', '')
        values = {name: False for name in spec}
        values.update(Line.default_get(list(spec)))
        values.update(repair_id=repair.id, product_id=self.serial_part.id)
        result = Line.onchange(values, 'product_id', spec)['value']
        values.update({key: value[0] if isinstance(value, tuple) else value
                       for key, value in result.items()})
        values['lot_id'] = self.battery_lot.id
        sent = {key: value for key, value in values.items()
                if key in dialog_fields and key not in (
                    'tax_id', 'move_id', 'invoice_line_id', 'invoiced',
                    'price_subtotal', 'qty_issued', 'warranty_coverage',
                    'tracking')
                and value is not False}
        repair.sudo(self.users['tech1']).write(
            {'operations': [(0, 0, sent)]})
        line = repair.operations.filtered(
            lambda line: line.product_id == self.serial_part)
        self.assertEqual(line.type, 'add')
        self.assertEqual(line.lot_id, self.battery_lot)
        self.assertTrue(line.location_id)
        self.assertEqual(line.location_dest_id.usage, 'production')
        self.assertEqual(line.price_unit, self.env['mrp.repair.line']
                         ._expected_price(repair, self.serial_part, 1.0))


class TestIntakeBySerial(AftersalesCase):

    def test_serial_alone_finds_product_and_customer(self):
        """Customer service types the serial first: the product and the
        customer it was delivered to fill themselves."""
        when = datetime(2026, 3, 2, 10, 0)
        self.deliver(self.unit_lot, when)
        Ticket = self.env['helpdesk.ticket'].sudo(self.users['cs'])
        # the serial is found without choosing the product first
        found = self.env['stock.production.lot'].sudo(
            self.users['cs']).name_search(self.unit_lot.name)
        self.assertIn(self.unit_lot.id, [row[0] for row in found])
        values, spec = _form_values(Ticket, name='No power',
                                    lot_id=self.unit_lot.id)
        result = Ticket.onchange(values, 'lot_id', spec)['value']
        self.assertEqual(result['product_id'][0], self.unit_product.id)
        self.assertEqual(result['partner_id'][0], self.customer.id)

    def test_serial_is_never_created_from_the_request(self):
        view = self.env['helpdesk.ticket'].sudo(
            self.users['cs']).fields_view_get(view_type='form')
        field = etree.fromstring(view['arch']).xpath(
            "//field[@name='lot_id']")[0]
        options = field.get('options') or ''
        self.assertIn("'no_create': True", options)

    def test_product_narrows_the_serials(self):
        Ticket = self.env['helpdesk.ticket'].sudo(self.users['cs'])
        values, spec = _form_values(Ticket, product_id=self.part.id,
                                    lot_id=self.unit_lot.id)
        result = Ticket.onchange(values, 'product_id', spec)
        self.assertFalse(result['value'].get('lot_id'))
        self.assertEqual(result['domain']['lot_id'],
                         [('product_id', '=', self.part.id)])

    def test_customer_units_include_units_never_repaired(self):
        """The customer's Warranty button lists every unit they bought: a
        sale's delivery names the customer on the transfer, not on its
        moves."""
        customers = self.env.ref('stock.stock_location_customers')
        picking_type = self.env.ref('stock.picking_type_out')
        self.env['stock.quant']._update_available_quantity(
            self.unit_product, self.stock_location, 1, lot_id=self.unit_lot)
        picking = self.env['stock.picking'].create({
            'partner_id': self.customer.id,
            'picking_type_id': picking_type.id,
            'location_id': self.stock_location.id,
            'location_dest_id': customers.id,
            'move_lines': [(0, 0, {
                'name': 'Sale', 'product_id': self.unit_product.id,
                'product_uom': self.unit_product.uom_id.id,
                'product_uom_qty': 1, 'location_id': self.stock_location.id,
                'location_dest_id': customers.id})],
        })
        picking.move_lines.write({'partner_id': False})
        picking.action_confirm()
        picking.action_assign()
        picking.move_line_ids.write({'lot_id': self.unit_lot.id,
                                     'qty_done': 1})
        picking.action_done()
        self.assertEqual(picking.state, 'done')
        action = self.customer.sudo(
            self.users['cs']).action_view_warranty_units()
        lots = self.env['stock.production.lot'].search(action['domain'])
        self.assertIn(self.unit_lot, lots)
        self.assertEqual(self.customer.warranty_unit_count, len(lots))


class TestSettingsByOwner(AftersalesCase):
    """Each setting is edited by the department that owns it, from the
    menu that department sees, without Odoo's Administration rights."""

    def _settings(self, user):
        return self.env['aftersales.settings'].sudo(
            self.users[user]).create({})

    def test_manager_sets_the_service_rules(self):
        settings = self._settings('manager')
        self.assertEqual(settings.aftersales_warranty_doa_days,
                         self.env.user.company_id.aftersales_warranty_doa_days)
        self.assertTrue(settings.can_edit_service)
        self.assertFalse(settings.can_edit_finance)
        settings.write({'aftersales_warranty_doa_days': 10})
        settings.execute()
        self.assertEqual(
            self.env.user.company_id.aftersales_warranty_doa_days, 10)
        settings = self._settings('manager')
        settings.write(
            {'aftersales_repair_parts_pricelist_id': self.pricelist.id})
        with self.assertRaises(AccessError):
            settings.execute()
        self.assertFalse(
            self.env.user.company_id.aftersales_repair_parts_pricelist_id)

    def test_finance_sets_prices_and_money_rules(self):
        settings = self._settings('finance')
        self.assertTrue(settings.can_edit_finance)
        self.assertFalse(settings.can_edit_service)
        settings.write({
            'aftersales_repair_parts_pricelist_id': self.pricelist.id,
            'aftersales_receivable_deduction_days': 45})
        settings.execute()
        company = self.env.user.company_id
        self.assertEqual(company.aftersales_repair_parts_pricelist_id,
                         self.pricelist)
        self.assertEqual(company.aftersales_receivable_deduction_days, 45)
        settings = self._settings('finance')
        settings.write({'aftersales_warranty_doa_days': 3})
        with self.assertRaises(AccessError):
            settings.execute()
        self.assertNotEqual(company.aftersales_warranty_doa_days, 3)

    def test_other_departments_change_nothing(self):
        for user in ('cs', 'tech1', 'purchasing', 'quality'):
            settings = self._settings(user)
            settings.write({'aftersales_recovery_due_days': 99})
            with self.assertRaises(AccessError):
                settings.execute()

    def test_settings_menu_for_manager_and_finance(self):
        menu = self.env.ref('aftersales_addon.menu_aftersales_settings')
        Menu = self.env['ir.ui.menu']
        for user, sees in (('manager', True), ('finance', True),
                           ('cs', False), ('tech1', False)):
            visible = Menu.sudo(self.users[user])._visible_menu_ids()
            self.assertEqual(menu.id in visible, sees, user)
            if sees:
                # the action opens for them (no Administration rights)
                action = menu.action.sudo(self.users[user]).read()[0]
                self.env[action['res_model']].sudo(
                    self.users[user]).default_get(
                        ['aftersales_warranty_doa_days'])


class TestButtonsMatchRights(AftersalesCase):
    """A user sees only the buttons of what they may do."""

    def test_read_only_departments_get_no_workflow_button(self):
        repair = self.create_repair()
        for user in ('purchasing', 'quality', 'office'):
            as_user = repair.sudo(self.users[user])
            self.assertFalse(as_user.can_run_workflow, user)
            self.assertFalse(as_user.can_recheck_warranty, user)
        self.assertTrue(repair.sudo(self.users['tech1']).can_run_workflow)
        with self.assertRaises(AccessError):
            repair.sudo(self.users['purchasing']).action_validate()

    def test_workflow_buttons_keep_their_states(self):
        """Odoo 11 ANDs a button's ``states`` with its ``attrs``: each
        workflow button is hidden outside its states for those who may run
        the workflow too (a confirmed order offers no Confirm, no End)."""
        import json
        view = self.env['mrp.repair'].sudo(
            self.users['tech1']).fields_view_get(view_type='form')
        root = etree.fromstring(view['arch'])
        expected = {'action_validate': 'draft',
                    'action_repair_end': 'under_repair',
                    'action_issue_parts': 'confirmed',
                    'action_send_mail': 'draft'}
        for name, state in expected.items():
            for button in root.xpath("//header/button[@name='%s']" % name):
                invisible = json.loads(button.get('modifiers'))['invisible']
                self.assertEqual(invisible[0], '|', name)
                record = {'can_run_workflow': True}
                for other in ('draft', 'confirmed', 'under_repair', 'done'):
                    record['state'] = other
                    hidden = any(
                        (leaf[1] == '=' and record[leaf[0]] == leaf[2]) or
                        (leaf[1] == '!=' and record[leaf[0]] != leaf[2]) or
                        (leaf[1] == 'not in' and record[leaf[0]] not in
                         leaf[2])
                        for leaf in invisible[1:])
                    shown_in = state if name != 'action_issue_parts' \
                        else ('confirmed', 'under_repair')
                    self.assertEqual(not hidden, other in shown_in
                                     if isinstance(shown_in, tuple)
                                     else other == shown_in,
                                     '%s in state %s' % (name, other))

    def test_invoice_button_for_finance_only(self):
        repair = self.create_repair()
        repair.write({'operations': [(0, 0, self.part_line_vals(repair))]})
        repair.sudo(self.users['tech1']).action_validate()
        self.issue_parts(repair)
        tech = repair.sudo(self.users['tech1'])
        tech.write({'test_result': 'passed'})
        tech.action_repair_start()
        tech.action_repair_end()
        self.assertEqual(repair.state, '2binvoiced')
        for user in ('purchasing', 'cs', 'tech1'):
            self.assertFalse(repair.sudo(
                self.users[user]).can_create_invoice, user)
        self.assertTrue(repair.sudo(self.users['finance']).can_create_invoice)
        with self.assertRaises(AccessError):
            repair.sudo(self.users['cs']).action_repair_invoice_create()

    def test_validate_button_for_the_warehouse_once_released(self):
        repair = self.create_repair()
        repair.write({'operations': [(0, 0, self.part_line_vals(repair))]})
        repair.sudo(self.users['tech1']).action_validate()
        repair.sudo(self.users['tech1']).action_issue_parts()
        picking = repair.parts_picking_ids
        self.assertFalse(picking.sudo(self.users['tech1']).show_validate)
        # the customer owes the part: the warehouse waits for Finance, and
        # sees it in its filter
        self.assertEqual(picking.aftersales_release_state, 'to_release')
        self.assertFalse(picking.sudo(self.users['warehouse']).show_validate)
        waiting = self.env['stock.picking'].sudo(self.users['warehouse'])\
            .search([('aftersales_release_state', '=', 'to_release')])
        self.assertIn(picking, waiting)
        self.release(repair)
        picking.invalidate_cache()
        self.assertTrue(picking.sudo(self.users['warehouse']).show_validate)
        self.assertNotIn(picking, self.env['stock.picking'].search(
            [('aftersales_release_state', '=', 'to_release')]))


class TestTodosCloseWithTheirStep(AftersalesCase):

    def _todos(self, record, key):
        return self.env['mail.activity'].search([
            ('res_model', '=', record._name), ('res_id', '=', record.id),
            ('aftersales_key', '=', key)])

    def test_assigned_repair_todo_done_when_the_repair_ends(self):
        repair = self.create_repair()
        todo = self._todos(repair, 'repair_assigned')
        self.assertEqual(todo.user_id, self.users['tech1'])
        repair.write({'operations': [(0, 0, self.part_line_vals(repair))]})
        tech = repair.sudo(self.users['tech1'])
        tech.action_validate()
        self.issue_parts(repair)
        tech.write({'test_result': 'passed'})
        tech.action_repair_start()
        self.assertTrue(self._todos(repair, 'repair_assigned'))
        tech.action_repair_end()
        self.assertFalse(self._todos(repair, 'repair_assigned'))
        done = repair.message_ids.filtered(
            lambda m: m.subtype_id == self.env.ref('mail.mt_activities'))
        self.assertTrue(done, 'the to-do is marked done in the chatter')
        self.assertEqual(done[0].author_id, self.users['tech1'].partner_id)

    def test_todo_in_the_recipients_language(self):
        """Customer service works in English, the technician in Chinese:
        his to-do is in Chinese."""
        import os
        from odoo.tools.translate import trans_load
        if not self.env['res.lang'].search([('code', '=', 'zh_CN')]):
            self.env['res.lang'].load_lang('zh_CN')
        po = os.path.join(os.path.dirname(os.path.dirname(__file__)),
                          'i18n', 'zh_CN.po')
        trans_load(self.cr, po, 'zh_CN', verbose=False,
                   module_name='aftersales_addon')
        self.env['ir.translation'].clear_caches()
        self.users['tech1'].lang = 'zh_CN'
        self.users['cs'].lang = 'en_US'
        repair = self.create_repair()
        todo = self._todos(repair, 'repair_assigned')
        self.assertEqual(todo.summary, '维修单 %s 已指派给您' % repair.name)

    def test_reassigned_repair_moves_the_todo(self):
        repair = self.create_repair()
        repair.sudo(self.users['cs']).write(
            {'technician_id': self.users['tech2'].id})
        self.assertEqual(self._todos(repair, 'repair_assigned').user_id,
                         self.users['tech2'])

    def test_cancelled_repair_drops_the_todo(self):
        repair = self.create_repair()
        repair.sudo(self.users['cs']).action_repair_cancel()
        self.assertFalse(self._todos(repair, 'repair_assigned'))


class TestOverrideChangesSomething(AftersalesCase):

    def test_no_op_override_is_refused(self):
        repair = self.create_repair()
        repair.write({'operations': [(0, 0, self.part_line_vals(repair))]})
        repair.sudo(self.users['tech1']).action_validate()
        self.assertTrue(repair.warranty_state)
        wizard = self.env['aftersales.warranty.override.wizard'].sudo(
            self.users['technical']).with_context(
                default_repair_id=repair.id).create({
                    'repair_id': repair.id,
                    'warranty_state': repair.warranty_state,
                    'tier_id': repair.warranty_tier_id.id,
                    'reason': 'Same again'})
        with self.assertRaisesRegex(UserError, 'changes nothing'):
            wizard.action_apply()
        self.assertFalse(repair.warranty_override)

    def test_reason_label_is_the_override_reason(self):
        field = self.env['aftersales.warranty.override.wizard']._fields[
            'reason']
        self.assertEqual(field.string, 'Reason for the Override')


class TestOneHomePerDepartment(AftersalesCase):

    def test_host_apps_hidden_from_departments(self):
        hidden = [self.env.ref('helpdesk_mgmt.helpdesk_ticket_main_menu'),
                  self.env.ref('mrp_repair.menu_repair_order')]
        Menu = self.env['ir.ui.menu']
        root = self.env.ref('aftersales_addon.menu_aftersales_root')
        for user in ('cs', 'tech1', 'warehouse', 'manager', 'technical'):
            visible = Menu.sudo(self.users[user])._visible_menu_ids()
            self.assertIn(root.id, visible, user)
            for menu in hidden:
                self.assertNotIn(menu.id, visible,
                                 '%s sees %s' % (user, menu.name))
        # Odoo's own users keep Odoo's apps
        stock_user = self.env['res.users'].with_context(
            no_reset_password=True).create({
                'name': 'Plain stock user', 'login': 'plain_stock_user',
                'groups_id': [(6, 0, [
                    self.env.ref('stock.group_stock_user').id,
                    self.env.ref('helpdesk_mgmt.group_helpdesk_user').id])]})
        visible = Menu.sudo(stock_user)._visible_menu_ids()
        for menu in hidden:
            self.assertIn(menu.id, visible)

    @mute_logger('odoo.addons.base.ir.ir_ui_menu')
    def test_request_configuration_under_after_sales(self):
        menus = self.env['ir.ui.menu'].sudo(
            self.users['manager']).search([])
        actions = menus.mapped('action')
        for xmlid in ('helpdesk_mgmt.helpdesk_ticket_category_action',
                      'helpdesk_mgmt.helpdesk_ticket_team_action',
                      'helpdesk_mgmt.helpdesk_ticket_stage_action'):
            self.assertIn(self.env.ref(xmlid), actions, xmlid)


class TestTechnicianOnSite(AftersalesCase):
    """R13: a technician's day on a phone."""

    def _photo(self, width, height, exif_rotated=False):
        import base64
        import io
        from PIL import Image
        image = Image.new('RGB', (width, height), (200, 30, 30))
        out = io.BytesIO()
        kwargs = {}
        if exif_rotated:
            exif = Image.Exif()
            exif[0x0112] = 6  # orientation: rotated 90 degrees
            kwargs['exif'] = exif
        image.save(out, 'JPEG', **kwargs)
        return base64.b64encode(out.getvalue())

    def _size(self, attachment):
        import base64
        import io
        from PIL import Image
        return Image.open(io.BytesIO(base64.b64decode(attachment.datas))).size

    def test_photos_are_reduced_on_upload(self):
        repair = self.create_repair()
        self.env.user.company_id.aftersales_repair_photo_max_px = 1600
        Attachment = self.env['ir.attachment'].sudo(self.users['tech1'])
        big = Attachment.create({
            'name': 'fault.jpg', 'datas_fname': 'fault.jpg',
            'res_model': 'mrp.repair', 'res_id': repair.id,
            'datas': self._photo(4000, 3000)})
        self.assertEqual(self._size(big), (1600, 1200))
        # the phone's orientation is applied before the EXIF goes
        upright = Attachment.create({
            'name': 'unit.jpg', 'datas_fname': 'unit.jpg',
            'res_model': 'mrp.repair', 'res_id': repair.id,
            'datas': self._photo(4000, 3000, exif_rotated=True)})
        self.assertEqual(self._size(upright), (1200, 1600))
        small = Attachment.create({
            'name': 'label.jpg', 'datas_fname': 'label.jpg',
            'res_model': 'mrp.repair', 'res_id': repair.id,
            'datas': self._photo(800, 600)})
        self.assertEqual(self._size(small), (800, 600))
        # other documents keep their files as they are
        other = self.env['ir.attachment'].create({
            'name': 'scan.jpg', 'datas_fname': 'scan.jpg',
            'res_model': 'res.partner', 'res_id': self.customer.id,
            'datas': self._photo(4000, 3000)})
        self.assertEqual(self._size(other), (4000, 3000))

    def test_photo_field_opens_the_camera(self):
        view = self.env['mrp.repair'].sudo(
            self.users['tech1']).fields_view_get(view_type='form')
        field = etree.fromstring(view['arch']).xpath(
            "//field[@name='aftersales_photo_ids']")[0]
        self.assertEqual(field.get('widget'), 'many2many_binary')
        self.assertIn('capture', field.get('options'))

    def test_my_repairs_urgent_first_with_the_customer_one_tap_away(self):
        self.customer.write({'mobile': '+86 138 0000 0001',
                             'city': 'Hangzhou', 'street': '1 Wensan Road'})
        normal = self.create_repair(self.create_ticket(urgency='normal'))
        urgent = self.create_repair(self.create_ticket(urgency='urgent'))
        action = self.env.ref('aftersales_addon.mrp_repair_my_action')
        kanban = self.env.ref(
            'aftersales_addon.mrp_repair_view_kanban_technician')
        order = etree.fromstring(kanban.arch).get('default_order')
        domain = safe_eval(
            action.domain, {'uid': self.users['tech1'].id})
        mine = self.env['mrp.repair'].sudo(self.users['tech1']).search(
            domain, order=order)
        self.assertEqual(mine[:2].ids, [urgent.id, normal.id])
        self.assertEqual(urgent.aftersales_phone, '+86 138 0000 0001')
        self.assertTrue(urgent.aftersales_map_url.startswith('geo:0,0?q='))
        self.assertIn('Hangzhou', urgent.aftersales_address)
        # Odoo opens on his repairs, and they are the first After-Sales menu
        self.assertEqual(self.users['tech1'].action_id.id, action.id)
        self.assertFalse(self.users['manager'].action_id)
        menus = self.env['ir.ui.menu'].sudo(self.users['tech1']).search(
            [('parent_id', '=', self.env.ref(
                'aftersales_addon.menu_aftersales_root').id)])
        self.assertEqual(menus[0], self.env.ref(
            'aftersales_addon.menu_aftersales_my_repairs'))
