import AsyncHTTPClient
import Cassettes
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import Tracing

/// One client call of any API family, top to bottom:
/// read and check the body → admission (one Redis round trip: key, policy, cost/rate/concurrency limits, sticky
/// mapping) → schedule an account → build the upstream request (the account kind's dialect) → forward → on
/// failure before the first byte, mark the account and try the next one → stream or return the reply → record
/// usage and cost, and release the request's concurrency leases, in one pipelined write.
/// What differs between families (parsing, error shapes, stream formats) is the `APIFamily`.
struct RelayHandler<Family: APIFamily>: Sendable {
    /// The longest model id any provider uses is well under 200 bytes (Bedrock ARNs included).
    static var maxModelNameBytes: Int { 256 }

    let context: RelayContext
    let family: Family
    let scheduler: AccountScheduler

    init(context: RelayContext, family: Family, scheduler: AccountScheduler) {
        self.context = context
        self.family = family
        self.scheduler = scheduler
    }

    /// `body`: already read by a route that had to look into it first (the model-routed Chat Completions routes),
    /// after it checked the key is an issued one.
    func handle(_ request: Request, operation: String, channel: (any Channel)? = nil, body: ByteBuffer? = nil) async -> Response {
        guard let tracer = context.tracer else {
            let response = await respond(request, operation: operation, channel: channel, body: body)
            context.metrics.request(family: family.name, status: Int(response.status.code))
            return response
        }
        // One server span per request, continuing the client's `traceparent`; the steps below open children.
        var parent = ServiceContext.topLevel
        tracer.extract(request.headers, into: &parent, using: HTTPFieldsExtractor())
        let span = tracer.startSpan("\(request.method.rawValue) \(request.uri.path)", context: parent, ofKind: .server)
        span.attributes["http.request.method"] = request.method.rawValue
        span.attributes["url.path"] = request.uri.path
        span.attributes["crs.api_family"] = family.name
        let trace = RequestTrace(span: span)
        let response = await ServiceContext.withValue(span.context) {
            await RequestTrace.$current.withValue(trace) { await respond(request, operation: operation, channel: channel, body: body) }
        }
        let status = Int(response.status.code)
        span.attributes["http.response.status_code"] = status
        if status >= 500 { span.setStatus(SpanStatus(code: .error)) }
        if trace.endsWithHandler { span.end() }
        context.metrics.request(family: family.name, status: status)
        return response
    }

    private func respond(_ request: Request, operation: String, channel: (any Channel)?, body: ByteBuffer?) async -> Response {
        do {
            return try await relay(request, operation: operation, channel: channel, preread: body)
        } catch let error as RelayError {
            return family.errorResponse(error)
        } catch let error as RedisError {
            context.logger.error("relay failed on Redis", metadata: ["error": "\(error)"])
            return family.errorResponse(.storeUnavailable)
        } catch {
            context.logger.error("relay failed", metadata: ["error": "\(error)"])
            return family.errorResponse(RelayError(500, "api_error", "The relay failed to handle this request"))
        }
    }

    private func relay(_ request: Request, operation routed: String, channel: (any Channel)?, preread: ByteBuffer?) async throws -> Response {
        // 1. A key must be present and well-formed before anything else is read.
        let rawKey = try context.admission.rawKey(headers: request.headers, query: request.uri.query)

        // 2. The key must be an issued one before any work proportional to the body (reading it, parsing it).
        //    A body read already was read after this check.
        let body: ByteBuffer
        if let preread {
            body = preread
        } else {
            try await context.admission.requireIssued(rawKey)
            // 3. Read the body (bounded) and check the fields the relay relies on; everything else passes untouched.
            body = try await Self.collectBody(request, limit: context.settings.maxBodyBytes)
        }
        let parsed = try family.parse(request, operation: routed, body: body)
        let operation = parsed.operation ?? routed
        // Model names are client input that normalising, price lookups and the admission script all read.
        guard parsed.model.utf8.count <= Self.maxModelNameBytes else {
            throw RelayError.badRequest("model: at most \(Self.maxModelNameBytes) bytes (got \(parsed.model.utf8.count))")
        }
        guard parsed.stream else { return try await admitAndDispatch(request, rawKey: rawKey, body: body, parsed: parsed, operation: operation, channel: channel) }
        // A stream's admission and upstream call run in a child task. A task keeps the async frames of its deepest
        // call chain so far (admission, scheduling, the upstream call: ~38 KB) allocated until it ends, and this
        // task goes on writing the stream for minutes; the child's frames are freed once it hands the response back
        // (1,000 open streams: ~30 MB less). Non-stream replies end with the request, so they skip the extra task.
        async let response = admitAndDispatch(request, rawKey: rawKey, body: body, parsed: parsed, operation: operation, channel: channel)
        return try await response
    }

    /// The request body, at most `limit` bytes (more: 413).
    static func collectBody(_ request: Request, limit: Int) async throws -> ByteBuffer {
        do {
            return try await request.body.collect(upTo: limit)
        } catch {
            throw RelayError(413, "request_too_large", "Request body exceeds \(limit) bytes")
        }
    }

    /// 4. Admission, then 5. scheduling and forwarding.
    private func admitAndDispatch(
        _ request: Request, rawKey: String, body: ByteBuffer, parsed: ParsedRequest, operation: String, channel: (any Channel)?
    ) async throws -> Response {
        // 4. Admission: key, permission, model blacklist, client whitelist, cost/rate/concurrency limits.
        let gateRequest = AdmissionGate.Request(
            rawKey: rawKey, headers: request.headers, model: parsed.model, platform: family.platform,
            matchedClients: ClientRestriction.matchingClients(path: request.uri.path, headers: request.headers, body: parsed.json),
            exemptFromQuotas: parsed.exemptFromQuotas, stickyKey: parsed.sessionHash.map(scheduler.policy.stickyKey))
        let admission = try await context.traced("admission") { _ in
            do {
                return try await context.admission.admit(gateRequest)
            } catch let refusal as RelayError where ConcurrencyQueue.isConcurrencyRefusal(refusal) {
                // Over the key's concurrency limit: wait for a lease when the queue is on (else the 429 stands).
                guard let settings = await context.relaySettings?.current().queue, settings.enabled else { throw refusal }
                return try await ConcurrencyQueue(redis: context.redis).wait(
                    keyHash: context.admission.keyHash(rawKey), refusal: refusal, settings: settings, channel: channel) {
                    try await context.admission.admit(gateRequest)
                }
            }
        }
        if let span = RequestTrace.current?.span {
            span.attributes["crs.key.id"] = admission.key.id
            span.attributes["gen_ai.request.model"] = parsed.model
            span.attributes["crs.stream"] = parsed.stream
        }
        let leases = RequestLeases(admission.lease)
        family.observe(request)
        let outcome: (response: Response, streaming: Bool)
        do {
            let screening = try await family.screen(request, parsed: parsed, operation: operation)
            outcome = try await dispatch(request, admission: admission, leases: leases, body: body, parsed: parsed, operation: operation, channel: channel,
                                         screening: screening)
        } catch {
            await leases.release()
            throw error
        }
        // A stream releases its leases when it ends; otherwise the usage write took them, or they go now.
        if !outcome.streaming { await leases.release() }
        return outcome.response
    }

    /// 5. Schedule and forward; fail over while nothing has been sent to the client.
    private func dispatch(
        _ request: Request, admission: Admission, leases: RequestLeases, body: ByteBuffer, parsed: ParsedRequest, operation: String,
        channel: (any Channel)?, screening: Screening
    ) async throws -> (response: Response, streaming: Bool) {
        let key = admission.key
        let model = parsed.model
        let sessionHash = parsed.sessionHash
        var excluded = Set<String>()
        var lastFailure: Response?
        var sticky = AccountScheduler.StickyLookup.prefetched(admission.stickyMapping)
        var detail: RequestDetailCapture?
        if let settings = await context.relaySettings?.current().requestDetails, settings.captureEnabled {
            detail = RequestDetailCapture(endpoint: request.uri.path, method: request.method.rawValue, startedAt: context.clock.now, settings: settings,
                                          body: settings.bodyPreviewEnabled ? JSON.object(Data(buffer: body)) : nil)
        }
        for attempt in 1...context.settings.maxAttempts {
            let selection: AccountScheduler.Selection
            do {
                selection = try await context.traced("schedule") { span in
                    let selected = try await scheduler.select(key: key, model: model, sessionHash: sessionHash, excluding: excluded, sticky: sticky, pool: parsed.pool,
                                                            pinned: screening.pinned, accepts: parsed.accepts)
                    span?.attributes["crs.account.id"] = selected.account.id
                    span?.attributes["crs.account.kind"] = selected.account.kind.name
                    span?.attributes["crs.schedule.source"] = selected.source.rawValue
                    return selected
                }
            } catch let failure as AccountScheduler.Failure {
                if let lastFailure { return (lastFailure, false) }
                if let refusal = screening.pinnedRefusal { throw refusal }
                throw RelayResponses.relayError(failure, family: scheduler.policy.name, now: context.clock.now)
            }
            sticky = .prefetched(nil)  // a failed account's mapping is dropped below
            if attempt == 1, let onScheduled = screening.onScheduled { await onScheduled(selection.account) }
            leases.add(selection.lease)
            let account = selection.account
            context.logger.debug("account selected", metadata: [
                "key": "\(key.name) (\(key.id))", "account": "\(account.name) (\(account.id))", "kind": "\(account.kind.name)",
                "source": "\(selection.source.rawValue)", "model": "\(model)", "attempt": "\(attempt)",
            ])
            let job = UpstreamAttempt(key: key, account: account, selection: selection, model: model, operation: operation,
                                      stream: parsed.stream, sessionHash: sessionHash, leases: leases, channel: channel, rateWindowMinutes: admission.rateWindowMinutes,
                                      framing: parsed.framing, detail: detail)
            let outcome = try await attemptUpstream(job, clientRequest: request, body: parsed.body ?? body, json: parsed.json)
            switch outcome {
            case .done(let response, let usage):
                if let usage, !usage.isEmpty { scheduleRecording(job, usage: usage) }
                RequestTrace.current?.span.setUsage(usage, account: account, attempts: attempt)
                return (response, false)
            case .streaming(let response):
                return (response, true)
            case .failed(let response, let failover):
                lastFailure = response
                await selection.lease?.release()
                await scheduler.forget(sessionHash: sessionHash)
                guard failover, !selection.isDedicated, attempt < context.settings.maxAttempts else { return (response, false) }
                excluded.insert(account.id)
                context.metrics.failover(family: family.name)
                context.logger.notice("failing over to another account", metadata: ["from": "\(account.id)", "attempt": "\(attempt)"])
            }
        }
        return (lastFailure ?? family.errorResponse(.unavailable("No upstream account could serve this request")), false)
    }

    /// One try of one account for the request.
    struct UpstreamAttempt: Sendable {
        let key: APIKeyRecord
        let account: AccountRecord
        let selection: AccountScheduler.Selection
        let model: String
        let operation: String
        let stream: Bool
        let sessionHash: String?
        let leases: RequestLeases
        let channel: (any Channel)?
        let rateWindowMinutes: Int
        let framing: (any ReplyFraming)?
        /// Request-detail capture is on: what is kept with the usage.
        let detail: RequestDetailCapture?
    }

    enum AttemptOutcome {
        case done(Response, TokenUsage?)
        case streaming(Response)
        case failed(Response, failover: Bool)
    }

    private func attemptUpstream(_ job: UpstreamAttempt, clientRequest request: Request, body: ByteBuffer, json: [String: Any]) async throws -> AttemptOutcome {
        var account = job.account
        var credential: String
        do {
            credential = try await context.traced("credential") { _ in try await context.credential(for: account, session: job.sessionHash) }
        } catch {
            return .failed(family.errorResponse(.unavailable("Account \(account.name) has no usable credential")), failover: true)
        }
        let dialect = family.dialect(for: account.kind, operation: job.operation, context: context)
        var input = DialectInput(
            account: account, credential: credential, operation: job.operation, clientHeaders: request.headers, clientQuery: request.uri.query,
            body: body, json: json, requestedModel: job.model, upstreamModel: job.selection.upstreamModel, stream: job.stream,
            sessionHash: job.sessionHash)
        var upstreamRequest: UpstreamRequest
        do {
            upstreamRequest = try await dialect.request(input)
        } catch let error as RelayError {
            return .failed(family.errorResponse(error), failover: true)
        }

        // The user-message serial queue: wait for the account's turn (another account may be free when it times out).
        var turn: UserMessageTurn?
        if family.takesUserMessageTurn(on: account, operation: job.operation, json: json),
           let settings = await context.relaySettings?.current().userMessageQueue, settings.enabled {
            let taken = UserMessageTurn(queue: UserMessageQueue(redis: context.redis), accountID: account.id)
            do {
                try await taken.take(settings)
            } catch let error as RelayError {
                return .failed(family.errorResponse(error), failover: true)
            }
            turn = taken
        }
        defer { turn?.endDetached() }

        var retried = false
        let response: HTTPClientResponse
        let tape: CassetteTape?
        let sentAt: ContinuousClock.Instant
        while true {
            let reply: HTTPClientResponse
            let replyTape: CassetteTape?
            let replySentAt: ContinuousClock.Instant
            switch await send(upstreamRequest, job, credential: credential) {
            case .unreachable(let outcome): return outcome
            case .reply(let head, let recording, let at): (reply, replyTape, replySentAt) = (head, recording, at)
            }
            let status = Int(reply.status.code)
            replyTape?.head(status: status, headers: reply.headers)
            if (200..<300).contains(status) {
                (response, tape, sentAt) = (reply, replyTape, replySentAt)
                turn?.endDetached()  // the upstream has the request: the next user turn may go
                break
            }
            let errorBody = (try? await reply.body.collect(upTo: 1 << 20)) ?? ByteBuffer()
            replyTape?.chunk(errorBody)
            replyTape?.finish()
            if (300..<400).contains(status) {
                // Not followed (the credential would go along); another account may serve the request.
                context.logger.warning("upstream answered with a redirect; not followed", metadata: ["account": "\(account.id)", "status": "\(status)"])
                return .failed(family.errorResponse(RelayError(502, "api_error", "Upstream answered \(status) (a redirect); the relay does not follow upstream redirects")), failover: true)
            }
            if !retried, let again = try? await dialect.retry(after: status, body: errorBody, input: input, previous: upstreamRequest) {
                // The same account once more, differently (Anthropic: a subscription's "only for Claude Code" refusal).
                retried = true
                upstreamRequest = again
                context.logger.notice("upstream refused the request; retrying it on the same account", metadata: ["account": "\(account.id)", "status": "\(status)"])
                continue
            }
            if status == 401 || status == 403, account.kind.keyListField != nil,
               let updated = await context.accounts.setListedKeyAside(account, key: credential, reason: "\(status)") {
                // One key of the account's list was refused: it is set aside (as Node marks it) and the same account
                // goes on with another of its keys; only when none is left is the account itself marked below.
                account = updated
                context.logger.notice("account key refused; set aside", metadata: ["account": "\(account.id)", "status": "\(status)"])
                if let next = context.accounts.listedKey(account, session: job.sessionHash),
                   let again = try? await dialect.request(input.with(account: account, credential: next)) {
                    credential = next
                    input = input.with(account: account, credential: next)
                    upstreamRequest = again
                    continue
                }
            }
            let (verdict, clientResponse) = dialect.failure(status: status, headers: reply.headers, body: errorBody, account: account, now: context.clock.now)
            if let mark = verdict.mark {
                await context.accounts.mark(account, AccountHealth.fields(for: mark, at: context.clock.now))
                await context.alerts?.publish(.init(type: Self.alertType(mark), accountID: account.id, accountName: account.name,
                                                    platform: account.kind.platform, message: "upstream \(status): \(mark)"))
                context.logger.notice("account marked", metadata: ["account": "\(account.id)", "status": "\(status)", "mark": "\(mark)"])
            }
            if verdict.countsAsServerError { await countServerError(account) }
            if verdict.mark != nil || verdict.countsAsServerError {
                await AccountErrorHistory(redis: context.redis).record(account, status: status, message: verdict.mark.map { "\($0)" } ?? "upstream \(status)",
                                                                       body: errorBody.getString(at: errorBody.readerIndex, length: min(errorBody.readableBytes, AccountErrorHistory.bodyCharacters * 4)), at: context.clock.now)
            }
            return .failed(job.framing?.failure(status: status, headers: reply.headers, body: errorBody) ?? clientResponse, failover: verdict.failover)
        }
        let status = Int(response.status.code)
        await dialect.accepted(input)
        let restorer = upstreamRequest.toolNames.isEmpty ? nil : ToolNameRestorer(names: upstreamRequest.toolNames)
        let now = context.clock.now
        await context.accounts.mark(account, AccountHealth.clearedFields(for: account)
            .merging(dialect.accountChanges(afterReply: response.headers, account: account, now: now)) { _, new in new })

        guard job.stream else {
            let upstreamBody = try await response.body.collect(upTo: 256 << 20)
            tape?.chunk(upstreamBody)
            var replyBody = dialect.reply(upstreamBody, requestedModel: job.model)
            if let restorer { replyBody = restorer.reply(replyBody) }
            tape?.finish()
            let usage = JSON.object(Data(buffer: replyBody)).flatMap { family.usage(inReply: $0, operation: job.operation) }
            if let framing = job.framing { replyBody = framing.reply(replyBody) }
            return .done(RelayResponses.passThrough(status: status, headers: response.headers, body: replyBody), usage)
        }
        let transcoder = restorer.map { ToolNameStreamRestorer($0) as any StreamTranscoder } ?? dialect.transcoder(requestedModel: job.model)
        return .streaming(streamingResponse(response, job, transcoder: transcoder, tape: tape, sentAt: sentAt))
    }

    /// One upstream exchange up to the response head: a reply, or (unreachable, timed out) the attempt's outcome.
    enum Sent {
        case reply(HTTPClientResponse, CassetteTape?, sentAt: ContinuousClock.Instant)
        case unreachable(AttemptOutcome)
    }

    private func send(_ upstreamRequest: UpstreamRequest, _ job: UpstreamAttempt, credential: String) async -> Sent {
        let account = job.account
        var outgoing = HTTPClientRequest(url: upstreamRequest.url)
        outgoing.method = upstreamRequest.method
        outgoing.headers = upstreamRequest.headers
        // Trace headers go upstream only as the relay's own continuation (CRS_TRACE_FORWARD), never the client's.
        outgoing.headers.remove(name: "traceparent")
        outgoing.headers.remove(name: "tracestate")
        if upstreamRequest.method != .GET { outgoing.body = .bytes(upstreamRequest.body) }
        let tape = context.cassettes?.begin(method: upstreamRequest.method.rawValue, url: upstreamRequest.url, headers: upstreamRequest.headers, body: upstreamRequest.body,
                                            accountKind: account.kind.name, credential: credential)
        let sentAt = ContinuousClock.now
        do {
            // The HTTP client's deadline covers the response head only (its timer is cancelled once the head is
            // in). Streams answer with their head at once; a non-stream reply's head comes only when it is complete
            // (minutes for long outputs), so only streams get the shorter first-byte limit as their deadline.
            let firstByteLimit = job.stream ? context.settings.upstreamFirstByteTimeoutMilliseconds : 0
            let headLimit = firstByteLimit > 0 ? min(firstByteLimit, context.settings.upstreamTimeoutMilliseconds) : context.settings.upstreamTimeoutMilliseconds
            let deadline = NIODeadline.now() + .milliseconds(Int64(headLimit))
            let client = context.upstream.client(for: upstreamRequest.proxy)
            let response = try await context.traced("upstream", kind: .client) { span in
                var traced = outgoing
                if context.settings.forwardTraceParent, let parent = span?.traceParent { traced.headers.add(name: "traceparent", value: parent.header) }
                span?.attributes["crs.account.kind"] = account.kind.name
                span?.attributes["server.address"] = URL(string: upstreamRequest.url)?.host ?? ""
                let request = traced
                let reply = try await client.execute(request, deadline: deadline)
                span?.attributes["http.response.status_code"] = Int(reply.status.code)
                if reply.status.code >= 400 { span?.setStatus(SpanStatus(code: .error)) }
                return reply
            }
            context.metrics.upstream(kind: account.kind.name, status: Int(response.status.code), headAfter: ContinuousClock.now - sentAt)
            return .reply(response, tape, sentAt: sentAt)
        } catch {
            context.metrics.upstream(kind: account.kind.name, status: 0, headAfter: ContinuousClock.now - sentAt)
            tape?.finish(outcome: "unreachable: \(type(of: error))")
            await countServerError(account)
            let timedOut = (error as? HTTPClientError) == .deadlineExceeded || (error as? HTTPClientError) == .readTimeout
            context.logger.warning("upstream unreachable", metadata: ["account": "\(account.id)", "error": "\(error)"])
            let failure = RelayError(timedOut ? 504 : 502, "api_error", timedOut ? "Upstream timed out" : "Upstream unreachable")
            await AccountErrorHistory(redis: context.redis).record(account, status: timedOut ? 504 : 0, message: failure.message, body: nil, at: context.clock.now)
            return .unreachable(.failed(family.errorResponse(failure), failover: true))
        }
    }


    // MARK: helpers

    /// Writes usage, cost, rate-window counters and the lease releases in one pipeline, off the response path.
    func scheduleRecording(_ job: UpstreamAttempt, usage: TokenUsage) {
        var entry = UsageRecorder.Entry(keyID: job.key.id, accountID: job.account.id, accountKind: job.account.kind,
                                        model: usage.model ?? job.model, usage: usage, at: context.clock.now)
        entry.rateWindowMinutes = job.rateWindowMinutes
        entry.accountQuota = AccountQuota.of(job.account)
        entry.trailing = job.leases.takeReleases()
        let logger = context.logger
        let redis = context.redis
        let keyID = entry.keyID
        let releases = entry.trailing
        context.recorder.recordDetached(entry) { error in
            // Redis refused the write (a bug, not an outage: outages queue it in the recorder).
            logger.error("usage not recorded: Redis refused the write", metadata: ["key": "\(keyID)", "error": "\(error)"])
            if !releases.isEmpty { _ = try? await redis.pipeline(releases) }  // leases must not wait for expiry
        }
        if let detail = job.detail {
            // Best effort, beside the usage write (a debugging view, not an account of record).
            let model = entry.model
            let now = entry.at
            let id = UUID().uuidString.lowercased()
            let record = detail.record(id: id, keyID: keyID, account: job.account, model: model, usage: usage, stream: job.stream,
                                       cost: CostCalculator.cost(of: usage, model: model, table: context.recorder.prices.table), at: now)
            let commands = RequestDetailStore.commands(record, id: id, at: now, retentionHours: detail.retentionHours)
            Task.detached { _ = try? await redis.pipeline(commands) }
        }
    }

    func countServerError(_ account: AccountRecord) async {
        let counter = RedisKeys.accountFiveXXErrors(account.id)
        guard let replies = try? await context.redis.pipeline([RedisCommand("INCR", RedisArgument(counter)), RedisCommand("EXPIRE", RedisArgument(counter), 300)]),
              let count = replies.first?.int, count >= Int64(context.settings.serverErrorThreshold) else { return }
        let until = context.clock.now.addingTimeInterval(Double(context.settings.serverErrorPauseMinutes * 60))
        await context.accounts.mark(account, AccountHealth.fields(for: .temporaryError(until: until, "\(count) upstream errors in 5 minutes"), at: context.clock.now))
    }

    static func alertType(_ mark: AccountHealth.Mark) -> String {
        switch mark {
        case .rateLimited: return "account_rate_limited"
        case .overloaded: return "account_overloaded"
        case .unauthorized: return "account_unauthorized"
        case .blocked: return "account_blocked"
        case .temporaryError: return "account_temp_error"
        }
    }
}
