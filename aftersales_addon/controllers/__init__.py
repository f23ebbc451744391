from . import main
from . import bus
