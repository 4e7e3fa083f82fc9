import Foundation
import HTTPTypes
import Postgres
import TestSupport
import Testing

/// Rows written directly (as superuser) with chosen times, for the query API's tests.
extension AppHarness {
    struct SeededMessage {
        var id: UUID
        var recipients: [UUID]
        var idString: String { self.id.uuidString.lowercased() }
    }

    /// A message created at `at` (a PostgreSQL timestamptz literal) with recipients in the given states.
    @discardableResult
    func seedMessage(
        _ account: CallbackAccount,
        at: String,
        reference: String? = nil,
        recipients: [(raw: String, e164: String, status: String)]
    ) async throws -> SeededMessage {
        try await withPool(url: self.database.superuserURL) { pool in
            let id = try await pool.query(
                """
                INSERT INTO messages (tenant_id, provider_account_id, content, client_reference, created_at, recipient_count)
                VALUES (\(account.tenantID), \(account.accountID), '【Acme】hi', \(reference), \(at)::timestamptz, \(recipients.count))
                RETURNING id
                """
            ).first!.decode("id", as: UUID.self)
            var ids: [UUID] = []
            for (position, recipient) in recipients.enumerated() {
                ids.append(
                    try await pool.query(
                        """
                        INSERT INTO message_recipients (tenant_id, message_id, provider_account_id, number_raw, number_e164, status, created_at, position, provider_message_id)
                        VALUES (\(account.tenantID), \(id), \(account.accountID), \(recipient.raw), \(recipient.e164), \(recipient.status), \(at)::timestamptz, \(position + 1), \(id.uuidString.lowercased()))
                        RETURNING id
                        """
                    ).first!.decode("id", as: UUID.self)
                )
            }
            return SeededMessage(id: id, recipients: ids)
        }
    }

    func seedBalance(_ account: CallbackAccount, _ balance: String, at: String) async throws {
        try await withPool(url: self.database.superuserURL) { pool in
            _ = try await pool.query(
                """
                INSERT INTO balances (tenant_id, provider_account_id, balance, payment, observed_at, raw)
                VALUES (\(account.tenantID), \(account.accountID), \(balance)::numeric, 'prepaid', \(at)::timestamptz, '{}')
                """
            )
        }
    }

    /// GET with the tenant's key; the JSON body's `items`.
    func items(_ path: String, key: String) async throws -> (reply: Reply, items: [[String: Any]]) {
        let reply = try await self.request(.get, path, bearer: key)
        #expect(reply.status == .ok, "\(path): \(reply.text)")
        return (reply, reply.json["items"] as? [[String: Any]] ?? [])
    }

    /// Every item of a list, following `next_cursor` page by page.
    func allPages(_ path: String, key: String, limit: Int) async throws -> [[String: Any]] {
        var items: [[String: Any]] = []
        var cursor: String?
        let separator = path.contains("?") ? "&" : "?"
        repeat {
            let page = try await self.request(.get, "\(path)\(separator)limit=\(limit)" + (cursor.map { "&cursor=\($0)" } ?? ""), bearer: key)
            #expect(page.status == .ok, "\(page.text)")
            let pageItems = page.json["items"] as? [[String: Any]] ?? []
            #expect(pageItems.count <= limit)
            items += pageItems
            cursor = page.json["next_cursor"] as? String
        } while cursor != nil
        return items
    }
}

func ids(_ items: [[String: Any]]) -> [String] {
    items.compactMap { $0["id"] as? String }
}
