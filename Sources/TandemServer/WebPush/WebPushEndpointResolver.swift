import Foundation
import NIOPosix
import TandemCore
import TandemServices
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The SSRF rule over DNS (docs/decisions/0023-web-push.md): every address the endpoint's host
/// resolves to must be public unicast; loopback is allowed only with the test-only option
/// (`--allow-loopback-push-endpoints`), and `http` then only for a loopback host. A host that
/// does not resolve is refused. Checked when a subscription is saved and again before each send
/// (a host may resolve elsewhere later).
struct WebPushEndpointResolver: WebPushEndpointCheck {
    /// The test-only option.
    let allowLoopback: Bool
    /// Looks a host up; the system resolver unless a test passes another.
    var resolve: @Sendable (String) async -> [String] = { host in await Self.systemAddresses(of: host) }

    func check(_ endpoint: WebPushEndpoint) async throws {
        let addresses = await resolve(endpoint.host)
        guard !addresses.isEmpty else { throw TandemError(.badRequest, "endpoint's host cannot be resolved.") }
        let kinds = addresses.map(WebPushEndpoint.classify)
        if kinds.contains(.restricted) {
            throw TandemError(.badRequest, "endpoint's host is a private, link-local or reserved address.")
        }
        if kinds.contains(.loopback) && !allowLoopback { throw TandemError(.badRequest, "endpoint's host is a loopback address.") }
        if endpoint.scheme != "https" && !kinds.allSatisfy({ $0 == .loopback }) { throw TandemError(.badRequest, "endpoint must be an https URL.") }
    }

    /// The host's addresses (text) from `getaddrinfo`, run off the event loops; an IP literal is
    /// its own address. Empty when it does not resolve.
    static func systemAddresses(of host: String) async -> [String] {
        if CIDR.parseAddress(host) != nil { return [host] }
        return (try? await NIOThreadPool.singleton.runIfActive { lookUp(host) }) ?? []
    }

    static func lookUp(_ host: String) -> [String] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else { return [] }
        defer { freeaddrinfo(first) }
        var addresses: [String] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            if let address = entry.pointee.ai_addr {
                var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
                switch entry.pointee.ai_family {
                case AF_INET:
                    var inet = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
                    if inet_ntop(AF_INET, &inet, &buffer, socklen_t(buffer.count)) != nil { addresses.append(String(cString: buffer)) }
                case AF_INET6:
                    var inet6 = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                    if inet_ntop(AF_INET6, &inet6, &buffer, socklen_t(buffer.count)) != nil { addresses.append(String(cString: buffer)) }
                default:
                    break
                }
            }
            cursor = entry.pointee.ai_next
        }
        return addresses
    }
}
