"""The example suite's own settings, as a client team keeps them: the credentials of the
sandbox apps we use and a retry policy without sleeping. The server, the reset world and the
helpers all come from the ``oppf-sandbox`` pytest plugin (fixtures ``sandbox``,
``sandbox_clock``, ``sandbox_token``, ``sandbox_scenario``, ``assert_called``)."""

from __future__ import annotations

from tests.examples.client import Retry

# Our app in the sandbox (F9999: market data and account service).
API_KEY = "l7xx230ef2235e34448c982eb192ac98e206"
COM_ID = "F9999"
# Our discretionary-trading institution (order service: HTTP Basic key:secret + comId).
ORDER_KEY = "l7xxa55191ed000000000000000000000002"
ORDER_SECRET = "a55191ed000000000000000000000003"
ORDER_COM_ID = "00995"
ORDER_ACCOUNT = "0019923122221"
# The sandbox's test customer gildong: his CI and his virtual accounts.
GILDONG_CI = ("S1V7HGXBV1EPGBJastZf4fQV+eOpOc1pfizByV6UIEEJHM/PF9QKu+PU2OThEog7QmVKSZNibNGg+"
              "/k0XB/9jQ==")
GILDONG_SHINHAN = "160678007213500001"
GILDONG_SAMSUNG = "160731060768600001"

NO_WAIT = Retry(attempts=3, backoff=0)
