import Foundation
import Hummingbird
import TandemCore
import TandemServices

/// The Graph-shaped admin API under `/v1.0`: policy, users, groups, roles, methods, audit log.
/// Every call needs a bearer token (`AdminTokens`) of a user holding the right directory role.
struct GraphController: Sendable {
    let tokens: AdminTokenProvider
    let access: AdminAccess
    let policy: PolicyService
    let admin: DirectoryAdminService
    let storage: any TandemStorage
    let publicURL: @Sendable () -> String
    let env: ServiceEnvironment
    /// Access tokens of Tandem's OpenID Connect provider (scope `tandem-admin`), besides admin tokens.
    var oidcBearer: OIDCAdminBearer? = nil

    /// The caller, if the token is valid and they hold one of `roles`.
    func actor(_ request: Request, _ roles: [DirectoryRole]) async throws -> User {
        if let caller = try await oidcBearer?.actor(authorization: request.headers[.authorization], roles) { return caller }
        let user = try await tokens.tokens().user(forBearer: request.headers[.authorization])
        try await access.require(user, anyOf: roles)
        return user
    }

    /// The user `{id}` whose authentication methods the caller reads, after the read boundary:
    /// a method-management role, and an administrator's methods only for a Global or Privileged
    /// Authentication Administrator (`AdminAccess.requireMayReadAuthentication`).
    func methodsOwner(_ request: Request, _ context: TandemRequestContext) async throws -> User {
        let actor = try await actor(request, AdminAccess.methodAdmins)
        let user = try await admin.user(try context.parameters.require("id"))
        try await access.requireMayReadAuthentication(of: user, by: actor)
        return user
    }

    func register(on router: Router<TandemRequestContext>) {
        let v1 = router.group("v1.0")
        registerPolicy(on: v1)
        registerUsers(on: v1)
        registerGroups(on: v1)
        registerRoles(on: v1)
        registerMethods(on: v1)
        registerDefences(on: v1, env: env)
        registerTemporaryAccessPass(on: v1)
        registerFido2Methods(on: v1)
        registerSoftwareOathMethods(on: v1)
        registerStrengths(on: v1)
        v1.get("auditLogs/directoryAudits") { request, _ in
            _ = try await self.actor(request, AdminAccess.readers)
            let top = try GraphObjects.top(request)
            let query = try GraphQuery(request)
            let filter = try query.filter(GraphSchemas.audit)
            // Newest first in batches until a page of matches is full (as the sign-in log).
            var matches: [AuditEntry] = []
            var cursor = try GraphObjects.timeCursor(request)
            var more = false
            scan: while true {
                let batch = try await self.storage.audits(limit: 200, before: cursor)
                for entry in batch where filter.map({ GraphSchemas.audit.matches(entry, $0) }) ?? true {
                    if matches.count == top { more = true; break scan }
                    matches.append(entry)
                }
                guard batch.count == 200, let last = batch.last else { break }
                cursor = (last.activityAt, last.id)
            }
            var body: [String: Any] = ["@odata.context": "\(self.publicURL())/v1.0/$metadata#auditLogs/directoryAudits",
                                       "value": matches.map(GraphObjects.audit)]
            if more, let last = matches.last {
                var link = "$top=\(top)&$skiptoken=\(GraphObjects.timeCursorToken(last.activityAt, last.id))"
                if let raw = query[.filter] { link += "&$filter=\(FormQuery.encode(raw))" }
                body["@odata.nextLink"] = "\(self.publicURL())/v1.0/auditLogs/directoryAudits?\(link)"
            }
            return GraphJSON.response(body)
        }
    }

    // MARK: policy

    func registerPolicy(on v1: RouterGroup<TandemRequestContext>) {
        v1.get("policies/authenticationMethodsPolicy") { request, _ in
            _ = try await self.actor(request, AdminAccess.policyAdmins)
            let base = self.publicURL()
            let parts = try await Self.methodsPolicyParts(self.env)
            let configuration = GraphPolicyCodec.encode(parts.authenticator, baseURL: base)
            let (report, preferences, campaign) = (parts.report, parts.preferences, parts.campaign)
            var response = GraphJSON.response([
                "systemCredentialPreferences": Self.systemCredentialPreferences(preferences),
                "registrationEnforcement": Self.registrationEnforcement(campaign),
                "reportSuspiciousActivitySettings": [
                    "state": report.state, "voiceReportingCode": report.voiceReportingCode, "tandemBlockMinutes": report.blockMinutes,
                    "includeTarget": ["targetType": report.includeTargetType, "id": report.includeTargetID],
                ] as [String: Any],
                "@odata.context": "\(base)/v1.0/$metadata#policies/authenticationMethodsPolicy/$entity",
                "id": "authenticationMethodsPolicy", "displayName": "Authentication Methods Policy",
                "description": "The tenant-wide policy that controls which authentication methods are allowed in the tenant, authentication method registration requirements, and self-service password reset settings",
                "policyVersion": "1.5", "policyMigrationState": "migrationComplete",
                "authenticationMethodConfigurations": [configuration.filter { !$0.key.hasSuffix("@odata.context") }],
            ])
            response.headers[.eTag] = parts.etag  // optimistic concurrency for its PATCH (decision 0018)
            return response
        }
        let path = "policies/authenticationMethodsPolicy/authenticationMethodConfigurations/{method}"
        v1.get(RouterPath(path)) { request, context in
            _ = try await self.actor(request, AdminAccess.policyAdmins)
            if try Self.isFido2(context) { return GraphJSON.response(Self.fido2Configuration(try await Fido2ConfigurationService(env: self.env).configuration())) }
            if let other = try Self.otherConfiguration(context) { return GraphJSON.response(try await self.readConfiguration(other)) }
            try self.requireAuthenticator(context)
            let (policy, etag) = try await self.policy.taggedAuthenticatorPolicy()
            var response = GraphJSON.response(GraphPolicyCodec.encode(policy, baseURL: self.publicURL()))
            response.headers[.eTag] = etag
            return response
        }
        // Optimistic concurrency (decision 0018): the change is applied to the policy as stored
        // and saved only if no other change came in between; with `If-Match` a stale tag is 412.
        v1.patch(RouterPath(path)) { request, context in
            let actor = try await self.actor(request, AdminAccess.policyAdmins)
            if try Self.isFido2(context) {
                let body = try await GraphJSON.object(request)
                try await Fido2ConfigurationService(env: self.env).update(by: actor) { try Self.applyFido2(body, to: $0) }
                return GraphJSON.noContent()
            }
            if let other = try Self.otherConfiguration(context) {
                try await self.patchConfiguration(other, try await GraphJSON.object(request), by: actor)
                return GraphJSON.noContent()
            }
            try self.requireAuthenticator(context)
            let body = try await GraphJSON.object(request)
            let etag = try await self.policy.update(ifMatch: request.headers[.ifMatch], by: actor) { current in
                try GraphPolicyCodec.apply(body, to: current)
            }
            var response = GraphJSON.noContent()
            response.headers[.eTag] = etag
            return response
        }
        v1.get("policies/mfaServiceSettings") { request, _ in
            _ = try await self.actor(request, AdminAccess.policyAdmins)
            let (settings, etag) = try await self.policy.taggedLegacySettings()
            var response = GraphJSON.response(Self.legacy(settings))
            response.headers[.eTag] = etag
            return response
        }
        // Optimistic concurrency (decision 0018), as the configurations: `If-Match` honoured (412).
        v1.patch("policies/mfaServiceSettings") { request, _ in
            let actor = try await self.actor(request, AdminAccess.policyAdmins)
            let body = try await GraphJSON.object(request)
            try GraphJSON.onlyKnown(body, ["notificationThroughMobileApp", "verificationCodeFromMobileApp", "rememberMultiFactorDays", "trustedIPRanges"],
                                    type: "tandem.mfaServiceSettings")
            let etag = try await self.policy.updateLegacySettings(ifMatch: request.headers[.ifMatch], by: actor) { current in
                var settings = current
                if let v = body["notificationThroughMobileApp"] { settings.notificationThroughMobileApp = try GraphJSON.bool(v, "notificationThroughMobileApp") }
                if let v = body["verificationCodeFromMobileApp"] { settings.verificationCodeFromMobileApp = try GraphJSON.bool(v, "verificationCodeFromMobileApp") }
                if let v = body["rememberMultiFactorDays"] { settings.rememberMultiFactorDays = try GraphJSON.int(v, "rememberMultiFactorDays") }
                if let v = body["trustedIPRanges"] {
                    settings.trustedIPRanges = try GraphJSON.array(v, "trustedIPRanges").enumerated().map { try GraphJSON.string($1, "trustedIPRanges[\($0)]") }
                }
                return settings
            }
            var response = GraphJSON.noContent()
            response.headers[.eTag] = etag
            return response
        }
    }

    func requireAuthenticator(_ context: TandemRequestContext) throws {
        guard try context.parameters.require("method").lowercased() == "microsoftauthenticator" else {
            throw TandemError(.notFound, "Tandem has the MicrosoftAuthenticator, Fido2, TemporaryAccessPass and SoftwareOath configurations.")
        }
    }

    static func legacy(_ s: LegacyMFASettings) -> [String: Any] {
        ["notificationThroughMobileApp": s.notificationThroughMobileApp, "verificationCodeFromMobileApp": s.verificationCodeFromMobileApp,
         "rememberMultiFactorDays": s.rememberMultiFactorDays, "trustedIPRanges": s.trustedIPRanges]
    }
}
