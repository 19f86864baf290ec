import Foundation

/// What deciding a sign-in needs to know about the user, read once per step from one snapshot
/// (`SignInSnapshot` in TandemServices loads it). Plain facts, so the decision is a pure function.
public struct SignInFacts: Sendable, Equatable {
    /// The user has a password.
    public var hasPassword = false
    /// The user has a Temporary Access Pass that works now.
    public var hasUsablePass = false
    /// Phone sign-in can be requested now: the policy allows it, a device has it on, and push is
    /// neither locked nor blocked.
    public var phoneSignInAvailable = false
    /// A notification can be the second factor: the legacy option is on, an active device may
    /// answer it, and the policy allows push.
    public var notificationAvailable = false
    /// Verification codes can be used now.
    public var codesAvailable = false
    /// MFA is required (decision 0013): per-user MFA on, the policy's targets cover the user, or the
    /// user has an active authenticator.
    public var mfaRequired = false
    /// The browser's address is in a trusted range (legacy MFA setting).
    public var trustedNetwork = false
    /// The browser is remembered after an earlier MFA sign-in.
    public var rememberedBrowser = false
    /// The last way this user signed in, as this browser remembers it, else as the server does.
    public var lastMethodWasPhone = false
    /// The user made the verification code their default method.
    public var prefersCode = false
    /// A phone sign-in request of the user from another browser or tab is still unanswered.
    public var phoneSignInWaitingElsewhere = false
    /// The authentication strengths the administrator's policies require of a sign-in to Tandem's
    /// own pages (decision 0025), strongest first; each must be met.
    public var requiredStrengths: [AuthenticationStrength] = []
    /// The user has a passkey the passkey (FIDO2) policy lets them sign in with.
    public var hasPasskey = false
    /// The passkey (FIDO2) policy lets the user add a passkey themselves.
    public var mayAddPasskey = false
    /// System-preferred MFA applies to the user (decision 0033): after the password the strongest
    /// method goes first (passkey, then push, then a code), not the default method. The snapshot
    /// reads `hasPasskey` whenever this is on.
    public var systemPreferred = false

    public init() {}
}

/// What the sign-in pages may offer for a flow that must reach a strength (decision 0027): only the
/// ways that can reach it, or — for a user with no method that can — the ways into the strength
/// interrupt (an MFA sign-in, then add a passkey and use it).
public struct SignInOffer: Sendable, Equatable {
    /// The strength the offer is limited by (`nil`: nothing beyond decision 0013's MFA rules).
    public var strength: AuthenticationStrength?
    /// "Sign in with a passkey".
    public var passkey = true
    /// The password (and a Temporary Access Pass in its place), with push or a code after it.
    public var password = true
    /// Phone sign-in.
    public var phoneSignIn = true
    /// The user has no method for `strength` and will be asked to add a passkey after an MFA sign-in.
    public var enrol = false
    /// No way can reach `strength`: the user has none and may not add one (fail closed).
    public var blocked = false

    public init(strength: AuthenticationStrength? = nil) { self.strength = strength }
}

/// The sign-in decisions of decision 0010 and 0013, as pure functions of the facts.
public enum SignInDecision {
    /// Whether a new sign-in sends the phone sign-in request at once: phone sign-in is available,
    /// the last method was phone sign-in or the user has nothing else (no password, no usable
    /// pass), and no phone sign-in request of the user is waiting elsewhere (one at a time).
    public static func startsWithPhone(_ facts: SignInFacts) -> Bool {
        guard facts.phoneSignInAvailable, admits(facts, amr: phoneSignInMethods) else { return false }
        let starts = facts.lastMethodWasPhone || (!facts.hasPassword && !facts.hasUsablePass)
        return starts && !facts.phoneSignInWaitingElsewhere
    }

    /// What a correct password leads to. With no usable second factor: the registration interrupt
    /// when MFA is required (fail closed), else a single-factor sign-in. A trusted network or a
    /// remembered browser skips the second factor, except in a step-up. The code when the person
    /// chose it, made it their default, or it is the only one; else the notification.
    ///
    /// System-preferred MFA (decision 0033, `facts.systemPreferred`): the strongest second factor the
    /// user has goes first — a passkey, then the notification, then a code — whatever the default
    /// method; only the person's own choice on this page ("Use a verification code") comes before
    /// it. A passkey also counts as the second factor that spares the registration interrupt.
    public static func afterPassword(_ facts: SignInFacts, stepUp: Bool, choseCode: Bool) -> SignInFlow.AfterPassword {
        let offer = offer(facts)
        guard offer.password else { return .passkeyRequired }
        let stepUp = stepUp || offer.enrol
        let push = facts.notificationAvailable, code = facts.codesAvailable
        let passkey = facts.systemPreferred && facts.hasPasskey && !offer.enrol
        guard push || code || passkey else { return facts.mfaRequired ? .register : .complete }
        if !stepUp, facts.trustedNetwork || facts.rememberedBrowser { return .complete }
        if code, choseCode { return .code }
        if facts.systemPreferred {
            return strongestSecondFactor(passkey: passkey, push: push, code: code)
        }
        if code, !push || facts.prefersCode { return .code }
        return .push
    }

    /// System-preferred MFA's documented order (decision 0033): passkey, Authenticator push,
    /// verification code. At least one must be available.
    public static func strongestSecondFactor(passkey: Bool, push: Bool, code: Bool) -> SignInFlow.AfterPassword {
        if passkey { return .passkey }
        if push { return .push }
        return code ? .code : .register
    }

    /// The strength a sign-in with these facts must reach: the strongest required one (the
    /// built-ins nest, so meeting it meets the others).
    public static func requiredStrength(_ facts: SignInFacts) -> AuthenticationStrength? {
        facts.requiredStrengths.max { rank($0) < rank($1) }
    }

    /// The built-ins' order, weakest first (phishing-resistant ⊂ passwordless ⊂ MFA).
    public static func rank(_ strength: AuthenticationStrength) -> Int {
        switch strength {
        case .mfa: 1
        case .passwordlessMFA: 2
        case .phishingResistantMFA: 3
        }
    }

    /// Decision 0027: which ways the pages offer. MFA (or nothing) required: every way (a
    /// single-factor end is refused at completion). Passwordless or phishing-resistant: the ways
    /// that reach it when the user has one (a passkey; phone sign-in for passwordless); else,
    /// when the user may add a passkey, the MFA ways into the strength interrupt; else none.
    public static func offer(_ facts: SignInFacts) -> SignInOffer {
        guard let strength = requiredStrength(facts), strength != .mfa else { return SignInOffer(strength: requiredStrength(facts)) }
        var offer = SignInOffer(strength: strength)
        let phoneReaches = strength == .passwordlessMFA && facts.phoneSignInAvailable
        if facts.hasPasskey || phoneReaches {
            offer.passkey = facts.hasPasskey
            offer.phoneSignIn = phoneReaches
            offer.password = false
        } else if facts.mayAddPasskey {
            offer.enrol = true
        } else {
            offer.passkey = false
            offer.password = false
            offer.phoneSignIn = false
            offer.blocked = true
        }
        return offer
    }

    /// The methods a phone sign-in finishes with (`SignInFlow.complete`).
    static let phoneSignInMethods = ["mfa", "pin", "swk"]

    /// Decision 0025: the first required strength a finished sign-in with `amr` does not meet,
    /// `nil` when it meets them all. Fail closed: a sign-in that falls short is no session.
    public static func unmetStrength(_ facts: SignInFacts, amr: [String]) -> AuthenticationStrength? {
        StrengthRequirement.unmet(facts.requiredStrengths, amr: amr)
    }

    /// Whether a sign-in with `amr` meets every required strength.
    public static func admits(_ facts: SignInFacts, amr: [String]) -> Bool { unmetStrength(facts, amr: amr) == nil }
}
