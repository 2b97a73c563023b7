"""engage: a learner's boredom, engagement, confusion and frustration (DAiSEE levels 0-3) from video,
with Qwen2.5-VL features and four MLP heads, or zero-shot level scoring."""
from .affect.results import LEVELS, STATES, AffectResult, Analysis
from .errors import EngageError

__version__ = "0.1.0"
__all__ = ["EngageError", "STATES", "LEVELS", "AffectResult", "Analysis", "__version__"]
