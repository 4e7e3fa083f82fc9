package import SmsHubDomain
package import SmsHubRepository

/// The repositories over one database, each behind the protocol its users see. Tests replace one
/// (a store whose database has gone) before building services over them.
package struct Repositories: Sendable {
    package var database: Database
    package var migrator: Migrator
    package var reads: ReadRouting
    package var tenants: any TenantRepository
    package var tenantSelf: any TenantSelfRepository
    package var keys: any APIKeyRepository
    package var providerAccounts: any ProviderAccountRepository
    package var events: any EventStore
    package var messages: any MessageRepository
    package var polls: any PollRepository
    package var dispatch: any DispatchRepository
    /// Reads that must see the caller's own writes (one resource by id): the primary.
    package var queries: any QueryRepository
    /// Lists and the daily summary: a fresh replica when one is configured (`reads`).
    package var lists: any QueryRepository
    package var outboundHealth: any OutboundHealthRepository
    package var egressAllowances: any EgressAllowanceRepository
    package var expiry: any ExpiryRepository
    package var retention: any RetentionRepository
    package var outcomeCounts: any OutcomeCountRepository
    package var eventRecipients: any EventRecipientBackfillRepository
    package var webhookEndpoints: any WebhookEndpointRepository
    package var webhookDeliveries: any WebhookDeliveryRepository
    package var routes: any RouteRepository
    package var templates: any TemplateRepository
    package var optOuts: any OptOutRepository
    package var sendRules: any SendRulesRepository
    package var numberCaps: any NumberCapRepository

    package init(database: Database, migrator: Migrator, reads: ReadRouting? = nil) {
        self.database = database
        self.migrator = migrator
        self.reads = reads ?? ReadRouting(primary: database)
        self.tenants = PostgresTenantRepository(database: database)
        self.tenantSelf = PostgresTenantSelfRepository(database: database)
        self.keys = PostgresAPIKeyRepository(database: database)
        self.providerAccounts = PostgresProviderAccountRepository(database: database)
        self.events = PostgresEventStore(database: database)
        self.messages = PostgresMessageRepository(database: database)
        self.polls = PostgresPollRepository(database: database)
        self.dispatch = PostgresDispatchRepository(database: database)
        self.queries = PostgresQueryRepository(database: database)
        self.lists = PostgresQueryRepository(reads: self.reads)
        self.outboundHealth = PostgresOutboundHealthRepository(database: database)
        self.egressAllowances = PostgresEgressAllowanceRepository(database: database)
        self.expiry = PostgresExpiryRepository(database: database)
        self.retention = PostgresRetentionRepository(database: database)
        self.outcomeCounts = PostgresOutcomeCountRepository(database: database)
        self.eventRecipients = PostgresEventRecipientBackfillRepository(database: database)
        self.webhookEndpoints = PostgresWebhookEndpointRepository(database: database)
        self.webhookDeliveries = PostgresWebhookDeliveryRepository(database: database)
        self.routes = PostgresRouteRepository(database: database)
        self.templates = PostgresTemplateRepository(database: database)
        self.optOuts = PostgresOptOutRepository(database: database)
        self.sendRules = PostgresSendRulesRepository(database: database)
        self.numberCaps = PostgresNumberCapRepository(database: database)
    }
}
