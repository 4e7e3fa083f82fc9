import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

/// Each class of bad request gets its own documented problem, and changes nothing.
@Suite(.tags(.slow), .timeLimit(.minutes(10))) struct ProblemResponseTests {
    @Test func unknownRoutesAre404Problems() async throws {
        try await withApp { app in
            expectProblem(try await app.request(.get, "/nope"), .notFound, code: "not_found")
            expectProblem(try await app.request(.get, "/v1/nope", bearer: "x"), .notFound, code: "not_found")
            expectProblem(try await app.admin(.get, "/admin/tenants/\(UUID().uuidString)/nope"), .notFound, code: "not_found")
        }
    }

    @Test func wrongMethodsAre405WithAllow() async throws {
        try await withApp { app in
            let reply = try await app.request(.delete, "/admin/tenants")
            expectProblem(reply, .methodNotAllowed, code: "method_not_allowed")
            #expect(reply.headers[.allow] == "GET, HEAD, POST")
            let put = try await app.request(.put, "/v1/me")
            expectProblem(put, .methodNotAllowed, code: "method_not_allowed")
            #expect(put.headers[.allow] == "GET, HEAD")
            let post = try await app.request(.post, "/healthz")
            expectProblem(post, .methodNotAllowed, code: "method_not_allowed")
            let head = try await app.request(.head, "/healthz")
            #expect(head.status == .ok)
        }
    }

    @Test func oversizedBodiesAre413AndCreateNothing() async throws {
        try await withApp { app in
            let huge = #"{"name":""# + String(repeating: "a", count: 70_000) + #""}"#
            expectProblem(try await app.admin(.post, "/admin/tenants", json: huge), .contentTooLarge, code: "payload_too_large")
            #expect(try await app.count("tenants") == 0)
        }
    }

    @Test func wrongContentTypesAre415() async throws {
        try await withApp { app in
            for type in ["text/plain", "application/x-www-form-urlencoded", "application/jsonx"] {
                let reply = try await app.request(.post, "/admin/tenants", bearer: adminToken, json: #"{"name":"A"}"#, contentType: type)
                expectProblem(reply, .unsupportedMediaType, code: "unsupported_media_type")
            }
            let noType = try await app.request(.post, "/admin/tenants", bearer: adminToken, json: #"{"name":"A"}"#, contentType: nil)
            expectProblem(noType, .unsupportedMediaType, code: "unsupported_media_type")
            // Parameters on the media type are fine.
            let ok = try await app.request(
                .post,
                "/admin/tenants",
                bearer: adminToken,
                json: #"{"name":"A"}"#,
                contentType: "application/json; charset=utf-8"
            )
            #expect(ok.status == .created)
            #expect(try await app.count("tenants") == 1)
        }
    }

    @Test func malformedBodiesAre400() async throws {
        try await withApp { app in
            let cases: [(String, String)] = [
                (#"{"name":"#, "not valid JSON"),  // truncated
                ("", "not valid JSON"),
                ("[]", "body"),
                (#"{"nom":"A"}"#, "name is required"),
                (#"{"name":42}"#, "name must be a string"),
                (#"{"name":null}"#, "name"),
            ]
            for (body, expected) in cases {
                let reply = try await app.admin(.post, "/admin/tenants", json: body)
                expectProblem(reply, .badRequest, code: "invalid_body")
                #expect((reply.json["detail"] as? String)?.contains(expected) == true, "\(body) → \(reply.json["detail"] ?? "")")
            }
            let invalidUTF8 = try await app.request(
                .post,
                "/admin/tenants",
                bearer: adminToken,
                body: [0x7b, 0x22, 0x6e, 0x61, 0x6d, 0x65, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]
            )
            expectProblem(invalidUTF8, .badRequest, code: "invalid_body")
            #expect(try await app.count("tenants") == 0)
        }
    }

    @Test func invalidValuesAre422NamingTheField() async throws {
        try await withApp { app in
            for body in [#"{"name":""}"#, #"{"name":"   "}"#, #"{"name":"\#(String(repeating: "x", count: 201))"}"#, #"{"name":"a\u0007b"}"#] {
                let reply = try await app.admin(.post, "/admin/tenants", json: body)
                expectProblem(reply, .unprocessableContent, code: "validation_failed")
                #expect((reply.json["errors"] as? [[String: Any]])?.first?["field"] as? String == "name")
            }
            #expect(try await app.count("tenants") == 0)
        }
    }
}
