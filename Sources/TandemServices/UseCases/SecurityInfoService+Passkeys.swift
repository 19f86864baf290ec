/// The passkey use cases for the security-info page, on the same environment.
extension SecurityInfoService {
    public var passkeys: PasskeyService { PasskeyService(env: env) }
}
