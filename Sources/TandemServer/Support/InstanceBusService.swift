import ServiceLifecycle
import TandemCore
import TandemPush
import TandemServices

/// Runs the instance relay (LISTEN on the bus) for as long as the application runs.
struct InstanceBusService: Service {
    let relay: InstanceRelay

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await relay.run()
        }
    }
}

extension InstanceRelay {
    /// A relay whose store look-ups go through `storage`.
    static func make(hub: PushHub, watch: ChallengeWatch, bus: any InstanceBus, storage: any TandemStorage,
                     pending: @escaping @Sendable (Device) async throws -> [ChallengeOffer]) -> InstanceRelay {
        InstanceRelay(hub: hub, watch: watch, bus: bus, loadOffer: { challengeID in
            guard let challenge = try? await storage.challenge(id: challengeID), challenge.state == .pending,
                  let user = try? await storage.user(id: challenge.userID)
            else { return nil }
            return ChallengeService.offer(for: challenge, user: user)
        }, pendingOffers: { deviceID in
            guard let device = try? await storage.device(id: deviceID) else { return [] }
            return (try? await pending(device)) ?? []
        })
    }
}
