"""The scenario engine: scripted edge cases (scenarios/README.md).

* :mod:`.loader` reads scenario files (YAML, line numbers, parameters, the JSON Schema);
* :mod:`.matching` compiles a rule's ``when``; :mod:`.actions` applies its ``then``;
* :mod:`.engine` keeps the active scenarios of a world and evaluates each call;
* :mod:`.runner` replays a scenario's example (``oppf-sandbox scenario run``).

The gateway's step ``scenario`` (:mod:`sandbox.gateway.scenarios`) is the only caller on the
request path; the admin API (:mod:`sandbox.admin.scenarios`) and the CLI manage them.
"""
