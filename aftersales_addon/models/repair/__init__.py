from . import res_company
from . import aftersales_repair_line_mixin
from . import mrp_repair
from . import mrp_repair_line
from . import mrp_repair_fee
from . import stock_move
from . import stock_picking
