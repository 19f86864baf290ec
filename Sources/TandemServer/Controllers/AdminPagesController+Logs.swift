import Foundation
import Hummingbird
import TandemCore
import TandemServices

/// The sign-in log (filters, a detail pane with the steps and the push delivery trail, CSV
/// export) and the audit log.
extension AdminPagesController {
    /// The sign-in log's filters, from the query string; every field is optional.
    struct SignInQuery {
        var user = "", app = "", status = "", method = "", ip = ""
        var from: Date?, to: Date?
        var fromText = "", toText = ""

        init(_ request: Request) {
            let q = request.uri.queryParameters
            func text(_ name: String) -> String { q.get(name).map { String($0).trimmingCharacters(in: .whitespaces) } ?? "" }
            user = text("user"); app = text("app"); status = text("status"); method = text("method"); ip = text("ip")
            fromText = text("from"); toText = text("to")
            from = Self.date(fromText); to = Self.date(toText)
        }

        /// `datetime-local` values (`2026-12-02T12:55`), read as UTC.
        static func date(_ text: String) -> Date? {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            for format in ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd"] {
                formatter.dateFormat = format
                if let date = formatter.date(from: text) { return date }
            }
            return nil
        }

        func matches(_ r: SignInRecord) -> Bool {
            func has(_ field: String, _ needle: String) -> Bool { needle.isEmpty || field.lowercased().contains(needle.lowercased()) }
            guard has(r.userPrincipalName, user), has(r.appDisplayName, app), has(r.ipAddress, ip) else { return false }
            if !method.isEmpty, !r.steps.contains(where: { has($0.method, method) }) { return false }
            switch status {
            case "success": if r.errorCode != 0 { return false }
            case "failure": if r.errorCode == 0 || r.errorCode == 50074 { return false }
            case "interrupted": if r.errorCode != 50074 { return false }
            default: break
            }
            if let from, r.createdAt < from { return false }
            if let to, r.createdAt > to { return false }
            return true
        }

        /// The filters as a query string (for links that keep them).
        var query: String {
            [("user", user), ("app", app), ("status", status), ("method", method), ("ip", ip), ("from", fromText), ("to", toText)]
                .filter { !$0.1.isEmpty }.map { "\($0.0)=\(FormQuery.encode($0.1))" }.joined(separator: "&")
        }
    }

    func registerLogs(on router: Router<TandemRequestContext>) {
        router.get("/admin/sign-ins") { request, _ in
            let visitor = try await self.portal.visitor(request)
            let query = SignInQuery(request)
            let (records, more) = try await self.signIns(query, before: try Self.cursor(request), limit: 100)
            var values: [String: Any] = [
                "user": query.user, "app": query.app, "method": query.method, "ip": query.ip, "from": query.fromText, "to": query.toText,
                "query": query.query,
                "statuses": [("", "Any"), ("success", "Success"), ("failure", "Failure"), ("interrupted", "Interrupted")].map {
                    ["value": $0.0, "label": $0.1, "selected": $0.0 == query.status]
                },
                "records": records.map { r -> [String: Any] in
                    ["id": r.id, "date": AdminPortalRenderer.date(r.createdAt), "iso": AdminPortalRenderer.isoDate(r.createdAt),
                     "user": r.userPrincipalName, "app": r.appDisplayName, "ip": r.ipAddress, "location": r.location,
                     "success": r.errorCode == 0, "status": Self.status(r), "reason": (r.additionalDetails ?? r.failureReason) ?? "",
                     "steps": r.steps.map { ["method": $0.method, "detail": $0.detail] }, "policy": r.policyReason ?? "", "query": query.query]
                },
            ]
            if more, let last = records.last { values["more"] = Self.cursorToken(last.createdAt, last.id) }
            if let id = request.uri.queryParameters.get("id"), let record = try await self.storage.signIn(id: String(id)) {
                values["detail"] = try await self.detail(record)
            }
            return self.portal.page("signInLog", title: "Sign-in logs", section: .signIns, visitor, values)
        }
        router.get("/admin/sign-ins.csv") { request, _ in
            _ = try await self.portal.visitor(request)
            let (records, _) = try await self.signIns(SignInQuery(request), before: nil, limit: 10_000)
            var csv = "createdDateTime,id,userPrincipalName,appDisplayName,ipAddress,location,status,errorCode,failureReason,authenticationMethods\r\n"
            for r in records {
                csv += [AdminPortalRenderer.isoDate(r.createdAt), r.id, r.userPrincipalName, r.appDisplayName, r.ipAddress, r.location,
                        Self.status(r), String(r.errorCode), (r.additionalDetails ?? r.failureReason) ?? "",
                        r.steps.map { "\($0.method): \($0.detail)" }.joined(separator: "; ")].map(Self.csvField).joined(separator: ",") + "\r\n"
            }
            return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8", .cacheControl: "no-store",
                                                   .contentDisposition: "attachment; filename=\"SignIns.csv\""],
                            body: .init(byteBuffer: ByteBuffer(string: csv)))
        }
        router.get("/admin/audit-logs") { request, _ in
            let visitor = try await self.portal.visitor(request)
            let entries = try await self.storage.audits(limit: 101, before: try Self.cursor(request))
            var values: [String: Any] = ["entries": entries.prefix(100).map { e -> [String: Any] in
                ["date": AdminPortalRenderer.date(e.activityAt), "iso": AdminPortalRenderer.isoDate(e.activityAt), "category": e.category,
                 "activity": e.activity, "by": e.initiatedByName ?? "Command line", "target": e.targetName ?? e.targetID,
                 "property": e.property ?? "", "old": e.oldValue ?? "", "new": e.newValue ?? ""]
            }]
            if entries.count > 100, let last = entries.prefix(100).last { values["more"] = Self.cursorToken(last.activityAt, last.id) }
            return self.portal.page("auditLog", title: "Audit logs", section: .audits, visitor, values)
        }
    }

    /// Newest first, scanning in batches until `limit` matches; whether there are more.
    func signIns(_ query: SignInQuery, before: (Date, String)?, limit: Int) async throws -> ([SignInRecord], Bool) {
        var matches: [SignInRecord] = []
        var cursor = before
        while true {
            let batch = try await storage.signIns(limit: 500, before: cursor)
            for record in batch where query.matches(record) {
                if matches.count == limit { return (matches, true) }
                matches.append(record)
            }
            guard batch.count == 500, let last = batch.last else { return (matches, false) }
            if let from = query.from, last.createdAt < from { return (matches, false) }
            cursor = (last.createdAt, last.id)
        }
    }

    func detail(_ r: SignInRecord) async throws -> [String: Any] {
        var trails: [[String: Any]] = []
        for challenge in try await storage.challenges(signInID: r.id) {
            trails.append(["events": try await storage.trail(challengeID: challenge.id).map { e -> [String: Any] in
                ["date": AdminPortalRenderer.date(e.at), "iso": AdminPortalRenderer.isoDate(e.at), "event": e.event, "channel": e.channel ?? "", "device": e.deviceID ?? "", "detail": e.detail ?? ""]
            }])
        }
        return ["id": r.id, "date": AdminPortalRenderer.date(r.createdAt), "iso": AdminPortalRenderer.isoDate(r.createdAt), "user": r.userPrincipalName, "app": r.appDisplayName,
                "ip": r.ipAddress, "location": r.location, "status": Self.status(r), "reason": (r.additionalDetails ?? r.failureReason) ?? "",
                "policy": r.policyReason ?? "", "trails": trails,
                "steps": r.steps.map { ["date": AdminPortalRenderer.date($0.at), "iso": AdminPortalRenderer.isoDate($0.at), "method": $0.method, "succeeded": $0.succeeded, "detail": $0.detail] }]
    }

    static func status(_ r: SignInRecord) -> String {
        switch r.errorCode {
        case 0: "Success"
        case 50074: "Interrupted (50074)"
        default: "Failure (\(r.errorCode))"
        }
    }

    /// A CSV field (RFC 4180), with a leading `=`, `+`, `-` or `@` defused so a spreadsheet does not run it as a formula.
    static func csvField(_ value: String) -> String {
        var text = value
        if let first = text.first, "=+-@\t\r".contains(first) { text = "'" + text }
        guard text.contains(where: { ",\"\r\n".contains($0) }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func cursorToken(_ time: Date, _ id: String) -> String {
        "\(Int64((time.timeIntervalSince1970 * 1000).rounded()))_\(id)"
    }

    /// `?before=<millis>_<id>`: the entries to show are older than it.
    static func cursor(_ request: Request) throws -> (Date, String)? {
        guard let text = request.uri.queryParameters.get("before").map { String($0) }, !text.isEmpty else { return nil }
        guard let underscore = text.firstIndex(of: "_"), let millis = Int64(text[..<underscore]) else {
            throw TandemError(.badRequest, "The paging position is not valid.")
        }
        return (Date(timeIntervalSince1970: Double(millis) / 1000), String(text[text.index(after: underscore)...]))
    }
}
