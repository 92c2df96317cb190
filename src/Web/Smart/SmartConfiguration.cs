using Microsoft.IdentityModel.Tokens;

namespace Huddle.Web.Smart;

/// <summary>What an EHR publishes at <c>{iss}/.well-known/smart-configuration</c> that Huddle uses.</summary>
public sealed record SmartConfiguration(
    Uri AuthorizationEndpoint,
    Uri TokenEndpoint,
    string Issuer,
    IReadOnlyList<SecurityKey> SigningKeys,
    IReadOnlySet<string> Capabilities,
    IReadOnlySet<string> CodeChallengeMethods);
