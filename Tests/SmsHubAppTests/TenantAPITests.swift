import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

@Suite(.tags(.slow), .timeLimit(.minutes(10))) struct TenantAPITests {
    @Test func meReturnsTheCallingTenant() async throws {
        try await withApp { app in
            let (aID, aKey) = try await app.makeTenant("Tenant A")
            let (bID, bKey) = try await app.makeTenant("Tenant B")
            let a = try await app.request(.get, "/v1/me", bearer: aKey)
            #expect(a.status == .ok)
            #expect((a.json["tenant"] as? [String: Any])?["id"] as? String == aID)
            #expect((a.json["tenant"] as? [String: Any])?["name"] as? String == "Tenant A")
            #expect(a.json["api_key_id"] is String)
            let b = try await app.request(.get, "/v1/me", bearer: bKey)
            #expect((b.json["tenant"] as? [String: Any])?["id"] as? String == bID)
        }
    }

    @Test func missingWrongAndMalformedKeysAre401() async throws {
        try await withApp { app in
            let (_, key) = try await app.makeTenant()
            expectProblem(try await app.request(.get, "/v1/me"), .unauthorized, code: "unauthorized")
            expectProblem(try await app.request(.get, "/v1/me", bearer: "nope"), .unauthorized, code: "unauthorized")
            // Right shape, wrong secret.
            let forged = String(key.dropLast()) + (key.last == "A" ? "B" : "A")
            expectProblem(try await app.request(.get, "/v1/me", bearer: forged), .unauthorized, code: "unauthorized")
            expectProblem(try await app.request(.get, "/v1/me", bearer: adminToken), .unauthorized, code: "unauthorized")
            var basic = try await app.client.execute(uri: "/v1/me", method: .get, headers: [.authorization: "Basic \(key)"])
            #expect(basic.status == .unauthorized)
            basic = try await app.client.execute(uri: "/v1/me", method: .get, headers: [.authorization: "Bearer"])
            #expect(basic.status == .unauthorized)
        }
    }

    @Test func disabledTenantIs403UntilEnabled() async throws {
        try await withApp { app in
            let (id, key) = try await app.makeTenant()
            _ = try await app.admin(.post, "/admin/tenants/\(id)/disable")
            expectProblem(try await app.request(.get, "/v1/me", bearer: key), .forbidden, code: "tenant_disabled")
            _ = try await app.admin(.post, "/admin/tenants/\(id)/enable")
            #expect(try await app.request(.get, "/v1/me", bearer: key).status == .ok)
        }
    }
}
