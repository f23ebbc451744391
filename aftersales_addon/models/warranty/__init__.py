from . import res_company
from . import aftersales_warranty_rule
from . import aftersales_warranty_tier
from . import stock_production_lot
from . import product_template
from . import res_partner
from . import mrp_repair
