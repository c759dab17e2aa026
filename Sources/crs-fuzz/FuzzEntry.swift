import Foundation
import FuzzTargets

// `CRS_FUZZ_TARGET` picks the parser. Built with `-sanitize=fuzzer -DFUZZING` (scripts/fuzz), libFuzzer drives
// `LLVMFuzzerTestOneInput`; built normally, `crs-fuzz TARGET FILE|DIR…` replays inputs once each.
#if FUZZING
import CFuzzerDriver

let selected = FuzzTarget(rawValue: ProcessInfo.processInfo.environment["CRS_FUZZ_TARGET"] ?? "json") ?? .json

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    _ = selected.run(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

/// SwiftPM links an executable's `main` to `crs_fuzz_main`: hand over to libFuzzer's driver.
@_cdecl("crs_fuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments) { data, size in fuzzOne(data, size) }
}
#else
@main
struct Replay {
    static func main() throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard let name = arguments.first, let target = FuzzTarget(rawValue: name) else {
            print("usage: crs-fuzz TARGET FILE|DIR… (targets: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")))")
            throw ExitCode.usage
        }
        var files: [String] = []
        for path in arguments.dropFirst() {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
            if isDirectory.boolValue {
                files += (try FileManager.default.contentsOfDirectory(atPath: path)).sorted().map { path + "/" + $0 }
            } else {
                files.append(path)
            }
        }
        for file in files {
            let data = try Data(contentsOf: URL(fileURLWithPath: file))
            _ = data.withUnsafeBytes { target.run($0) }
        }
        print("\(target.rawValue): \(files.count) input(s) replayed, no crash")
    }

    enum ExitCode: Error { case usage }
}
#endif
