import Foundation
import Hummingbird
import TandemCore
import TandemServices

/// Sign-in logs, risky users (blocked after "No, it's not me"), named locations, push protection.
extension GraphController {
    func registerDefences(on v1: RouterGroup<TandemRequestContext>, env: ServiceEnvironment) {
        v1.get("auditLogs/signIns") { request, _ in
            _ = try await self.actor(request, AdminAccess.readers)
            let top = try GraphObjects.top(request)
            let options = try GraphQuery(request)
            let filter = try options.filter(GraphSchemas.signIn)
            let before = try GraphObjects.timeCursor(request)
            // Scan newest first in batches until a page of matches is full.
            var matches: [SignInRecord] = []
            var cursor = before
            var more = false
            scan: while true {
                let batch = try await self.storage.signIns(limit: 200, before: cursor)
                for record in batch where filter.map({ GraphSchemas.signIn.matches(record, $0) }) ?? true {
                    if matches.count == top { more = true; break scan }
                    matches.append(record)
                }
                guard batch.count == 200, let last = batch.last else { break }
                cursor = (last.createdAt, last.id)
            }
            var body: [String: Any] = ["@odata.context": "\(self.publicURL())/v1.0/$metadata#auditLogs/signIns",
                                       "value": try await matches.asyncMap { try await self.signInObject($0, trails: false) }]
            if more, let last = matches.last {
                var query = "$top=\(top)&$skiptoken=\(GraphObjects.timeCursorToken(last.createdAt, last.id))"
                if let raw = options[.filter] {
                    query += "&$filter=\(FormQuery.encode(raw))"
                }
                body["@odata.nextLink"] = "\(self.publicURL())/v1.0/auditLogs/signIns?\(query)"
            }
            return GraphJSON.response(body)
        }
        v1.get("auditLogs/signIns/{id}") { request, context in
            _ = try await self.actor(request, AdminAccess.readers)
            let id = try context.parameters.require("id")
            guard let record = try await self.storage.signIn(id: id) else {
                throw TandemError(.notFound, "Resource '\(id)' does not exist or one of its queried reference-property objects are not present.")
            }
            return GraphJSON.response(try await self.signInObject(record, trails: true))
        }
        v1.get("identityProtection/riskyUsers") { request, _ in
            _ = try await self.actor(request, AdminAccess.readers)
            let now = Date()
            let value: [[String: Any]] = try await self.storage.riskyUsers().map { user, security in
                ["id": user.id, "userPrincipalName": user.userPrincipalName, "userDisplayName": user.displayName,
                 "riskLevel": security.riskLevel, "riskState": security.riskState, "riskDetail": (security.riskDetail as Any?) ?? "none",
                 "riskLastUpdatedDateTime": (security.riskUpdatedAt.map(GraphJSON.date) as Any?) ?? NSNull(),
                 "isDeleted": false, "isProcessing": false,
                 "tandemPushBlocked": security.isPushBarred(at: now),
                 "tandemPushBlockedUntil": (security.pushBlockedUntil.map { $0 == .distantFuture ? "until unblocked" : GraphJSON.date($0) } as Any?) ?? NSNull(),
                 "tandemPushLocked": security.pushLockedAt != nil]
            }
            return GraphJSON.response(["@odata.context": "\(self.publicURL())/v1.0/$metadata#riskyUsers", "value": value])
        }
        v1.post("identityProtection/riskyUsers/dismiss") { request, _ in
            let actor = try await self.actor(request, AdminAccess.methodAdmins)
            let body = try await GraphJSON.object(request)
            try GraphJSON.onlyKnown(body, ["userIds"], type: "microsoft.graph.riskyUser.dismiss")
            let ids = try GraphJSON.array(body["userIds"], "userIds").enumerated().map { try GraphJSON.string($1, "userIds[\($0)]") }
            guard !ids.isEmpty, ids.count <= 60 else { throw TandemError(.badRequest, "userIds: 1 to 60 user ids are expected.") }
            for id in ids {
                try await ReportService(env: env).unblock(try await self.admin.user(id), by: actor)
            }
            return GraphJSON.noContent()
        }
        v1.get("identity/conditionalAccess/namedLocations") { request, _ in
            _ = try await self.actor(request, AdminAccess.readers)
            return GraphJSON.response(["@odata.context": "\(self.publicURL())/v1.0/$metadata#identity/conditionalAccess/namedLocations",
                                       "value": try await self.storage.namedLocations().map(Self.namedLocation)])
        }
        v1.post("identity/conditionalAccess/namedLocations") { request, _ in
            let actor = try await self.actor(request, AdminAccess.policyAdmins)
            let body = try await GraphJSON.object(request)
            try GraphJSON.onlyKnown(body, ["displayName", "isTrusted", "ipRanges"], type: "microsoft.graph.ipNamedLocation")
            if let type = body["@odata.type"], try GraphJSON.string(type, "@odata.type").lowercased() != "#microsoft.graph.ipnamedlocation" {
                throw TandemError(.badRequest, "@odata.type: only #microsoft.graph.ipNamedLocation is supported.")
            }
            let ranges = try GraphJSON.array(body["ipRanges"], "ipRanges").enumerated().map { index, item -> String in
                try GraphJSON.string(try GraphJSON.object(item, "ipRanges[\(index)]")["cidrAddress"], "ipRanges[\(index)].cidrAddress")
            }
            let location = try await NamedLocationService(env: env).create(
                displayName: try GraphJSON.string(body["displayName"], "displayName"), ipRanges: ranges,
                isTrusted: try body["isTrusted"].map { try GraphJSON.bool($0, "isTrusted") } ?? false, by: actor)
            return GraphJSON.response(Self.namedLocation(location), status: .created)
        }
        v1.delete("identity/conditionalAccess/namedLocations/{id}") { request, context in
            let actor = try await self.actor(request, AdminAccess.policyAdmins)
            try await NamedLocationService(env: env).delete(id: try context.parameters.require("id"), by: actor)
            return GraphJSON.noContent()
        }
        v1.get("policies/tandemPushProtection") { request, _ in
            _ = try await self.actor(request, AdminAccess.policyAdmins)
            let (settings, etag) = try await PushProtectionService(env: env).taggedSettings()
            var response = GraphJSON.response(Self.protection(settings))
            response.headers[.eTag] = etag
            return response
        }
        // Optimistic concurrency (decision 0018): a compare-and-set on the stored settings, so two
        // PATCHes of different fields both land; `If-Match` honoured (412 when it no longer matches).
        v1.patch("policies/tandemPushProtection") { request, _ in
            let actor = try await self.actor(request, AdminAccess.policyAdmins)
            let body = try await GraphJSON.object(request)
            try GraphJSON.onlyKnown(body, ["maxPendingPerUser", "freePushes", "baseDelaySeconds", "maxDelaySeconds", "failureLockThreshold",
                                           "suppressUnfamiliarLocations"], type: "tandem.pushProtection")
            let etag = try await PushProtectionService(env: env).updateSettings(ifMatch: request.headers[.ifMatch], by: actor) { current in
                var s = current
                if let v = body["maxPendingPerUser"] { s.maxPendingPerUser = try GraphJSON.int(v, "maxPendingPerUser") }
                if let v = body["freePushes"] { s.freePushes = try GraphJSON.int(v, "freePushes") }
                if let v = body["baseDelaySeconds"] { s.baseDelaySeconds = try GraphJSON.int(v, "baseDelaySeconds") }
                if let v = body["maxDelaySeconds"] { s.maxDelaySeconds = try GraphJSON.int(v, "maxDelaySeconds") }
                if let v = body["failureLockThreshold"] { s.failureLockThreshold = try GraphJSON.int(v, "failureLockThreshold") }
                if let v = body["suppressUnfamiliarLocations"] { s.suppressUnfamiliarLocations = try GraphJSON.bool(v, "suppressUnfamiliarLocations") }
                return s
            }
            var response = GraphJSON.noContent()
            response.headers[.eTag] = etag
            return response
        }
        v1.patch("policies/authenticationMethodsPolicy") { request, _ in
            let actor = try await self.actor(request, AdminAccess.policyAdmins)
            let body = try await GraphJSON.object(request)
            try GraphJSON.onlyKnown(body, ["reportSuspiciousActivitySettings", "systemCredentialPreferences", "registrationEnforcement"],
                                    type: "microsoft.graph.authenticationMethodsPolicy")
            let etag = try await self.patchMethodsPolicy(body, ifMatch: request.headers[.ifMatch], by: actor)
            var response = GraphJSON.noContent()
            response.headers[.eTag] = etag
            return response
        }
    }

    /// The parts of the authenticationMethodsPolicy a PATCH may change, read with their tags, and
    /// the representation's tag (the Authenticator configuration it shows is part of it).
    struct MethodsPolicyParts {
        var authenticator: AuthenticatorPolicy
        var report: ReportSuspiciousActivitySettings, reportTag: String
        var preferences: SystemCredentialPreferences, preferencesTag: String
        var campaign: RegistrationCampaign, campaignTag: String
        var etag: String
    }

    static func methodsPolicyParts(_ env: ServiceEnvironment) async throws -> MethodsPolicyParts {
        let (authenticator, authenticatorTag) = try await PolicyService(env: env).taggedAuthenticatorPolicy()
        let (report, reportTag) = try await PushProtectionService(env: env).taggedReportSettings()
        let (preferences, preferencesTag) = try await SystemPreferredMFAService(env: env).tagged()
        let (campaign, campaignTag) = try await RegistrationCampaignService(env: env).tagged()
        return MethodsPolicyParts(authenticator: authenticator, report: report, reportTag: reportTag, preferences: preferences, preferencesTag: preferencesTag,
                                  campaign: campaign, campaignTag: campaignTag,
                                  etag: PolicyTag.combined([authenticatorTag, reportTag, preferencesTag, campaignTag]))
    }

    /// Applies a PATCH of the authenticationMethodsPolicy: every part is checked before anything is
    /// saved (decisions 0033, 0034), and the parts are saved in one transaction, each by
    /// compare-and-set on what the change was applied to (decision 0018). A concurrent change of
    /// a part makes it start again from the new state, or `412` when the caller sent `If-Match`.
    /// Returns the new entity tag.
    func patchMethodsPolicy(_ body: [String: Any], ifMatch: String?, by actor: User?) async throws -> String {
        for _ in 0..<8 {
            let parts = try await Self.methodsPolicyParts(env)
            if let ifMatch, !PolicyTag.matches(ifMatch, tag: parts.etag) { throw PolicyTag.mismatch }
            let preferences = try body["systemCredentialPreferences"].map { raw in
                let patched = try GraphController.patchSystemCredentialPreferences(raw, onto: parts.preferences)
                try SystemPreferredMFAService.validate(patched)
                return patched
            }
            let campaign = try body["registrationEnforcement"].map { raw in
                let patched = try GraphController.patchRegistrationEnforcement(raw, onto: parts.campaign)
                try RegistrationCampaignService.validate(patched)
                return patched
            }
            let report = try body["reportSuspiciousActivitySettings"].map { try Self.patchReportSettings($0, onto: parts.report) }
            do {
                return try await env.transaction { env in
                    if let report {
                        try await PushProtectionService(env: env).updateReportSettings(ifMatch: parts.reportTag, by: actor) { _ in report }
                    }
                    if let preferences {
                        try await SystemPreferredMFAService(env: env).update(ifMatch: parts.preferencesTag, by: actor) { _ in preferences }
                    }
                    if let campaign {
                        try await RegistrationCampaignService(env: env).update(ifMatch: parts.campaignTag, by: actor) { _ in campaign }
                    }
                    return try await Self.methodsPolicyParts(env).etag
                }
            } catch let error as TandemError where error.code == .preconditionFailed && ifMatch == nil {
                continue  // another change came first: apply this one to it
            }
        }
        throw TandemError(.conflict, "The policy is being changed by someone else; try again.")
    }

    static func patchReportSettings(_ raw: Any, onto current: ReportSuspiciousActivitySettings) throws -> ReportSuspiciousActivitySettings {
        let object = try GraphJSON.object(raw, "reportSuspiciousActivitySettings")
        try GraphJSON.onlyKnown(object, ["state", "includeTarget", "voiceReportingCode", "tandemBlockMinutes"],
                                type: "microsoft.graph.reportSuspiciousActivitySettings", path: "reportSuspiciousActivitySettings.")
        var s = current
        if let v = object["state"] {
            s.state = try GraphJSON.enumValue(v, "reportSuspiciousActivitySettings.state", as: AuthenticatorPolicy.FeatureState.self).rawValue
        }
        if let v = object["includeTarget"] {
            let target = try GraphJSON.object(v, "reportSuspiciousActivitySettings.includeTarget")
            s.includeTargetType = try GraphJSON.enumValue(target["targetType"] ?? "group", "reportSuspiciousActivitySettings.includeTarget.targetType",
                                                          as: AuthenticatorPolicy.TargetType.self).rawValue
            s.includeTargetID = try GraphJSON.string(target["id"], "reportSuspiciousActivitySettings.includeTarget.id")
        }
        if let v = object["voiceReportingCode"] { s.voiceReportingCode = try GraphJSON.int(v, "reportSuspiciousActivitySettings.voiceReportingCode") }
        if let v = object["tandemBlockMinutes"] { s.blockMinutes = try GraphJSON.int(v, "reportSuspiciousActivitySettings.tandemBlockMinutes") }
        try PushProtectionService.validateReport(s)
        return s
    }

    static func namedLocation(_ l: NamedLocation) -> [String: Any] {
        ["@odata.type": "#microsoft.graph.ipNamedLocation", "id": l.id, "displayName": l.displayName, "isTrusted": l.isTrusted,
         "createdDateTime": GraphJSON.date(l.createdAt), "modifiedDateTime": GraphJSON.date(l.createdAt),
         "ipRanges": l.ipRanges.map { ["@odata.type": $0.contains(":") ? "#microsoft.graph.iPv6CidrRange" : "#microsoft.graph.iPv4CidrRange", "cidrAddress": $0] }]
    }

    static func protection(_ s: PushProtectionSettings) -> [String: Any] {
        ["maxPendingPerUser": s.maxPendingPerUser, "freePushes": s.freePushes, "baseDelaySeconds": s.baseDelaySeconds,
         "maxDelaySeconds": s.maxDelaySeconds, "failureLockThreshold": s.failureLockThreshold,
         "suppressUnfamiliarLocations": s.suppressUnfamiliarLocations]
    }

    /// Graph's `signIn` shape, plus each push request's delivery trail when asked.
    func signInObject(_ r: SignInRecord, trails: Bool) async throws -> [String: Any] {
        let user = try await r.userID.asyncMap { try await storage.user(id: $0) } ?? nil
        // Decision 0025: the strength step is its own field, not an authentication step.
        let strength = r.steps.last { $0.method == SignInJournal.strengthStep }
        let details: [[String: Any]] = r.steps.filter { $0.method != SignInJournal.strengthStep }.map { step in
            ["authenticationStepDateTime": GraphJSON.date(step.at), "authenticationMethod": step.method, "succeeded": step.succeeded,
             "authenticationStepResultDetail": step.detail, "authenticationMethodDetail": (step.requestID as Any?) ?? NSNull(),
             "authenticationStepRequirement": step.method == "Password" ? "Primary authentication" : "Multifactor authentication"]
        }
        let mfa = r.steps.contains { $0.method != "Password" && $0.method != SignInJournal.strengthStep }
        var object: [String: Any] = [
            "id": r.id, "createdDateTime": GraphJSON.date(r.createdAt), "userDisplayName": (user?.displayName as Any?) ?? NSNull(),
            "userPrincipalName": r.userPrincipalName, "userId": (r.userID as Any?) ?? "", "appId": r.graphAppID, "appDisplayName": r.appDisplayName,
            "ipAddress": r.ipAddress, "clientAppUsed": r.clientApp, "correlationId": r.id, "isInteractive": true,
            "conditionalAccessStatus": "notApplied",
            "authenticationRequirement": mfa ? "multiFactorAuthentication" : "singleFactorAuthentication",
            "status": ["errorCode": r.errorCode, "failureReason": (r.failureReason as Any?) ?? (r.errorCode == 0 ? "Other." : NSNull()),
                       "additionalDetails": (r.additionalDetails as Any?) ?? NSNull()],
            "location": ["city": NSNull(), "state": NSNull(), "countryOrRegion": NSNull(), "tandemDisplayName": r.location],
            "authenticationDetails": details,
            "tandemPolicyReason": (r.policyReason as Any?) ?? NSNull(),
            "tandemAuthenticationStrength": (strength?.detail as Any?) ?? NSNull(),
        ]
        if trails {
            var requests: [[String: Any]] = []
            for challenge in try await storage.challenges(signInID: r.id) {
                let events = try await storage.trail(challengeID: challenge.id).map { e -> [String: Any] in
                    ["event": e.event, "dateTime": GraphJSON.date(e.at), "channel": (e.channel as Any?) ?? NSNull(),
                     "deviceId": (e.deviceID as Any?) ?? NSNull(), "detail": (e.detail as Any?) ?? NSNull()]
                }
                requests.append(["id": challenge.id, "kind": challenge.kind.rawValue, "state": challenge.state.rawValue,
                                 "suppressed": challenge.suppressed, "trail": events])
            }
            object["tandemPushRequests"] = requests
        }
        return object
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var out: [T] = []
        for element in self { out.append(try await transform(element)) }
        return out
    }
}
