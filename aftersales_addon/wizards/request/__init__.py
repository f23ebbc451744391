from . import aftersales_solution_plan_wizard
from . import aftersales_unit_receive_wizard
