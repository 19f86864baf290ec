"""OpenTelemetry traces (decision 0029): `tandem serve --otel-endpoint` exports spans over OTLP/HTTP
to a collector, here a tiny one on loopback that decodes them with `opentelemetry-proto`. One
password + push sign-in, answered by the real `tandem-authenticator`, is one trace: the browser's
request issues the challenge and pushes it; the phone's answer and the browser's redemption are
children of the issue span, linked to their own requests. No secret is in any attribute."""

import gzip
import http.server
import json
import threading
import time

from opentelemetry.proto.collector.trace.v1 import trace_service_pb2

from conftest import PASSWORD, PIN, Browser, pending, register

COLLECTOR_TOKEN = "collector-token-5f2a9c"


class Collector:
    """An OTLP/HTTP receiver: POST /v1/traces with an ExportTraceServiceRequest (protobuf)."""

    def __init__(self):
        self.requests = []   # (path, content type, ExportTraceServiceRequest)
        self.authorizations = set()
        self.lock = threading.Lock()
        collector = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                message = trace_service_pb2.ExportTraceServiceRequest()
                message.ParseFromString(body)
                with collector.lock:
                    collector.requests.append((self.path, self.headers.get("Content-Type"), message))
                    collector.authorizations.add(self.headers.get("Authorization"))
                reply = trace_service_pb2.ExportTraceServiceResponse().SerializeToString()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def spans(self):
        """Every span received so far, with its resource's attributes."""
        with self.lock:
            requests = list(self.requests)
        found = []
        for _, _, message in requests:
            for resource_spans in message.resource_spans:
                for scope_spans in resource_spans.scope_spans:
                    for span in scope_spans.spans:
                        found.append((resource_spans.resource, span))
        return found

    def wait_for(self, predicate, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            spans = [span for _, span in self.spans()]
            if predicate(spans):
                return spans
            time.sleep(0.2)
        raise AssertionError("spans did not arrive: " + ", ".join(sorted({s.name for _, s in self.spans()})))

    def close(self):
        self.httpd.shutdown()


def value_of(any_value):
    kind = any_value.WhichOneof("value")
    if kind == "array_value":
        return [value_of(v) for v in any_value.array_value.values]
    if kind == "kvlist_value":
        return {kv.key: value_of(kv.value) for kv in any_value.kvlist_value.values}
    return getattr(any_value, kind) if kind else None


def attributes(key_values):
    return {kv.key: value_of(kv.value) for kv in key_values}


def every_attribute(resource, span):
    """Every (key, value) a span exports: its own, its events', its links', its resource's."""
    pairs = list(attributes(span.attributes).items()) + list(attributes(resource.attributes).items())
    for event in span.events:
        pairs += list(attributes(event.attributes).items())
    for link in span.links:
        pairs += list(attributes(link.attributes).items())
    return pairs


def texts(value):
    if isinstance(value, list):
        return [t for v in value for t in texts(v)]
    if isinstance(value, dict):
        return [t for k, v in value.items() for t in [str(k)] + texts(v)]
    return [str(value)]


def named(spans, name):
    return [s for s in spans if s.name == name]


def test_a_push_sign_in_is_one_trace_with_no_secret_in_it(make_server, phone, tmp_path, monkeypatch):
    collector = Collector()
    try:
        monkeypatch.setenv("OTEL_BSP_SCHEDULE_DELAY", "100")   # export every 100 ms, not every 5 s
        monkeypatch.setenv("OTEL_EXPORTER_OTLP_HEADERS", f"authorization=Bearer {COLLECTOR_TOKEN}")   # the collector's token
        # The endpoint comes from the config file (decision 0029), the rest from the harness's flags.
        config = tmp_path / "tandem.yaml"
        config.write_text(f"# traces to the test's collector\notel-endpoint: {collector.url}\nlog-format: json\n")
        server = make_server(extra_args=["--config", str(config)])
        register(server, phone)
        collector.wait_for(lambda spans: named(spans, "tandem.challenge.redeem"))
        before = {s.span_id for _, s in collector.spans()}

        browser = Browser(server)
        assert browser.start() == "/login/password"
        assert browser.password().headers["Location"] == "/login/approve"
        number = browser.number()
        offer = pending(phone)[0]
        assert "approved" in phone.run("approve", "--number", number, "--pin", PIN).stdout
        assert browser.complete().headers["Location"] == "/"

        def complete(spans):
            fresh = [s for s in spans if s.span_id not in before]
            return all(named(fresh, n) for n in ("tandem.challenge.issue", "tandem.challenge.push",
                                                 "tandem.challenge.answer", "tandem.challenge.redeem"))
        collector.wait_for(complete)
        time.sleep(0.5)   # the HTTP spans of the same requests end a moment later
        everything = collector.spans()
        spans = [s for _, s in everything if s.span_id not in before]
        by_id = {s.span_id: s for _, s in everything}

        # OTLP/HTTP with protobuf, to the standard path under the endpoint.
        assert {(path, kind) for path, kind, _ in collector.requests} == {("/v1/traces", "application/x-protobuf")}
        assert collector.authorizations == {f"Bearer {COLLECTOR_TOKEN}"}
        assert COLLECTOR_TOKEN not in server.log(), "swift-otel's diagnostics must not log the OTEL_* values"
        resource = everything[0][0]
        assert attributes(resource.attributes).get("service.name") == "tandem"

        [issue] = [s for s in named(spans, "tandem.challenge.issue") if attributes(s.attributes)["tandem.challenge"] == offer["id"]]
        issue_attributes = attributes(issue.attributes)
        assert issue_attributes["tandem.kind"] == "mfa" and issue_attributes["tandem.devices"] == 1
        # The browser's request that issued it is its parent: a server span named by its route.
        request = by_id[issue.parent_span_id]
        assert request.kind == request.SPAN_KIND_SERVER and request.name.startswith(("POST /login", "GET /login")), request.name
        assert attributes(request.attributes)["http.response.status_code"] in (200, 303)

        [push] = [s for s in named(spans, "tandem.challenge.push") if s.parent_span_id == issue.span_id]
        assert push.trace_id == issue.trace_id and push.kind == push.SPAN_KIND_PRODUCER

        # The phone's answer, another HTTP request, is in the sign-in's trace and links to that request.
        [answer] = named(spans, "tandem.challenge.answer")
        assert answer.trace_id == issue.trace_id and answer.parent_span_id == issue.span_id
        answer_attributes = attributes(answer.attributes)
        assert answer_attributes["tandem.challenge"] == offer["id"]
        assert answer_attributes["tandem.decision"] == "approve" and answer_attributes["tandem.state"] == "approved"
        [link] = answer.links
        phone_request = by_id[link.span_id]
        assert phone_request.trace_id == link.trace_id != issue.trace_id
        assert phone_request.name == "POST /device/v1/challenges/{id}/answer", phone_request.name

        [redeem] = named(spans, "tandem.challenge.redeem")
        assert redeem.trace_id == issue.trace_id and redeem.parent_span_id == issue.span_id
        assert by_id[redeem.links[0].span_id].name == "GET /login/complete"

        # No secret anywhere: the password, the PIN, the number, the nonce, the cookies, tokens.
        cookies = [c.value for c in browser.http.cookies]
        assert cookies, "the browser has its session cookie"
        secrets = [PASSWORD, PIN, offer["nonce"]] + cookies
        for resource, span in everything:
            for key, value in every_attribute(resource, span):
                assert not any(word in key.lower() for word in ("cookie", "authorization", "password", "number", "nonce",
                                                                 "signature", "token", "query", "header")), (span.name, key)
                for text in texts(value):
                    assert text != number or key in ("tandem.devices",), (span.name, key)
                    assert not any(secret in text for secret in secrets), (span.name, key)
        # The request spans carry routes, never raw paths with their query strings.
        for span in spans:
            keys = attributes(span.attributes)
            assert "url.query" not in keys and "url.path" not in keys
    finally:
        collector.close()


def test_without_an_endpoint_nothing_is_exported(make_server, phone, monkeypatch):
    collector = Collector()
    try:
        monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
        monkeypatch.setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", collector.url + "/v1/traces")   # not enough on its own
        monkeypatch.setenv("OTEL_BSP_SCHEDULE_DELAY", "100")
        server = make_server()
        register(server, phone)
        time.sleep(1.5)
        assert collector.requests == []
        assert "OTLP" not in server.log()
    finally:
        collector.close()
