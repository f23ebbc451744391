from . import repair
from . import request
from . import warranty
from . import recovery
from . import receivable
