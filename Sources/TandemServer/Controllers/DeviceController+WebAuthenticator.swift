import Hummingbird
import TandemCore
import TandemServices

/// The web authenticator's own endpoint (`docs/push-protocol.md`, version 3): registering the
/// approval passkey after activation. Its approvals and phone sign-in use the endpoints every
/// authenticator uses.
extension DeviceController {
    func registerWebAuthenticator(on group: RouterGroup<TandemRequestContext>) {
        // Signed by the device key; the body is the credential from `navigator.credentials.create()`.
        group.post("approval-passkey") { request, _ in
            let (device, body) = try await self.authenticate(request)
            try await self.webAuthenticator.registerApprovalPasskey(for: device, try Self.decode(ApprovalPasskeyRequest.self, body),
                                                                     publicURL: self.publicURL())
            return JSONResponse.make(["approvalPasskey": "registered"])
        }
    }
}
