/// Third-party authenticator apps for the security-info page (decision 0031), on the same environment.
extension SecurityInfoService {
    public var softwareOath: SoftwareOathService { SoftwareOathService(env: env) }
}
