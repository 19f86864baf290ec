import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import TandemCore
import TandemServices

/// Locates IP addresses: named networks an administrator configured first (Graph `ipNamedLocation`),
/// then the offline country database when one is installed (Debian's `geoip-database`), else
/// "Unknown location".
public struct TandemLocator: Locator {
    let storage: any TandemStorage
    let v4: GeoIPCountryDatabase?
    let v6: GeoIPCountryDatabase?

    /// The folder Debian's `geoip-database` installs into.
    public static let debianGeoIPDirectory = "/usr/share/GeoIP"

    /// Loads `GeoIP.dat` and `GeoIPv6.dat` from `geoipDirectory` when present; `nil` disables the database.
    public init(storage: any TandemStorage, geoipDirectory: String?) {
        self.storage = storage
        func load(_ name: String) -> GeoIPCountryDatabase? {
            guard let directory = geoipDirectory, let data = FileManager.default.contents(atPath: "\(directory)/\(name)") else { return nil }
            return GeoIPCountryDatabase(bytes: [UInt8](data))
        }
        v4 = load("GeoIP.dat")
        v6 = load("GeoIPv6.dat")
    }

    /// Whether a country database was found.
    public var hasCountryDatabase: Bool { v4 != nil || v6 != nil }

    public func locate(_ ipAddress: String) async -> Place {
        let storage = storage
        let named = if let memo = RequestMemo.current { try? await memo.namedLocations { try await storage.namedLocations() } }
                    else { try? await storage.namedLocations() }
        if let named = named?.first(where: { location in
            location.ipRanges.compactMap(CIDR.init).contains { $0.contains(ipAddress) }
        }) {
            return Place(displayName: named.displayName, country: nil, namedLocationID: named.id)
        }
        guard let address = CIDR.parseAddress(ipAddress) else { return .unknown }
        let code = address.count == 4 ? v4?.country(ipAddress) : v6?.country(ipAddress)
        guard let code, code.count == 2, code.first?.isLetter == true else { return .unknown }
        let name = Locale(identifier: "en_US").localizedString(forRegionCode: code) ?? code
        return Place(displayName: "\(name) (\(code))", country: code)
    }
}

/// Posts administrator alerts as JSON to a webhook (`--alert-webhook`), with a short timeout;
/// a failed delivery is logged, never fatal.
public struct WebhookAlerts: AdminAlerts {
    let url: String
    let logger: Logger

    public init(url: String, logger: Logger) {
        self.url = url
        self.logger = logger
    }

    public func send(event: String, details: [String: String]) async {
        var body = details
        body["event"] = event
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "Tandem")
        let data = (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) ?? Data()
        request.body = .bytes(ByteBuffer(bytes: data))
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
            if response.status.code >= 300 {
                logger.warning("alert webhook refused the alert", metadata: ["tandem.status": "\(response.status.code)", "tandem.event": "\(event)"])
            }
        } catch {
            logger.warning("alert webhook unreachable", metadata: ["tandem.event": "\(event)", "tandem.error": "\(type(of: error))"])
        }
    }
}
