import Foundation

/// A security group. Members are users or groups (nested groups count transitively).
public struct Group: Sendable, Equatable {
    public var id: String
    public var displayName: String
    public var description: String?
    public var mailNickname: String
    public var securityEnabled: Bool
    public var createdAt: Date

    public init(id: String, displayName: String, description: String? = nil, mailNickname: String, securityEnabled: Bool = true, createdAt: Date) {
        self.id = id
        self.displayName = displayName
        self.description = description
        self.mailNickname = mailNickname
        self.securityEnabled = securityEnabled
        self.createdAt = createdAt
    }
}

/// One membership edge.
public struct GroupMember: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable { case user, group }
    public var id: String
    public var kind: Kind

    public init(id: String, kind: Kind) {
        self.id = id
        self.kind = kind
    }
}

/// The directory roles Tandem knows, with Entra's role template ids.
public enum DirectoryRole: String, Sendable, CaseIterable {
    case globalAdministrator = "62e90394-69f5-4237-9190-012177145e10"
    case authenticationPolicyAdministrator = "0526716b-113d-4c15-b2c8-68e3c22b9f80"
    case authenticationAdministrator = "c4e39bd9-1100-46d3-8c65-fb160da0071f"
    /// May manage the authentication methods of every user, administrators included.
    case privilegedAuthenticationAdministrator = "7be44c8a-adaf-4e2a-84d6-ab2649e08a13"

    public var displayName: String {
        switch self {
        case .globalAdministrator: "Global Administrator"
        case .authenticationPolicyAdministrator: "Authentication Policy Administrator"
        case .authenticationAdministrator: "Authentication Administrator"
        case .privilegedAuthenticationAdministrator: "Privileged Authentication Administrator"
        }
    }

    public var description: String {
        switch self {
        case .globalAdministrator: "Can manage all aspects of Tandem."
        case .authenticationPolicyAdministrator: "Can create and manage the authentication methods policy and MFA settings."
        case .authenticationAdministrator: "Can view, set and reset authentication method information for any non-admin user."
        case .privilegedAuthenticationAdministrator: "Can view, set and reset authentication method information for any user (admin or non-admin)."
        }
    }

    /// Finds a role by template id or by display name (case-insensitive, spaces optional).
    public static func named(_ text: String) -> DirectoryRole? {
        let key = text.lowercased().replacingOccurrences(of: " ", with: "")
        return allCases.first { $0.rawValue == text || $0.displayName.lowercased().replacingOccurrences(of: " ", with: "") == key }
    }
}

/// One entry of the audit log: who changed what, when, from what to what.
public struct AuditEntry: Sendable, Equatable {
    public var id: String
    public var activityAt: Date
    /// `Policy`, `RoleManagement`, `UserManagement`, `GroupManagement`, `UserAuthenticationMethod`.
    public var category: String
    /// e.g. "Update authentication methods policy".
    public var activity: String
    /// `Add`, `Update`, `Delete`, `Assign`, `Unassign`.
    public var operationType: String
    public var initiatedByID: String?
    public var initiatedByName: String?
    /// `User`, `Group`, `Policy`, `Role`, `Device`.
    public var targetType: String
    public var targetID: String
    public var targetName: String?
    public var property: String?
    public var oldValue: String?
    public var newValue: String?
    /// `success` or `failure`.
    public var result: String

    public init(id: String, activityAt: Date, category: String, activity: String, operationType: String,
                initiatedByID: String?, initiatedByName: String?, targetType: String, targetID: String, targetName: String?,
                property: String? = nil, oldValue: String? = nil, newValue: String? = nil, result: String = "success") {
        self.id = id
        self.activityAt = activityAt
        self.category = category
        self.activity = activity
        self.operationType = operationType
        self.initiatedByID = initiatedByID
        self.initiatedByName = initiatedByName
        self.targetType = targetType
        self.targetID = targetID
        self.targetName = targetName
        self.property = property
        self.oldValue = oldValue
        self.newValue = newValue
        self.result = result
    }
}

/// The legacy service settings of the old MFA page (tenant-wide).
public struct LegacyMFASettings: Sendable, Equatable, Codable {
    /// "Notification through mobile app".
    public var notificationThroughMobileApp: Bool
    /// "Verification code from mobile app or hardware token".
    public var verificationCodeFromMobileApp: Bool
    /// "Remember multi-factor authentication on trusted devices": days, 0 = off, at most 365.
    public var rememberMultiFactorDays: Int
    /// "Skip multi-factor authentication for requests from federated users on my intranet": trusted IP ranges (CIDR).
    public var trustedIPRanges: [String]

    public init(notificationThroughMobileApp: Bool = true, verificationCodeFromMobileApp: Bool = true,
                rememberMultiFactorDays: Int = 0, trustedIPRanges: [String] = []) {
        self.notificationThroughMobileApp = notificationThroughMobileApp
        self.verificationCodeFromMobileApp = verificationCodeFromMobileApp
        self.rememberMultiFactorDays = rememberMultiFactorDays
        self.trustedIPRanges = trustedIPRanges
    }
}

/// A signing key kept in the store (ES256 for admin and, later, OIDC tokens).
public struct StoredSigningKey: Sendable, Equatable {
    public var kid: String
    public var purpose: String
    /// Base64url raw P-256 private key. Secret: never logged.
    public var privateKey: String
    public var createdAt: Date

    public init(kid: String, purpose: String, privateKey: String, createdAt: Date) {
        self.kid = kid
        self.purpose = purpose
        self.privateKey = privateKey
        self.createdAt = createdAt
    }
}
