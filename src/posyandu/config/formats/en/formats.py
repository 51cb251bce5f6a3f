# English pages keep the Indonesian formats (house rule 7).
from posyandu.config.formats.id.formats import *  # noqa: F403
