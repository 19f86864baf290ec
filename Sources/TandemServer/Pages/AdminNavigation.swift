import TandemServices

/// The portal's left navigation, as in the Entra admin center. An entry is shown when the
/// visitor's roles may read what it leads to — the same role lists (`AdminAccess`) the Graph API
/// checks for the matching GET — and says "view only" when they may read but not change it.
enum AdminNavigation {
    enum Section: String, CaseIterable, Sendable {
        case overview, users, groups, authenticationMethods, signIns, audits, riskyUsers, applications, namedLocations, protection
    }

    struct Entry {
        let section: Section
        let label: String
        let path: String
        /// Who may open the page.
        let read: [DirectoryRole]
        /// Who may change what it shows.
        let write: [DirectoryRole]
    }

    static let entries: [Entry] = [
        Entry(section: .overview, label: "Overview", path: "/admin", read: AdminAccess.readers, write: AdminAccess.readers),
        Entry(section: .users, label: "Users", path: "/admin/users", read: AdminAccess.readers, write: AdminAccess.methodAdmins),
        Entry(section: .groups, label: "Groups", path: "/admin/groups", read: AdminAccess.readers, write: AdminAccess.directoryAdmins),
        Entry(section: .authenticationMethods, label: "Authentication methods", path: "/admin/authentication-methods",
              read: AdminAccess.policyAdmins, write: AdminAccess.policyAdmins),
        Entry(section: .signIns, label: "Sign-in logs", path: "/admin/sign-ins", read: AdminAccess.readers, write: AdminAccess.readers),
        Entry(section: .audits, label: "Audit logs", path: "/admin/audit-logs", read: AdminAccess.readers, write: AdminAccess.readers),
        Entry(section: .riskyUsers, label: "Risky users", path: "/admin/risky-users", read: AdminAccess.readers, write: AdminAccess.methodAdmins),
        Entry(section: .applications, label: "Applications", path: "/admin/applications", read: AdminAccess.readers,
              write: AdminAccess.directoryAdmins),
        Entry(section: .namedLocations, label: "Named locations", path: "/admin/named-locations", read: AdminAccess.readers,
              write: AdminAccess.policyAdmins),
        Entry(section: .protection, label: "Protection settings", path: "/admin/protection", read: AdminAccess.policyAdmins,
              write: AdminAccess.policyAdmins),
    ]

    /// The entry of a section.
    static func entry(_ section: Section) -> Entry {
        entries.first { $0.section == section }!
    }

    /// The template values of the navigation for a visitor holding `roles`.
    static func items(for roles: Set<DirectoryRole>, current: Section) -> [[String: Any]] {
        entries.filter { !roles.isDisjoint(with: $0.read) }.map { entry in
            ["label": entry.label, "path": entry.path, "id": "nav-\(entry.section.rawValue)", "current": entry.section == current,
             "viewOnly": roles.isDisjoint(with: entry.write)]
        }
    }
}
