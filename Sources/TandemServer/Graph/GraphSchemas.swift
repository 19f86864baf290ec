import Foundation
import TandemCore
import TandemServices

/// The `$filter` properties of each Graph collection Tandem serves, with the operators Graph
/// allows on them by default and in advanced queries (Graph's "filter directory objects" table;
/// `in` wherever `eq` works, `ne`/`not` only in advanced queries).
enum GraphSchemas {
    private static let text: Set<ODataOperator> = [.eq, .in, .startsWith]
    private static let negation: Set<ODataOperator> = [.ne, .not]
    private static let range: Set<ODataOperator> = [.eq, .ne, .gt, .ge, .lt, .le]

    static let user = ODataSchema<User>(type: "microsoft.graph.user", resource: "User", properties: [
        ODataProperty("id", .string, [.eq, .in], advanced: negation) { .string($0.id) },
        ODataProperty("userPrincipalName", .string, text, advanced: negation.union([.endsWith])) { .string($0.userPrincipalName) },
        ODataProperty("displayName", .string, text, advanced: negation) { .string($0.displayName) },
        ODataProperty("mail", .string, text, advanced: negation.union([.endsWith])) { _ in .string(nil) },
        ODataProperty("givenName", .string, text, advanced: negation) { _ in .string(nil) },
        ODataProperty("surname", .string, text, advanced: negation) { _ in .string(nil) },
        ODataProperty("accountEnabled", .bool, [.eq, .in], advanced: negation) { .bool($0.accountEnabled) },
        ODataProperty("createdDateTime", .date, [], advanced: range.union([.not])) { .date($0.createdAt) },
    ])

    static let group = ODataSchema<Group>(type: "microsoft.graph.group", resource: "Group", properties: [
        ODataProperty("id", .string, [.eq, .in], advanced: negation) { .string($0.id) },
        ODataProperty("displayName", .string, text, advanced: negation) { .string($0.displayName) },
        ODataProperty("description", .string, text, advanced: negation) { .string($0.description) },
        ODataProperty("mailNickname", .string, text, advanced: negation) { .string($0.mailNickname) },
        ODataProperty("securityEnabled", .bool, [.eq, .in], advanced: negation) { .bool($0.securityEnabled) },
        ODataProperty("mailEnabled", .bool, [.eq, .in], advanced: negation) { _ in .bool(false) },
        ODataProperty("createdDateTime", .date, [], advanced: range.union([.not])) { .date($0.createdAt) },
    ])

    /// Sign-in logs are not directory objects: every operator listed works without advanced-query headers.
    static let signIn = ODataSchema<SignInRecord>(type: "microsoft.graph.signIn", resource: "SignIn", properties: [
        ODataProperty("id", .string, [.eq, .ne, .in, .not]) { .string($0.id) },
        ODataProperty("userPrincipalName", .string, [.eq, .ne, .in, .startsWith, .not]) { .string($0.userPrincipalName) },
        ODataProperty("userId", .string, [.eq, .ne, .in, .not]) { .string($0.userID) },
        ODataProperty("appDisplayName", .string, [.eq, .ne, .in, .startsWith, .not]) { .string($0.appDisplayName) },
        ODataProperty("appId", .string, [.eq, .ne, .in, .not]) { .string($0.graphAppID) },
        ODataProperty("ipAddress", .string, [.eq, .ne, .in, .startsWith, .not]) { .string($0.ipAddress) },
        ODataProperty("clientAppUsed", .string, [.eq, .ne, .in, .not]) { .string($0.clientApp) },
        ODataProperty("createdDateTime", .date, range.union([.not])) { .date($0.createdAt) },
        ODataProperty("status/errorCode", .number, [.eq, .ne, .in, .not]) { .number($0.errorCode) },
    ])

    /// Directory audits: `activityDateTime` ranges, category, activity, result and who started it.
    static let audit = ODataSchema<AuditEntry>(type: "microsoft.graph.directoryAudit", resource: "DirectoryAudit", properties: [
        ODataProperty("id", .string, [.eq, .ne, .in, .not]) { .string($0.id) },
        ODataProperty("activityDateTime", .date, range.union([.not])) { .date($0.activityAt) },
        ODataProperty("category", .string, [.eq, .ne, .in, .not]) { .string($0.category) },
        ODataProperty("activityDisplayName", .string, [.eq, .ne, .in, .startsWith, .not]) { .string($0.activity) },
        ODataProperty("operationType", .string, [.eq, .ne, .in, .not]) { .string($0.operationType) },
        ODataProperty("result", .string, [.eq, .ne, .in, .not]) { .string($0.result) },
        ODataProperty("initiatedBy/user/id", .string, [.eq, .ne, .in, .not]) { .string($0.initiatedByID) },
        ODataProperty("initiatedBy/user/userPrincipalName", .string, [.eq, .ne, .in, .startsWith, .not]) {
            .string($0.initiatedByID == nil ? nil : $0.initiatedByName)
        },
    ])

    /// `$search` properties of users and groups.
    static let userSearch = ["displayName", "userPrincipalName", "mail"]
    static let groupSearch = ["displayName", "description", "mailNickname"]

    static func searchValue(_ user: User, _ property: String) -> String? {
        switch property {
        case "displayName": user.displayName
        case "userPrincipalName": user.userPrincipalName
        default: nil
        }
    }

    static func searchValue(_ group: Group, _ property: String) -> String? {
        switch property {
        case "displayName": group.displayName
        case "description": group.description
        case "mailNickname": group.mailNickname
        default: nil
        }
    }
}
