"""The request pipeline: request id, auth, validation, view, response, journal."""
