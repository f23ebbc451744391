from . import aftersales_dispatch_wizard
from . import aftersales_dispatch_wizard_line
from . import aftersales_loaner_lend_wizard
from . import aftersales_solution_plan_wizard
from . import aftersales_unit_receive_wizard
