import AWSProtocols
import Foundation
import Testing

/// The event-stream codec and SigV4 against vectors computed with botocore and AWS's published SigV4 example
/// (the formats: docs/reference/upstream-wire.md, "AWS Bedrock").
@Suite("AWS event stream and SigV4")
struct AWSProtocolsTests {
    static func bytes(_ hex: String) -> [UInt8] {
        var result: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            result.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return result
    }

    static let noHeaders = "0000001e00000000baf2f68a7b22666f6f223a2022626172227dae7258e4"
    static let chunk = "000000870000004b87ea2bf30b3a6576656e742d747970650700056368756e6b0d3a636f6e74656e742d747970650700106170706c69636174696f6e2f6a736f6e0d3a6d6573736167652d747970650700056576656e747b226279746573223a2265794a306558426c496a6f696257567a6332466e5a56397a64473977496e303d227dba48ab22"
    static let exception = "000000b2000000613590d5d30f3a657863657074696f6e2d747970650700137468726f74746c696e67457863657074696f6e0d3a636f6e74656e742d747970650700106170706c69636174696f6e2f6a736f6e0d3a6d6573736167652d74797065070009657863657074696f6e7b226d657373616765223a22546f6f206d616e792072657175657374732c20706c656173652077616974206265666f726520747279696e6720616761696e2e227de8ffb26a"

    @Test func encoderProducesTheVectors() {
        #expect(EventStreamEncoder.encode(EventStreamMessage(headers: [], payload: Array(#"{"foo": "bar"}"#.utf8))) == Self.bytes(Self.noHeaders))
        let chunk = EventStreamMessage(headers: [(":event-type", .string("chunk")), (":content-type", .string("application/json")), (":message-type", .string("event"))],
                                       payload: Array(#"{"bytes":"eyJ0eXBlIjoibWVzc2FnZV9zdG9wIn0="}"#.utf8))
        #expect(EventStreamEncoder.encode(chunk) == Self.bytes(Self.chunk))
        let exception = EventStreamMessage(headers: [(":exception-type", .string("throttlingException")), (":content-type", .string("application/json")), (":message-type", .string("exception"))],
                                           payload: Array(#"{"message":"Too many requests, please wait before trying again."}"#.utf8))
        #expect(EventStreamEncoder.encode(exception) == Self.bytes(Self.exception))
    }

    @Test func decoderReadsTheVectorsWhateverTheSplit() throws {
        let stream = Self.bytes(Self.noHeaders) + Self.bytes(Self.chunk) + Self.bytes(Self.exception)
        for pieceSize in [1, 7, 12, 13, 100, stream.count] {
            var decoder = EventStreamDecoder()
            var messages: [EventStreamMessage] = []
            var offset = 0
            while offset < stream.count {
                let end = min(stream.count, offset + pieceSize)
                messages += try decoder.feed(stream[offset..<end])
                offset = end
            }
            #expect(messages.count == 3, "piece size \(pieceSize)")
            #expect(decoder.pendingBytes == 0)
            #expect(String(decoding: messages[0].payload, as: UTF8.self) == #"{"foo": "bar"}"#)
            #expect(messages[1].header(":event-type") == "chunk" && messages[1].messageType == "event")
            #expect(messages[2].header(":exception-type") == "throttlingException" && messages[2].messageType == "exception")
        }
    }

    @Test func corruptedFramesAreDetected() {
        var payloadFlip = Self.bytes(Self.chunk)
        payloadFlip[100] ^= 0x01
        var decoder = EventStreamDecoder()
        #expect(throws: EventStreamDecoder.Failure.self) { try decoder.feed(payloadFlip) }
        var preludeFlip = Self.bytes(Self.chunk)
        preludeFlip[3] ^= 0x01
        var second = EventStreamDecoder()
        #expect(throws: EventStreamDecoder.Failure.self) { try second.feed(preludeFlip) }
        var crcFlip = Self.bytes(Self.noHeaders)
        crcFlip[crcFlip.count - 1] ^= 0xFF
        var third = EventStreamDecoder()
        #expect(throws: EventStreamDecoder.Failure.messageChecksum(expected: 0xAE72_581B, actual: 0xAE72_58E4)) { try third.feed(crcFlip) }
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
    }

    @Test func sigV4MatchesTheAWSDocumentationKey() {
        let signer = SigV4(service: "iam", region: "us-east-1")
        let key = signer.signingKey(secret: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", date: "20150830")
        #expect(key.map { String(format: "%02x", $0) }.joined() == "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9")
    }

    @Test func sigV4MatchesTheBedrockVector() {
        let body = Array(#"{"anthropic_version":"bedrock-2023-05-31","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}"#.utf8)
        let signature = SigV4(service: "bedrock", region: "us-east-1").sign(
            method: "POST", path: "/model/us.anthropic.claude-sonnet-4-20250514-v1%3A0/invoke",
            headers: [("Content-Type", "application/json"), ("Accept", "application/json"), ("Host", "bedrock-runtime.us-east-1.amazonaws.com")],
            body: body, credentials: .init(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
            date: Date(timeIntervalSince1970: 1_735_689_600))  // 2025-01-01T00:00:00Z
        #expect(signature.canonicalRequest.split(separator: "\n", omittingEmptySubsequences: false)[1] == "/model/us.anthropic.claude-sonnet-4-20250514-v1%253A0/invoke")
        #expect(signature.signedHeaders == "accept;content-type;host;x-amz-date")
        #expect(signature.signingKey.map { String(format: "%02x", $0) }.joined() == "c27e311b7b87de48214ea763bf3f6bd9824a54ab54fdf0033dac588a75009fc1")
        #expect(signature.stringToSign.hasSuffix("eac4041b955e4efa2d5867e739a2a030cf3e8e360923559a6ed51ee2c6e9598f"))
        #expect(signature.signature == "5cb775a5c432745ff3b038a675cd35280a6bf1c85be01bb2cc8adb53474e0301")
        #expect(signature.authorization == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-east-1/bedrock/aws4_request, SignedHeaders=accept;content-type;host;x-amz-date, Signature=5cb775a5c432745ff3b038a675cd35280a6bf1c85be01bb2cc8adb53474e0301")
    }
}
