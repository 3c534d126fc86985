"""The OpenAPI document is valid, and a property-based run against it (schemathesis, a bounded
number of generated requests per operation) never gets a server error."""

import tempfile

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from quanze.api.http import create_app

app = create_app(tempfile.mkdtemp(prefix="quanze-openapi-"))
schema = schemathesis.openapi.from_wsgi("/openapi.json", app)


def test_document_is_openapi_3_with_problem_errors():
    spec = app.test_client().get("/openapi.json").json
    assert spec["openapi"].startswith("3.0") and spec["info"]["title"].startswith("quanze")
    assert len(spec["paths"]) >= 15


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_never_answers_with_a_server_error(case):
    response = case.call()
    case.validate_response(response, checks=[not_a_server_error])
    if response.status_code >= 400:
        assert response.headers.get("content-type", [""])[0].startswith("application/problem+json"), \
            (case.method, case.path, response.status_code, response.headers, response.text)
