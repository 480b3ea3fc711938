"""The REST API's endpoints, one module per area (`portico.api.urls` maps them). Each one
parses the request, asks `portico.access` for the transaction (404 for missing and
not-yours alike), calls one service or selector, and writes the answer. Refusals are
exceptions, turned into the one error shape by `portico.api.exceptions.handle`. What the
modules share — the acting person, parsing, paging — is in `base`."""
