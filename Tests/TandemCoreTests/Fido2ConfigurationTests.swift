import Foundation
import TandemCore
import Testing

/// Decision 0025: the passkey (FIDO2) method configuration — who, self-service, AAGUID lists.
@Suite struct Fido2ConfigurationTests {
    static let alice = PolicySubject(userID: "alice", groupIDs: ["finance"])
    static let yubi = "cb69481e-8ff7-4039-93ec-0a2729a154a8"

    @Test func whoMayUseAndRegisterPasskeys() {
        #expect(Fido2Configuration.default.allows(Self.alice) && Fido2Configuration.default.allowsRegistration(Self.alice))
        #expect(!Fido2Configuration(state: .disabled).allows(Self.alice))
        let finance = Fido2Configuration(includeTargets: [.init(targetType: .group, id: "finance")])
        #expect(finance.allows(Self.alice) && !finance.allows(PolicySubject(userID: "bob", groupIDs: [])))
        #expect(!Fido2Configuration(excludeTargets: [.init(targetType: .user, id: "alice")]).allows(Self.alice))
        #expect(!Fido2Configuration(excludeTargets: [.init(targetType: .group, id: "finance")]).allows(Self.alice))
        let noSelfService = Fido2Configuration(isSelfServiceRegistrationAllowed: false)
        #expect(noSelfService.allows(Self.alice) && !noSelfService.allowsRegistration(Self.alice))
    }

    @Test(arguments: [
        (Fido2Configuration.KeyRestrictions(), yubi, true),
        (Fido2Configuration.KeyRestrictions(isEnforced: false, enforcementType: .allow, aaGuids: []), yubi, true),
        (Fido2Configuration.KeyRestrictions(isEnforced: true, enforcementType: .allow, aaGuids: [yubi]), yubi.uppercased(), true),
        (Fido2Configuration.KeyRestrictions(isEnforced: true, enforcementType: .allow, aaGuids: [yubi]), "00000000-0000-0000-0000-000000000000", false),
        (Fido2Configuration.KeyRestrictions(isEnforced: true, enforcementType: .allow, aaGuids: []), yubi, false),
        (Fido2Configuration.KeyRestrictions(isEnforced: true, enforcementType: .block, aaGuids: [yubi]), yubi, false),
        (Fido2Configuration.KeyRestrictions(isEnforced: true, enforcementType: .block, aaGuids: [yubi]), "00000000-0000-0000-0000-000000000000", true),
    ] as [(Fido2Configuration.KeyRestrictions, String, Bool)])
    func keyRestrictions(_ restrictions: Fido2Configuration.KeyRestrictions, _ aaguid: String, _ allowed: Bool) {
        let config = Fido2Configuration(keyRestrictions: restrictions)
        #expect(config.allowsAAGUID(aaguid) == allowed)
        let rp = config.relyingPartyPolicy
        let passesRP = (rp.allowedAAGUIDs.isEmpty || rp.allowedAAGUIDs.contains(aaguid.lowercased())) && !rp.blockedAAGUIDs.contains(aaguid.lowercased())
        #expect(passesRP == allowed, "the relying party's lists say the same")
    }
}
