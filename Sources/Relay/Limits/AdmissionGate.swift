import Foundation
import HTTPTypes
import Logging
import NIOConcurrencyHelpers

/// What admission hands to the relay pipeline: the key, its concurrency lease (if the key has a cap), the
/// prefetched sticky mapping, and the key's rate window (minutes, 0 = none) the usage write must count into.
public struct Admission: Sendable {
    public let key: APIKeyRecord
    public let lease: ConcurrencyLease?
    /// The raw `unified_*_session_mapping` value, read in the same round trip ("" when none).
    public let stickyMapping: String?
    public let rateWindowMinutes: Int
}

/// Admits or refuses a relayed request in one Redis round trip (`AdmissionScript`): every per-key limit holds
/// across all relay instances on the Redis, because the check and the counting happen atomically there.
public final class AdmissionGate: Sendable {
    public struct Request: Sendable {
        /// The client's key, as `ClientKey.raw` found it.
        public var rawKey: String
        public var headers: HTTPFields
        public var model: String
        public var platform: String
        /// count_tokens and the like: not counted against rate, cost or concurrency limits.
        public var exemptFromQuotas: Bool
        public var stickyKey: String?
        /// Client ids (`claude_code`, …) this request looks like (`ClientRestriction.matchingClients`); checked
        /// against the key's whitelist inside the script.
        public var matchedClients: [String]

        public init(rawKey: String, headers: HTTPFields, model: String, platform: String, matchedClients: [String],
                    exemptFromQuotas: Bool = false, stickyKey: String? = nil) {
            self.rawKey = rawKey
            self.headers = headers
            self.model = model
            self.platform = platform
            self.exemptFromQuotas = exemptFromQuotas
            self.stickyKey = stickyKey
            self.matchedClients = matchedClients
        }
    }

    let redis: RedisClient
    let hasher: APIKeyHasher
    let clock: RelayClock
    let leases: LeaseKeeper
    let timezoneOffsetHours: Int
    let logger: Logger

    public init(redis: RedisClient, hasher: APIKeyHasher, clock: RelayClock, leases: LeaseKeeper, timezoneOffsetHours: Int, logger: Logger) {
        self.redis = redis
        self.hasher = hasher
        self.clock = clock
        self.leases = leases
        self.timezoneOffsetHours = timezoneOffsetHours
        self.logger = logger
    }

    /// The client's key, present and well-formed (`ClientKey.raw`), or a 401 — before anything else is read.
    public func rawKey(headers: HTTPFields, query: String?) throws -> String {
        try ClientKey.raw(headers: headers, query: query, hasher: hasher)
    }

    /// Hashes of keys seen in `apikey:hash_map` lately: most requests come from keys seen a moment ago.
    private let knownHashes = NIOLockedValueBox<[String: Date]>([:])
    static let knownHashSeconds: TimeInterval = 60

    /// Before the body is read: the key must exist (one HEXISTS, skipped for a key found in the last minute), so an
    /// unissued key costs no body read or parse. Everything else about the key — disabled, expired, deleted,
    /// limits — is the admission script's, with the body's model.
    public func requireIssued(_ rawKey: String) async throws {
        let hash = hasher.hash(rawKey)
        let now = clock.now
        if let seen = knownHashes.withLockedValue({ $0[hash] }), now.timeIntervalSince(seen) < Self.knownHashSeconds, seen <= now { return }
        let exists: Bool
        do {
            exists = try await redis.send("HEXISTS", RedisArgument(RedisKeys.apiKeyHashMap), RedisArgument(hash)).int == 1
        } catch {
            logger.error("key lookup failed on Redis", metadata: ["error": "\(error)"])
            throw RelayError.storeUnavailable
        }
        guard exists else { throw RelayError.unauthorized("Invalid API key") }
        knownHashes.withLockedValue { known in
            if known.count >= 100_000 { known.removeAll(keepingCapacity: true) }
            known[hash] = now
        }
    }

    /// The key's stored hash (its identity in `apikey:hash_map`), for relay-side state keyed by the key.
    public func keyHash(_ rawKey: String) -> String { hasher.hash(rawKey) }

    /// Throws `RelayError` (already in the Anthropic shape) for every refusal.
    public func admit(_ request: Request) async throws -> Admission {
        let now = clock.now
        let member = UUID().lowercasedString
        let reply: RedisReply
        do {
            reply = try await redis.evaluate(AdmissionScript.script, arguments: arguments(for: request, now: now, leaseMember: member))
        } catch {
            logger.error("admission failed on Redis", metadata: ["error": "\(error)"])
            throw RelayError.storeUnavailable
        }
        return try admission(from: reply, for: request, now: now, leaseMember: member)
    }

    /// The script's arguments: the key's hash, the clock and its buckets, the model, the client match, the lease.
    func arguments(for request: Request, now: Date, leaseMember member: String) -> [RedisArgument] {
        let nowMilliseconds = Int64((now.timeIntervalSince1970 * 1000).rounded())
        let buckets = TimeBuckets(now, offsetHours: timezoneOffsetHours)
        return [
            RedisArgument(hasher.hash(request.rawKey)), RedisArgument(nowMilliseconds), RedisArgument(ISOTime.string(now)),
            RedisArgument(buckets.date), RedisArgument(buckets.week), RedisArgument(request.model),
            RedisArgument(PriceTable.normalize(request.model)), RedisArgument(request.platform),
            RedisArgument(request.matchedClients.joined(separator: ",")), RedisArgument(request.exemptFromQuotas ? "1" : "0"),
            RedisArgument(member), RedisArgument(leases.leaseMilliseconds), RedisArgument(leases.setTTLMilliseconds),
            RedisArgument(request.stickyKey ?? ""),
        ]
    }

    /// The script's verdict: the key, its lease and sticky mapping — or the refusal, thrown.
    func admission(from reply: RedisReply, for request: Request, now: Date, leaseMember member: String) throws -> Admission {
        guard case .array(let items) = reply, let verdict = items.first?.string else {
            throw RelayError(500, "api_error", "Admission returned an unexpected reply")
        }
        if verdict != "ok" {
            guard let refusal = LimitRefusal.parse(items.map { $0.string ?? "" }, model: request.model, platform: request.platform,
                                                   now: now, resets: ResetTimes(now, offsetHours: timezoneOffsetHours)) else {
                logger.error("admission script returned an unknown verdict", metadata: ["verdict": "\(items.prefix(2).map { $0.string ?? "" })"])
                throw RelayError(500, "api_error", "Admission returned an unexpected reply")
            }
            throw refusal.relayError(now: now, userAgent: request.headers[.userAgent] ?? "")
        }
        let key = APIKeyRecord(fields: items.count > 1 ? items[1].stringDictionary : [:])
        let sticky = items.count > 2 ? items[2].string.flatMap { $0.isEmpty ? nil : $0 } : nil
        let leased = items.count > 3 && items[3].string == "1"
        let window = items.count > 4 ? Int(items[4].string ?? "") ?? 0 : 0
        let lease = leased ? leases.adopt(setKey: RedisKeys.keyConcurrency(key.id), member: member) : nil
        return Admission(key: key, lease: lease, stickyMapping: sticky, rateWindowMinutes: window)
    }
}
