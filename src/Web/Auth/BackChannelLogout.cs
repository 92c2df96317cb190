using Huddle.Contracts.Common;
using System.Text.Json;
using Huddle.Contracts.Users;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Huddle.Web.Auth;

/// <summary>
/// OpenID Connect Back-Channel Logout 1.0: the provider posts a signed logout token when a person
/// signs out there (or an administrator ends their sessions), and Huddle ends that person's sessions
/// on every host. ASP.NET Core has no handler for it, so the token's checks (section 2.6 of the
/// specification) are written here, on the library's JWT validation with the provider's published
/// keys: signature, issuer, audience (Huddle's client id), issued-at and, if present, expiry; the
/// back-channel logout event; a subject; no nonce. The sign-out is stored
/// (<see cref="ISessionEndGrain"/>) before the answer, so a logout the provider was told succeeded
/// is never lost.
/// </summary>
public static partial class BackChannelLogout
{
    public const string EventType = "http://schemas.openid.net/event/backchannel-logout";

    /// <summary>The longest a logout token may be issued before it arrives.</summary>
    private static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);

    public static async Task<IResult> HandleAsync(HttpContext context, IGrainFactory grains, OidcSettings settings,
        IOptionsMonitor<OpenIdConnectOptions> oidc, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(oidc);
        ArgumentNullException.ThrowIfNull(loggers);
        var logger = loggers.CreateLogger(typeof(BackChannelLogout));
        context.Response.Headers.CacheControl = "no-cache, no-store";
        if (!context.Request.HasFormContentType || (await context.Request.ReadFormAsync(context.RequestAborted))["logout_token"].ToString() is not { Length: > 0 } token)
        {
            return Refuse(logger, "no logout_token in a form body");
        }

        var configuration = await oidc.Get(OidcSettings.BrowserScheme).ConfigurationManager!.GetConfigurationAsync(context.RequestAborted);
        var validation = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = configuration.Issuer,
            ValidAudience = settings.ClientId,
            IssuerSigningKeys = configuration.SigningKeys,
            ValidateLifetime = true,
            RequireExpirationTime = false,
            ClockSkew = TimeSpan.FromMinutes(2),
        });
        if (!validation.IsValid || validation.SecurityToken is not JsonWebToken jwt)
        {
            // The library's message can quote the token: only its type is logged.
            return Refuse(logger, $"not a valid token from the provider ({validation.Exception?.GetType().Name})");
        }

        if (jwt.IssuedAt == DateTime.MinValue || DateTime.UtcNow - jwt.IssuedAt > MaxAge)
        {
            return Refuse(logger, "no iat, or issued too long ago");
        }

        if (!jwt.TryGetPayloadValue<JsonElement>("events", out var events) || events.ValueKind != JsonValueKind.Object || !events.TryGetProperty(EventType, out _))
        {
            return Refuse(logger, "no back-channel logout event");
        }

        if (jwt.TryGetPayloadValue<string>("nonce", out _))
        {
            return Refuse(logger, "a nonce (an id token, not a logout token)");
        }

        if (!jwt.TryGetPayloadValue<string>("sub", out var subject) || string.IsNullOrEmpty(subject))
        {
            // A sid-only token names a session Huddle cannot find by person; providers send sub too.
            return Refuse(logger, "no sub (Huddle needs the subject)");
        }

        var sid = jwt.TryGetPayloadValue<string>("sid", out var s) && !string.IsNullOrEmpty(s) ? s : null;
        await grains.Grain<ISessionEndGrain>(subject).EndAsync(sid, new DateTimeOffset(jwt.IssuedAt, TimeSpan.Zero));
        return Results.Ok();
    }

    private static IResult Refuse(ILogger logger, string why)
    {
        LogRefused(logger, why);
        return Results.Json(new Dictionary<string, string> { ["error"] = "invalid_request", ["error_description"] = $"Not a valid logout token: {why}." },
            statusCode: StatusCodes.Status400BadRequest);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Back-channel logout refused: {Why}")]
    private static partial void LogRefused(ILogger logger, string why);
}
