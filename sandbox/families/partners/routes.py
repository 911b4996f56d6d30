"""Imports every partner family's views (they register themselves with ``partner_op``)."""

from sandbox.families.partners.bccard import routes as bccard  # noqa: F401
from sandbox.families.partners.bigbot import routes as bigbot  # noqa: F401
from sandbox.families.partners.bookkeeper import routes as bookkeeper  # noqa: F401
from sandbox.families.partners.fabotdw import routes as fabotdw  # noqa: F401
from sandbox.families.partners.haystack import routes as haystack  # noqa: F401
from sandbox.families.partners.nice import routes as nice  # noqa: F401
from sandbox.families.partners.ratestbed import routes as ratestbed  # noqa: F401
from sandbox.families.partners.thecheat import routes as thecheat  # noqa: F401
from sandbox.families.partners.wavelet import routes as wavelet  # noqa: F401
