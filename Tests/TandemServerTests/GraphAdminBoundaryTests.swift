import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TandemCore
import TandemServer
import TandemServices
import TandemStore
import Testing

/// Issue 10, finding 2, from the attacker's side over real sockets: a method-management role
/// tries to take over a Global Administrator (TAP, delete his phone, reset his password, change
/// his default method, revoke his sessions, dismiss his risk) and then to give itself his role.
@Suite("Graph admin boundary")
struct GraphAdminBoundaryTests {
    /// The Global Administrator under attack, with a phone; and the plain user alice, with one too.
    struct Targets {
        var admin: User
        var adminPhone: Device
        var alice: User
        var alicePhone: Device
    }

    static func targets(_ graph: GraphClient) async throws -> Targets {
        _ = try await graph.token(for: "boss@contoso.com", role: .globalAdministrator)
        let admin = try #require(try await graph.store.user(principalName: "boss@contoso.com"))
        let alice = try #require(try await graph.store.user(principalName: "alice@contoso.com"))
        func phone(_ user: User) async throws -> Device {
            let key = Base64URL.encode(P256Key.publicKey())
            let device = Device(id: UUID().uuidString, userID: user.id, name: "Phone of \(user.userPrincipalName)", appVersion: "1",
                                deviceKey: key, approvalKey: key, state: .active, createdAt: Date())
            try await graph.store.insertDevice(device)
            return device
        }
        return Targets(admin: admin, adminPhone: try await phone(admin), alice: alice, alicePhone: try await phone(alice))
    }

    /// Every attempt on `user` (with `phone`); each answer's status.
    static func attempts(_ graph: GraphClient, token: String, user: User, phone: Device) async throws -> [String: HTTPResponse.Status] {
        let id = user.id
        var results: [String: HTTPResponse.Status] = [:]
        results["tap"] = try await graph.call(.post, "/v1.0/users/\(id)/authentication/temporaryAccessPassMethods", token: token, body: "{}").status
        results["password"] = try await graph.call(.patch, "/v1.0/users/\(id)", token: token,
                                                   body: #"{"passwordProfile": {"password": "taken-over-1234"}}"#).status
        results["preference"] = try await graph.call(.patch, "/v1.0/users/\(id)/authentication/signInPreferences", token: token,
                                                     body: #"{"userPreferredMethodForSecondaryAuthentication": "oath"}"#).status
        results["revoke"] = try await graph.call(.post, "/v1.0/users/\(id)/revokeSignInSessions", token: token).status
        results["deletePhone"] = try await graph.call(.delete, "/v1.0/users/\(id)/authentication/microsoftAuthenticatorMethods/\(phone.id)",
                                                      token: token).status
        return results
    }

    static let succeeded: [String: HTTPResponse.Status] = ["tap": .created, "password": .noContent, "preference": .noContent,
                                                          "revoke": .ok, "deletePhone": .noContent]

    @Test("Authentication and Authentication Policy Administrators are refused on a Global Administrator and succeed on a plain user",
          arguments: [DirectoryRole.authenticationAdministrator, .authenticationPolicyAdministrator])
    func methodAdminsStayOffAdmins(role: DirectoryRole) async throws {
        try await TestServer.run(configure: { _ in }, mode: .live) { store, client in
            let graph = GraphClient(store, client)
            let targets = try await Self.targets(graph)
            let attacker = try await graph.token(for: "helpdesk@contoso.com", role: role)
            let onAdmin = try await Self.attempts(graph, token: attacker, user: targets.admin, phone: targets.adminPhone)
            #expect(onAdmin.values.allSatisfy { $0 == .forbidden }, "\(onAdmin)")
            // Nothing changed for him: no pass, his phone still active, his password still his.
            #expect(try await store.temporaryAccessPasses(userID: targets.admin.id).isEmpty)
            #expect(try await store.device(id: targets.adminPhone.id)?.state == .active)
            #expect(try await store.user(id: targets.admin.id)?.passwordHash == targets.admin.passwordHash)
            let onAlice = try await Self.attempts(graph, token: attacker, user: targets.alice, phone: targets.alicePhone)
            #expect(onAlice == Self.succeeded, "\(onAlice)")
            // The refusals name the boundary in Graph's error shape.
            let refused = try await graph.call(.post, "/v1.0/users/\(targets.admin.id)/authentication/temporaryAccessPassMethods",
                                               token: attacker, body: "{}")
            #expect(refused.graphError?.code == "Authorization_RequestDenied", "\(refused.text)")
        }
    }

    @Test("A Privileged Authentication Administrator may act on a Global Administrator")
    func privilegedAuthenticationAdministrator() async throws {
        try await TestServer.run(configure: { _ in }, mode: .live) { store, client in
            let graph = GraphClient(store, client)
            let targets = try await Self.targets(graph)
            let privileged = try await graph.token(for: "pam@contoso.com", role: .privilegedAuthenticationAdministrator)
            let onAdmin = try await Self.attempts(graph, token: privileged, user: targets.admin, phone: targets.adminPhone)
            #expect(onAdmin == Self.succeeded, "\(onAdmin)")
            let roles = try await graph.json(.get, "/v1.0/directoryRoles/roleTemplateId=7be44c8a-adaf-4e2a-84d6-ab2649e08a13", token: privileged)
            #expect(roles["displayName"] as? String == "Privileged Authentication Administrator")
        }
    }

    @Test("A method administrator cannot give itself a role, by any route",
          arguments: [DirectoryRole.authenticationAdministrator, .authenticationPolicyAdministrator, .privilegedAuthenticationAdministrator])
    func noSelfPromotion(role: DirectoryRole) async throws {
        try await TestServer.run(configure: { _ in }, mode: .live) { store, client in
            let graph = GraphClient(store, client)
            let token = try await graph.token(for: "helpdesk@contoso.com", role: role)
            let me = try #require(try await store.user(principalName: "helpdesk@contoso.com"))
            let ref = #"{"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/\#(me.id)"}"#
            let promoted = try await graph.call(.post, "/v1.0/directoryRoles/\(DirectoryRole.globalAdministrator.rawValue)/members/$ref",
                                                token: token, body: ref)
            #expect(promoted.status == .forbidden)
            // Nor through the service an admin page or a command with an actor would call.
            await #expect(throws: TandemError.self) {
                try await DirectoryAdminService(env: graph.env).assign(.globalAdministrator, to: me, by: me)
            }
            #expect(try await store.roles(userID: me.id) == [role.rawValue])
        }
    }

    @Test("The boundary also holds for risk dismissal and per-user MFA state on an administrator")
    func riskAndMFAState() async throws {
        try await TestServer.run(configure: { _ in }, mode: .live) { store, client in
            let graph = GraphClient(store, client)
            let targets = try await Self.targets(graph)
            let policyAdmin = try await graph.token(for: "policy@contoso.com", role: .authenticationPolicyAdministrator)
            let dismiss = try await graph.call(.post, "/v1.0/identityProtection/riskyUsers/dismiss", token: policyAdmin,
                                               body: #"{"userIds": ["\#(targets.admin.id)"]}"#)
            #expect(dismiss.status == .forbidden)
            let mfa = try await graph.call(.patch, "/v1.0/users/\(targets.admin.id)/authentication/requirements", token: policyAdmin,
                                           body: #"{"perUserMfaState": "disabled"}"#)
            #expect(mfa.status == .forbidden)
            let onAlice = try await graph.call(.patch, "/v1.0/users/\(targets.alice.id)/authentication/requirements", token: policyAdmin,
                                               body: #"{"perUserMfaState": "enforced"}"#)
            #expect(onAlice.status == .noContent)
        }
    }

    /// Every read of a user's methods (each route with `{id}`); each answer's status.
    static func reads(_ graph: GraphClient, token: String, user: User, phone: Device) async throws -> [String: HTTPResponse.Status] {
        let base = "/v1.0/users/\(user.id)/authentication"
        var results: [String: HTTPResponse.Status] = [:]
        for (name, path) in [("methods", "/methods"), ("authenticators", "/microsoftAuthenticatorMethods"),
                             ("authenticator", "/microsoftAuthenticatorMethods/\(phone.id)"), ("passkeys", "/fido2Methods"),
                             ("apps", "/softwareOathMethods"), ("passes", "/temporaryAccessPassMethods"),
                             ("preferences", "/signInPreferences"), ("requirements", "/requirements")] {
            results[name] = try await graph.call(.get, base + path, token: token).status
        }
        return results
    }

    @Test("An Authentication (Policy) Administrator cannot even read an administrator's methods; a plain user's, yes",
          arguments: [DirectoryRole.authenticationAdministrator, .authenticationPolicyAdministrator])
    func methodAdminsReadNoAdminsMethods(role: DirectoryRole) async throws {
        try await TestServer.run(configure: { _ in }, mode: .live) { store, client in
            let graph = GraphClient(store, client)
            let targets = try await Self.targets(graph)
            let helpdesk = try await graph.token(for: "helpdesk@contoso.com", role: role)
            let onAdmin = try await Self.reads(graph, token: helpdesk, user: targets.admin, phone: targets.adminPhone)
            #expect(onAdmin.count == 8 && onAdmin.values.allSatisfy { $0 == .forbidden }, "\(onAdmin)")
            let onAlice = try await Self.reads(graph, token: helpdesk, user: targets.alice, phone: targets.alicePhone)
            #expect(onAlice.count == 8 && onAlice.values.allSatisfy { $0 == .ok }, "\(onAlice)")
            let listed = try await graph.call(.get, "/v1.0/users/\(targets.admin.id)/authentication/methods", token: helpdesk)
            #expect(!listed.text.contains(targets.adminPhone.id), "the refusal names no method")
            // A Privileged Authentication Administrator reads the administrator's methods.
            let privileged = try await graph.token(for: "pam@contoso.com", role: .privilegedAuthenticationAdministrator)
            let byPrivileged = try await Self.reads(graph, token: privileged, user: targets.admin, phone: targets.adminPhone)
            #expect(byPrivileged.values.allSatisfy { $0 == .ok }, "\(byPrivileged)")
        }
    }
}

/// A throw-away P-256 public key (x9.63) for fake devices.
enum P256Key {
    static func publicKey() -> [UInt8] {
        Array(P256.Signing.PrivateKey().publicKey.x963Representation)
    }
}
