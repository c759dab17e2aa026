import AsyncHTTPClient
import Cassettes
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Tracing

extension RelayHandler {
    /// How long a stream whose client hung up is still read for its usage (`UpstreamPump.clientLeft`).
    static var hangUpDrain: Duration { .seconds(2) }

    /// Streams the upstream SSE to the client chunk by chunk, metering usage on the way; records usage once the
    /// stream ends, also when the client left or the upstream broke off (then with what had arrived).
    /// The request's leases are held until the stream ends (renewed meanwhile), and released with the usage write.
    func streamingResponse(_ upstream: HTTPClientResponse, _ job: UpstreamAttempt, transcoder initial: (any StreamTranscoder)?,
                                   tape: CassetteTape?, sentAt: ContinuousClock.Instant) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = initial == nil && job.framing == nil ? upstream.headers.first(name: "content-type") ?? "text/event-stream" : "text/event-stream"
        headers[.cacheControl] = "no-cache"
        headers[HTTPField.Name("x-accel-buffering")!] = "no"
        if let requestID = upstream.headers.first(name: "request-id") { headers[HTTPField.Name("request-id")!] = requestID }
        let handler = self
        let trace = RequestTrace.current
        trace?.endsWithStream()
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            let metrics = handler.context.metrics
            metrics.activeStreams.increment()
            defer { metrics.activeStreams.decrement() }
            var firstByte = true
            var meter = handler.family.makeMeter(operation: job.operation)
            var transcoder = initial
            var framer = job.framing?.makeStreamFramer()
            let idle = handler.context.settings.upstreamIdleTimeoutMilliseconds
            let pump = UpstreamPump(upstream.body, idleTimeout: idle > 0 ? .milliseconds(idle) : nil,
                                    deadline: sentAt + .milliseconds(handler.context.settings.upstreamTimeoutMilliseconds))
            var stop = StreamEnding.Stop.upstreamEnded
            // The end of the shutdown grace period stops the upstream read at once; this task goes on to end the
            // client's stream properly. A hang-up (the connection closes, or a write fails) stops it once the usage
            // is known: the upstream bills a request it has started, so a client that leaves before the first usage
            // event (Anthropic's message_start) would otherwise go unmetered. That drain is bounded.
            var clientGone = false
            var usageKnown = false
            await watchingInterruptions(of: pump, channel: job.channel, grace: .seconds(handler.context.settings.shutdownGraceSeconds),
                                        drain: Self.hangUpDrain) {
                reading: while true {
                    switch await pump.next() {
                    case .chunk(let raw):
                        tape?.chunk(raw)
                        if firstByte {
                            firstByte = false
                            metrics.firstByte(kind: job.account.kind.name, after: ContinuousClock.now - sentAt)
                        }
                        var chunk = raw
                        var broken: String?
                        if transcoder != nil {
                            switch transcoder!.transcode(raw) {
                            case .events(let events): chunk = events
                            case .broken(let events, let reason): chunk = events; broken = reason
                            }
                        }
                        meter.feed(chunk)
                        if !usageKnown, !meter.usage.isEmpty {
                            usageKnown = true
                            pump.usageKnown()
                        }
                        // Once the usage is known a hang-up stops the pump itself: no per-chunk lock on the hot path.
                        if clientGone || (!usageKnown && pump.clientHasLeft) {
                            clientGone = true
                            guard meter.usage.isEmpty else {
                                stop = .clientGone
                                pump.stop(.clientGone)
                                break reading
                            }
                            continue reading
                        }
                        if framer != nil { chunk = framer!.frame(chunk) }
                        do {
                            try await writer.write(chunk)
                        } catch {
                            clientGone = true
                            pump.clientLeft(drainingFor: Self.hangUpDrain)
                            if meter.usage.isEmpty { continue reading }
                            stop = .clientGone
                            pump.stop(.clientGone)
                            break reading
                        }
                        if let broken {
                            handler.context.logger.warning("upstream stream corrupted", metadata: ["account": "\(job.account.id)", "reason": "\(broken)"])
                            stop = .upstreamFailed(.corrupted(broken))
                            pump.stop(.clientGone)
                            break reading
                        }
                    case .end:
                        if clientGone || pump.clientHasLeft { stop = .clientGone }
                        break reading
                    case .failed(let error):
                        stop = .upstreamFailed(.transport("\(type(of: error))"))
                        break reading
                    case .stopped(.clientGone):
                        stop = .clientGone
                        break reading
                    case .stopped(.shuttingDown):
                        stop = .shuttingDown
                        break reading
                    case .stopped(.upstreamDeadline):
                        stop = .upstreamFailed(.deadline(.milliseconds(handler.context.settings.upstreamTimeoutMilliseconds)))
                        handler.context.logger.warning("upstream stream outlived the request deadline; ended", metadata: ["account": "\(job.account.id)"])
                        break reading
                    case .stopped(.upstreamIdle(let limit)):
                        stop = .upstreamFailed(.idle(limit))
                        handler.context.logger.warning("upstream stream idle; ended", metadata: ["account": "\(job.account.id)", "limit": "\(limit)"])
                        break reading
                    }
                }
            }
            let ending = StreamEnding(stop: stop, sawEnd: meter.sawEnd, sawError: meter.sawError)
            if let event = ending.terminalEvent {
                try? await writer.write(handler.family.streamErrorEvent(operation: job.operation, type: event.type, message: event.message))
            } else if framer != nil, meter.sawEnd, stop == .upstreamEnded {
                try? await writer.write(framer!.finish())
            }
            if ending.finishesClientStream { try? await writer.finish(nil) }
            tape?.finish(outcome: ending.recordedOutcome)
            if ending.countsAsServerError { await handler.countServerError(job.account) }
            let usage = meter.usage
            if let trace {
                trace.span.setUsage(usage, account: job.account, attempts: nil)
                if let error = ending.spanError { trace.span.setStatus(SpanStatus(code: .error, message: error)) }
                trace.span.attributes["crs.client_gone"] = ending.stop == .clientGone
                trace.span.end()
            }
            if !usage.isEmpty {
                handler.scheduleRecording(job, usage: usage)
            } else {
                let leases = job.leases
                Task { await leases.release() }  // this task may be cancelled (client gone): release apart
            }
        })
    }
}
