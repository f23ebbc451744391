from . import res_company
from . import stock_warehouse
from . import aftersales_part_recovery
from . import aftersales_recovery_list
from . import aftersales_recovery_list_item
from . import mrp_repair
from . import mrp_repair_line
from . import stock_picking
