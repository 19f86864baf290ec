import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TandemCore
import TandemServer
import TandemServices
import Testing

/// Users, groups and authentication methods in the portal over real HTTP: a change made on a page
/// shows in the Graph API and the audit log and the reverse, and each role boundary holds when
/// attacked from the page.
@Suite("Admin portal: users, groups and methods")
struct AdminPortalDirectoryTests {
    typealias Portal = AdminPortalTests

    @Test("Users: search and paging; a Global Administrator creates a user (CSRF enforced), seen by Graph and the audit log")
    func createAndSearch() async throws {
        try await TestServer.run({ store, client in
            let graph = GraphClient(store, client)
            let token = try await graph.token(for: "global@contoso.com", role: .globalAdministrator)
            let global = try await Portal.admin(graph, client, "global@contoso.com", .globalAdministrator)
            for index in 0..<55 {
                _ = try await DirectoryAdminService(env: graph.env).createUser(userPrincipalName: String(format: "user%02d@contoso.com", index),
                                                                               displayName: nil, password: nil, accountEnabled: true, by: nil)
            }
            let first = try await global.request("/admin/users")
            #expect(first.text.contains("57 users") && first.text.contains("Page 1 of 2") && first.text.contains(#"id="next""#))
            #expect(try await global.request("/admin/users?page=2").text.contains("user54@contoso.com"))
            let found = try await global.request("/admin/users?q=ALICE")
            #expect(found.text.contains("1 users") && found.text.contains("alice@contoso.com") && !found.text.contains("user00@"))
            let form = ["userPrincipalName": "bob@contoso.com", "displayName": "Bob"]
            #expect(try await global.request("/admin/users", method: .post, form: form).status == .forbidden)   // no token
            var withToken = form
            withToken["csrf"] = try Portal.csrf(first)
            let created = try await global.request("/admin/users", method: .post, form: withToken)
            #expect(created.status == .seeOther || created.status == .found)
            #expect(created.headers[.location]?.hasSuffix("?saved=created") == true)
            let bob = try await graph.json(.get, "/v1.0/users/bob@contoso.com", token: token)
            #expect(bob["displayName"] as? String == "Bob")
            let audits = try await graph.json(.get, "/v1.0/auditLogs/directoryAudits", token: token)["value"] as? [[String: Any]] ?? []
            #expect(audits.contains { ($0["activityDisplayName"] as? String) == "Add user" && "\($0)".contains("global@contoso.com") })
            #expect(try await global.request("/admin/users", method: .post, form: withToken).status == .conflict)   // taken name
            // An Authentication Administrator may read the list but not create.
            let helpdesk = try await Portal.admin(graph, client, "helpdesk@contoso.com", .authenticationAdministrator)
            let list = try await helpdesk.request("/admin/users")
            #expect(list.status == .ok && !list.text.contains(#"id="create-user""#))
            var attempt = form
            attempt["userPrincipalName"] = "carol@contoso.com"
            attempt["csrf"] = try Portal.csrf(list)
            #expect(try await helpdesk.request("/admin/users", method: .post, form: attempt).status == .forbidden)
            #expect(try await store.user(principalName: "carol@contoso.com") == nil)
        }, mode: .live)
    }

    @Test("Disabling asks for a confirmation first, is a Global Administrator's, and shows in Graph")
    func disable() async throws {
        try await TestServer.run({ store, client in
            let graph = GraphClient(store, client)
            let token = try await graph.token(for: "global@contoso.com", role: .globalAdministrator)
            let global = try await Portal.admin(graph, client, "global@contoso.com", .globalAdministrator)
            let alice = try #require(try await store.user(principalName: "alice@contoso.com"))
            let page = try await global.request("/admin/users/\(alice.id)")
            let csrf = try Portal.csrf(page)
            let confirm = try await global.request("/admin/users/\(alice.id)/disable", method: .post, form: ["csrf": csrf])
            #expect(confirm.status == .ok && confirm.text.contains(#"name="confirm" value="yes""#))
            #expect(try await store.user(id: alice.id)?.accountEnabled == true)
            let helpdesk = try await Portal.admin(graph, client, "helpdesk@contoso.com", .authenticationAdministrator)
            let helpdeskCSRF = try Portal.csrf(try await helpdesk.request("/admin/users/\(alice.id)"))
            #expect(try await helpdesk.request("/admin/users/\(alice.id)/disable", method: .post,
                                               form: ["csrf": helpdeskCSRF, "confirm": "yes"]).status == .forbidden)
            // Another administrator's token is not this session's.
            #expect(try await global.request("/admin/users/\(alice.id)/disable", method: .post,
                                             form: ["csrf": helpdeskCSRF, "confirm": "yes"]).status == .forbidden)
            #expect(try await store.user(id: alice.id)?.accountEnabled == true)
            let done = try await global.request("/admin/users/\(alice.id)/disable", method: .post, form: ["csrf": csrf, "confirm": "yes"])
            #expect(done.headers[.location] == "/admin/users/\(alice.id)?saved=disabled")
            #expect(try await graph.json(.get, "/v1.0/users/\(alice.id)", token: token)["accountEnabled"] as? Bool == false)
        }, mode: .live)
    }

    @Test("A Temporary Access Pass is shown once; an Authentication Administrator cannot issue one for an administrator, a Privileged one can")
    func temporaryAccessPass() async throws {
        try await TestServer.run({ store, client in
            let graph = GraphClient(store, client)
            let token = try await graph.token(for: "global@contoso.com", role: .globalAdministrator)
            let globalUser = try #require(try await store.user(principalName: "global@contoso.com"))
            let alice = try #require(try await store.user(principalName: "alice@contoso.com"))
            let helpdesk = try await Portal.admin(graph, client, "helpdesk@contoso.com", .authenticationAdministrator)
            let csrf = try Portal.csrf(try await helpdesk.request("/admin/users/\(alice.id)"))
            let issued = try await helpdesk.request("/admin/users/\(alice.id)/temporary-access-pass", method: .post,
                                                    form: ["csrf": csrf, "lifetimeInMinutes": "60", "isUsableOnce": "on"])
            #expect(issued.status == .ok && issued.headers[.cacheControl] == "no-store")
            let code = try #require(issued.text.firstMatch(of: /id="tap-code">([^<]+)</)?.1).description
            #expect(code.count == 8)
            #expect(try await helpdesk.request("/admin/users/\(alice.id)").text.contains(code) == false)   // shown once
            let methods = try await graph.json(.get, "/v1.0/users/\(alice.id)/authentication/temporaryAccessPassMethods", token: token)
            #expect((methods["value"] as? [[String: Any]])?.count == 1)
            let tooLong = try await helpdesk.request("/admin/users/\(alice.id)/temporary-access-pass", method: .post,
                                                     form: ["csrf": csrf, "lifetimeInMinutes": "99999"])
            #expect(tooLong.status == .badRequest)
            // The boundary of decision 0012, attacked from the page.
            let refused = try await helpdesk.request("/admin/users/\(globalUser.id)/temporary-access-pass", method: .post,
                                                     form: ["csrf": csrf, "lifetimeInMinutes": "60"])
            #expect(refused.status == .forbidden && refused.text.contains("holds an admin role"))
            #expect(try await store.temporaryAccessPasses(userID: globalUser.id).isEmpty)
            let privileged = try await Portal.admin(graph, client, "privileged@contoso.com", .privilegedAuthenticationAdministrator)
            let privilegedCSRF = try Portal.csrf(try await privileged.request("/admin/users/\(globalUser.id)"))
            let allowed = try await privileged.request("/admin/users/\(globalUser.id)/temporary-access-pass", method: .post,
                                                       form: ["csrf": privilegedCSRF, "lifetimeInMinutes": "60"])
            #expect(allowed.status == .ok && allowed.text.contains(#"id="tap-code""#))
            // The read boundary too: the administrator's methods are for the privileged roles to see.
            let seenByHelpdesk = try await helpdesk.request("/admin/users/\(globalUser.id)").text
            #expect(seenByHelpdesk.contains(#"id="methods-hidden""#) && !seenByHelpdesk.contains("<td>Temporary Access Pass</td>"))
            let seenByPrivileged = try await privileged.request("/admin/users/\(globalUser.id)").text
            #expect(!seenByPrivileged.contains(#"id="methods-hidden""#) && seenByPrivileged.contains("<td>Temporary Access Pass</td>"))
            #expect(try await helpdesk.request("/admin/users/\(alice.id)").text.contains("<td>Temporary Access Pass</td>"))
            // A user without a role cannot even reach the form.
            try await TestServer.allowPasswordOnly(store, ["alice@contoso.com"])
            let aliceBrowser = try await AdminPageTests.signIn(client, "alice@contoso.com", "correct horse")
            #expect(try await aliceBrowser.request("/admin/users/\(alice.id)/temporary-access-pass", method: .post,
                                                   form: ["csrf": WebSecurity.csrfToken(cookie: aliceBrowser.cookies["tandem_session"] ?? ""),
                                                          "lifetimeInMinutes": "60"]).status == .forbidden)
        }, mode: .live)
    }

    @Test("Revoke sessions ends the user's browser session after a confirmation, within the role boundary")
    func revokeSessions() async throws {
        try await TestServer.run({ store, client in
            let graph = GraphClient(store, client)
            let alice = try #require(try await store.user(principalName: "alice@contoso.com"))
            try await TestServer.allowPasswordOnly(store, ["alice@contoso.com"])
            let aliceBrowser = try await AdminPageTests.signIn(client, "alice@contoso.com", "correct horse")
            #expect(try await aliceBrowser.request("/").status == .ok)
            let global = try await Portal.admin(graph, client, "global@contoso.com", .globalAdministrator)
            let globalUser = try #require(try await store.user(principalName: "global@contoso.com"))
            let helpdesk = try await Portal.admin(graph, client, "helpdesk@contoso.com", .authenticationAdministrator)
            let csrf = try Portal.csrf(try await helpdesk.request("/admin/users/\(alice.id)"))
            let refused = try await helpdesk.request("/admin/users/\(globalUser.id)/revoke-sessions", method: .post,
                                                     form: ["csrf": csrf, "confirm": "yes"])
            #expect(refused.status == .forbidden)
            #expect(try await global.request("/admin").status == .ok)   // the Global Administrator is still signed in
            let asked = try await helpdesk.request("/admin/users/\(alice.id)/revoke-sessions", method: .post, form: ["csrf": csrf])
            #expect(asked.text.contains("Sign alice@contoso.com out everywhere"))
            #expect(try await aliceBrowser.request("/").status == .ok)
            let done = try await helpdesk.request("/admin/users/\(alice.id)/revoke-sessions", method: .post, form: ["csrf": csrf, "confirm": "yes"])
            #expect(done.headers[.location] == "/admin/users/\(alice.id)?saved=revoked")
            #expect(try await aliceBrowser.request("/").headers[.location] == "/login")
        }, mode: .live)
    }

    @Test("Groups: create, add a user and a nested group, see them in Graph, remove after a confirmation; used-by lists policy targets")
    func groups() async throws {
        try await TestServer.run({ store, client in
            let graph = GraphClient(store, client)
            let token = try await graph.token(for: "global@contoso.com", role: .globalAdministrator)
            let global = try await Portal.admin(graph, client, "global@contoso.com", .globalAdministrator)
            let csrf = try Portal.csrf(try await global.request("/admin/groups"))
            let created = try await global.request("/admin/groups", method: .post, form: ["csrf": csrf, "displayName": "Pilot"])
            let location = try #require(created.headers[.location])
            let id = try #require(location.firstMatch(of: /\/admin\/groups\/([^?]+)/)?.1).description
            _ = try await global.request("/admin/groups", method: .post, form: ["csrf": csrf, "displayName": "Nested"])
            #expect(try await global.request("/admin/groups/\(id)/members", method: .post,
                                             form: ["csrf": csrf, "member": "alice@contoso.com"]).headers[.location] == "/admin/groups/\(id)?saved=added")
            _ = try await global.request("/admin/groups/\(id)/members", method: .post, form: ["csrf": csrf, "member": "Nested"])
            let unknown = try await global.request("/admin/groups/\(id)/members", method: .post, form: ["csrf": csrf, "member": "nobody"])
            #expect(unknown.status == .badRequest)
            let members = try await graph.json(.get, "/v1.0/groups/\(id)/members", token: token)["value"] as? [[String: Any]] ?? []
            #expect(Set(members.compactMap { ($0["userPrincipalName"] ?? $0["displayName"]) as? String }) == ["alice@contoso.com", "Nested"])
            // A Graph change shows on the page: the policy now targets the group.
            let patch = #"{"includeTargets": [{"targetType": "group", "id": "\#(id)", "authenticationMode": "push"}]}"#
            let patched = try await graph.call(.patch, "/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/MicrosoftAuthenticator",
                                               token: token, body: patch)
            #expect(patched.status == .noContent)
            let page = try await global.request("/admin/groups/\(id)")
            #expect(page.text.contains("Microsoft Authenticator: included, mode push") && page.text.contains("alice@contoso.com"))
            let helpdesk = try await Portal.admin(graph, client, "helpdesk@contoso.com", .authenticationAdministrator)
            let helpdeskCSRF = try Portal.csrf(try await helpdesk.request("/admin/groups/\(id)"))
            #expect(try await helpdesk.request("/admin/groups/\(id)/members", method: .post,
                                               form: ["csrf": helpdeskCSRF, "member": "helpdesk@contoso.com"]).status == .forbidden)
            let alice = try #require(try await store.user(principalName: "alice@contoso.com"))
            let ask = try await global.request("/admin/groups/\(id)/members/\(alice.id)/remove", method: .post, form: ["csrf": csrf])
            #expect(ask.text.contains(#"name="confirm" value="yes""#))
            #expect(try await store.members(groupID: id).count == 2)
            _ = try await global.request("/admin/groups/\(id)/members/\(alice.id)/remove", method: .post, form: ["csrf": csrf, "confirm": "yes"])
            #expect(try await store.members(groupID: id).map(\.kind) == [.group])
        }, mode: .live)
    }

    @Test("Authentication methods: the page saves what Graph reads, refuses what Graph refuses, and shows what Graph changed")
    func methods() async throws {
        try await TestServer.run({ store, client in
            let graph = GraphClient(store, client)
            let token = try await graph.token(for: "policy@contoso.com", role: .authenticationPolicyAdministrator)
            try await graph.group(id: "22222222-0000-0000-0000-000000000001", name: "Pilot")
            let admin = try await Portal.admin(graph, client, "policy@contoso.com", .authenticationPolicyAdministrator)
            let page = try await admin.request("/admin/authenticator")
            #expect(page.status == .ok)
            for field in ["displayAppInformationRequiredState-state", "displayLocationInformationRequiredState-include",
                          "companionAppAllowedState-exclude", "tandemNumberDigits", "tandemNumberPresentation", "isSoftwareOathEnabled"] {
                #expect(page.text.contains(#"name="\#(field)""#), "\(field)")
            }
            let csrf = try Portal.csrf(page)
            let before = try await PolicyService(env: graph.env).authenticatorPolicy()
            // "Select groups" with no group ticked: refused with the service's message, nothing saved.
            let none = try await admin.request("/admin/authenticator", method: .post,
                                               form: ["csrf": csrf, "configure": "1", "enabled": "on", "target": "groups"])
            #expect(none.status == .badRequest && none.text.contains("select at least one group"))
            let digits = try await admin.request("/admin/authenticator", method: .post,
                                                 form: ["csrf": csrf, "configure": "1", "enabled": "on", "target": "all", "tandemNumberDigits": "9"])
            #expect(digits.status == .badRequest && digits.text.contains("tandemNumberDigits"))
            #expect(try await PolicyService(env: graph.env).authenticatorPolicy() == before)
            let saved = try await admin.request("/admin/authenticator", method: .post, form: [
                "csrf": csrf, "configure": "1", "enabled": "on", "target": "groups",
                "include-22222222-0000-0000-0000-000000000001": "on", "mode-22222222-0000-0000-0000-000000000001": "push",
                "required-22222222-0000-0000-0000-000000000001": "on", "tandemNumberDigits": "6", "tandemNumberPresentation": "chooseFromThree",
                "displayAppInformationRequiredState-state": "enabled",
                "displayAppInformationRequiredState-include": "22222222-0000-0000-0000-000000000001",
                "displayAppInformationRequiredState-exclude": AuthenticatorPolicy.noOne,
            ])
            #expect(saved.headers[.location] == "/admin/authenticator?saved=1", "\(saved.text.firstMatch(of: /id="error">([^<]*)</)?.1 ?? "")")
            let path = "/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/MicrosoftAuthenticator"
            let read = try await graph.json(.get, path, token: token)
            #expect(read["tandemNumberDigits"] as? Int == 6 && read["tandemNumberPresentation"] as? String == "chooseFromThree")
            #expect(read["isSoftwareOathEnabled"] as? Bool == false)
            let target = (read["includeTargets"] as? [[String: Any]])?.first
            #expect(target?["id"] as? String == "22222222-0000-0000-0000-000000000001" && target?["isRegistrationRequired"] as? Bool == true)
            let app = (read["featureSettings"] as? [String: Any])?["displayAppInformationRequiredState"] as? [String: Any]
            #expect(app?["state"] as? String == "enabled")
            let audits = try await graph.json(.get, "/v1.0/auditLogs/directoryAudits", token: token)["value"] as? [[String: Any]] ?? []
            #expect(audits.contains { ($0["activityDisplayName"] as? String) == "Update authentication methods policy" && "\($0)".contains("policy@contoso.com") })
            // The reverse: a Graph PATCH shows on the page.
            #expect(try await graph.call(.patch, path, token: token, body: #"{"tandemNumberDigits": 4}"#).status == .noContent)
            #expect(try await admin.request("/admin/authenticator").text.contains(#"id="digits" value="4""#))
            // Legacy MFA service settings: the same validation as the Graph PATCH.
            let legacyCSRF = try Portal.csrf(try await admin.request("/admin/mfa-settings"))
            let badRange = try await admin.request("/admin/mfa-settings", method: .post,
                                                   form: ["csrf": legacyCSRF, "trustedIPRanges": "10.0.0.0/8\nnot-a-range", "rememberMultiFactorDays": "7"])
            #expect(badRange.status == .badRequest && badRange.text.contains("not-a-range"))
            _ = try await admin.request("/admin/mfa-settings", method: .post, form: [
                "csrf": legacyCSRF, "trustedIPRanges": "10.0.0.0/8", "rememberMultiFactorDays": "7", "notificationThroughMobileApp": "on"])
            let legacy = try await graph.json(.get, "/v1.0/policies/mfaServiceSettings", token: token)
            #expect(legacy["trustedIPRanges"] as? [String] == ["10.0.0.0/8"] && legacy["rememberMultiFactorDays"] as? Int == 7)
            #expect(legacy["verificationCodeFromMobileApp"] as? Bool == false)
            // An Authentication Administrator may not change the policy.
            let helpdesk = try await Portal.admin(graph, client, "helpdesk@contoso.com", .authenticationAdministrator)
            let forged = try await helpdesk.request("/admin/authenticator", method: .post,
                                                    form: ["csrf": WebSecurity.csrfToken(cookie: helpdesk.cookies["tandem_session"] ?? ""),
                                                           "enabled": "", "target": "all"])
            #expect(forged.status == .forbidden)
            #expect(try await PolicyService(env: graph.env).authenticatorPolicy().state == .enabled)
        }, mode: .live)
    }

    @Test("Protection settings: saved through the services Graph uses, refused with their message, policy administrators only")
    func protection() async throws {
        try await TestServer.run({ store, client in
            let graph = GraphClient(store, client)
            let token = try await graph.token(for: "policy@contoso.com", role: .authenticationPolicyAdministrator)
            let admin = try await Portal.admin(graph, client, "policy@contoso.com", .authenticationPolicyAdministrator)
            let page = try await admin.request("/admin/protection")
            #expect(page.status == .ok && page.text.contains(#"name="failureLockThreshold""#) && page.text.contains(#"name="stepUpMinutes""#))
            let csrf = try Portal.csrf(page)
            let zero = try await admin.request("/admin/protection/push", method: .post, form: ["csrf": csrf, "failureLockThreshold": "0"])
            #expect(zero.status == .badRequest && zero.text.contains("failureLockThreshold must be between 1 and 100"))
            let text = try await admin.request("/admin/protection/push", method: .post, form: ["csrf": csrf, "failureLockThreshold": "ten"])
            #expect(text.status == .badRequest && text.text.contains("failureLockThreshold must be a whole number"))
            let saved = try await admin.request("/admin/protection/push", method: .post,
                                                form: ["csrf": csrf, "failureLockThreshold": "20", "suppressUnfamiliarLocations": "on"])
            #expect(saved.headers[.location] == "/admin/protection?saved=1")
            #expect(try await graph.json(.get, "/v1.0/policies/tandemPushProtection", token: token)["failureLockThreshold"] as? Int == 20)
            #expect(try await admin.request("/admin/protection/sign-in", method: .post,
                                            form: ["csrf": csrf, "lockMinutes": "5000"]).status == .badRequest)
            _ = try await admin.request("/admin/protection/sign-in", method: .post, form: ["csrf": csrf, "lockMinutes": "30", "firstMethodWithPassword": "on"])
            #expect(try await SignInThrottleService(env: graph.env).settings().lockMinutes == 30)
            let helpdesk = try await Portal.admin(graph, client, "helpdesk@contoso.com", .authenticationAdministrator)
            #expect(try await helpdesk.request("/admin/protection").status == .forbidden)
            #expect(try await helpdesk.request("/admin/protection/push", method: .post,
                                               form: ["csrf": WebSecurity.csrfToken(cookie: helpdesk.cookies["tandem_session"] ?? ""),
                                                      "failureLockThreshold": "100"]).status == .forbidden)
            #expect(try await PushProtectionService(env: graph.env).settings().failureLockThreshold == 20)
        }, mode: .live)
    }

    @Test("Named locations: the page and Graph share one service, one validation and one audit")
    func namedLocations() async throws {
        try await TestServer.run({ store, client in
            let graph = GraphClient(store, client)
            let token = try await graph.token(for: "policy@contoso.com", role: .authenticationPolicyAdministrator)
            let admin = try await Portal.admin(graph, client, "policy@contoso.com", .authenticationPolicyAdministrator)
            let csrf = try Portal.csrf(try await admin.request("/admin/named-locations"))
            let bad = try await admin.request("/admin/named-locations", method: .post,
                                              form: ["csrf": csrf, "displayName": "Office", "ipRanges": "10.0.0.0/8\n192.0.2.1"])
            #expect(bad.status == .badRequest && bad.text.contains("192.0.2.1 is not a CIDR range"))
            let added = try await admin.request("/admin/named-locations", method: .post,
                                                form: ["csrf": csrf, "displayName": "Office", "ipRanges": "10.0.0.0/8\n192.0.2.0/24", "isTrusted": "on"])
            #expect(added.headers[.location] == "/admin/named-locations?saved=added")
            let listed = try await graph.json(.get, "/v1.0/identity/conditionalAccess/namedLocations", token: token)["value"] as? [[String: Any]] ?? []
            #expect(listed.count == 1 && listed.first?["displayName"] as? String == "Office" && listed.first?["isTrusted"] as? Bool == true)
            let graphBody = ##"{"@odata.type": "#microsoft.graph.ipNamedLocation", "displayName": "Lab", "ipRanges": [{"cidrAddress": "198.51.100.0/24"}]}"##
            #expect(try await graph.call(.post, "/v1.0/identity/conditionalAccess/namedLocations", token: token, body: graphBody).status == .created)
            let badGraph = #"{"displayName": "Bad", "ipRanges": [{"cidrAddress": "198.51.100.7"}]}"#
            #expect(try await graph.call(.post, "/v1.0/identity/conditionalAccess/namedLocations", token: token, body: badGraph).status == .badRequest)
            let page = try await admin.request("/admin/named-locations")
            #expect(page.text.contains("<td>Lab</td>") && page.text.contains("10.0.0.0/8, 192.0.2.0/24"))
            let office = try #require(try await store.namedLocations().first { $0.displayName == "Office" })
            let helpdesk = try await Portal.admin(graph, client, "helpdesk@contoso.com", .authenticationAdministrator)
            let helpdeskPage = try await helpdesk.request("/admin/named-locations")
            #expect(helpdeskPage.status == .ok && !helpdeskPage.text.contains(#"id="add-location""#))
            #expect(try await helpdesk.request("/admin/named-locations/\(office.id)/delete", method: .post,
                                               form: ["csrf": try Portal.csrf(helpdeskPage), "confirm": "yes"]).status == .forbidden)
            let ask = try await admin.request("/admin/named-locations/\(office.id)/delete", method: .post, form: ["csrf": csrf])
            #expect(ask.text.contains("Delete Office?"))
            #expect(try await store.namedLocations().count == 2)
            _ = try await admin.request("/admin/named-locations/\(office.id)/delete", method: .post, form: ["csrf": csrf, "confirm": "yes"])
            #expect(try await store.namedLocations().map(\.displayName) == ["Lab"])
            let audits = try await graph.json(.get, "/v1.0/auditLogs/directoryAudits", token: token)["value"] as? [[String: Any]] ?? []
            let activities = audits.compactMap { $0["activityDisplayName"] as? String }
            #expect(activities.filter { $0 == "Add named location" }.count == 2 && activities.contains("Delete named location"))
        }, mode: .live)
    }
}
