package import Foundation
import Postgres
package import SmsHubDomain

package struct PostgresMessageRepository: MessageRepository {
    let database: Database

    package init(database: Database) {
        self.database = database
    }

    package func create(_ message: NewMessage) async throws -> CreateMessageOutcome {
        do {
            return .created(try await self.insert(message))
        } catch let error as PGError where error.sqlState == SQLState.uniqueViolation && error.constraint == "messages_idempotency_idx" {
            // Another request with this key committed first (possibly concurrently): compare fingerprints.
            guard let key = message.idempotencyKey else { throw error }
            return try await self.database.withTenant(message.tenantID) { session in
                let row = try await session.query(
                    "SELECT id, request_hash FROM messages WHERE tenant_id = \(message.tenantID) AND idempotency_key = \(key)"
                ).first
                guard let row else { throw error }
                guard try row.decode("request_hash", as: PGBytes?.self)?.bytes == message.fingerprint else { return .keyConflict }
                return .replayed(try await self.load(tenantID: message.tenantID, id: try row.decode("id"), session: session)!)
            }
        }
    }

    private func insert(_ message: NewMessage) async throws -> Message {
        try await self.database.withTenant(message.tenantID) { session in
            let created = try await session.query(
                """
                INSERT INTO messages (tenant_id, id, provider_account_id, content, ext_no, client_reference, custom, idempotency_key, request_hash,
                                      recipient_count, route_account_ids, template_id, template_values, category)
                VALUES (\(message.tenantID), \(message.id), \(message.providerAccountID), \(message.content), \(message.extNo),
                        \(message.clientReference), \(PGJSON(text: message.customJSON)), \(message.idempotencyKey), \(PGBytes(message.fingerprint)),
                        \(message.recipients.count), \(message.routeAccountIDs.count > 1 ? message.routeAccountIDs : nil),
                        \(message.templateID), \(message.templateValuesJSON.map { PGJSON(text: $0) }), \(message.category.rawValue))
                RETURNING created_at
                """
            ).first!.decode("created_at", as: Date.self)
            // One statement for all recipients: arrays in, unnest in SQL. A number on the tenant's
            // opt-out list for this category is stored `failed` at once, and never planned.
            let stopped = try await session.query(
                """
                WITH inserted AS (
                INSERT INTO message_recipients (tenant_id, id, message_id, provider_account_id, number_raw, number_e164, created_at, status_at, position,
                                                status, status_code, status_description, completed_at)
                SELECT \(message.tenantID), r.id, \(message.id), \(message.providerAccountID), r.raw, r.e164, \(created), \(created), r.position,
                       CASE WHEN o.scope IS NULL THEN 'queued' ELSE 'failed' END, CASE WHEN o.scope IS NOT NULL THEN \(OptOutStop.code) END,
                       CASE WHEN o.scope IS NOT NULL THEN \(OptOutStop.description) END, CASE WHEN o.scope IS NOT NULL THEN \(created) END
                FROM unnest(\(message.recipients.map(\.id))::uuid[], \(message.recipients.map(\.number.raw))::text[],
                            \(message.recipients.map { $0.number.e164 ?? $0.number.raw })::text[]) WITH ORDINALITY AS r(id, raw, e164, position)
                LEFT JOIN LATERAL (\(fragment: OptOutStop.entry(tenantID: message.tenantID, number: "r.e164", category: "\(message.category.rawValue)::text"))) o
                       ON true
                RETURNING id, status)
                SELECT id AS stopped FROM inserted WHERE status = 'failed'
                """
            ).rows.compactMap { try $0.decode("stopped", as: UUID?.self) }
            var recipients = message.recipients
            if !stopped.isEmpty {
                let set = Set(stopped)
                for index in recipients.indices where set.contains(recipients[index].id) {
                    recipients[index].status = .failed
                    recipients[index].statusCode = OptOutStop.code
                    recipients[index].statusDescription = OptOutStop.description
                    recipients[index].statusAt = created
                }
            }
            return Message(
                id: message.id,
                tenantID: message.tenantID,
                providerAccountID: message.providerAccountID,
                content: message.content,
                extNo: message.extNo,
                clientReference: message.clientReference,
                customJSON: message.customJSON,
                createdAt: created,
                recipients: recipients,
                category: message.category
            )
        }
    }

    func load(tenantID: UUID, id: UUID, session: PGSession) async throws -> Message? {
        guard
            let row = try await session.query(
                """
                SELECT id, provider_account_id, content, ext_no, client_reference, custom::text AS custom, created_at, redacted_at, category
                FROM messages WHERE tenant_id = \(tenantID) AND id = \(id)
                """
            ).first
        else { return nil }
        let recipients = try await session.query(
            """
            SELECT id, number_raw, number_e164, status, status_code, status_description, status_at FROM message_recipients
            WHERE tenant_id = \(tenantID) AND message_id = \(id) ORDER BY position NULLS LAST, created_at, id
            """
        ).rows.map(Self.recipient)
        var message = Message(
            id: try row.decode("id"),
            tenantID: tenantID,
            providerAccountID: try row.decode("provider_account_id"),
            content: try row.decode("content"),
            extNo: try row.decode("ext_no"),
            clientReference: try row.decode("client_reference"),
            customJSON: try row.decode("custom"),
            createdAt: try row.decode("created_at"),
            recipients: recipients
        )
        message.redactedAt = try row.decode("redacted_at")
        message.category = TemplateCategory(rawValue: try row.decode("category")) ?? .notification
        return message
    }

    /// A recipient's current state from a `message_recipients` row (id, number_raw, number_e164,
    /// status, status_code, status_description, status_at).
    static func recipient(_ row: PGRow) throws -> Recipient {
        Recipient(
            id: try row.decode("id"),
            number: PhoneNumber(raw: try row.decode("number_raw"), e164: try row.decode("number_e164")),
            status: DeliveryState(rawValue: try row.decode("status")) ?? .unknown,
            statusCode: try row.decode("status_code"),
            statusDescription: try row.decode("status_description"),
            statusAt: try row.decode("status_at")
        )
    }

    package func get(tenantID: UUID, id: UUID) async throws -> Message? {
        try await self.database.withTenant(tenantID) { session in
            try await self.load(tenantID: tenantID, id: id, session: session)
        }
    }

    package func defaultAccount(tenantID: UUID, provider: Provider) async throws -> ProviderAccount? {
        try await self.database.withTenant(tenantID) { session in
            let result = try await session.query(
                """
                SELECT \(unescaped: PostgresProviderAccountRepository.columns) FROM provider_accounts
                WHERE tenant_id = \(tenantID) AND provider = \(provider.rawValue) AND is_default
                """
            )
            return try result.first.map { try PostgresProviderAccountRepository.record($0).account }
        }
    }
}
