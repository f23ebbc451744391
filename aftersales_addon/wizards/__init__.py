from . import repair
from . import warranty
from . import recovery
from . import receivable
