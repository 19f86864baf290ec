import Foundation
import Logging

/// `tandem-fuzz`: a bounded, seeded, black-box fuzz run of every parser that takes outside input.
///
///     tandem-fuzz [--seconds 40] [--cases N] [--seed 0x5EED] [--target NAME]... [--list]
///
/// Each target gets an equal share of `--seconds` (and at most `--cases` cases). It starts from
/// its seed inputs and mutates them with a generator seeded from `--seed` and the target's name,
/// so the same seed replays the same inputs. A broken property is printed as a finding with the
/// input; a trap prints the target, the case and the input before the process dies. Exit status
/// 0 when there is no finding. See docs/decisions/0009-bad-input.md.
@main
struct TandemFuzz {
    struct Options {
        var seconds = 40.0
        var cases = 1_000_000
        var seed: UInt64 = 0x5EED_7A4D
        var targets: [String] = []
        var list = false
    }

    static func parse(_ arguments: [String]) -> Options? {
        var options = Options()
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            switch argument {
            case "--seconds": guard let v = rest.popFirst().flatMap(Double.init), v > 0 else { return nil }; options.seconds = v
            case "--cases": guard let v = rest.popFirst().flatMap({ Int($0) }), v > 0 else { return nil }; options.cases = v
            case "--seed":
                guard let text = rest.popFirst(),
                      let v = text.hasPrefix("0x") ? UInt64(text.dropFirst(2), radix: 16) : UInt64(text) else { return nil }
                options.seed = v
            case "--target": guard let v = rest.popFirst() else { return nil }; options.targets.append(v)
            case "--list": options.list = true
            default: return nil
            }
        }
        return options
    }

    static func main() async {
        guard let options = parse(Array(CommandLine.arguments.dropFirst())) else {
            say("usage: tandem-fuzz [--seconds S] [--cases N] [--seed N|0xHEX] [--target NAME]... [--list]")
            exit(64)
        }
        LoggingSystem.bootstrap { _ in SwiftLogNoOpLogHandler() }
        let all: [any FuzzTarget] = TextTargets.all + WireTargets.all + GeoIPTarget.all + WebAuthnTargets.all + ServiceTargets.all + WebPushTargets.all + GraphTargets.all + [RadiusPacketTarget()]
        if options.list {
            for target in all { say("\(target.name.padding(toLength: 26, withPad: " ", startingAt: 0)) \(target.summary)") }
            return
        }
        let chosen = options.targets.isEmpty ? all : all.filter { options.targets.contains($0.name) }
        guard !chosen.isEmpty else {
            say("tandem-fuzz: no target named \(options.targets.joined(separator: ", ")); --list shows them")
            exit(64)
        }
        CrashGuard.install()
        say("tandem-fuzz: seed 0x\(String(options.seed, radix: 16)), \(chosen.count) targets, \(Int(options.seconds)) s, at most \(options.cases) cases each")
        var totalCases = 0
        var totalFindings = 0
        let share = options.seconds / Double(chosen.count)
        for target in chosen {
            let result = await Runner(target: target, seed: options.seed, seconds: share, maxCases: options.cases).run()
            totalCases += result.cases
            totalFindings += result.findings
            let line = [target.name.padding(toLength: 26, withPad: " ", startingAt: 0),
                        String(result.cases).leftPadded(8) + " cases", String(result.accepted).leftPadded(7) + " accepted",
                        String(result.findings).leftPadded(3) + " findings", String(format: "%5.1f s", result.seconds)]
            say("  " + line.joined(separator: "  "))
        }
        say("tandem-fuzz: \(chosen.count) targets, \(totalCases) cases, \(totalFindings) findings")
        exit(totalFindings == 0 ? 0 : 1)
    }
}

/// Runs one target for its share of the budget.
struct Runner {
    struct Result { var cases = 0, accepted = 0, findings = 0, seconds = 0.0 }

    let target: any FuzzTarget
    let seed: UInt64
    let seconds: Double
    let maxCases: Int

    func run() async -> Result {
        var result = Result()
        let start = ContinuousClock.now
        let deadline = start + .milliseconds(Int64(seconds * 1000))
        var picker = FuzzRandom(seed: seed ^ 0xC0_4B05, stream: target.name)
        var mutator = Mutator(random: FuzzRandom(seed: seed, stream: target.name), dictionary: target.dictionary, maxLength: target.maxLength)
        var corpus: [[UInt8]]
        do {
            corpus = try await target.seeds()
        } catch {
            report(&result, input: [], "its seeds could not be made: \(error)")
            return result
        }
        var queue = corpus   // the seeds run unchanged first
        if corpus.isEmpty { corpus = [[]] }
        while result.cases < maxCases, queue.isEmpty ? ContinuousClock.now < deadline : true {
            let input = queue.isEmpty ? mutator.mutate(picker.pick(corpus), corpus: corpus) : queue.removeFirst()
            CrashGuard.arm(target: target.name, case: result.cases, input: input)
            result.cases += 1
            do {
                if try await target.run(input) {
                    result.accepted += 1
                    if corpus.count < 512 { corpus.append(input) } else if picker.oneIn(8) { corpus[picker.below(corpus.count)] = input }
                }
            } catch let finding as Finding {
                report(&result, input: input, finding.description)
            } catch {
                report(&result, input: input, "unexpected \(String(reflecting: type(of: error))): \(error)")
            }
        }
        result.seconds = Double((ContinuousClock.now - start).components.attoseconds) / 1e18 + Double((ContinuousClock.now - start).components.seconds)
        return result
    }

    func report(_ result: inout Result, input: [UInt8], _ message: String) {
        result.findings += 1
        guard result.findings <= 5 else { return }
        say("FINDING [\(target.name)] case \(result.cases - 1): \(message)")
        say("  input (\(input.count) bytes): \(String(decoding: input.prefix(600), as: UTF8.self).debugDescription)")
        say("  input (base64): \(Data(input.prefix(4096)).base64EncodedString())")
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}

/// Writes a line to standard output at once (unbuffered), so every line is out before a possible crash.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
