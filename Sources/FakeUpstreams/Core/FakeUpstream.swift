import Hummingbird

/// One provider's fake, declared the same way for every provider: its routes on the shared fake server, the
/// credential names scenarios may give it, and the environment a relay needs to reach it.
public protocol FakeUpstream: Sendable {
    init(state: FakeState)
    func register(on router: Router<FakeRequestContext>)
    /// Credential names it reads beyond `FakeCredentials.sharedNames` (`awsKeys`, `azureDeployments`).
    static var credentialNames: Set<String> { get }
    /// The relay settings that point at this fake when the fake server listens at `baseURL`
    /// (`CRS_CLAUDE_API_URL: <base>/official`); fakes reached through per-account URLs need none.
    static func relayEnvironment(baseURL: String) -> [String: String]
    /// The real-provider rules it enforces that a scenario may switch off by name (`fake: {relax: […]}`).
    static var relaxableRules: Set<String> { get }
}

extension FakeUpstream {
    public static var credentialNames: Set<String> { [] }
    public static func relayEnvironment(baseURL: String) -> [String: String] { [:] }
    public static var relaxableRules: Set<String> { [] }
}

/// The provider fakes, one per provider of the relay. Adding a provider's fake is adding it here.
public enum FakeRegistry {
    public static let all: [any FakeUpstream.Type] = [
        FakeBedrock.self,
        FakeOpenAI.self,
        FakeAzureOpenAI.self,
        FakeGemini.self,
        FakeAntigravity.self,
        FakeFactory.self,
        FakeWorkOS.self,
        FakeAnthropic.self,
    ]

    /// Every credential name some fake reads.
    public static var credentialNames: Set<String> { all.reduce(FakeCredentials.sharedNames) { $0.union($1.credentialNames) } }

    /// Every rule some fake lets a scenario relax.
    public static var relaxableRules: Set<String> { all.reduce([]) { $0.union($1.relaxableRules) } }

    /// What a relay needs to reach every fake at `baseURL`.
    public static func relayEnvironment(baseURL: String) -> [String: String] {
        all.reduce(into: [:]) { environment, fake in environment.merge(fake.relayEnvironment(baseURL: baseURL)) { _, new in new } }
    }
}
