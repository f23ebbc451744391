# The pillars of the after-sales service (README, "Layout"). Each pillar
# declares its own models and extends the central ones (mrp.repair,
# mrp.repair.line, res.company, stock.picking) in a file of its own, hooking
# into the repair order's workflow through super(): the repair pillar is the
# centre, the others are imported after it.
from . import common
from . import repair
from . import request
from . import warranty
from . import receivable
from . import recovery
# the settings form mirrors the settings every pillar declared above
from .common import aftersales_settings
