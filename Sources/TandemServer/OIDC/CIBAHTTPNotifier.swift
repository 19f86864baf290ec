import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import TandemServices

/// CIBA ping callbacks over HTTP (CIBA Core §10.2): `POST` `{"auth_req_id":…}` with the client's
/// notification token as a bearer token. One try with a 10-second timeout; the client can still poll.
struct CIBAHTTPNotifier: CIBANotifier {
    let logger: Logger

    func ping(endpoint: String, token: String, authReqID: String) async {
        var request = HTTPClientRequest(url: endpoint)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        let body = (try? JSONSerialization.data(withJSONObject: ["auth_req_id": authReqID])) ?? Data()
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            _ = try? await response.body.collect(upTo: 64 * 1024)
            if !(200..<300).contains(Int(response.status.code)) {
                logger.notice("CIBA ping refused", metadata: ["tandem.status": "\(response.status.code)"])
            }
        } catch {
            logger.notice("CIBA ping failed", metadata: ["tandem.error": "\(String(reflecting: type(of: error)))"])
        }
    }
}
