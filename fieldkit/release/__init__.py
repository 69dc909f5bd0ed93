"""What leaves the tool: small-cell suppression, the microdata release check and the
standard tables of a release."""

from fieldkit.release.microdata import ReleaseCheck, check_release
from fieldkit.release.suppress import Relation, determined_cells, suppress

__all__ = ["Relation", "ReleaseCheck", "check_release", "determined_cells", "suppress"]
