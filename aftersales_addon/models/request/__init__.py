from . import helpdesk_ticket
from . import helpdesk_ticket_channel
from . import mrp_repair
from . import res_company
from . import res_partner
from . import stock_picking
