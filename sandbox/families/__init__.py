"""One package per API family: routes (HTTP <-> one backend call), models (rules), exceptions."""
