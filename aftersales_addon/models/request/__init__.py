from . import res_company
from . import res_partner
from . import helpdesk_ticket_stage
from . import aftersales_request_step
from . import helpdesk_ticket
from . import helpdesk_ticket_channel
from . import mrp_repair
